"""``manage.py load_demo_feeds``: an example feed source and its entries in the inbox.

Nothing is fetched: the source is inactive and its entries come from a feed document that
ships with the code (``publicity/inbox/demo/sample_feed.xml``). Running it again changes
nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from publicity.inbox.models import FeedSource
from publicity.inbox.parsing import parse_feed
from publicity.inbox.services import entries_file
from publicity.models import ColumnPage

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "sample_feed.xml"
URL = "https://feeds.example.gov.cn/shuangyong/rss.xml"


class Command(BaseCommand):
    help = "Create an inactive example feed source and file its bundled entries in the inbox."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be created")

    def handle(self, *args, dry_run=False, **options):
        parsed = parse_feed(SAMPLE.read_bytes(), url=URL)
        if FeedSource.objects.filter(url=URL).exists():
            self.stdout.write(
                "示例订阅源已存在，未作改动 (example feed source present; nothing changed)"
            )
            return
        if dry_run:
            self.stdout.write(
                f"将创建示例订阅源及 {len(parsed.entries)} 条待处理条目 "
                f"(would create the example source and {len(parsed.entries)} inbox entries)"
            )
            return
        source = FeedSource.objects.create(
            name="示例：市融媒体中心·双拥频道",
            url=URL,
            active=False,
            default_column=ColumnPage.objects.filter(layout=ColumnPage.Layout.ARTICLES)
            .order_by("path")
            .first(),
        )
        created, _sightings = entries_file(source=source, entries=parsed.entries)
        source.entries_seen = created
        source.save(update_fields=["entries_seen"])
        self.stdout.write(
            self.style.SUCCESS(
                f"示例订阅源已创建（未启用，不抓取），收件箱中有 {created} 条待处理 "
                f"(example feed source created, inactive; {created} entries in the inbox)"
            )
        )
