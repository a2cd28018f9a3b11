"""``manage.py rebuild_coverage``: recompute the coverage roll-up from the delivery log.

Run once after upgrading a system that recorded deliveries before coverage existed, and after
loading records in bulk (bulk inserts bypass the roll-up's refresh). Safe at any time: it runs
in one transaction, so the report shows the old counts or the new, never half.
"""

from django.core.management.base import BaseCommand

from media_schedule.coverage import rollup


class Command(BaseCommand):
    help = "Recompute the coverage roll-up from the delivery log."

    def handle(self, *args, **options):
        placements = rollup.rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"覆盖统计已重建 (roll-up rebuilt): {placements} 个排期")
        )
