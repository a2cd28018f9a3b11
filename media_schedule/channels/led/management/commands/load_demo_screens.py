"""``manage.py load_demo_screens``: demo LED screens with slogans and packages (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from media_schedule.channels.led.demo import load_demo_screens


class Command(BaseCommand):
    help = "Create demo LED screens (64×16 to 1920×1080), their slogans and packages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be created, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            with transaction.atomic():
                report = load_demo_screens(build_packages=False)
                transaction.set_rollback(True)
        else:
            report = load_demo_screens()
        made = "，".join(f"{kind} {count}" for kind, count in sorted(report.created.items()))
        prefix = "（试运行，未保存）" if dry_run else ""
        if made:
            self.stdout.write(self.style.SUCCESS(f"{prefix}演示显示屏已创建 (created): {made}"))
        else:
            self.stdout.write("演示显示屏已存在，未作改动 (demo screens already present)")
        for line in report.packages:
            self.stdout.write(f"节目包 (package): {line}")
