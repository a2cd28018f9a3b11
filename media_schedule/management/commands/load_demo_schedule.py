"""``manage.py load_demo_schedule``: demo outlets and placements (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from media_schedule.demo import load_demo_schedule


class Command(BaseCommand):
    help = "Create demo outlets of every kind and a few placements for the demo articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wechat-base-url",
            default="http://127.0.0.1:8089",
            help="Base URL of the WeChat API the demo account talks to (a stand-in by default).",
        )
        parser.add_argument("--wechat-secret", default="", help="The demo account's AppSecret.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created.")

    def handle(self, *args, **options):
        with transaction.atomic():
            report = load_demo_schedule(
                wechat_base_url=options["wechat_base_url"], wechat_secret=options["wechat_secret"]
            )
            if options["dry_run"]:
                transaction.set_rollback(True)
        if report.created:
            made = "，".join(f"{kind} {count}" for kind, count in sorted(report.created.items()))
            prefix = "将创建 (would create)" if options["dry_run"] else "演示排期已创建 (created)"
            self.stdout.write(self.style.SUCCESS(f"{prefix}: {made}"))
        else:
            self.stdout.write(
                "演示排期已存在，未作改动 (demo schedule already present; nothing changed)"
            )
