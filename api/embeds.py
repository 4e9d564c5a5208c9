"""Embedded forms: a token the organisation's server asks for, signed with the client's own
secret (django.core.signing), naming the signed-in customer; it prefills and locks the form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.html import format_html

from api.models import ApiClient, Scope
from complaints import clock
from complaints.choices import Language

SALT = "api.embed"


@dataclass(frozen=True)
class EmbedCustomer:
    client: ApiClient
    account_identifier: str
    name: str
    email: str
    language: str


def embed_token_sign(
    *, client: ApiClient, account_identifier: str, name: str, email: str, language: str
) -> str:
    payload = {"a": account_identifier, "n": name, "e": email, "l": language}
    return f"{client.pk}.{signing.dumps(payload, key=client.embed_secret, salt=SALT)}"


def embed_token_verify(token: str) -> EmbedCustomer | None:
    """Return the customer a valid, unexpired token names for an active client; else None."""
    pk, _dot, signed = (token or "").partition(".")
    if not pk.isdigit() or len(token) > 4000:
        return None
    client = ApiClient.objects.filter(pk=int(pk), revoked_at__isnull=True).first()
    if client is None or not client.has_scope(Scope.SUBMIT):
        return None
    try:
        data = signing.loads(
            signed,
            key=client.embed_secret,
            salt=SALT,
            max_age=settings.REDRESS_EMBED_MAX_AGE_SECONDS,
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(name), str) for name in ("a", "n", "e", "l")
    ):
        return None
    if data["l"] not in Language.values or not client.allows_account(data["a"]):
        return None
    return EmbedCustomer(
        client=client,
        account_identifier=data["a"],
        name=data["n"],
        email=data["e"],
        language=data["l"],
    )


def embed_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('embed-complaint')}?{urlencode({'token': token})}"


def embed_expires_at() -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=settings.REDRESS_EMBED_MAX_AGE_SECONDS)


def embed_snippet(url: str) -> str:
    return format_html(
        '<iframe src="{}" title="Make a complaint" width="100%" height="1100" '
        'style="border:0" loading="lazy"></iframe>',
        url,
    )
