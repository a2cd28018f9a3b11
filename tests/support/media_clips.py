"""Small real audio and video clips made with ffmpeg (installed by scripts/test), for tests
of evidence that is checked by its content."""

import functools
import subprocess
import tempfile
from pathlib import Path

# Each clip: ffmpeg arguments after the input options, by output suffix.
RECIPES = {
    "mp3": ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"],
    "m4a": ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac"],
    "wav": ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "pcm_s16le"],
    "ogg": ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "libopus"],
    "mp4": ["-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p"],
    "mov": ["-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p"],
    "webm": [
        "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-c:v", "libvpx",
        "-b:v", "100k",
    ],
    "3gp": [
        "-f", "lavfi", "-i", "testsrc=duration=1:size=176x144:rate=10", "-f", "lavfi", "-i",
        "sine=duration=1", "-ar", "8000", "-ac", "1", "-c:a", "aac", "-shortest",
    ],
}  # fmt: skip


@functools.cache
def clip(suffix: str) -> bytes:
    """The bytes of a one-second clip; AMR (no encoder in Debian's ffmpeg) is written by hand
    as fifty 12.2 kbit/s frames of silence."""
    if suffix == "amr":
        return b"#!AMR\n" + (b"\x3c" + b"\x00" * 31) * 50
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"clip.{suffix}"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", *RECIPES[suffix], str(out)], check=True, timeout=60
        )
        return out.read_bytes()
