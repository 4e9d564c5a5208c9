"""Everything the API layer writes: its clients, and complaints submitted through them."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from api import keys
from api.models import ApiClient, ApiSubmission
from complaints import casework, clock
from complaints.actors import SYSTEM
from complaints.choices import State
from complaints.models import Complaint
from complaints.uploads import CheckedFile
from publicsite.services import complaint_submit_online

# A client's last use is written at most this often: not one UPDATE per request.
TOUCH_EVERY = dt.timedelta(minutes=1)


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a different request."""


def api_client_create(
    *, name: str, scopes: list[str], created_by=None, **fields: Any
) -> tuple[ApiClient, str]:
    """Create a client; return it with its key, which is shown this once and never stored."""
    client = ApiClient(name=name, scopes=list(scopes), created_by=created_by, **fields)
    key = api_client_issue_key(client=client)
    client.full_clean()
    client.save()
    return client, key


def api_client_issue_key(*, client: ApiClient) -> str:
    """Give an unsaved client its key and embed secret; return the key to show once."""
    new = keys.key_generate()
    client.key_prefix, client.key_hash = new.prefix, new.hashed
    client.embed_secret = client.embed_secret or secrets.token_urlsafe(32)
    return new.key


def api_client_rotate_key(*, client: ApiClient) -> str:
    """Give the client a new key (the old one stops working at once); return the new key."""
    new = keys.key_generate()
    ApiClient.objects.filter(pk=client.pk).update(key_prefix=new.prefix, key_hash=new.hashed)
    client.key_prefix, client.key_hash = new.prefix, new.hashed
    return new.key


def api_client_revoke(*, client: ApiClient) -> bool:
    """Revoke the client's key at once; return False if it was revoked already."""
    now = clock.now()
    done = ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=now)
    client.revoked_at = client.revoked_at or now
    return bool(done)


def api_client_touch(*, client: ApiClient) -> None:
    now = clock.now()
    if client.last_used_at is None or now - client.last_used_at >= TOUCH_EVERY:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def api_complaint_submit(
    *,
    client: ApiClient,
    channel: str,
    files: list[CheckedFile],
    fields: dict[str, Any],
    idempotency_key: str = "",
    fingerprint: str = "",
    via_embed: bool = False,
) -> tuple[Complaint, bool]:
    """Record a complaint the client sends for its customer; return it and whether it is new.

    With an idempotency key, a retry of the same request returns the first complaint.

    Traps: with a key, the claim row (client, key) goes in first, before any work, so a
    concurrent identical request blocks on the unique index until the first one commits, then
    fails its INSERT and reads the first one's complaint: never a second complaint, and no
    orphaned files. Should the first one roll back, the second goes ahead as if it had been
    first. No SELECT before the INSERT: a retry is the rare case, and the INSERT decides anyway.
    """
    try:
        with transaction.atomic():
            claim = None
            if idempotency_key:
                claim = ApiSubmission.objects.create(
                    client=client,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    via_embed=via_embed,
                    complaint=None,
                )
            complaint = complaint_submit_online(
                files=files,
                channel=channel,
                timeline=[_source_entry(client, via_embed=via_embed)],
                **fields,
            )
            if claim is None:
                ApiSubmission.objects.create(
                    client=client, complaint=complaint, via_embed=via_embed
                )
            else:
                claim.complaint = complaint
                claim.save(update_fields=["complaint"])
    except IntegrityError:
        replay = _replay(client, idempotency_key, fingerprint) if idempotency_key else None
        if replay is None:
            raise
        return replay, False
    return complaint, True


def api_submissions_erase(*, complaint_id: int) -> int:
    """Blank what the client sent besides the complaint (its idempotency key) for retention."""
    return ApiSubmission.objects.filter(complaint_id=complaint_id).update(
        idempotency_key="", fingerprint=""
    )


def _source_entry(client: ApiClient, *, via_embed: bool) -> casework.TimelineEntry:
    """Tell the staff on the case's timeline which app sent it and who vouches for the account."""
    # In the staff's language, not the complainant's the embedded form is shown in.
    with translation.override(settings.LANGUAGE_CODE):
        if via_embed:
            note = _("%(client)s, embedded form; account identifier from the signed link") % {
                "client": client.name
            }
        else:
            note = _("%(client)s, API; account identifier given by the app") % {
                "client": client.name
            }
    # Written with "received" in one INSERT: the case is still in the state it arrived in.
    return casework.TimelineEntry(
        "submitted_through_app", SYSTEM, from_state=State.RECEIVED, note=note, public=False
    )


def _replay(client: ApiClient, key: str, fingerprint: str) -> Complaint | None:
    first = (
        ApiSubmission.objects.select_related("complaint", "complaint__policy")
        .filter(client=client, idempotency_key=key, complaint__isnull=False)
        .first()
    )
    if first is None or first.complaint is None:
        return None
    if first.fingerprint != fingerprint:
        raise IdempotencyConflict(
            _(
                "This Idempotency-Key was used for a different request (complaint %(reference)s). "
                "Use a new key for a new complaint."
            )
            % {"reference": first.complaint.display_reference}
        )
    return first.complaint
