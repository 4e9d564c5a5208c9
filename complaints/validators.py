"""Checks on what people type that Django's own validators leave out."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# RFC 5321, 4.5.3.1.1: a mail server may refuse a longer local part, so we would promise
# emails to an address that can never receive them.
LOCAL_PART_MAX = 64


def validate_email_local_part(value: str) -> None:
    local, at, _domain = (value or "").rpartition("@")
    if at and len(local) > LOCAL_PART_MAX:
        raise ValidationError(
            _("The part before the @ may be at most %(limit)d characters long."),
            code="local_part_too_long",
            params={"limit": LOCAL_PART_MAX},
        )
