"""Benchmark: render and package a 200-item loop for a 192×64 single-colour screen (stills
only, and the mix where one item in nine is a 55-character scroll) and a 1920×1080
full-colour wall (240 frames), with today's code and with the code as it stood before
strips and constant-rate video (frozen in bench/led_baseline/), in the same run.

Prints, per case and per code path, package time, stored frames, ZIP size, the peak RSS of
the process that built the package and the video's frame count, then the new/old ratios and
issue 15's goals (the mix under 3 s and 150 MB, the wall under 10 s). Both paths make their
MP4 (the old one variable-rate with ffmpeg, today's constant-rate), so the times compare like
for like. Photos are JPEG files decoded when their item is drawn, by both paths.

    .venv/bin/python bench/led_bench.py [--items 200] [--only 192x64-scroll] [--repeat 1]

Each case runs in its own child process with Django loaded, as the export worker is. The old
code builds in that process: "build RSS" is its peak (ru_maxrss), which includes Django.
Today's code builds as the worker does, in a build process of its own that loads only the
renderer: "build RSS" is that process's peak (its VmHWM), and "worker +MB" is what the
Django process grew meanwhile. "Django MB" is the Django process before the build. The
package is written to a temporary file, as the export worker writes it. With --repeat N each
build runs N times (alternating old and new) and the median time is shown.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# name: (width, height, colour mode, include the long slogan that scrolls on small screens)
CASES = {
    "192x64": (192, 64, "single", False),
    "192x64-scroll": (192, 64, "single", True),
    "1920x1080": (1920, 1080, "full", True),
}
# Issue 15's goals: (seconds, MB of peak RSS or None).
GOALS = {"192x64-scroll": (3.0, 150.0), "1920x1080": (10.0, None)}
IMPLEMENTATIONS = {
    "old": "bench.led_baseline.package",
    "new": "media_schedule.channels.led.package",
}

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


def _cpu_seconds() -> float:
    # This process and its finished children (ffmpeg): the work done, whatever else the
    # machine's two cores are busy with meanwhile.
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_case(name: str, items: int, implementation: str) -> dict:
    """Render and package one case; returns its figures (runs inside the child process)."""
    _setup_django()
    import importlib
    import zipfile

    from PIL import Image

    from media_schedule.channels.led.builder import build_package_isolated
    from media_schedule.channels.led.versions import parse_version
    from media_schedule.channels.pictures import open_picture

    package = importlib.import_module(IMPLEMENTATIONS[implementation])
    render = importlib.import_module(IMPLEMENTATIONS[implementation].replace("package", "render"))

    width, height, mode, scrolling = CASES[name]
    slogans = SLOGANS if scrolling else SLOGANS[:-1]
    spec = render.ScreenSpec(width, height, mode)
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((2400, 1600)).convert("RGB").save(buffer, "JPEG")
    photo = buffer.getvalue()
    loop = []
    for number in range(items):
        picture = None
        # Every fifth item on the wall carries a photo (a JPEG, decoded when its item is
        # drawn, by both code paths), fitted around its centre. The old code took the
        # decoded picture, today's the picture's file.
        if mode == "full" and number % 5 == 0:
            if implementation == "old":
                picture = lambda: open_picture(io.BytesIO(photo))  # noqa: E731
            else:
                picture = lambda: io.BytesIO(photo)  # noqa: E731
        loop.append(
            package.PackageItem(
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
    cpu_before = _cpu_seconds()
    # Written to a file, as the export worker does: a package held in memory would add its
    # own size (tens of megabytes for the wall) to the peak RSS of the build.
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        if implementation == "old":
            result = package.build_package(out, spec=spec, items=loop, header=header)
        else:
            # As the export worker builds: in a process of its own.
            result = build_package_isolated(out, spec=spec, items=loop, header=header)
        package_seconds = time.perf_counter() - started
        cpu_seconds = _cpu_seconds() - cpu_before
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        zip_bytes = out.seek(0, io.SEEK_END)
        names = zipfile.ZipFile(out).namelist()
    video = result.manifest["loop"].get("video") or {}
    return {
        "case": name,
        "implementation": implementation,
        "items": items,
        "frames": result.frame_count,
        "stored_pngs": sum(1 for n in names if n.endswith(".png")),
        "loop_seconds": result.duration_ms / 1000,
        "render_seconds": result.timings["render"],
        "mp4_seconds": result.timings["mp4"],
        "package_seconds": package_seconds,
        "cpu_seconds": cpu_seconds,
        "zip_mb": zip_bytes / 1e6,
        "build_rss_mb": rss_mb if implementation == "old" else result.peak_rss_mb,
        "worker_growth_mb": rss_mb - rss_before_mb,
        "rss_before_mb": rss_before_mb,
        "video_frames": video.get("frame_count"),
        "video_fps": video.get("frame_rate", "vfr"),
    }


def _child(name: str, items: int, implementation: str) -> dict:
    command = [sys.executable, __file__, "--case", name, "--impl", implementation]
    command += ["--items", str(items)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{implementation} {name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--impl", choices=sorted(IMPLEMENTATIONS), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.case:
        print(json.dumps(run_case(args.case, args.items, args.impl)))
        return 0

    rows: dict[tuple[str, str], dict] = {}
    for name in [args.only] if args.only else list(CASES):
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        for _round in range(args.repeat):
            # Alternate the two paths so that a slower moment of the machine hits both.
            for implementation in ("old", "new"):
                runs[implementation].append(_child(name, args.items, implementation))
        for implementation, results in runs.items():
            row = dict(results[0])
            row["package_seconds"] = statistics.median(r["package_seconds"] for r in results)
            row["render_seconds"] = statistics.median(r["render_seconds"] for r in results)
            row["mp4_seconds"] = statistics.median(r["mp4_seconds"] for r in results)
            row["cpu_seconds"] = statistics.median(r["cpu_seconds"] for r in results)
            row["build_rss_mb"] = max(r["build_rss_mb"] for r in results)
            row["worker_growth_mb"] = max(r["worker_growth_mb"] for r in results)
            rows[(name, implementation)] = row

    print(f"LED package benchmark: {args.items} items per loop, median of {args.repeat} run(s)")
    print(
        f"{'case':<14} {'code':<4} {'loop s':>7} {'frames':>7} {'PNGs':>6} {'render s':>9} "
        f"{'mp4 s':>7} {'package s':>10} {'CPU s':>6} {'zip MB':>7} {'build RSS':>10} "
        f"{'Django MB':>10} {'worker +MB':>11} {'video':>12}"
    )
    for (name, implementation), row in rows.items():
        video = f"{row['video_frames']}@{row['video_fps']}" if row["video_frames"] else "vfr"
        print(
            f"{name:<14} {implementation:<4} {row['loop_seconds']:>7.0f} {row['frames']:>7} "
            f"{row['stored_pngs']:>6} {row['render_seconds']:>9.2f} {row['mp4_seconds']:>7.2f} "
            f"{row['package_seconds']:>10.2f} {row['cpu_seconds']:>6.2f} {row['zip_mb']:>7.1f} "
            f"{row['build_rss_mb']:>10.1f} {row['rss_before_mb']:>10.1f} "
            f"{row['worker_growth_mb']:>11.1f} {video:>12}"
        )
    print()
    for name in dict.fromkeys(name for name, _impl in rows):
        old, new = rows[(name, "old")], rows[(name, "new")]
        print(
            f"{name:<14} new/old: time {new['package_seconds'] / old['package_seconds']:.2f}×, "
            f"CPU {new['cpu_seconds'] / old['cpu_seconds']:.2f}×, "
            f"ZIP {new['zip_mb'] / old['zip_mb']:.2f}×, build RSS "
            f"{new['build_rss_mb'] / old['build_rss_mb']:.2f}×"
        )
        print(f"  load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        if name in GOALS:
            seconds, megabytes = GOALS[name]
            ok = new["package_seconds"] < seconds and (
                megabytes is None or new["build_rss_mb"] < megabytes
            )
            limit = f"< {seconds:.0f} s" + (f" and < {megabytes:.0f} MB" if megabytes else "")
            print(
                f"  goal {limit}: {'met' if ok else 'NOT met'} ({new['package_seconds']:.2f} s, "
                f"{new['build_rss_mb']:.0f} MB build RSS; old {old['package_seconds']:.2f} s, "
                f"{old['build_rss_mb']:.0f} MB)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
