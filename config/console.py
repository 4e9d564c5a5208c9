"""The staff console's frame: the theme's sidebar by task, its context and its CSP.

The sidebar names the handlers' and supervisors' tasks, each a link to a filtered queue, rather
than the apps and models Django would list.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

QUEUE = "admin:complaints_complaint_changelist"
# The sidebar asks for its nineteen links and whether each is the page shown, on every page:
# reversing each of them twice was a twentieth of the case page's time (profile_pages.py).
_paths: dict[tuple[str, str, str], str] = {}


def _path(url_name: str) -> str:
    """Return reverse(url_name), kept per script prefix and URLconf (the links never change)."""
    key = (url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    path = _paths.get(key)
    if path is None:
        path = _paths[key] = reverse(url_name)
    return path


# The links are lazy texts made once, not callbacks: the theme wraps each callback in lazy() for
# every page, and lazy() builds a class each time (with the permissions' callbacks, StaffSite's
# _call_permission_callback, two fifths of the theme's page context; profile_pages.py).
def _queue(query: str) -> Promise:
    return lazy(lambda: f"{_path(QUEUE)}?{query}", str)()


def _is(query: str):
    """Return a callback telling whether the request shows the queue filtered exactly so."""
    wanted = parse_qs(query)

    def active(request) -> bool:
        if request.path != _path(QUEUE):
            return False
        shown = {key: values for key, values in parse_qs(request.GET.urlencode()).items()}
        shown.pop("o", None)
        shown.pop("p", None)
        return shown == wanted

    return active


def _on(url_name: str):
    def active(request) -> bool:
        return urlparse(_path(url_name)).path in request.path

    return active


def can_work(request) -> bool:
    return request.user.has_perm("complaints.view_complaint")


def is_supervisor(request) -> bool:
    return request.user.has_perm("complaints.view_all_complaints")


def may(permission: str):
    return lambda request: request.user.has_perm(permission)


def _task(title, icon: str, query: str, permission=can_work) -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": _queue(query),
        "active": _is(query),
        "permission": permission,
    }


def _page(title, icon: str, url_name: str, permission) -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": lazy(_path, str)(url_name),
        "active": _on(url_name),
        "permission": permission,
    }


class Navigation(list):
    """The sidebar's groups of tasks.

    The theme deep-copies the navigation on every page before filling in each item (its link,
    whether it is allowed and active): four hundred copies of titles and callbacks that never
    change, 2% of the case page (profile_pages.py). A copy of the groups and of the items' dicts
    is all the filling in needs.
    """

    def __deepcopy__(self, memo) -> list[dict]:
        return [{**group, "items": [dict(item) for item in group["items"]]} for group in self]


NAVIGATION = Navigation(
    [
        {
            "title": _("Cases"),
            "items": [
                _task(_("My cases"), "inbox", "handler=mine&state=open"),
                _task(_("Needs a reply"), "mark_email_unread", "activity=new"),
                _task(_("Letters to post"), "local_post_office", "letters=to_post"),
                _task(_("Overdue"), "alarm", "deadline=overdue"),
                _task(_("Unassigned"), "person_off", "handler=unassigned&state=open"),
                _task(_("All open cases"), "list", "state=open"),
            ],
        },
        {
            "title": _("Supervision"),
            "items": [
                _page(
                    _("Escalations"),
                    "priority_high",
                    "admin:escalations_escalation_changelist",
                    may("escalations.view_escalation"),
                ),
                _page(
                    _("Redress to approve"),
                    "approval",
                    "admin:complaints_redressentry_changelist",
                    may("complaints.approve_redressentry"),
                ),
                _page(
                    _("Figures"),
                    "monitoring",
                    "admin:reports_complaintfigures_changelist",
                    is_supervisor,
                ),
                _page(
                    _("Policies"),
                    "policy",
                    "admin:complaints_complaintpolicy_changelist",
                    may("complaints.view_complaintpolicy"),
                ),
                _page(
                    _("Regulatory suspensions"),
                    "pause_circle",
                    "admin:complaints_regulatorysuspension_changelist",
                    may("complaints.suspend_regulatory_deadline"),
                ),
            ],
        },
        {
            "title": _("Settings"),
            "collapsible": True,
            "items": [
                _page(
                    _("Response templates"),
                    "article",
                    "admin:complaints_responsetemplate_changelist",
                    may("complaints.view_responsetemplate"),
                ),
                _page(
                    _("Categories"),
                    "category",
                    "admin:complaints_category_changelist",
                    may("complaints.view_category"),
                ),
                _page(
                    _("Approval limits"),
                    "price_check",
                    "admin:complaints_approvallimit_changelist",
                    may("complaints.view_approvallimit"),
                ),
                _page(
                    _("My notifications"),
                    "notifications",
                    "admin:notifications_staffpreference_changelist",
                    can_work,
                ),
                _page(
                    _("Outgoing mail"),
                    "outgoing_mail",
                    "admin:notifications_notification_changelist",
                    may("notifications.view_notification"),
                ),
                _page(
                    _("Inbound email"),
                    "move_to_inbox",
                    "admin:inbound_inboundemail_changelist",
                    may("inbound.view_inboundemail"),
                ),
                _page(_("Staff"), "group", "admin:auth_user_changelist", may("auth.view_user")),
                _page(_("Groups"), "groups", "admin:auth_group_changelist", may("auth.view_group")),
            ],
        },
    ]
)


def navigation(request) -> list[dict]:
    return NAVIGATION


def console_context(request) -> dict:
    """Drop the theme's inline <style> of colour variables: the CSP allows none.

    The same variables come from static/redress/console-colors.css (listed in UNFOLD["STYLES"]).
    """
    return {"colors": None}


class ConsoleCSPMiddleware(CSPMiddleware):
    """The site's CSP, with the one relaxation the console's theme needs.

    The theme's Alpine.js evaluates its x-data/x-on expressions with the Function constructor,
    which CSP counts as eval. Only the staff pages under /admin/ get 'unsafe-eval'; they still
    allow no inline <script> or <style>, and the public site keeps the strict policy.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), "script-src": ["'unsafe-eval'"]}
        return parts


ADMIN_PREFIX = "/admin/"
