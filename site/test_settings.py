"""Settings for the test suite: the embedded or production parts, minus what slows tests down."""

from .settings import *  # noqa: F403
from .settings import STORAGES

# Tests never run collectstatic: serve app static files straight from their packages.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Keep the tests' task queue apart from a running embedded system's, which shares var/.
if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
    _test_celery = VAR_DIR / "test-celery"  # noqa: F405
    for _folder in ("queue", "processed", "control", "results"):
        (_test_celery / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "data_folder_in": str(_test_celery / "queue"),
        "data_folder_out": str(_test_celery / "queue"),
        "control_folder": str(_test_celery / "control"),
        "processed_folder": str(_test_celery / "processed"),
    }
    CELERY_RESULT_BACKEND = f"file://{_test_celery / 'results'}"
