"""Germany's consumer dispute resolution act (VSBG §§ 36-37): say whether the organisation takes
part in proceedings before a consumer arbitration board, and which one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from complaints.choices import RulePackCode
from complaints.rulepacks.base import RulePack


class Vsbg(RulePack):
    code = RulePackCode.VSBG
    name = _("German consumer dispute resolution act (VSBG)")


VSBG = Vsbg()
