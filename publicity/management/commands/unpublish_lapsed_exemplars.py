"""``manage.py unpublish_lapsed_exemplars``: take exemplars with lapsed consent off the site."""

from django.core.management.base import BaseCommand

from publicity.services import exemplars_unpublish_lapsed


class Command(BaseCommand):
    help = "Unpublish exemplar pages whose consent to be shown has lapsed."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list them, change nothing")

    def handle(self, *args, dry_run=False, **options):
        report = exemplars_unpublish_lapsed(dry_run=dry_run)
        verb = "将撤下 (would unpublish)" if dry_run else "已撤下 (unpublished)"
        for title in report.unpublished:
            self.stdout.write(f"{verb}: {title}")
        self.stdout.write(f"共 {len(report.unpublished)} 个 (total)")
