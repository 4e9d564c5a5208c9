"""rehearse_policy: a typical life under each preset, printed, and nothing kept."""

import pytest
from django.core.management import CommandError, call_command

from complaints.models import Complaint, Promise
from complaints.presets import PRESETS, preset_load
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("preset", PRESETS, ids=[preset.slug for preset in PRESETS])
def test_it_prints_a_whole_life_with_every_promise_kept_and_keeps_nothing(preset, capsys):
    preset_load(preset)
    call_command(
        "rehearse_policy", preset.slug, "--received", "2027-04-23 16:00", "--escalate", "--reopen"
    )
    out = capsys.readouterr().out
    # The messages in the policy's language (B writes in German); the steps are the rehearsal's.
    acknowledged = (
        "Wir haben Ihre Beschwerde" if preset.slug.startswith("b-") else "We have received"
    )
    assert acknowledged in out
    assert "REVIEWER DECIDES" in out and "HANDLER REOPENS THE CASE" in out
    assert out.count("EMAIL to rosa@rehearsal.invalid") >= 8
    assert "KEPT LATE" not in out and " open" not in out.split("Promises:")[1]
    assert not Complaint.objects.exists()
    assert not Promise.objects.exists() and not Notification.objects.exists()


def test_it_names_the_known_policies_for_an_unknown_slug(policy):
    with pytest.raises(CommandError, match="No policy with the slug “nope”"):
        call_command("rehearse_policy", "nope")


def test_it_refuses_a_received_moment_it_cannot_read(policy):
    with pytest.raises(CommandError, match="is not a date and time"):
        call_command("rehearse_policy", policy.slug, "--received", "next tuesday")


@pytest.mark.django_db(transaction=True)
def test_supervisors_rehearse_a_policy_from_its_admin_page_in_a_process_of_its_own(
    postgres, client, monkeypatch
):
    """The page runs the command in its own process (time travel must not touch the web
    server's clock), against the same database: the test's, committed, so it can see it."""
    from django.db import connection

    from tests.factories import HandlerFactory, SupervisorFactory

    settings_dict = connection.settings_dict
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
        f"/{settings_dict['NAME']}",
    )
    policy, _written = preset_load(PRESETS[4])
    url = f"/admin/reports/complaintfigures/rehearsal/{policy.slug}/"
    client.force_login(HandlerFactory(username="hana"))
    assert client.get(url).status_code == 403
    client.force_login(SupervisorFactory(username="sam"))
    page = client.get(f"/admin/complaints/complaintpolicy/{policy.pk}/change/")
    assert url in page.content.decode()
    response = client.post(url, {"received": "2027-04-23T16:00", "escalate": "on"})
    output = response.content.decode()
    assert response.status_code == 200, output
    assert "Fri 2027-04-23 16:00" in output and "Our final response to your complaint" in output
    assert not Complaint.objects.exists()
