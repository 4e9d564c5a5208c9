"""System checks: a configuration nobody has looked at yet is named before it goes live."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError
from django.db.models import Q


@checks.register(checks.Tags.database)
def check_policies_reviewed(
    app_configs=None, databases=None, **kwargs
) -> list[checks.CheckMessage]:
    """Warn while a policy Redress created by itself (a fresh install's) is unreviewed and used.

    Tagged `database`, as Django asks of checks that query: `migrate` and
    `manage.py check --database default` run it.
    """
    from complaints.models import ComplaintPolicy

    if not databases:
        return []
    try:
        # Only one that new complaints get: the default, or a category's.
        names = list(
            ComplaintPolicy.objects.filter(needs_review=True)
            .filter(Q(is_default=True) | Q(categories__isnull=False))
            .distinct()
            .values_list("name", flat=True)
        )
    except DatabaseError:
        return []  # not migrated yet: nothing to review
    return [
        checks.Warning(
            f"The complaint policy “{name}” was created with neutral promises and nobody has "
            "reviewed it.",
            hint="Compare it with your published policy in the admin (Complaints › Complaint "
            "policies) and save it, or load your own with `manage.py load_policy_presets`.",
            id="complaints.W001",
        )
        for name in names
    ]


@checks.register(checks.Tags.database)
def check_rule_pack_settings(
    app_configs=None, databases=None, **kwargs
) -> list[checks.CheckMessage]:
    """Warn for each policy that keeps a rule pack without a setting the pack's statements need.

    The final-response check refuses such a policy's final responses until it is set.
    """
    from complaints import rulepacks
    from complaints.models import ComplaintPolicy

    if not databases:
        return []
    try:
        policies = list(ComplaintPolicy.objects.exclude(rule_packs=[]).order_by("name"))
    except DatabaseError:
        return []
    return [
        checks.Warning(
            f"The complaint policy “{policy.name}” keeps a rule pack but lacks a setting it "
            f"needs: {' '.join(str(text) for text in missing.values())}",
            hint="Set it in the admin (Complaints › Complaint policies › Rule packs); until "
            "then its final responses and holding replies are refused.",
            id="complaints.W002",
        )
        for policy in policies
        if (missing := rulepacks.settings_missing(policy))
    ]
