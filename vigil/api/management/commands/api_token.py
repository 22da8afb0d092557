"""List and revoke API tokens:

manage.py api_token list [USERNAME]
manage.py api_token revoke PREFIX

Tokens are made by their own user at the desk (/desk/api-tokens/), never here: a
token made on the command line would read with the user's rights while the audit
trail named the user. `create` only says so.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.api import tokens
from vigil.api.models import ApiToken


class Command(BaseCommand):
    help = "List and revoke API tokens (each user makes their own at /desk/api-tokens/)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        # Kept so that the old way gets a clear answer rather than a usage error.
        create = actions.add_parser("create", help="refused: tokens are made at the desk")
        create.add_argument("rest", nargs="*")
        create.add_argument("--name")
        create.add_argument("--scope", action="append")
        listing = actions.add_parser("list", help="list tokens")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            raise CommandError(
                "API tokens are made by their own user, logged in, at /desk/api-tokens/; "
                "this command only lists and revokes them"
            )
        elif action == "list":
            rows = ApiToken.objects.select_related("user")
            if options.get("username"):
                rows = rows.filter(user__username=options["username"])
            for token in rows:
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.prefix}  {token.user.username:<16} {state:<8} "
                    f"{','.join(token.scopes)}  {token.name}"
                )
        else:
            matches = list(ApiToken.objects.filter(prefix=options["prefix"]))
            if len(matches) != 1:
                raise CommandError("no single token has that prefix; see `api_token list`")
            tokens.revoke(actor=None, token=matches[0])
            self.stdout.write(f"revoked {matches[0].prefix}…")
