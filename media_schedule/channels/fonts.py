"""Finding installed font faces for the kinds that typeset (print copies, posters)."""

import shutil
import subprocess
from pathlib import Path


def fc_match(family: str, style: str = "") -> tuple[str, int] | None:
    """The file and face index of ``family`` (in ``style``, e.g. "Bold") as fontconfig
    knows it, or ``None`` when the machine lacks that family or fontconfig."""
    if not shutil.which("fc-match"):
        return None
    pattern = f"{family}:style={style}" if style else family
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{family}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path, _sep, rest = result.stdout.partition("|")
    index, _sep, families = rest.partition("|")
    # fontconfig answers every pattern with its nearest face: only the family asked for will do.
    if family not in families.split(",") or not Path(path).is_file():
        return None
    return path, int(index or 0)
