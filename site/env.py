"""Reading settings from the environment, with clear errors for bad values."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, or ``default`` when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    """Parse a yes/no variable; anything unrecognised is an error, never a silent ``False``."""
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    """Parse an integer variable."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list variable."""
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_groups(name: str, default: list, *, choices: set[str]) -> list[str | list[str]]:
    """Parse a comma-separated list whose items may join names with ``+`` (``a,b+c``).

    A joined item becomes a list (``[["b", "c"]]``); every name must be one of ``choices``.
    """
    value = env_str(name)
    if value is None:
        return default
    groups: list[str | list[str]] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        names = [part.strip() for part in item.split("+")]
        for unknown in sorted(set(names) - choices):
            raise ImproperlyConfigured(
                f"{name}={value!r} names {unknown!r}: use {', '.join(sorted(choices))}."
            )
        groups.append(names if len(names) > 1 else names[0])
    if not groups:
        raise ImproperlyConfigured(f"{name}={value!r} lists nothing.")
    return groups


def embedded_secret_key(var_dir: Path) -> str:
    """Return a per-installation secret key kept in ``var/``, creating it on first use.

    The embedded run must work with nothing configured, yet must not share a key
    with every other installation.
    """
    from django.core.management.utils import get_random_secret_key

    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    path.write_text(key)
    path.chmod(0o600)
    return key


def embedded_base_url(var_dir: Path) -> str | None:
    """The address ``scripts/start`` last served the embedded run at (``var/base_url``)."""
    path = var_dir / "base_url"
    return (path.read_text().strip() or None) if path.exists() else None


def redact_url(url: str) -> str:
    """Hide the password in a connection URL so it can be shown in error messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
