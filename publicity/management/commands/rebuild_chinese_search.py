"""``manage.py rebuild_chinese_search``: rebuild the Chinese search index from live pages."""

from django.core.management.base import BaseCommand

from publicity.search import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the bigram search index of live articles and exemplars."

    def handle(self, *args, **options):
        count = rebuild_index()
        self.stdout.write(f"已索引 {count} 个页面 (pages indexed)")
