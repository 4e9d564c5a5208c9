"""/api/v1/: the organisation's own apps submit and follow their customers' complaints."""

from __future__ import annotations

import hashlib
import json
import re

from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from api import embeds, representations, selectors, services
from api.forms import ApiComplaintForm
from api.models import ApiClient, Scope
from api.problems import PROBLEM_TYPE, Conflict, IdempotencyKeyReused, InvalidInput
from api.serializers import (
    CategorySerializer,
    ComplaintDetailSerializer,
    ComplaintSubmitSerializer,
    ComplaintSummarySerializer,
    EmbedRequestSerializer,
    EmbedSerializer,
    MessageSerializer,
    MessageSubmitSerializer,
    ProblemSerializer,
)
from complaints.exceptions import ComplaintError
from complaints.models import Complaint
from complaints.selectors import policy_for
from publicsite.forms import ReplyForm
from publicsite.services import complaint_reply_online
from publicsite.views import active_categories, default_policy

IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def problems(*codes: int) -> dict:
    reasons = {
        400: "Missing or invalid fields (problem details with errors).",
        401: "No valid API key.",
        403: "The client lacks the scope, or may not act for this account.",
        404: "No such complaint among this client's.",
        409: "The complaint's state does not allow this.",
        415: "Send JSON or multipart/form-data.",
        422: "The Idempotency-Key was used for a different request.",
        429: "Over the client's rate limit; see Retry-After.",
    }
    return {
        (code, PROBLEM_TYPE): OpenApiResponse(ProblemSerializer, description=reasons[code])
        for code in codes
    }


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class ApiView(GenericAPIView):
    required_scopes: dict[str, str | None] = {}
    parser_classes = [JSONParser, MultiPartParser]

    @property
    def client(self) -> ApiClient:
        client = self.request.auth
        if not isinstance(client, ApiClient):  # HasScope let no other request in
            raise exceptions.NotAuthenticated()
        return client

    def complaint(self, reference: str) -> Complaint:
        complaint = selectors.complaint_for_client(self.client, reference)
        if complaint is None:
            raise exceptions.NotFound(_("This client has no complaint with that reference."))
        return complaint


def form_data(validated: dict) -> dict[str, str]:
    """Return the checked JSON or multipart values as the strings a Django form reads."""
    data = {}
    for name, value in validated.items():
        if name == "files" or value is None:
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


def form_errors(form) -> dict[str, list[str]]:
    return {
        name: [error["message"] for error in errors]
        for name, errors in form.errors.get_json_data().items()
    }


def fingerprint(data: dict[str, str], files: list) -> str:
    """Return a digest of what the request asks for: the same on a retry, whatever the encoding."""
    digests = []
    for upload in files:
        upload.seek(0)
        digests.append([upload.name, hashlib.sha256(upload.read()).hexdigest()])
        upload.seek(0)
    canonical = json.dumps({"data": data, "files": digests}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ComplaintsView(ApiView):
    required_scopes = {"GET": Scope.READ, "POST": Scope.SUBMIT}
    pagination_class = Pagination
    serializer_class = ComplaintSummarySerializer

    @extend_schema(
        operation_id="complaints_list",
        summary="A customer's complaints",
        parameters=[
            OpenApiParameter(
                "account",
                OpenApiTypes.STR,
                description="The customer's account identifier; without it, all of this client's.",
            )
        ],
        responses={200: ComplaintSummarySerializer(many=True), **problems(401, 403, 429)},
    )
    def get(self, request):
        queryset = selectors.complaints_visible_to(self.client).order_by("-received_at", "-pk")
        account = request.query_params.get("account")
        if account is not None:
            queryset = queryset.filter(account_identifier=account)
        page = self.paginate_queryset(queryset.select_related("policy")) or []
        data = ComplaintSummarySerializer(
            [representations.summary(complaint) for complaint in page], many=True
        ).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="complaints_create",
        summary="Submit a complaint for the signed-in customer",
        description=(
            "The same fields and checks as the public form. Send an `Idempotency-Key` header "
            "to retry safely: a repeated request returns the first complaint (200) rather than "
            "creating a second one."
        ),
        request={
            "application/json": ComplaintSubmitSerializer,
            "multipart/form-data": ComplaintSubmitSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="Up to 255 printable ASCII characters, unique per complaint.",
            )
        ],
        responses={
            201: ComplaintSummarySerializer,
            200: OpenApiResponse(
                ComplaintSummarySerializer, description="A retry: the first complaint."
            ),
            **problems(400, 401, 403, 409, 415, 422, 429),
        },
    )
    def post(self, request):
        client = self.client
        key = request.headers.get("Idempotency-Key", "")
        if key and not IDEMPOTENCY_KEY.fullmatch(key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Use 1 to 255 printable ASCII characters.")]}
            )
        serializer = ComplaintSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = form_data(serializer.validated_data)
        data.setdefault("channel", client.channel)
        if not client.allows_account(data["account_identifier"]):
            raise exceptions.PermissionDenied(
                _("This client may not submit for that account identifier.")
            )
        files = request.FILES.getlist("files")
        # Read once with its targets: it dates the incident, and the complaint runs under it
        # unless its category has a policy of its own.
        policy = default_policy()
        form = ApiComplaintForm(
            data,
            MultiValueDict({"files": files}),
            categories=active_categories(),
            time_zone=policy.time_zone,
        )
        if not form.is_valid():
            raise InvalidInput(form_errors(form))
        fields = form.complaint_fields()
        try:
            complaint, created = services.api_complaint_submit(
                client=client,
                channel=data["channel"],
                files=form.cleaned_data.get("files", []),
                fields=fields
                | {
                    "language": form.cleaned_data["language"] or "en",
                    "policy": policy_for(fields.get("category"), default=policy),
                },
                idempotency_key=key,
                fingerprint=fingerprint(data, files),
            )
        except services.IdempotencyConflict as error:
            raise IdempotencyKeyReused(str(error)) from None
        except ComplaintError as error:
            raise Conflict(str(error)) from None
        body = ComplaintSummarySerializer(representations.summary(complaint)).data
        headers = {"Location": reverse("api-complaint", args=[complaint.display_reference])}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers=headers
        )


class ComplaintView(ApiView):
    required_scopes = {"GET": Scope.READ}
    serializer_class = ComplaintDetailSerializer

    @extend_schema(
        operation_id="complaints_retrieve",
        summary="A complaint: status, dates and the correspondence with the complainant",
        description="Never internal notes or staff-only files.",
        responses={200: ComplaintDetailSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request, reference: str):
        complaint = self.complaint(reference)
        return Response(ComplaintDetailSerializer(representations.detail(complaint)).data)


class ComplaintMessagesView(ApiView):
    required_scopes = {"POST": Scope.SUBMIT}
    serializer_class = MessageSubmitSerializer

    @extend_schema(
        operation_id="complaints_messages_create",
        summary="Add information to a complaint as the complainant",
        request={
            "application/json": MessageSubmitSerializer,
            "multipart/form-data": MessageSubmitSerializer,
        },
        responses={201: MessageSerializer, **problems(400, 401, 403, 404, 409, 415, 429)},
    )
    def post(self, request, reference: str):
        complaint = self.complaint(reference)
        serializer = MessageSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        already = sum(
            complaint.attachments.filter(is_internal=False).values_list("size", flat=True)
        )
        form = ReplyForm(
            form_data(serializer.validated_data),
            MultiValueDict({"files": request.FILES.getlist("files")}),
            already_stored=already,
        )
        if not form.is_valid():
            raise InvalidInput(form_errors(form))
        try:
            message = complaint_reply_online(
                complaint=complaint,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
                channel=complaint.channel,
            )
        except ComplaintError as error:
            raise Conflict(str(error)) from None
        body = {
            "id": message.pk,
            "direction": "from_complainant",
            "body": message.body,
            "created_at": message.created_at,
            "files": [representations.file(attachment) for attachment in message.attachments.all()],
        }
        return Response(MessageSerializer(body).data, status=status.HTTP_201_CREATED)


class CategoriesView(ApiView):
    required_scopes = {"GET": None}
    serializer_class = CategorySerializer
    pagination_class = None

    @extend_schema(
        operation_id="categories_list",
        summary="The categories a complaint may be filed under",
        responses={200: CategorySerializer(many=True), **problems(401, 429)},
    )
    def get(self, request):
        categories = [
            {"id": category.pk, "name": category.name, "parent_id": category.parent_id}
            for category in active_categories()
        ]
        return Response(CategorySerializer(categories, many=True).data)


class EmbedsView(ApiView):
    required_scopes = {"POST": Scope.SUBMIT}
    serializer_class = EmbedRequestSerializer

    @extend_schema(
        operation_id="embeds_create",
        summary="A signed link to the complaint form for the signed-in customer, to frame",
        description=(
            "Call it from your server when the customer opens Help & Support; put the returned "
            "`url` in an iframe on one of the client's embed origins. The form arrives "
            "prefilled with the customer's name, email address and account, which the customer "
            "cannot change, on the dashboard-form channel. The link expires."
        ),
        request=EmbedRequestSerializer,
        responses={201: EmbedSerializer, **problems(400, 401, 403, 415, 429)},
    )
    def post(self, request):
        client = self.client
        serializer = EmbedRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not client.origins():
            raise exceptions.PermissionDenied(
                _("A supervisor must first give this client the origins allowed to embed the form.")
            )
        if not client.allows_account(data["account_identifier"]):
            raise exceptions.PermissionDenied(
                _("This client may not act for that account identifier.")
            )
        token = embeds.embed_token_sign(
            client=client,
            account_identifier=data["account_identifier"],
            name=data["complainant_name"],
            email=data["complainant_email"],
            language=data.get("language") or "en",
        )
        url = embeds.embed_url(token)
        body = {
            "url": url,
            "expires_at": embeds.embed_expires_at(),
            "snippet": embeds.embed_snippet(url),
        }
        return Response(EmbedSerializer(body).data, status=status.HTTP_201_CREATED)
