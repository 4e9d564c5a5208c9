"""rehearse_policy <slug> --received "2027-04-23 16:00" [--complex] [--escalate] [--reopen]
[--quick | --slow]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from complaints import clock
from complaints.models import ComplaintPolicy
from reports.rehearsal import rehearse_policy


class Command(BaseCommand):
    help = (
        "Run a typical case's whole life under a policy with time travelled, through the real "
        "services and periodic jobs, and print every message, alert and promise. Nothing is kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="the policy's slug")
        parser.add_argument(
            "--received",
            help='when the complaint arrives, in the policy\'s time zone: "2027-04-23 16:00" '
            "(default: now)",
        )
        parser.add_argument("--complex", action="store_true", help="the handler marks it complex")
        parser.add_argument("--escalate", action="store_true", help="the complainant escalates")
        parser.add_argument("--reopen", action="store_true", help="staff reopen it after closure")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="the handler responds the next business day (DISP: a summary resolution)",
        )
        parser.add_argument(
            "--slow",
            action="store_true",
            help="the handler responds only just before the regulator's limit (DISP: a holding "
            "reply first)",
        )
        parser.add_argument(
            "--brief", action="store_true", help="leave out the words of each message"
        )

    def handle(self, *args, **options) -> None:
        policy = ComplaintPolicy.objects.filter(slug=options["slug"]).first()
        if policy is None:
            known = ", ".join(ComplaintPolicy.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No policy with the slug “{options['slug']}”. Known: {known}.")
        if options["quick"] and options["slow"]:
            raise CommandError("Choose --quick or --slow, not both.")
        received = clock.now()
        if options["received"]:
            try:
                local = dt.datetime.fromisoformat(options["received"])
            except ValueError as exc:
                raise CommandError(
                    f"--received “{options['received']}” is not a date and time like "
                    "2027-04-23 16:00."
                ) from exc
            zone = policy.calendar().tz
            received = local.replace(tzinfo=zone) if local.tzinfo is None else local
        rehearsal = rehearse_policy(
            policy,
            received=received,
            complex_case=options["complex"],
            escalate=options["escalate"],
            reopen=options["reopen"],
            quick=options["quick"],
            slow=options["slow"],
        )
        self.stdout.write(rehearsal.render(brief=options["brief"]))
