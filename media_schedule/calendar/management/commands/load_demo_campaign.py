from django.core.management.base import BaseCommand

from media_schedule.calendar.demo import load_demo_campaign


class Command(BaseCommand):
    help = "Plan a demo campaign for the next key date (after load_demo_schedule)."

    def handle(self, *args, **options):
        report = load_demo_campaign()
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing new"
        self.stdout.write(f"Demo campaign {report.campaign or '(none)'}: {created}")
