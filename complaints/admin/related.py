"""The case page's related complaints: links to other cases, unlinking, and merging a duplicate
into its original (a confirmation page first). Thin over complaints.related."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import promise_records, references, related
from complaints.actors import Actor
from complaints.admin.access import record_access
from complaints.admin.case_actions import WORK
from complaints.admin.search import reference_candidates
from complaints.admin.theme import themed
from complaints.admin.timeline import case_timeline, timeline_rows
from complaints.attachments import attachment_response
from complaints.exceptions import ComplaintError
from complaints.models import CaseAccess, CaseLink, Complaint

if TYPE_CHECKING:
    from complaints.admin.cases import ComplaintAdmin


@dataclass(frozen=True)
class RelatedCase:
    """One linked case as the case page lists it."""

    link: CaseLink
    case: Complaint
    label: str
    visible: bool
    # The case was merged into the one on the page: its history is read through the original.
    merged_here: bool

    @property
    def href(self) -> str:
        if self.visible:
            return reverse("admin:complaints_complaint_change", args=[self.case.pk])
        if self.merged_here:
            return reverse(
                "admin:complaints_complaint_merged",
                args=[self.case.merged_into_id, self.case.pk],
            )
        return ""


def related_cases(case: Complaint, user) -> list[RelatedCase]:
    """Return the cases linked to `case`, in one query, each saying whether `user` may see it.

    A case the user may not see is listed without its reference or state (handlers see only
    their own and unassigned cases), except a duplicate merged into this one: its history is
    part of this case's and is read through it.
    """
    links = (
        CaseLink.objects.filter(Q(complaint=case) | Q(other=case))
        .annotate(partner=Case(When(complaint=case, then=F("other")), default=F("complaint")))
        .annotate(
            partner_visible=Exists(
                Complaint.objects.visible_to(user).filter(pk=OuterRef("partner"))
            )
        )
        .select_related("complaint", "other", "created_by")
    )
    rows = []
    for link in links:
        mine = link.complaint_id == case.pk
        partner = link.other if mine else link.complaint
        merged_here = partner.merged_into_id == case.pk
        if merged_here:
            label = _("Merged into this case")
        elif case.merged_into_id == partner.pk:
            label = _("This case was merged into it")
        elif link.kind == CaseLink.Kind.DUPLICATE:
            label = _("This case is a duplicate of it") if mine else _("A duplicate of this case")
        else:
            label = str(CaseLink.Kind.RELATED.label)
        rows.append(RelatedCase(link, partner, label, link.partner_visible, merged_here))
    return rows


class LinkForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Reference of the other case"), max_length=20, strip=True
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("How they are related"),
        choices=[
            (CaseLink.Kind.RELATED, gettext_lazy("Related")),
            (CaseLink.Kind.DUPLICATE, gettext_lazy("This case is a duplicate of it")),
        ],
        initial=CaseLink.Kind.RELATED,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (staff only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    original = forms.CharField(
        label=gettext_lazy("Reference of the original case"),
        max_length=20,
        strip=True,
        help_text=gettext_lazy("This case is closed as a duplicate and handled under that one."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note (staff only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


def find_case(user, text: str, *, besides: Complaint) -> Complaint | None:
    """Return the case `text` names among those `user` may see (a slip in it repaired when only
    one case fits), never `besides`."""
    candidates = reference_candidates(text) or {references.normalise(text)}
    found = list(
        Complaint.objects.visible_to(user)
        .filter(reference__in=candidates)
        .exclude(pk=besides.pk)
        .select_related("policy", "merged_into")[:2]
    )
    return found[0] if len(found) == 1 else None


def urls(model_admin: ComplaintAdmin) -> list:
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<path:object_id>/related/link/",
            wrap(lambda request, object_id: link_view(model_admin, request, object_id)),
            name="complaints_complaint_link",
        ),
        path(
            "<path:object_id>/related/<int:link_id>/unlink/",
            wrap(
                lambda request, object_id, link_id: unlink_view(
                    model_admin, request, object_id, link_id
                )
            ),
            name="complaints_complaint_unlink",
        ),
        path(
            "<path:object_id>/merge/",
            wrap(lambda request, object_id: merge_view(model_admin, request, object_id)),
            name="complaints_complaint_merge",
        ),
        path(
            "<path:object_id>/merged/<int:duplicate_id>/",
            wrap(
                lambda request, object_id, duplicate_id: merged_duplicate_view(
                    model_admin, request, object_id, duplicate_id
                )
            ),
            name="complaints_complaint_merged",
        ),
        path(
            "<path:object_id>/merged/<int:duplicate_id>/files/<int:attachment_id>/",
            wrap(
                lambda request, object_id, duplicate_id, attachment_id: merged_file_view(
                    model_admin, request, object_id, duplicate_id, attachment_id
                )
            ),
            name="complaints_complaint_merged_file",
        ),
    ]


def _case_url(case: Complaint) -> str:
    return reverse("admin:complaints_complaint_change", args=[case.pk])


def _working_case(model_admin: ComplaintAdmin, request, object_id) -> Complaint:
    case = model_admin.get_object(request, unquote(object_id))
    if not request.user.has_perm(WORK):
        raise PermissionDenied
    return case


def link_view(model_admin: ComplaintAdmin, request, object_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _working_case(model_admin, request, object_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        model_admin.message_user(
            request, _("Give the other case's reference to link it."), messages.ERROR
        )
        return HttpResponseRedirect(_case_url(case) + "#related")
    other = find_case(request.user, form.cleaned_data["reference"], besides=case)
    if other is None:
        model_admin.message_user(
            request,
            _("There is no case %(reference)s among the cases you may see.")
            % {"reference": form.cleaned_data["reference"]},
            messages.ERROR,
        )
        return HttpResponseRedirect(_case_url(case) + "#related")
    try:
        related.case_link(
            complaint=case,
            other=other,
            actor=Actor.staff(request.user),
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
    except ComplaintError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
    else:
        model_admin.message_user(
            request,
            _("%(case)s and %(other)s are linked.") % {"case": case, "other": other},
            messages.SUCCESS,
        )
    return HttpResponseRedirect(_case_url(case) + "#related")


def unlink_view(model_admin: ComplaintAdmin, request, object_id, link_id: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _working_case(model_admin, request, object_id)
    link = get_object_or_404(
        CaseLink.objects.select_related("complaint", "other"),
        Q(complaint=case) | Q(other=case),
        pk=link_id,
    )
    try:
        related.case_unlink(link=link, actor=Actor.staff(request.user))
    except ComplaintError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
    else:
        model_admin.message_user(request, _("The link was removed."), messages.SUCCESS)
    return HttpResponseRedirect(_case_url(case) + "#related")


def merge_view(model_admin: ComplaintAdmin, request, object_id):
    """Merge this case (the duplicate) into another: choose it, see what will happen, confirm."""
    case = _working_case(model_admin, request, object_id)
    initial: dict[str, Any] = {}
    into_pk = request.GET.get("into", "")
    if into_pk.isdigit():
        into = Complaint.objects.visible_to(request.user).filter(pk=into_pk).first()
        initial["original"] = into.display_reference if into else ""
    form = MergeForm(request.POST or None, initial=initial)
    original = None
    if request.method == "POST" and form.is_valid():
        original = find_case(request.user, form.cleaned_data["original"], besides=case)
        if original is None:
            form.add_error(
                "original",
                _("There is no case %(reference)s among the cases you may see.")
                % {"reference": form.cleaned_data["original"]},
            )
        elif form.cleaned_data["confirm"]:
            try:
                related.complaint_merge(
                    complaint=case,
                    original=original,
                    actor=Actor.staff(request.user),
                    note=form.cleaned_data["note"],
                )
            except ComplaintError as error:
                form.add_error(None, str(error))
            else:
                model_admin.message_user(
                    request,
                    _("%(case)s is merged into %(original)s and closed.")
                    % {"case": case, "original": original},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(_case_url(original) + "#related")
    confirming = original is not None and not form.errors
    if confirming:
        # What is confirmed is what the page shows: the choice is carried, not editable.
        form = MergeForm(initial={**form.cleaned_data, "confirm": True})
        for field in ("original", "note"):
            form.fields[field].widget = forms.HiddenInput()
    return TemplateResponse(
        request,
        "admin/complaints/complaint/merge.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Merge %(case)s into another case") % {"case": case},
            "opts": model_admin.opts,
            "original": case,
            "form": themed(form),
            "into": original if confirming else None,
            "consequences": merge_consequences(case, original) if original and confirming else [],
        },
    )


def merge_consequences(duplicate: Complaint, original: Complaint) -> list[str]:
    """Return what merging will do, in the words the confirmation page shows."""
    zone = original.policy.calendar().tz
    names = {"case": duplicate.display_reference, "original": original.display_reference}
    lines = [
        _(
            "%(case)s is closed as withdrawn and marked “merged into %(original)s”; nothing is "
            "deleted: its timeline, messages and files stay readable from %(original)s."
        )
        % names,
        _("Its open promises (%(count)d) are released: nothing more is owed on %(case)s.")
        % {**names, "count": promise_records.open_promises(duplicate).count()},
    ]
    if duplicate.received_at < original.received_at:
        lines.append(
            _(
                "%(case)s came first, so %(original)s counts as received %(new)s instead of "
                "%(old)s: its deadlines that run from receipt (the regulatory deadline included) "
                "are counted again from then."
            )
            % {
                **names,
                "new": f"{duplicate.received_at.astimezone(zone):%Y-%m-%d %H:%M}",
                "old": f"{original.received_at.astimezone(zone):%Y-%m-%d %H:%M}",
            }
        )
    else:
        lines.append(_("%(original)s came first: its deadlines stay as they are.") % names)
    if related.same_complainant(duplicate, original):
        lines.append(
            _(
                "The complainant is told that %(case)s is handled under %(original)s, with the "
                "link to follow it (both cases are under the same email address)."
            )
            % names
        )
    else:
        lines.append(
            _(
                "The complainant of %(case)s is told it is handled with another complaint about "
                "the same matter; %(original)s is not named (another complainant's case)."
            )
            % names
        )
    lines.append(_("The figures and the data return count the two as one complaint."))
    return lines


def merged_duplicate_view(model_admin: ComplaintAdmin, request, object_id, duplicate_id: int):
    """Show a duplicate merged into this case: its details, timeline and files (read-only)."""
    case = model_admin.get_object(request, unquote(object_id))
    duplicate = get_object_or_404(
        Complaint.objects.select_related("category__parent", "handler", "policy"),
        pk=duplicate_id,
        merged_into=case,
    )
    record_access(request, CaseAccess.Kind.CASE, duplicate, _("through %(case)s") % {"case": case})
    timeline = case_timeline(duplicate)
    return TemplateResponse(
        request,
        "admin/complaints/complaint/merged_duplicate.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("%(case)s, merged into %(original)s")
            % {"case": duplicate, "original": case},
            "opts": model_admin.opts,
            "original": case,
            "duplicate": duplicate,
            "timeline": timeline,
            "timeline_rows": timeline_rows(timeline),
            "files": duplicate.attachments.all(),
        },
    )


def merged_file_view(
    model_admin: ComplaintAdmin, request, object_id, duplicate_id: int, attachment_id: int
):
    case = model_admin.get_object(request, unquote(object_id))
    if not request.user.has_perm("complaints.view_attachment"):
        raise Http404
    duplicate = get_object_or_404(Complaint, pk=duplicate_id, merged_into=case)
    attachment = get_object_or_404(duplicate.attachments, pk=attachment_id)
    record_access(request, CaseAccess.Kind.FILE, duplicate, attachment.original_name)
    return attachment_response(attachment)
