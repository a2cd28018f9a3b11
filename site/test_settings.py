"""Settings for the test suite: the embedded or production parts, minus what slows tests down.

Each test run gets its own database, task queue and broker folders (named after
``OUTREACH_TEST_RUN``, inherited by the worker processes tests start), so that two runs
on one machine, or a test run beside a running embedded system, never share tasks or rows.
"""

import os

from .settings import *  # noqa: F403
from .settings import CELERY_BROKER_URL, DATABASES, STORAGES, VAR_DIR

TEST_RUN = os.environ.setdefault("OUTREACH_TEST_RUN", str(os.getpid()))
TEST_RUN_DIR = VAR_DIR / f"test-{TEST_RUN}"

# Tests never run collectstatic: serve app static files straight from their packages.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Not the address a running embedded system left in var/: tests expect the default.
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
# This run's private uploads (documents, LED packages), where its worker processes look too.
PRIVATE_MEDIA_ROOT = TEST_RUN_DIR / "private"
PUBLICITY_PAGE_CACHE_STAMP = TEST_RUN_DIR / "page-cache.stamp"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    TEST_RUN_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_RUN_DIR / "db.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{TEST_RUN}"}

CELERY_TASK_DEFAULT_QUEUE = f"outreach-test-{TEST_RUN}"
EMBEDDED_STATUS_FILE = TEST_RUN_DIR / "embedded.json"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = TEST_RUN_DIR / "celery"
    for _folder in ("queue", "staging", "claimed", "damaged", "control", "results"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        **{
            f"{_folder}_folder": str(_celery_dir / _folder)
            for _folder in ("staging", "claimed", "damaged", "control")
        },
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
    }
    CELERY_RESULT_BACKEND = f"file://{_celery_dir / 'results'}"
