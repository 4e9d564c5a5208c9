"""The public form in an iframe on the organisation's dashboard: prefilled, locked, verified."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from api import services
from api.embeds import EmbedCustomer, embed_token_verify
from api.forms import EmbedComplaintForm
from complaints.choices import Channel
from complaints.exceptions import ComplaintError
from complaints.models import ComplaintPolicy
from publicsite import throttle
from publicsite.forms import new_stamp, stamp_use_once
from publicsite.views import active_categories, too_many_requests


def framed(response: HttpResponse, customer: EmbedCustomer | None) -> HttpResponse:
    """Let exactly the client's configured origins frame the page; nobody when there are none."""
    origins = customer.client.origins() if customer is not None else []
    # django-csp reads this attribute (what its csp_replace decorator sets), per response.
    setattr(response, "_csp_replace", {"frame-ancestors": origins or ["'none'"]})  # noqa: B010
    if origins:
        # frame-ancestors decides; X-Frame-Options cannot name an allowed origin.
        response.xframe_options_exempt = True
    return response


# No CSRF cookie: browsers do not send one to a page framed by another site. The signed,
# expiring token names the customer and the form's stamp is used once, which is what the cookie
# would protect.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def embed_complaint(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token", "")
    customer = embed_token_verify(token)
    if customer is None:
        return framed(render(request, "api/embed_invalid.html", status=403), None)
    with translation.override(customer.language):
        return framed(_embed_form(request, customer), customer)


def _embed_form(request: HttpRequest, customer: EmbedCustomer) -> HttpResponse:
    policy = ComplaintPolicy.objects.filter(is_default=True).only("time_zone").first()
    options = {
        "categories": active_categories(),
        "time_zone": policy.time_zone if policy else "UTC",
    }
    status = 200
    if request.method == "POST":
        if not throttle.throttle_allows(request, "submit"):
            return too_many_requests(request)
        form = EmbedComplaintForm(request.POST, request.FILES, **options)
        if form.is_valid():
            if not stamp_use_once(form.cleaned_data["stamp"]):
                form.add_error(
                    None, _("This form was already sent. Your complaint has reached us.")
                )
                form.refresh_stamp()
            else:
                try:
                    complaint, _created = services.api_complaint_submit(
                        client=customer.client,
                        channel=Channel.DASHBOARD,
                        files=form.cleaned_data.get("files", []),
                        fields=form.complaint_fields()
                        | {
                            "complainant_name": customer.name,
                            "complainant_email": customer.email,
                            "account_identifier": customer.account_identifier,
                            "language": customer.language,
                        },
                        via_embed=True,
                    )
                except ComplaintError as error:
                    form.add_error(None, str(error))
                    form.refresh_stamp()
                else:
                    return render(request, "api/embed_submitted.html", {"complaint": complaint})
        elif "stamp" in form.errors:
            form.refresh_stamp()
        status = 400
    else:
        form = EmbedComplaintForm(initial={"stamp": new_stamp()}, **options)
    context = {"form": form, "customer": customer, "policy": policy}
    return render(request, "api/embed_form.html", context, status=status)
