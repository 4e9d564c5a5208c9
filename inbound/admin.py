"""The admin for inbound email: held replies and unreadable messages wait here for a decision."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin

from complaints.actors import Actor
from complaints.exceptions import ComplaintError
from complaints.querysets import case_rows_visible_to
from inbound.models import InboundEmail
from inbound.services import inbound_email_attach, inbound_email_discard

RAW_SHOWN = 20_000
FIELDS = (
    "received_at",
    "processed_at",
    "source",
    "from_address",
    "subject",
    "status",
    "note",
    "complaint",
    "notification",
    "raw_text",
)


class WaitingFilter(admin.SimpleListFilter):
    title = _("waiting for a decision")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("held", _("Held replies")), ("unparseable", _("Could not be read"))]

    def queryset(self, request, queryset):
        if self.value() in {"held", "unparseable"}:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(InboundEmail)
class InboundEmailAdmin(ModelAdmin):
    list_display = ["received_at", "from_address", "subject", "status", "complaint", "note"]
    list_filter = [WaitingFilter, "status", "source"]
    list_select_related = ["complaint"]
    search_fields = ["from_address", "subject", "dedupe_key", "complaint__reference"]
    fields = FIELDS
    readonly_fields = FIELDS
    actions = ["attach_to_case", "discard"]
    show_full_result_count = False

    @admin.display(description=_("raw message"))
    def raw_text(self, inbound: InboundEmail) -> str:
        # Shown as text, escaped by the admin: never rendered as the HTML it may contain.
        return bytes(inbound.raw[:RAW_SHOWN]).decode("utf-8", errors="replace")

    @admin.action(
        description=_("Add the selected held emails to their cases"), permissions=["change"]
    )
    def attach_to_case(self, request, queryset):
        done = 0
        for inbound in queryset:
            try:
                inbound_email_attach(inbound=inbound, actor=Actor.staff(request.user))
            except ComplaintError as exc:
                self.message_user(request, f"{inbound}: {exc}", level="error")
            else:
                done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d email was added to its case.",
                "%(count)d emails were added to their cases.",
                done,
            )
            % {"count": done},
        )

    @admin.action(
        description=_("Discard the selected held or unreadable emails"), permissions=["change"]
    )
    def discard(self, request, queryset):
        actor = Actor.staff(request.user)
        done = sum(inbound_email_discard(inbound=inbound, actor=actor) for inbound in queryset)
        self.message_user(
            request,
            ngettext("%(count)d email was discarded.", "%(count)d emails were discarded.", done)
            % {"count": done},
        )

    def get_queryset(self, request):
        return case_rows_visible_to(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
