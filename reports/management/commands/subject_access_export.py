from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaints.actors import SYSTEM
from complaints.exceptions import ComplaintError
from reports.subject_access import subject_access_export


class Command(BaseCommand):
    help = "Export every case under one complainant's email as a zip (JSON and files)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--output", required=True, help="The zip file to write.")

    def handle(self, *args, email, output, **options):
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"The folder of {output} does not exist.")
        try:
            archive, count = subject_access_export(email=email, actor=SYSTEM)
        except ComplaintError as exc:
            raise CommandError(str(exc)) from exc
        target.write_bytes(archive)
        self.stdout.write(f"Wrote {count} case(s) to {output}.")
