"""Related complaints: linking two cases, and merging a duplicate into its original.

A merged duplicate is closed through the `withdraw` transition with `merged_into` set, not in a
state of its own: a new state would ripple through the state machine, the open and closed
states, the queue, the public tracking page, the webhooks and every report, while "closed,
no longer handled here, marked merged into <ref>" is exactly what withdrawn plus the marker
says. The reports count the pair once, as the original (`Complaint.objects.counted()`).
Unmerging is not offered: the duplicate's promises are released and its complainant told.

Traps:
- Confidentiality: staff act only on cases they may both see (`visible_to`), and the
  duplicate's complainant learns the original's reference and link only when the original is
  theirs (the same email address); anyone else gets a neutral note naming only their own case.
- One clock: when the duplicate was received first, the original's receipt moves to it and its
  promises that run from receipt follow (promise_records.promises_receipt_moved).
- Both rows are locked, in the order of their ids, so two merges of the same pair in opposite
  directions cannot deadlock; the second is refused once the first commits.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from complaints import casework, clock, deadlines, outbox, pauses, reviews
from complaints import promise_records as promises
from complaints.actors import Actor
from complaints.choices import ActorKind
from complaints.exceptions import CaseChanged, ComplaintError, NotPermitted, TransitionRefused
from complaints.models import CaseLink, ClockPause, Complaint
from notifications.models import Notification


def case_link(
    *, complaint: Complaint, other: Complaint, actor: Actor, kind: str = "related", note: str = ""
) -> CaseLink:
    """Link two cases the staff member may both see; a timeline entry on each."""
    _require_both_visible(actor, complaint, other)
    if kind not in CaseLink.Kind.values:
        raise ComplaintError(_("Choose how the cases are related."))
    with transaction.atomic():
        first, second = _lock_pair(complaint, other)
        if _link_between(first, second) is not None:
            raise ComplaintError(
                _("%(case)s and %(other)s are linked already.") % {"case": first, "other": second}
            )
        try:
            with transaction.atomic():
                link = CaseLink.objects.create(
                    complaint=complaint,
                    other=other,
                    kind=kind,
                    note=note.strip(),
                    created_by=actor.user,
                    created_at=clock.now(),
                )
        except IntegrityError as exc:
            raise ComplaintError(_("These cases cannot be linked.")) from exc
        label = CaseLink.Kind(kind).label
        for case, to in ((complaint, other), (other, complaint)):
            casework.record_event(
                case,
                "case_linked",
                actor,
                from_state=case.state,
                note=_join(f"{label}: {to.display_reference}", note),
                public=False,
            )
    return link


def case_unlink(*, link: CaseLink, actor: Actor) -> None:
    """Remove a link between two cases (the timelines keep that it was there)."""
    _require_both_visible(actor, link.complaint, link.other)
    with transaction.atomic():
        first, second = _lock_pair(link.complaint, link.other)
        if first.merged_into_id == second.pk or second.merged_into_id == first.pk:
            raise ComplaintError(
                _("A merged duplicate stays linked to its original: merging cannot be undone.")
            )
        if not CaseLink.objects.filter(pk=link.pk).delete()[0]:
            return
        for case, to in ((link.complaint, link.other), (link.other, link.complaint)):
            casework.record_event(
                case,
                "case_unlinked",
                actor,
                from_state=case.state,
                note=to.display_reference,
                public=False,
            )


def complaint_merge(
    *, complaint: Complaint, original: Complaint, actor: Actor, note: str = ""
) -> Complaint:
    """Merge the duplicate `complaint` into `original`; return the original.

    The duplicate keeps its timeline, messages and files, is closed (withdrawn, marked merged
    into the original), its open promises released and its complainant told; the original's
    receipt becomes the earlier of the two, with the promises that run from it.
    """
    _require_both_visible(actor, complaint, original)
    with transaction.atomic():
        first, second = _lock_pair(complaint, original)
        duplicate, into = (first, second) if first.pk == complaint.pk else (second, first)
        if duplicate.state != complaint.state:
            raise CaseChanged(reference=str(duplicate), state=duplicate.get_state_display())
        _check_mergeable(duplicate, into)
        now = clock.now()
        # Cases merged into the duplicate earlier follow it into the original.
        Complaint.objects.filter(merged_into=duplicate).update(merged_into=into)
        moved_from = None
        if duplicate.received_at < into.received_at:
            before = casework.snapshot(into)
            moved_from, into.received_at = into.received_at, duplicate.received_at
            deadlines.set_after_receipt_moved(into)
            casework.save_changes(into, before)
            promises.promises_receipt_moved(into, previous=moved_from)
        casework.record_event(
            into,
            "merged_in",
            actor,
            from_state=into.state,
            note=_merged_in_note(duplicate, into, moved_from, note),
            public=False,
        )

        from_state, before = duplicate.state, casework.snapshot(duplicate)
        duplicate.withdraw(at=now)
        duplicate.merged_into = into
        casework.save_changes(duplicate, before)
        # Public, so the tracking page says the case is handled with another; the note naming
        # the original is for staff only (publicsite shows no note for this entry).
        event = casework.record_event(
            duplicate,
            "merged",
            actor,
            from_state=from_state,
            note=_join(into.display_reference, note),
        )
        reviews.end_on_withdrawal(duplicate)
        pauses.clock_resume(duplicate, actor=actor, how=ClockPause.End.CLOSED, at=now)
        promises.promises_release(duplicate, at=now)
        _link_as_duplicate(duplicate, into, actor, now)
        same_person = same_complainant(duplicate, into)
        outbox.notify_complainant(
            duplicate,
            Notification.Kind.MERGED,
            occurrence=outbox.for_event(event),
            context={"original_id": into.pk} if same_person else {},
        )
    return into


def _check_mergeable(duplicate: Complaint, into: Complaint) -> None:
    if duplicate.merged_into_id is not None:
        raise ComplaintError(
            _("%(case)s is already merged into another case.") % {"case": duplicate}
        )
    if not duplicate.is_open:
        raise TransitionRefused(
            action="merge", state=duplicate.get_state_display(), reference=str(duplicate)
        )
    if into.merged_into_id is not None:
        raise ComplaintError(
            _("%(case)s was itself merged into %(original)s: merge into that case instead.")
            % {"case": into, "original": into.merged_into}
        )


def _merged_in_note(duplicate: Complaint, into: Complaint, moved_from, note: str) -> str:
    text = _("Duplicate %(reference)s merged into this case.") % {
        "reference": duplicate.display_reference
    }
    if moved_from is not None:
        zone = into.policy.calendar().tz
        text += " " + _("Received moved from %(previous)s to %(new)s, when the duplicate came.") % {
            "previous": f"{moved_from.astimezone(zone):%Y-%m-%d %H:%M}",
            "new": f"{duplicate.received_at.astimezone(zone):%Y-%m-%d %H:%M}",
        }
    return _join(text, note)


def _link_as_duplicate(duplicate: Complaint, into: Complaint, actor: Actor, at) -> None:
    link = _link_between(duplicate, into)
    if link is None:
        CaseLink.objects.create(
            complaint=duplicate,
            other=into,
            kind=CaseLink.Kind.DUPLICATE,
            created_by=actor.user,
            created_at=at,
        )
    elif (link.complaint_id, link.kind) != (duplicate.pk, CaseLink.Kind.DUPLICATE):
        link.complaint, link.other, link.kind = duplicate, into, CaseLink.Kind.DUPLICATE
        link.save(update_fields=["complaint", "other", "kind"])


def same_complainant(duplicate: Complaint, into: Complaint) -> bool:
    """Return whether both cases are one person's, by their email address.

    Only an address proves it: the same name is no proof, and without addresses the
    duplicate's complainant gets the neutral note.
    """
    email = duplicate.complainant_email.strip().lower()
    return bool(email) and email == into.complainant_email.strip().lower()


def _link_between(case: Complaint, other: Complaint) -> CaseLink | None:
    return CaseLink.objects.filter(
        Q(complaint=case, other=other) | Q(complaint=other, other=case)
    ).first()


def _lock_pair(case: Complaint, other: Complaint) -> tuple[Complaint, Complaint]:
    """Return both rows locked, in the order given; refuse a case linked or merged to itself."""
    if case.pk == other.pk:
        raise ComplaintError(_("A case cannot be linked or merged with itself."))
    locked = {
        row.pk: row
        for row in Complaint.objects.select_for_update()
        .select_related("policy")
        .filter(pk__in=[case.pk, other.pk])
        .order_by("pk")
    }
    return locked[case.pk], locked[other.pk]


def _require_both_visible(actor: Actor, case: Complaint, other: Complaint) -> None:
    if actor.kind != ActorKind.STAFF or actor.user is None:
        raise NotPermitted(_("Only staff can do this."))
    visible = Complaint.objects.visible_to(actor.user).filter(pk__in=[case.pk, other.pk])
    if visible.count() != len({case.pk, other.pk}):
        # The same answer whether the other case exists or is someone else's.
        raise NotPermitted(_("There is no such case among the cases you may see."))


def _join(text: str, note: str) -> str:
    note = (note or "").strip()
    return f"{text}\n{note}" if note else text
