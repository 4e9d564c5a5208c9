"""The queue's filters; each is a QuerySet filter, so none costs a query per row.

Apps above complaints add their own filters with `filter_register` from their admin module
(escalations adds "escalated"): complaints may not import them.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.admin import clocks
from complaints.admin.forms import handlers_queryset
from complaints.choices import ApprovalStatus, State
from complaints.models import Category, RedressEntry
from complaints.querysets import DeadlineState
from notifications.models import Notification

OPEN = "open"


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(OPEN, _("Open")), *State.choices]

    def queryset(self, request, queryset):
        if self.value() == OPEN:
            return queryset.open()
        if self.value() in State.values:
            return queryset.filter(state=self.value())
        return queryset


class ActivityFilter(admin.SimpleListFilter):
    title = _("activity")
    parameter_name = "activity"

    def lookups(self, request, model_admin):
        return [("new", _("New activity from the complainant"))]

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.filter(activity_at__isnull=False)
        return queryset


class DeadlineStateFilter(admin.SimpleListFilter):
    """On track, due soon or overdue, on any DeadlineStateQuerySet (the escalations' too)."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            (state.value, state.label)
            for state in (DeadlineState.OVERDUE, DeadlineState.DUE_SOON, DeadlineState.ON_TRACK)
        ]

    def queryset(self, request, queryset):
        now = clock.now()
        if self.value() == DeadlineState.OVERDUE:
            return queryset.overdue(now)
        if self.value() == DeadlineState.DUE_SOON:
            return queryset.due_soon(now)
        if self.value() == DeadlineState.ON_TRACK:
            return queryset.on_track(now)
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    """Categories as a tree (each group, then its sub-types) in one query of their names; a
    group includes its sub-types."""

    title = _("category")
    parameter_name = "category__id__exact"

    def lookups(self, request, model_admin):
        language = get_language()
        names = Category.objects.values_list(
            "pk", "name", "name_de", "parent__name", "parent__name_de"
        )
        return [
            (str(pk), Category.label_in(language, (name, name_de), (group, group_de)))
            for pk, name, name_de, group, group_de in names
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(Q(category_id=int(value)) | Q(category__parent_id=int(value)))
        return queryset


class HandlerFilter(admin.SimpleListFilter):
    title = _("handler")
    parameter_name = "handler"
    MINE, UNASSIGNED = "mine", "unassigned"

    def lookups(self, request, model_admin):
        choices = [(self.MINE, _("Mine")), (self.UNASSIGNED, _("Unassigned"))]
        if request.user.has_perm("complaints.view_all_complaints"):
            choices += [
                (str(user.pk), user.get_full_name() or user.get_username())
                for user in handlers_queryset().only("first_name", "last_name", "username")
            ]
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.MINE:
            return queryset.filter(handler=request.user)
        if value == self.UNASSIGNED:
            return queryset.filter(handler__isnull=True)
        if value and value.isdigit():
            return queryset.filter(handler_id=int(value))
        return queryset


class YesNoFilter(admin.SimpleListFilter):
    """A yes/no filter on an Exists() subquery named by `subquery`."""

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def subquery(self) -> Exists:
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.subquery())
        if self.value() == "no":
            return queryset.filter(~self.subquery())
        return queryset


class DeliveryFailedFilter(YesNoFilter):
    title = _("delivery failed")
    parameter_name = "delivery_failed"

    def subquery(self) -> Exists:
        # Failed for good, or still retrying after staff were alerted that it keeps failing.
        return Exists(
            Notification.objects.filter(complaint=OuterRef("pk")).filter(
                Q(status=Notification.Status.FAILED)
                | Q(status=Notification.Status.PENDING, alerted_at__isnull=False)
            )
        )


class LettersToPostFilter(admin.SimpleListFilter):
    """Cases with a letter written for the complainant and not yet posted."""

    title = _("letters")
    parameter_name = "letters"
    TO_POST = "to_post"

    def lookups(self, request, model_admin):
        return [(self.TO_POST, _("Letters to post"))]

    def queryset(self, request, queryset):
        if self.value() == self.TO_POST:
            # Index notification_letter_to_post.
            return queryset.filter(
                Exists(
                    Notification.objects.filter(
                        complaint=OuterRef("pk"),
                        channel=Notification.Channel.LETTER,
                        status=Notification.Status.PENDING,
                    )
                )
            )
        return queryset


class VulnerableFilter(admin.SimpleListFilter):
    """Cases flagged vulnerable (staff only, like the flag)."""

    title = _("vulnerability")
    parameter_name = "vulnerable"

    def lookups(self, request, model_admin):
        return [("yes", _("Vulnerable"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.vulnerable()
        return queryset


class AwaitingApprovalFilter(admin.SimpleListFilter):
    """Cases with redress waiting for a second approver (four eyes)."""

    title = _("redress")
    parameter_name = "redress"

    def lookups(self, request, model_admin):
        return [("awaiting", _("Awaiting approval"))]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            # Index redress_awaiting.
            return queryset.filter(
                Exists(
                    RedressEntry.objects.filter(
                        complaint=OuterRef("pk"), status=ApprovalStatus.AWAITING
                    )
                )
            )
        return queryset


# The queue's filters in the order shown; ComplaintAdmin.list_filter is this list.
QUEUE_FILTERS: list = [
    StateFilter,
    ActivityFilter,
    DeadlineStateFilter,
    clocks.RegulatoryDeadlineFilter,
    CategoryFilter,
    clocks.ProductGroupFilter,
    clocks.ReceivedBetweenFilter,
    "channel",
    HandlerFilter,
    DeliveryFailedFilter,
    LettersToPostFilter,
    VulnerableFilter,
    AwaitingApprovalFilter,
]


def filter_register(list_filter, *, before) -> None:
    """Add `list_filter` to the queue's filters, placed before `before`."""
    if list_filter not in QUEUE_FILTERS:
        QUEUE_FILTERS.insert(QUEUE_FILTERS.index(before), list_filter)
