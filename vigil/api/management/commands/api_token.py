"""Make, list and revoke API tokens:

manage.py api_token create USERNAME --name "ETL" --scope read:cases --scope read:stats
manage.py api_token list [USERNAME]
manage.py api_token revoke PREFIX
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.accounts.models import User
from vigil.api import tokens
from vigil.api.models import ApiToken


class Command(BaseCommand):
    help = "Make, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token for a user")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument(
            "--scope", action="append", required=True, choices=sorted(tokens.SCOPES),
            help="a scope to grant (repeat for several)",
        )  # fmt: skip
        listing = actions.add_parser("list", help="list tokens")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            try:
                user = User.objects.get(username=options["username"])
            except User.DoesNotExist:
                raise CommandError(f"no user {options['username']!r}") from None
            try:
                token, plaintext = tokens.issue(
                    actor=None, user=user, name=options["name"], scopes=options["scope"]
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stderr.write(f"token {token.prefix}… for {user.username}, shown this once:")
            self.stdout.write(plaintext)
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
