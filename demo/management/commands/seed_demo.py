from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEMO_PASSWORD, STAFF, demo_load


class Command(BaseCommand):
    help = "Load demo data: the policy presets, categories, staff and a complaint in every state."

    def add_arguments(self, parser):
        parser.add_argument(
            "--code",
            metavar="USERNAME",
            help="Print the current two-factor code of a demo login (DEBUG only) and stop.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (demo logins have a published password).",
        )

    def handle(self, *args, force, code=None, **options):
        if code is not None:
            return self._print_code(code)
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
        if settings.DEBUG:
            self._print_second_factors()

    def _print_second_factors(self) -> None:
        """Give the demo logins that need a second factor one, and print how to use it."""
        from django.contrib.auth import get_user_model

        from config.staff import two_factor_required

        users = get_user_model().objects.filter(username__in=[row[0] for row in STAFF])
        for user in users.order_by("username"):
            if not two_factor_required(user):
                continue
            device = demo_authenticator(user)
            self.stdout.write(
                f"  {user.username} signs in with a code as well: add the key "
                f"{b32encode(device.bin_key).decode()} to an authenticator app, or run "
                f"`python manage.py seed_demo --code {user.username}` (demo only)."
            )

    def _print_code(self, username: str) -> None:
        if not settings.DEBUG:
            raise CommandError("--code works only with DJANGO_DEBUG=true, for the demo logins.")
        if username not in [row[0] for row in STAFF]:
            raise CommandError(f"{username} is not a demo login.")
        from django.contrib.auth import get_user_model
        from django_otp.oath import TOTP

        device = demo_authenticator(get_user_model().objects.get(username=username))
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")


def demo_authenticator(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
