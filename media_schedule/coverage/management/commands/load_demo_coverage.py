"""``manage.py load_demo_coverage``: demo items of the assessment standard (idempotent), and
the coverage roll-up built from the delivery log if it never has been."""

from django.core.management.base import BaseCommand
from django.db import transaction

from media_schedule.coverage.demo import load_coverage_demo


class Command(BaseCommand):
    help = "Create demo assessment-standard items; build the coverage roll-up if it is empty."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created.")

    def handle(self, *args, **options):
        with transaction.atomic():
            report = load_coverage_demo()
            if options["dry_run"]:
                transaction.set_rollback(True)
        prefix = "将创建 (would create)" if options["dry_run"] else "考评标准条目 (standard items)"
        made = "、".join(report.created) or "无新增 (none new)"
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}: {made}; 覆盖统计 (roll-up): {report.placements} 个排期")
        )
