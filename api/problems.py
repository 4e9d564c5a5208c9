"""Errors as RFC 9457 problem details: type, title, status, detail, and the field errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
}


class Conflict(exceptions.APIException):
    """The complaint is not in a state that allows this (e.g. closed)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class InvalidInput(exceptions.APIException):
    """Field errors from the public form's checks: {field: [messages]}."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(_("Some fields are missing or not valid; see errors."))


def problem_type(code: str) -> str:
    return f"urn:redress:problem:{code.replace('_', '-')}"


def problem(
    *, status_code: int, code: str, detail: str, errors: list[dict] | None = None, headers=None
) -> Response:
    body: dict = {
        "type": problem_type(code),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_TYPE)


def field_errors(detail, path: str = "") -> list[dict]:
    """Flatten DRF's nested error detail into [{pointer, detail}] with JSON pointers."""
    if isinstance(detail, dict):
        return [
            error
            for name, value in detail.items()
            for error in field_errors(
                value, f"{path}/{name}" if name != "non_field_errors" else path
            )
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"pointer": f"#{path}", "detail": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in field_errors(item, f"{path}/{index}")
        ]
    return [{"pointer": f"#{path}", "detail": str(detail)}]


def problem_exception_handler(exc, context) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, InvalidInput):
        errors = [
            {"pointer": f"#/{name}" if name != "__all__" else "#", "detail": message}
            for name, messages in exc.errors.items()
            for message in messages
        ]
        return problem(
            status_code=exc.status_code,
            code="invalid",
            detail=str(exc.detail),
            errors=errors,
            headers=headers,
        )
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status_code=exc.status_code,
            code="invalid",
            detail=_("Some fields are missing or not valid; see errors."),
            errors=field_errors(exc.detail),
            headers=headers,
        )
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return problem(
        status_code=exc.status_code,
        code=getattr(exc, "default_code", "error"),
        detail=str(detail),
        headers=headers,
    )
