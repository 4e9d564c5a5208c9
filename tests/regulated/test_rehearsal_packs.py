"""rehearse_policy under a rule pack shows the pack's messages (issue 18)."""

import pytest
from django.core.management import call_command

from complaints.presets import preset_by_slug, preset_load

pytestmark = pytest.mark.django_db


def rehearse(capsys, *flags: str) -> str:
    preset_load(preset_by_slug("e"))
    call_command("rehearse_policy", "e-uk-platform", "--received", "2027-04-23 16:00", *flags)
    return capsys.readouterr().out


def test_a_quick_case_under_disp_gets_a_summary_resolution_communication(capsys):
    out = rehearse(capsys, "--quick")
    assert "Your complaint is resolved: our summary" in out
    assert "Our response to your complaint" not in out
    assert "www.financial-ombudsman.org.uk" in out
    assert "KEPT LATE" not in out


def test_a_slow_case_under_disp_gets_its_holding_reply_then_the_final_response(capsys):
    out = rehearse(capsys, "--slow")
    holding = out.index("We need more time for our final response")
    final = out.index("Our response to your complaint")
    assert holding < final
    assert "refer your complaint to the Financial Ombudsman Service now" in out
    assert "This is our final response to your complaint." in out
    promises = out.split("Promises:")[1].splitlines()
    regulatory = [line for line in promises if "Holding reply" in line or "Final response" in line]
    # The regulator's clock is kept; the policy's own 15-day full response was not (a slow case).
    assert len(regulatory) == 2 and all("kept in time" in line for line in regulatory)
