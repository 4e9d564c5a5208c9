"""The staff side: the case queue and case page (cases), policies and categories (policies),
the access log (access), approval limits and the redress awaiting approval (redress)."""

from complaints.admin import access, cases, clocks, policies, redress

__all__ = ["access", "cases", "clocks", "policies", "redress"]
