from django.core.management.base import BaseCommand, CommandError

from complaints.presets import PRESETS, preset_by_slug, preset_load


class Command(BaseCommand):
    help = "Load the five published complaint policies (A–E) as ComplaintPolicy presets."

    def add_arguments(self, parser):
        parser.add_argument(
            "presets", nargs="*", help="Letters or slugs to load (default: all five)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore the promises of presets already loaded (edits made since are lost).",
        )

    def handle(self, *args, presets, reset, **options):
        try:
            chosen = [preset_by_slug(slug) for slug in presets] if presets else PRESETS
        except KeyError as exc:
            known = ", ".join(p.slug for p in PRESETS)
            raise CommandError(f"Unknown preset {exc}. Known presets: {known}.") from exc
        for preset in chosen:
            policy, written = preset_load(preset, reset=reset)
            verb = "loaded" if written else "already present (use --reset to restore)"
            self.stdout.write(f"{policy.name}: {verb}")
