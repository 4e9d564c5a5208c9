"""The case page's fields, drawn in Python, show what the admin's own fields would show."""

import pytest
from django.contrib.admin import site
from django.test import RequestFactory
from django.utils import translation
from unfold.forms import AdminForm

from complaints.admin.case_form import fieldsets_html, widget_html
from complaints.models import Complaint
from tests.console.pages import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def built(case, user):
    """Return the case page's AdminForm for `case`, as the change view builds it."""
    model_admin = site._registry[Complaint]
    request = RequestFactory().get("/")
    request.user = user
    form = model_admin.get_form(request, case, change=True)(instance=case)
    return AdminForm(
        form,
        list(model_admin.get_fieldsets(request, case)),
        {},
        model_admin.get_readonly_fields(request, case),
        model_admin=model_admin,
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_it_draws_each_field_as_the_admins_own_field_would(policy, hana, language):
    # Two cases one after the other: the second is drawn from what the first left behind.
    first = walk_to("investigating", by=hana, handler=hana)
    second = walk_to("responded", by=hana, handler=hana)
    Complaint.objects.filter(pk=second.pk).update(
        complainant_name="Ro\"sa <b>Díaz</b> & Sons'",
        complainant_phone="",
        complainant_address="1 High Street\n<Town>\n",
        language="de",
        root_cause="",
        remedies=["apology", "refund <50>"],
    )
    second.refresh_from_db()
    with translation.override(language):
        for case in (first, second, first):
            adminform = built(case, hana)
            drawn = fieldsets_html(adminform)
            for fieldset in adminform:
                for line in fieldset:
                    for field in line:
                        assert str(field.label_tag()) in drawn
                        if field.is_readonly:
                            assert str(field.contents()) in drawn
                        else:
                            assert widget_html(field.field) == str(field.field)
                            assert str(field.field) in drawn
            version = adminform.form["version"]
            assert widget_html(version) == str(version)


def test_it_draws_a_correction_with_its_errors_and_what_was_typed(policy, hana):
    case = walk_to("received", by=hana, handler=hana)
    adminform = built(case, hana)
    form = type(adminform.form)(
        {"complainant_name": "<Rosa>", "complainant_email": "rosa@", "language": "xx"},
        instance=case,
    )
    adminform.form = form
    drawn = fieldsets_html(adminform)
    assert "field-complainant_email errors" in drawn
    assert str(form["complainant_name"]) in drawn
    assert str(form["language"]) in drawn
    assert form["language"].errors.as_ul() in drawn
