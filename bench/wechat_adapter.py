"""How fast the WeChat adapter publishes to the stand-in, against a baseline in the same run.

Each delivery is the full conversation: cover upload, one body image upload, draft/add,
freepublish/submit, freepublish/get (the token is read once per delivery from its database
row, a private SQLite file here). The adapter keeps one keep-alive
HTTP client per worker process; the baseline opens a new client for every delivery, as an
adapter written with ``with httpx.Client() as client:`` would. Both run the same number of
deliveries with the same threads against one stand-in on 127.0.0.1, which also shows how many
deliveries per second the stand-in can take (the dispatcher benchmark needs about 170/s).

    .venv/bin/python bench/wechat_adapter.py --deliveries 400 --threads 4
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach_site.test_settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="wechat-bench-")
    os.environ["MEDIA_ROOT"] = media
    # A database of its own holding only the token table, never the system's.
    os.environ["DATABASE_URL"] = f"sqlite:///{media}/bench.sqlite3"
    import django

    django.setup()
    import httpx
    from django.db import connection

    from media_schedule.channels import DeliveryRequest
    from media_schedule.channels.wechat import adapter as wechat
    from media_schedule.channels.wechat import api
    from media_schedule.channels.wechat import version as versions
    from media_schedule.models import WeChatAccessToken
    from tests.support.wechat_standin import WeChatStandIn

    with connection.schema_editor() as editor:
        editor.create_model(WeChatAccessToken)
    version = _version(Path(media), versions)
    assert versions.validate(version) == [], versions.validate(version)
    shared_client = api.shared_client

    def fresh_client(timeout, *, keep_alive=True):
        client = httpx.Client(timeout=timeout)
        opened.append(client)
        return client

    results = {}
    with WeChatStandIn() as standin:
        for mode in ("baseline: new clients per delivery", "adapter: shared keep-alive client"):
            opened: list = []
            api.shared_client = fresh_client if mode.startswith("baseline") else shared_client
            WeChatAccessToken.objects.all().delete()
            standin.reset()
            config = standin.outlet_config()
            latencies: list[float] = []
            lock = threading.Lock()

            def deliver(_n, config=config, latencies=latencies, lock=lock, opened=opened):
                request = DeliveryRequest(
                    placement_id=1,
                    idempotency_key=str(uuid.uuid4()),
                    attempt=1,
                    page_id=1,
                    version=version,
                    outlet_config=config,
                    outlet_secret=standin.app_secret,
                )
                began = time.perf_counter()
                wechat.WeChatChannel().deliver(request)
                with lock:
                    latencies.append(time.perf_counter() - began)

            began = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(deliver, range(args.deliveries)))
            elapsed = time.perf_counter() - began
            for client in opened:
                client.close()
            assert len(standin.published()) == args.deliveries
            assert standin.duplicate_keys() == {}
            results[mode] = (elapsed, sorted(latencies))
    api.shared_client = shared_client

    print(f"{args.deliveries} deliveries, {args.threads} threads, one stand-in on 127.0.0.1")
    print(f"{'mode':38} {'per s':>8} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}")
    for mode, (elapsed, latencies) in results.items():
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"{mode:38} {len(latencies) / elapsed:8.1f} {statistics.median(latencies) * 1000:10.1f}"
            f" {p99 * 1000:8.1f} {latencies[-1] * 1000:8.1f}"
        )


def _version(media: Path, versions) -> dict:
    """A valid article version whose cover and body image are files under ``media``."""
    from PIL import Image

    files = {}
    for name, size, fmt in (("cover.jpg", (1200, 800), "JPEG"), ("photo.png", (640, 480), "PNG")):
        buffer = io.BytesIO()
        Image.new("RGB", size, (178, 34, 34)).save(buffer, fmt)
        (media / name).write_bytes(buffer.getvalue())
        files[name] = len(buffer.getvalue())
    src = "http://127.0.0.1:8000/media/photo.png"
    crops = {}
    for key, ratio in versions.CROP_RATIOS.items():
        box = versions.crop_box(1200, 800, ratio, (850, 250, 950, 350))
        crops[key] = {"box": list(box), "fractions": versions.crop_fractions(box, 1200, 800)}
    return {
        "kind": "wechat",
        "title": "我县开展八一走访慰问",
        "author": "县双拥办",
        "digest": "县领导走访慰问驻地部队官兵和优抚对象。",
        "content": f'<p>走访慰问活动在全县展开。</p><p><img src="{src}" alt="慰问现场"></p>' * 20,
        "content_source_url": "http://127.0.0.1:8000/news/bayi/",
        "need_open_comment": 0,
        "only_fans_can_comment": 0,
        "cover": {
            "image_id": 1,
            "src": "http://127.0.0.1:8000/media/cover.jpg",
            "file": "cover.jpg",
            "name": "cover.jpg",
            "format": "jpeg",
            "size": files["cover.jpg"],
            "width": 1200,
            "height": 800,
            "focal_point": [850, 250, 950, 350],
            "crops": crops,
        },
        "images": [
            {
                "image_id": 2,
                "src": src,
                "file": "photo.png",
                "name": "photo.png",
                "format": "png",
                "size": files["photo.png"],
            }
        ],
    }


if __name__ == "__main__":
    main()
