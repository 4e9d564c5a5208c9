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
    assert "We have received your complaint" in out
    assert "Our final response to your complaint" in out
    assert "HANDLER REOPENS THE CASE" in out
    assert "KEPT LATE" not in out and " open" not in out.split("Promises:")[1]
    assert not Complaint.objects.exists()
    assert not Promise.objects.exists() and not Notification.objects.exists()


def test_it_names_the_known_policies_for_an_unknown_slug(policy):
    with pytest.raises(CommandError, match="No policy with the slug “nope”"):
        call_command("rehearse_policy", "nope")


def test_it_refuses_a_received_moment_it_cannot_read(policy):
    with pytest.raises(CommandError, match="is not a date and time"):
        call_command("rehearse_policy", policy.slug, "--received", "next tuesday")
