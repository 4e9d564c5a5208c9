from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEMO_PASSWORD, STAFF, demo_load


class Command(BaseCommand):
    help = "Load demo data: the policy presets, categories, staff and a complaint in every state."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (demo logins have a published password).",
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates staff logins with a published password; it runs only with "
                "DJANGO_DEBUG=true, or with --force on a machine that is not production."
            )
        counts = demo_load()
        self.stdout.write(
            "Demo data: {policies} policies, {categories} categories, {cases} complaints "
            "added (0 means they were there already).".format(**counts)
        )
        for username, first, last, group in STAFF:
            self.stdout.write(f"  {group}: {username} / {DEMO_PASSWORD}  ({first} {last})")
