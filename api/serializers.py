"""The API's request and response shapes; they are also what the OpenAPI schema documents.

Requests are checked for types here and then by the public form (api.forms), so that the API
and the public site accept exactly the same complaints.
"""

from __future__ import annotations

from rest_framework import serializers

from complaints.choices import Channel, Language, State
from publicsite.forms import ComplaintForm, ReplyForm

API_CHANNELS = [Channel.IN_APP, Channel.DASHBOARD]


def _limit(name: str, form=ComplaintForm) -> int:
    return form.base_fields[name].max_length


def _text(name: str, *, required: bool = False, form=ComplaintForm) -> serializers.CharField:
    return serializers.CharField(
        max_length=_limit(name, form), required=required, allow_blank=not required
    )


class ComplaintSubmitSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=API_CHANNELS, required=False, help_text="Defaults to the client's channel."
    )
    account_identifier = _text("account_identifier", required=True)
    complainant_name = _text("complainant_name", required=True)
    complainant_email = serializers.EmailField(max_length=_limit("complainant_email"))
    complainant_phone = _text("complainant_phone")
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    category = serializers.IntegerField(
        required=False, allow_null=True, help_text="A category id from /api/v1/categories/."
    )
    product_or_service = _text("product_or_service")
    incident_date = serializers.DateField(required=False, allow_null=True)
    incident_time = serializers.TimeField(required=False, allow_null=True)
    description = _text("description", required=True)
    earlier_contact = _text("earlier_contact")
    desired_outcome = _text("desired_outcome")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="multipart/form-data only."
    )


class MessageSubmitSerializer(serializers.Serializer):
    body = _text("body", required=True, form=ReplyForm)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="multipart/form-data only."
    )


class ExpectedSerializer(serializers.Serializer):
    acknowledge_by = serializers.DateTimeField(allow_null=True)
    first_response_by = serializers.DateTimeField(allow_null=True)
    full_response_by = serializers.DateTimeField(allow_null=True)
    next_update_by = serializers.DateTimeField(allow_null=True)
    review_by = serializers.DateTimeField(allow_null=True)


class ComplaintSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    status = serializers.CharField(help_text="The state in the complainant's words and language.")
    channel = serializers.CharField()
    account_identifier = serializers.CharField()
    language = serializers.CharField()
    received_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    awaiting_information = serializers.BooleanField()
    expected = ExpectedSerializer()
    tracking_url = serializers.URLField(
        help_text="The complainant's own tracking page: show it to the signed-in customer only."
    )


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=["to_complainant", "from_complainant"])
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    files = FileSerializer(many=True)


class StepSerializer(serializers.Serializer):
    title = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)


class ResponseSerializer(serializers.Serializer):
    findings = serializers.CharField()
    actions = serializers.CharField()
    reasoning = serializers.CharField()
    outcome = serializers.CharField()
    remedies = serializers.ListField(child=serializers.CharField())
    redress_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    redress_currency = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)


class ComplaintDetailSerializer(ComplaintSummarySerializer):
    next_steps = StepSerializer(many=True)
    timeline = StepSerializer(many=True)
    response = ResponseSerializer(allow_null=True)
    messages = MessageSerializer(many=True)
    files = FileSerializer(many=True)


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)


class ProblemFieldSerializer(serializers.Serializer):
    pointer = serializers.CharField(help_text="JSON pointer to the field, e.g. #/description.")
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()

    def get_fields(self):
        # "errors" is the name RFC 9457's examples use, and also an attribute of every
        # serializer: the field is added here rather than declared on the class.
        fields = super().get_fields()
        fields["errors"] = ProblemFieldSerializer(many=True, required=False)
        return fields


class EmbedRequestSerializer(serializers.Serializer):
    account_identifier = _text("account_identifier", required=True)
    complainant_name = _text("complainant_name", required=True)
    complainant_email = serializers.EmailField(max_length=_limit("complainant_email"))
    language = serializers.ChoiceField(choices=Language.choices, required=False)


class EmbedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The iframe's src: the public form, prefilled and locked.")
    expires_at = serializers.DateTimeField()
    snippet = serializers.CharField(help_text="HTML to paste into the customer's dashboard.")
