"""The answers other than 200, as the OpenAPI document describes them."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: list[dict[str, Any]]


ERRORS: dict[int, Any] = {
    400: ErrorOut,  # a cursor or an ordering this API did not give out
    401: ErrorOut,  # no valid token
    403: ErrorOut,  # the token lacks the scope
    404: ErrorOut,  # no such record, or not in the user's countries
    422: InvalidOut,  # a parameter of the wrong form, each error listed
}


def answers(ok: Any) -> dict[int, Any]:
    return {200: ok, **ERRORS}
