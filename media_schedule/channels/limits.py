"""Helpers shared by the per-outlet version modules: measuring text and sizes, and wording."""

from django.utils.translation import gettext as _

from media_schedule.channels.base import VersionProblem

MB = 1024 * 1024


def format_megabytes(size: int) -> str:
    """A byte count as the Chinese UI shows it, e.g. ``1.4 MB``; never rounds down to the limit."""
    value = size / MB
    text = f"{value:.1f}"
    if float(text) <= 1.0 and size > MB:
        # 1,048,577 bytes must not read "1.0 MB" in a message that says "over 1 MB".
        text = f"{value:.3f}"
    return f"{text} MB"


def length_problem(field: str, label: str, text: str, limit: int) -> VersionProblem | None:
    """A problem when ``text`` has more than ``limit`` characters, naming how many too many."""
    count = len(text)
    if count <= limit:
        return None
    return VersionProblem(
        field,
        _("%(label)s超出 %(over)d 字（共 %(count)d 字，上限 %(limit)d 字）")
        % {"label": label, "over": count - limit, "count": count, "limit": limit},
    )


def file_format(name: str) -> str:
    """The image format implied by a file name's extension (``jpeg``, ``png``, ...)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"jpg": "jpeg", "jpe": "jpeg"}.get(extension, extension)
