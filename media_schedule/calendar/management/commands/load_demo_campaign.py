from django.core.management.base import BaseCommand

from media_schedule.calendar.demo import load_demo_campaign


class Command(BaseCommand):
    help = "Plan a demo campaign for the next key date (after load_demo_schedule)."

    def handle(self, *args, **options):
        report = load_demo_campaign()
        name = report.campaign or "（无）"
        if report.created:
            made = "，".join(f"{kind} {n}" for kind, n in report.created.items())
            self.stdout.write(f"演示宣传活动已创建 (created): {name}：{made}")
        else:
            self.stdout.write(f"演示宣传活动已存在，未作改动 (nothing new): {name}")
