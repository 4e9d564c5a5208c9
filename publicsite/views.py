"""The public site: submit a complaint, look it up, follow it and act on it; and file downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from complaints import compiled_reads, selectors, services
from complaints.actors import COMPLAINANT
from complaints.admin.access import record_access
from complaints.attachments import attachment_response
from complaints.choices import Language
from complaints.exceptions import ComplaintError
from complaints.models import (
    Attachment,
    CaseAccess,
    Category,
    Complaint,
    ComplaintPolicy,
    ReplacedTrackingLink,
)
from complaints.presets import neutral_policy_ensure
from complaints.promises import public_promises
from complaints.services import token_digest
from escalations.services import escalation_request
from publicsite import throttle, tracking
from publicsite.forms import (
    ComplaintForm,
    EscalationForm,
    LookupForm,
    RatingForm,
    ReplyForm,
    WithdrawForm,
    new_stamp,
    stamp_use_once,
)
from publicsite.services import complaint_reply_online, complaint_submit_online

# The confirmation page is shown to the browser that submitted, through a signed cookie with
# the reference: no session row per complainant, and nothing to look up before the page.
SUBMITTED_COOKIE = "redress_submitted"
# The salt keeps the module's old name: cookies set before the move still read.
SUBMITTED_SALT = "complaints.views.submitted"
SUBMITTED_MAX_AGE = 24 * 3600
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def default_policy() -> ComplaintPolicy:
    policy = selectors.default_policy()
    # None only if the default was deleted after install: the neutral one takes its place.
    return policy or neutral_policy_ensure()


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/too_many_requests.html", status=429)


def home(request: HttpRequest) -> HttpResponse:
    policy = default_policy()
    promises = public_promises(policy)[:3] if policy else []
    return render(request, "complaints/home.html", {"policy": policy, "promises": promises})


def policy(request: HttpRequest) -> HttpResponse:
    policy = default_policy()
    # The promises are worded from the configured numbers; the free text only surrounds them.
    context = {
        "policy": policy,
        "promises": public_promises(policy),
        "wording": policy.public_text("public_wording"),
        "external_routes": policy.public_text("external_routes"),
        "external_route_time_limit": policy.public_text("external_route_time_limit"),
    }
    return render(request, "complaints/policy.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    categories = active_categories()
    if request.method == "POST":
        if not throttle.throttle_allows(request, "submit"):
            return too_many_requests(request)
        # Read once with its targets: its time zone dates the incident, and the submission
        # runs under it unless the category has a policy of its own.
        policy = default_policy()
        form = ComplaintForm(
            request.POST, request.FILES, categories=categories, time_zone=policy.time_zone
        )
        if form.is_valid():
            if not stamp_use_once(form.cleaned_data["stamp"]):
                form.add_error(
                    None,
                    _(
                        "This form was already sent. Your complaint has reached us: look for "
                        "our email with the reference number."
                    ),
                )
                form.refresh_stamp()
            else:
                try:
                    fields = form.complaint_fields()
                    complaint = complaint_submit_online(
                        files=form.cleaned_data.get("files", []),
                        language=language_of(request),
                        policy=selectors.policy_for(fields.get("category"), default=policy),
                        **fields,
                    )
                except ComplaintError as error:
                    form.add_error(None, str(error))
                    form.refresh_stamp()
                else:
                    # Its acknowledgement is queued once it commits, never waited for; with
                    # the broker down, the sweep acknowledges it within a minute.
                    return submitted_redirect(complaint)
        elif "stamp" in form.errors:
            form.refresh_stamp()
        status = 400
    else:
        # The policy's time zone only dates what is sent: showing the form needs no policy.
        form = ComplaintForm(initial={"stamp": new_stamp()}, categories=categories)
        status = 200
    return render(request, "complaints/complaint_new.html", {"form": form}, status=status)


def active_categories() -> list[Category]:
    """Return the active categories, each linked to its parent so none needs a query later."""
    # Compiled once (compiled_reads): both the form and its POST read them.
    categories = compiled_reads.instances(Category, _active_categories)
    by_pk = {category.pk: category for category in categories}
    for category in categories:
        if category.parent_id in by_pk:
            category.parent = by_pk[category.parent_id]
    return categories


def _active_categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(is_active=True)
        .only("pk", "name", "name_de", "parent_id", "policy_id")
        .order_by("position", "name")
    )


def language_of(request: HttpRequest) -> str:
    """Return the language the complainant chose; "" where they chose none (the policy's then).

    A choice is the site's language switch (its cookie), or a language their browser asks for.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")[:2]
    if chosen in Language.values:
        return chosen
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        primary = code.split("-")[0].lower()
        if primary in Language.values:
            return primary
    return ""


@contextmanager
def complaint_language(request: HttpRequest, complaint: Complaint) -> Iterator[None]:
    """Speak the complaint's language inside, unless the reader switched to another.

    An override rather than activate(): the thread's language is back to the request's after.
    """
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")[:2] in Language.values:
        yield
        return
    with translation.override(complaint.language):
        request.LANGUAGE_CODE = complaint.language
        yield


def submitted_redirect(complaint: Complaint) -> HttpResponse:
    response = redirect("complaint-submitted")
    response.set_signed_cookie(
        SUBMITTED_COOKIE,
        complaint.reference,
        salt=SUBMITTED_SALT,
        max_age=SUBMITTED_MAX_AGE,
        path=reverse("complaint-submitted"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@never_cache
def complaint_submitted(request: HttpRequest) -> HttpResponse:
    reference = request.get_signed_cookie(
        SUBMITTED_COOKIE, default=None, salt=SUBMITTED_SALT, max_age=SUBMITTED_MAX_AGE
    )
    complaint = (
        Complaint.objects.select_related("policy").filter(reference=reference).first()
        if reference
        else None
    )
    if complaint is None:
        return redirect("complaint-new")
    return render(request, "complaints/complaint_submitted.html", {"complaint": complaint})


@require_http_methods(["GET", "HEAD", "POST"])
def track_lookup(request: HttpRequest) -> HttpResponse:
    sent = False
    if request.method == "POST":
        if not throttle.throttle_allows(request, "lookup"):
            return too_many_requests(request)
        form = LookupForm(request.POST)
        if form.is_valid():
            # The same work and the same answer either way: a task looks the case up and sends
            # its link, so neither the page nor its timing tells whether a case exists.
            services.tracking_link_request(**form.cleaned_data)
            sent, form = True, LookupForm()
    else:
        form = LookupForm()
    return render(
        request,
        "complaints/track_lookup.html",
        {"form": form, "sent": sent},
        status=400 if form.errors else 200,
    )


class TrackingLinkReplaced(Exception):
    """The link was replaced by a newer one: answered with 410 and a way to ask for a new one."""


def complaint_for_token(token: str) -> Complaint:
    # Only what secrets.token_urlsafe makes: anything else (a NUL byte, which PostgreSQL refuses
    # to compare, or a token too long) is no case, answered before any query.
    if not TOKEN_SHAPE.fullmatch(token):
        raise Http404
    complaint = (
        Complaint.objects.select_related("policy", "handler").filter(tracking_token=token).first()
    )
    if complaint is not None:
        return complaint
    if ReplacedTrackingLink.objects.filter(digest=token_digest(token)).exists():
        raise TrackingLinkReplaced
    raise Http404


class TrackingLinkGoneMiddleware:
    """Answer a replaced tracking link with the 410 page, wherever the view met it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, TrackingLinkReplaced):
            return render(request, "410.html", status=410)
        return None


def render_case(request: HttpRequest, complaint: Complaint, *, status=200, **forms) -> HttpResponse:
    with complaint_language(request, complaint):
        context = tracking.case_page(complaint)
        context.update(
            complaint=complaint,
            reply_form=forms.get("reply_form") or ReplyForm(),
            escalation_form=forms.get("escalation_form") or EscalationForm(),
            rating_form=forms.get("rating_form") or RatingForm(),
        )
        response = render(request, "complaints/track_case.html", context, status=status)
        response.headers["Content-Language"] = translation.get_language()
    return response


@never_cache
@require_safe
def track_case(request: HttpRequest, token: str) -> HttpResponse:
    return render_case(request, complaint_for_token(token))


def case_action(view):
    """Wrap a complainant's POST on a case: token, rate limit, and errors shown on the page."""

    @never_cache
    @require_POST
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        complaint = complaint_for_token(token)
        if not throttle.throttle_allows(request, "case_action"):
            return too_many_requests(request)
        # Its confirmation or error shows on the case page: in the page's language.
        with complaint_language(request, complaint):
            try:
                return view(request, complaint)
            except ComplaintError as error:
                messages.error(request, str(error))
                return redirect(complaint.tracking_path())

    wrapped.__name__ = view.__name__
    return wrapped


@case_action
def track_reply(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    form = ReplyForm(
        request.POST,
        request.FILES,
        already_stored=sum(
            complaint.attachments.filter(is_internal=False).values_list("size", flat=True)
        ),
    )
    if not form.is_valid():
        return render_case(request, complaint, status=400, reply_form=form)
    complaint_reply_online(
        complaint=complaint, body=form.cleaned_data["body"], files=form.cleaned_data["files"]
    )
    messages.success(request, _("Thank you. We have added your message to the case."))
    return redirect(complaint.tracking_path())


@case_action
def track_accept(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    services.complaint_resolve(
        complaint=complaint, actor=COMPLAINANT, note="Accepted by the complainant."
    )
    messages.success(request, _("Thank you. You accepted our response and the case is closed."))
    return redirect(complaint.tracking_path())


@case_action
def track_escalate(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    form = EscalationForm(request.POST)
    if not form.is_valid():
        return render_case(request, complaint, status=400, escalation_form=form)
    escalation_request(complaint=complaint, actor=COMPLAINANT, **form.cleaned_data)
    messages.success(
        request, _("We have received your request for a review. We will write to you.")
    )
    return redirect(complaint.tracking_path())


@case_action
def track_rate(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render_case(request, complaint, status=400, rating_form=form)
    services.complaint_rate(complaint=complaint, **form.cleaned_data)
    messages.success(request, _("Thank you for your feedback."))
    return redirect(complaint.tracking_path())


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    complaint = complaint_for_token(token)
    if request.method == "POST" and not throttle.throttle_allows(request, "case_action"):
        return too_many_requests(request)
    if not complaint.is_open:
        return redirect(complaint.tracking_path())
    with complaint_language(request, complaint):
        return _track_withdraw(request, complaint)


def _track_withdraw(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_withdraw(
                complaint=complaint, actor=COMPLAINANT, reason=form.cleaned_data["reason"]
            )
        except ComplaintError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You have withdrawn your complaint."))
        return redirect(complaint.tracking_path())
    return render(
        request,
        "complaints/track_withdraw.html",
        {"complaint": complaint, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
def staff_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Show staff the complainant's page as the complainant sees it, without their token and
    their actions: what the admin's "view on site" opens (Complaint.get_absolute_url)."""
    case = get_object_or_404(
        Complaint.objects.visible_to(request.user).select_related("policy", "handler"), pk=pk
    )
    record_access(request, CaseAccess.Kind.PREVIEW, case)
    context = tracking.case_page(case) | {
        "complaint": case,
        "preview": True,
        "can_reply": False,
        "can_accept": False,
        "can_escalate": False,
        "can_withdraw": False,
        "can_rate": False,
    }
    return render(request, "complaints/track_case.html", context)


@never_cache
def track_file(request: HttpRequest, token: str, pk: int) -> FileResponse:
    complaint = complaint_for_token(token)
    attachment = get_object_or_404(Attachment, pk=pk, complaint=complaint, is_internal=False)
    return attachment_response(attachment)
