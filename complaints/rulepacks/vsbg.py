"""Germany's consumer dispute resolution act (VSBG §§ 36-37): say whether the organisation takes
part in proceedings before a consumer arbitration board, and which one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _

from complaints.choices import ArbitrationParticipation, RulePackCode
from complaints.rulepacks.base import RulePack, Statement

if TYPE_CHECKING:
    from complaints.models import Complaint, ComplaintPolicy

# § 36(1) no. 1 and § 37(1): whether we are willing or obliged to take part, in words the
# consumer can read; § 36(1) no. 2 and § 37(1): the competent board, its address and website.
PARTICIPATION_WORDING: dict[str, Any] = {
    ArbitrationParticipation.WILLING: _(
        "We are willing to take part in dispute resolution proceedings before a consumer "
        "arbitration board (Verbraucherschlichtungsstelle)."
    ),
    ArbitrationParticipation.OBLIGED: _(
        "We are obliged to take part in dispute resolution proceedings before a consumer "
        "arbitration board (Verbraucherschlichtungsstelle)."
    ),
    ArbitrationParticipation.UNWILLING: _(
        "We are neither willing nor obliged to take part in dispute resolution proceedings "
        "before a consumer arbitration board (Verbraucherschlichtungsstelle)."
    ),
}
TAKES_PART = (ArbitrationParticipation.WILLING, ArbitrationParticipation.OBLIGED)
BOARD_INTRO = _("The competent consumer arbitration board is:")


def _participation(context: dict[str, Any]) -> list[str] | None:
    wording = PARTICIPATION_WORDING.get(context["policy"].arbitration_participation)
    return None if wording is None else [str(wording)]


def _board(context: dict[str, Any]) -> list[str] | None:
    policy = context["policy"]
    if policy.arbitration_participation not in TAKES_PART:
        return []
    lines = [line.strip() for line in policy.arbitration_board.splitlines() if line.strip()]
    return [str(BOARD_INTRO), *lines] if lines else None


STATEMENTS = [
    Statement(
        "arbitration_participation",
        _(
            "whether we take part in proceedings before a consumer arbitration board (choose it "
            "on the policy)"
        ),
        _participation,
    ),
    Statement(
        "arbitration_board",
        _("the consumer arbitration board's name, address and website (give it on the policy)"),
        _board,
    ),
]


class Vsbg(RulePack):
    code = RulePackCode.VSBG
    name = _("German consumer dispute resolution act (VSBG)")
    statements: ClassVar[dict[str, list[Statement]]] = {
        "acknowledgement": STATEMENTS,
        "response": STATEMENTS,
        "final_response": STATEMENTS,
    }

    def settings_missing(self, policy: ComplaintPolicy) -> dict[str, Any]:
        if policy.arbitration_participation not in ArbitrationParticipation.values:
            return {
                "arbitration_participation": _(
                    "VSBG: say whether you take part in proceedings before a consumer "
                    "arbitration board; the acknowledgement and the response must say so."
                )
            }
        if policy.arbitration_participation in TAKES_PART and not policy.arbitration_board.strip():
            return {
                "arbitration_board": _(
                    "VSBG: name the consumer arbitration board (name, address, website)."
                )
            }
        return {}

    def public_promises(self, policy: ComplaintPolicy) -> list[Any]:
        wording = PARTICIPATION_WORDING.get(policy.arbitration_participation)
        if wording is None:
            return []
        board = " ".join(policy.arbitration_board.split())
        if policy.arbitration_participation in TAKES_PART and board:
            return [wording, f"{BOARD_INTRO} {board}"]
        return [wording]

    def context(self, case: Complaint) -> dict[str, Any]:
        policy = case.policy
        return {
            "participation": PARTICIPATION_WORDING.get(policy.arbitration_participation, ""),
            "takes_part": policy.arbitration_participation in TAKES_PART,
            "board_intro": BOARD_INTRO,
            "board": policy.arbitration_board.strip(),
        }


VSBG = Vsbg()
