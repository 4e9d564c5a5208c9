from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from complaints.choices import ActorKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Actor:
    """Who acts on a case: a staff user, the complainant (no account) or the system's clock."""

    kind: str
    user: User | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(kind=ActorKind.STAFF, user=user)

    @property
    def is_staff(self) -> bool:
        return self.kind == ActorKind.STAFF

    @property
    def is_complainant(self) -> bool:
        return self.kind == ActorKind.COMPLAINANT

    def __str__(self) -> str:
        if self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return str(ActorKind(self.kind).label)


COMPLAINANT = Actor(kind=ActorKind.COMPLAINANT)
SYSTEM = Actor(kind=ActorKind.SYSTEM)
