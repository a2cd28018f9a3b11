"""``manage.py health``: report whether the database, the broker and a worker answer, and in
the embedded run the state of each process its supervisor keeps running."""

from django.core.management.base import BaseCommand, CommandError

from outreach_site.health import run_checks


class Command(BaseCommand):
    help = "Report whether the database, the Celery broker and a worker answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait")
        parser.add_argument("--no-worker", action="store_true", help="skip the worker check")

    def handle(self, *args, timeout, no_worker, **options):
        results = run_checks(worker_timeout=timeout, include_worker=not no_worker)
        for result in results:
            mark = self.style.SUCCESS("OK  ") if result.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {result.name:<14} {result.detail}")
        failed = [result.name for result in results if not result.ok]
        if failed:
            raise CommandError(f"unhealthy: {', '.join(failed)}")
