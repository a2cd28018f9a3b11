"""Benchmark: render and package a 200-item loop for a 192×64 single-colour screen and a
1920×1080 full-colour wall.

Prints frames per second, package time and peak memory for each, against a baseline measured
in the same run (Pillow encoding the same number of blank PNG frames at the same size, which
is the floor any renderer pays). The goal is the 192×64 package in under 5 s and 200 MB.

    .venv/bin/python bench/led_bench.py [--items 200] [--no-mp4] [--only 192x64]

Each case runs in its own child process so that peak RSS (ru_maxrss) belongs to it alone;
"RSS before" is that process after loading Django and the fonts' Python modules, before the
build, so the difference is what packaging costs.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# name: (width, height, colour mode, include the long slogan that scrolls on small screens)
CASES = {
    "192x64": (192, 64, "single", False),
    "192x64-scroll": (192, 64, "single", True),
    "1920x1080": (1920, 1080, "full", True),
}
GOAL_SECONDS, GOAL_MB = 5.0, 200.0

# Slogans written for the benchmark; the last one is long enough to scroll on a 192×64 screen
# (about 460 frames of 50 ms each), the stress case.
SLOGANS = [
    ["军民团结一家亲"],
    ["拥军优属 拥政爱民"],
    ["强军兴军 从我做起", "依法服兵役 光荣又神圣"],
    ["全民国防教育日主题活动在县文化广场举行，欢迎市民参加"],
    ["热烈庆祝中国人民解放军建军98周年"],
    ["关心关爱退役军人，落实优抚政策"],
    ["增强国防观念", "共筑钢铁长城"],
    ["双拥模范城创建，人人参与，人人共享"],
    [
        "全民国防教育日主题活动在县文化广场举行，驻地官兵进行装备展示，现场发放宣传资料三千余份，欢迎广大市民踊跃参加"
    ],
]


def _setup_django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach_site.settings")
    import django

    django.setup()


def run_case(name: str, items: int, with_mp4: bool) -> dict:
    """Render and package one case; returns its figures (runs inside the child process)."""
    _setup_django()
    from PIL import Image

    from media_schedule.channels.led.package import PackageItem, build_package
    from media_schedule.channels.led.render import ScreenSpec
    from media_schedule.channels.led.versions import parse_version

    width, height, mode, scrolling = CASES[name]
    slogans = SLOGANS if scrolling else SLOGANS[:-1]
    spec = ScreenSpec(width, height, mode)
    photo = Image.radial_gradient("L").resize((2400, 1600)).convert("RGB")
    loop = []
    for number in range(items):
        picture = None
        # Every fifth item on the wall carries a photo, fitted around its centre.
        if mode == "full" and number % 5 == 0:
            picture = photo.copy
        loop.append(
            PackageItem(
                key=f"item-{number}",
                title=f"第{number + 1}条",
                version=parse_version(
                    {"lines": slogans[number % len(slogans)], "dwell_seconds": 8}
                ),
                picture=picture,
            )
        )
    header = {
        "screen": {
            "id": None,
            "name": f"基准屏 {name}",
            "width": width,
            "height": height,
            "colour_mode": mode,
            "colour_mode_label": mode,
            "led_colour": "red",
            "location": "",
            "operating_hours": {"opens": "07:00", "closes": "22:00"},
            "controller": {"vendor": "", "model": ""},
        },
        "package": {"version": 1, "fingerprint": "0" * 64, "created_at": "", "created_display": ""},
    }

    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    started = time.perf_counter()
    out = io.BytesIO()
    result = build_package(out, spec=spec, items=loop, header=header, with_mp4=with_mp4)
    package_seconds = time.perf_counter() - started
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Baseline: encode as many blank frames of this size as PNG, nothing else.
    blank = Image.new("RGB" if mode == "full" else "P", (width, height))
    baseline_started = time.perf_counter()
    for _ in range(result.frame_count):
        blank.save(io.BytesIO(), format="PNG", compress_level=3)
    baseline_seconds = time.perf_counter() - baseline_started

    return {
        "case": name,
        "items": items,
        "frames": result.frame_count,
        "loop_seconds": result.duration_ms / 1000,
        "render_seconds": result.timings["render"],
        "mp4_seconds": result.timings["mp4"],
        "package_seconds": package_seconds,
        "frames_per_second": result.frame_count / result.timings["render"],
        "zip_mb": len(out.getvalue()) / 1e6,
        "traced_peak_mb": traced_peak / 1e6,
        "max_rss_mb": rss_mb,
        "rss_before_mb": rss_before_mb,
        "baseline_png_seconds": baseline_seconds,
        "baseline_frames_per_second": result.frame_count / max(baseline_seconds, 1e-9),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--no-mp4", action="store_true")
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.case:
        print(json.dumps(run_case(args.case, args.items, not args.no_mp4)))
        return 0

    rows = []
    for name in [args.only] if args.only else list(CASES):
        command = [sys.executable, __file__, "--case", name, "--items", str(args.items)]
        if args.no_mp4:
            command.append("--no-mp4")
        completed = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))

    print(
        f"LED package benchmark: {args.items} items per loop, MP4 {'off' if args.no_mp4 else 'on'}"
    )
    header = (
        f"{'case':<14} {'frames':>7} {'render fps':>11} {'baseline fps':>13} "
        f"{'package s':>10} {'mp4 s':>7} {'zip MB':>7} {'traced MB':>10} {'max RSS MB':>11} "
        f"{'RSS before':>11}"
    )
    print(header)
    for row in rows:
        print(
            f"{row['case']:<14} {row['frames']:>7} {row['frames_per_second']:>11.0f} "
            f"{row['baseline_frames_per_second']:>13.0f} {row['package_seconds']:>10.2f} "
            f"{row['mp4_seconds']:>7.2f} {row['zip_mb']:>7.1f} {row['traced_peak_mb']:>10.1f} "
            f"{row['max_rss_mb']:>11.1f} {row['rss_before_mb']:>11.1f}"
        )
    for small in (row for row in rows if row["case"].startswith("192x64")):
        ok = small["package_seconds"] < GOAL_SECONDS and small["max_rss_mb"] < GOAL_MB
        print(
            f"goal {small['case']} < {GOAL_SECONDS:.0f} s and < {GOAL_MB:.0f} MB: "
            f"{'met' if ok else 'NOT met'} ({small['package_seconds']:.2f} s, "
            f"{small['max_rss_mb']:.0f} MB peak RSS)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
