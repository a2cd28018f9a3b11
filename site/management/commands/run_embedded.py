"""``manage.py run_embedded``: run web, worker and beat under supervision (scripts/start)."""

import logging
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from outreach_site.health import run_checks
from outreach_site.supervisor import Supervisor, embedded_programs


class Command(BaseCommand):
    help = (
        "Start the web server, a worker and beat, restart whichever dies, and stop them all "
        "on Ctrl-C. Their output goes to the log folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to serve on")
        parser.add_argument("--concurrency", type=int, default=4, help="worker threads")
        parser.add_argument("--log-dir", type=Path, default=settings.VAR_DIR / "log")
        parser.add_argument("--stop-timeout", type=float, default=30.0, help="seconds")
        parser.add_argument(
            "--ready-message", default="", help="printed once the site and a worker answer"
        )

    def handle(self, *args, bind, concurrency, log_dir, stop_timeout, ready_message, **options):
        log_dir.mkdir(parents=True, exist_ok=True)
        self._log_to(log_dir / "supervisor.log")
        supervisor = Supervisor(
            embedded_programs(bind=bind, concurrency=concurrency, log_dir=log_dir),
            status_file=Path(settings.EMBEDDED_STATUS_FILE),
            stop_timeout=stop_timeout,
            cwd=Path(settings.BASE_DIR),
        )
        self.stdout.write(f"Starting web ({bind}), worker and beat; logs in {log_dir}/")

        def ready_check() -> bool:
            # Whether the parts run; a wrong public address is health's to report.
            return self._site_answers(bind) and all(
                result.ok for result in run_checks(worker_timeout=3, include_address=False)
            )

        def on_ready() -> None:
            self.stdout.write(ready_message or "Ready.")
            self.stdout.flush()

        supervisor.run(ready_check=ready_check, on_ready=on_ready)

    @staticmethod
    def _site_answers(bind: str) -> bool:
        """Whether the web server answers at all (a page's own error still counts)."""
        try:
            with urllib.request.urlopen(f"http://{bind}/", timeout=2):
                return True
        except urllib.error.HTTPError as error:
            return error.code < 500
        except OSError:
            return False

    @staticmethod
    def _log_to(path: Path) -> None:
        """The supervisor's own lines go to the terminal and to ``path``."""
        handler = logging.FileHandler(path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger = logging.getLogger("outreach_site.supervisor")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
