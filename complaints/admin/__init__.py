"""The staff side: the case queue and case page (cases), policies and categories (policies)."""

from complaints.admin import cases, policies

__all__ = ["cases", "policies"]
