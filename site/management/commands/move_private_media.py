"""``manage.py move_private_media``: move documents, LED packages and unfinished uploads that
were stored under MEDIA_ROOT to PRIVATE_MEDIA_ROOT, where no URL serves them."""

from django.conf import settings
from django.core.management.base import BaseCommand

from outreach_site.storage import private_media_move


class Command(BaseCommand):
    help = "Move private uploads (documents, LED packages) out of MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list what would move")

    def handle(self, *args, dry_run, **options):
        moved, kept = private_media_move(dry_run=dry_run)
        verb = "would move" if dry_run else "moved"
        for name in moved:
            self.stdout.write(f"{verb} {name}")
        for name in kept:
            self.stderr.write(f"kept {name}: a file of that name is already in the private root")
        self.stdout.write(
            f"{len(moved)} file(s) {verb} from {settings.MEDIA_ROOT} "
            f"to {settings.PRIVATE_MEDIA_ROOT}; {len(kept)} kept."
        )
