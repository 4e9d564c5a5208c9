"""The staff side: the case queue and case page (cases), policies and categories (policies),
the access log (access)."""

from complaints.admin import access, cases, clocks, policies

__all__ = ["access", "cases", "clocks", "policies"]
