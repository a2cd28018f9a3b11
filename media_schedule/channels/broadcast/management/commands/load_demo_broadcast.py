"""``manage.py load_demo_broadcast``: demo radio and TV slots and bookings (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from media_schedule.channels.broadcast.demo import load_demo_broadcast


class Command(BaseCommand):
    help = "Create demo radio and TV slots, an exception and tomorrow's bookings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be created, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            report = load_demo_broadcast()
            if dry_run:
                transaction.set_rollback(True)
        made = "，".join(f"{kind} {count}" for kind, count in sorted(report.created.items()))
        prefix = "（试运行，未保存）" if dry_run else ""
        if made:
            self.stdout.write(self.style.SUCCESS(f"{prefix}演示广播电视已创建 (created): {made}"))
        else:
            self.stdout.write("演示广播电视已存在，未作改动 (demo broadcast already present)")
