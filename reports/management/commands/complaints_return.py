from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from complaints.exceptions import ComplaintError
from reports.periods import half_year
from reports.returns import complaints_return, return_csv, return_text


class Command(BaseCommand):
    help = "Print the half-yearly complaints data return (FCA DISP 1.10 shape)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The half-year, like 2026H1.")
        parser.add_argument("--format", choices=["csv", "text"], default="text")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, period, format, output, **options):
        try:
            chosen = half_year(period)
        except ComplaintError as exc:
            raise CommandError(str(exc)) from exc
        rows = complaints_return(chosen)
        if format == "csv":
            body = return_csv(rows)
        else:
            body = return_text(chosen, rows, settings.REDRESS_ORGANISATION_NAME)
        if not output:
            self.stdout.write(body, ending="")
            return
        try:
            Path(output).write_text(body, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stdout.write(f"Wrote the {chosen.name} return to {output}.")
