"""Reads of the API layer: which client a key is, which complaints a client may see."""

from __future__ import annotations

from django.db.models import QuerySet

from api import keys
from api.models import ApiClient
from complaints import compiled_reads, references
from complaints.models import Complaint


def api_client_for_key(key: str) -> ApiClient | None:
    """Return the active client whose key this is, or None."""
    prefix = keys.key_prefix(key)
    if prefix is None:
        return None
    # Every request of every client reads it: compiled once (compiled_reads).
    client = next(iter(compiled_reads.instances(ApiClient, _active_client, prefix)), None)
    if client is None or not keys.key_matches(key, client.key_hash):
        return None
    return client


def _active_client(prefix: str) -> QuerySet[ApiClient]:
    return ApiClient.objects.filter(key_prefix=prefix, revoked_at__isnull=True).order_by("pk")[:1]


def complaints_visible_to(client: ApiClient) -> QuerySet[Complaint]:
    """Return the complaints `client` submitted (by API or its embedded form): no others."""
    return Complaint.objects.filter(api_submission__client=client)


def complaint_for_client(client: ApiClient, reference: str) -> Complaint | None:
    if not references.is_valid(reference):
        return None
    return (
        complaints_visible_to(client)
        .select_related("policy", "handler")
        .filter(reference=references.normalise(reference))
        .first()
    )
