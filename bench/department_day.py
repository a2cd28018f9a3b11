"""A working day in a department, compressed: several people use a running system at once
while its worker delivers, and every page they meet is counted.

    .venv/bin/python bench/department_day.py --url http://127.0.0.1:8000 --minutes 10

Runs against a system already started with ``scripts/start`` from the same folder (it reads
that system's database to give the demo staff a password). It drives Chromium through
Playwright, which ``scripts/test`` installs (``scripts/start`` does not: run
``.venv/bin/pip install playwright`` in a clone used only to start the system). Six sessions in headless
Chromium share the time:

* an editor (bianji) who edits and saves drafts, schedules articles to the website and the
  WeChat account, retries failed placements and exports the placement list;
* a reviewer who walks the admin and approves what waits for review (三审, all three steps);
* an LED operator who opens each screen, its previews and packages, and starts exports;
* a visitor who reads the public column: pages, search, feeds;
* the office head (the administrator) who reads the calendar and its JSON feed, the planner,
  the coverage report and its cells, the assessment standard, starts an archive and waits for
  it, and looks through the feed inbox;
* a station's duty editor (the administrator's second tab) who opens each radio and TV
  station's day, downloads the rundowns as XLSX and PDF and the calendar feed, and answers
  the as-run link as the station would (ticks every item aired).

At the end it prints, per person, the pages and actions done and every failure met: an
answer of 500 or above, a page error or console error, a broken link, an action that did not
take. The processes' health (``manage.py health``) is read before and after. Exit status 1
if anything failed. Every request goes to the given URL (127.0.0.1 by default), and the run
stops by itself after ``--minutes``.
"""

import argparse
import asyncio
import datetime
import functools
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "Department-Day-2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SEARCH_TERMS = ["拥军", "国防教育", "退役军人", "八一", "慰问", "双拥", "征兵", "英雄"]


@dataclass
class Person:
    role: str
    username: str | None
    done: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        self.failures.append(f"{time.strftime('%H:%M:%S')} {what}")


def prepare_staff() -> tuple[dict[str, str], list[int]]:
    """Give the demo staff a known password (in the running system's database); return the
    user names per role and the ids of the articles the editor works on."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach_site.settings")
    # The system started from this folder, whichever virtualenv runs the script.
    os.environ.setdefault("OUTREACH_VAR_DIR", str(REPO / "var"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    admin = users.filter(is_superuser=True).order_by("pk").first()
    roles = {
        "editor": "bianji",
        "reviewer": "zhongshen",
        "operator": "yunwei",
        "head": admin.username,
        "station": admin.username,
    }
    for role, username in list(roles.items()):
        user = users.filter(username=username).first()
        if user is None:
            # Older demo data has no operator: the administrator stands in.
            user = users.filter(is_superuser=True).order_by("pk").first()
            roles[role] = user.username
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    # The reviewer approves every step, as the three reviewers would in turn.
    reviewer = users.get(username=roles["reviewer"])
    from django.contrib.auth.models import Group

    reviewer.groups.add(*Group.objects.filter(name__in=["初审", "复审", "终审"]))
    from publicity.models import ArticlePage

    return roles, list(ArticlePage.objects.live().values_list("pk", flat=True))


def health() -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "health", "--timeout", "20"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return (result.stdout + result.stderr).strip()


class Session:
    """One person's browser tab, counting what it meets."""

    def __init__(self, person: Person, page, base: str):
        self.person, self.page, self.base = person, page, base
        page.on("pageerror", lambda error: person.fail(f"page error on {page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                person.fail(f"console on {page.url}: {message.text[:200]}")
                if message.type == "error"
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                person.fail(f"HTTP {response.status} {response.url}")
                if response.status >= 500 and response.url.startswith(base)
                else None
            ),
        )

    async def visit(self, path: str) -> bool:
        url = path if path.startswith("http") else urljoin(self.base, path)
        try:
            response = await self.page.goto(url, wait_until="domcontentloaded", timeout=30_000)
        except Exception as error:  # a timeout or a refused connection is what we look for
            self.person.fail(f"cannot open {url}: {str(error).splitlines()[0]}")
            return False
        self.person.done["pages"] += 1
        if response is not None and response.status >= 400:
            self.person.fail(f"HTTP {response.status} on {url}")
            return False
        return True

    async def links(self, prefix: str) -> list[str]:
        hrefs = await self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        own = urlsplit(self.base).netloc
        return [
            href.split("#")[0]
            for href in hrefs
            if urlsplit(href).netloc == own and urlsplit(href).path.startswith(prefix)
        ]

    async def login(self) -> None:
        await self.visit("/admin/login/")
        if "/admin/login/" not in self.page.url:
            return  # still signed in: the login page sends a signed-in user on
        await self.page.fill("input[name=username]", self.person.username)
        await self.page.fill("input[name=password]", PASSWORD)
        await self.page.click("button[type=submit]")
        await self.page.wait_for_load_state("domcontentloaded")
        if "/admin/login/" in self.page.url:
            self.person.fail("login refused")


async def visitor(session: Session, deadline: float) -> None:
    unsafe = ("/admin", "/documents/", "/i18n/")
    while time.monotonic() < deadline:
        await session.visit("/")
        for _step in range(6):
            candidates = [
                url for url in await session.links("/") if not urlsplit(url).path.startswith(unsafe)
            ]
            if not candidates:
                break
            await session.visit(random.choice(candidates))
        await session.visit(f"/search/?q={random.choice(SEARCH_TERMS)}")
        await session.visit("/feeds/rss.xml")
        session.person.done["reading rounds"] += 1


async def editor(session: Session, deadline: float, articles: list[int]) -> None:
    await session.login()
    while time.monotonic() < deadline:
        await session.visit("/admin/")
        await session.visit("/admin/pages/search/?q=慰问")
        await edit_article(session, random.choice(articles))
        await schedule(session, random.choice(articles))
        await retry_failed(session)
        await session.visit("/admin/schedule/placements/?status=delivered")
        export = await session.page.request.get(
            urljoin(session.base, "/admin/schedule/placements/?export=csv")
        )
        if export.status == 200 and "计划时间" in (await export.body()).decode("utf-8-sig"):
            session.person.done["exports"] += 1
        else:
            session.person.fail(f"placement export answered {export.status}")


async def edit_article(session: Session, page_id: int) -> None:
    """Touch the summary and save a draft; now and then submit it to 三审."""
    if not await session.visit(f"/admin/pages/{page_id}/edit/"):
        return
    # A person types after the editor has finished setting itself up (its scripts build the
    # body's blocks); on a busy machine that comes well after the HTML.
    await session.page.wait_for_load_state("load")
    summary = session.page.locator("textarea[name=summary]")
    if await summary.count() == 0:
        return
    text = await summary.input_value()
    await summary.fill(text.rstrip("。") + "。")
    submit = random.random() < 0.4
    # Both are form buttons; "submit to review" sits in a folded menu.
    # "Save draft" by its class: on a page in 三审 the footer's first submit button can be
    # "cancel workflow", which no editor means when saving a draft.
    button = "button[name=action-submit]" if submit else "footer button.action-save"
    if await session.page.locator(button).count() == 0:
        # Already in 三审, or locked by a reviewer: Wagtail offers no such button then.
        session.person.done["edits skipped, page in review"] += 1
        return
    async with session.page.expect_navigation():
        await session.page.evaluate(f"document.querySelector({button!r}).click()")
    content = await session.page.content()
    if submit and "已经提交进行审核" in content:
        session.person.done["submitted to 三审"] += 1
    elif not submit and "已被更新" in content:
        session.person.done["drafts saved"] += 1
    else:
        shown = await session.page.locator(
            ".messages, .help-critical, .w-field__errors, .error-message"
        ).all_inner_texts()
        session.person.fail(f"edit of page {page_id} did not take: {' '.join(shown)[:120]}")


async def schedule(session: Session, page_id: int) -> None:
    await session.visit("/admin/schedule/placements/")
    if not await session.visit(f"/admin/schedule/page/{page_id}/"):
        return
    options = await session.page.locator("select[name=outlet_0] option").all_inner_texts()
    website = next((text for text in options if "网站" in text), None)
    if website is None:
        return
    due = (datetime.datetime.now() + datetime.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    await session.page.select_option("select[name=outlet_0]", label=website)
    await session.page.fill("input[name=due_at_0]", due)
    await session.page.keyboard.press("Escape")
    await session.page.click("button[name=preview]")
    await session.page.wait_for_load_state("domcontentloaded")
    if "需修改后才能保存" in await session.page.content():
        session.person.done["previews with problems"] += 1
        return
    await session.page.click("button[name=save]")
    await session.page.wait_for_load_state("domcontentloaded")
    if "条排期" in await session.page.content():
        session.person.done["placements scheduled"] += 1
    else:
        session.person.fail(f"scheduling page {page_id} did not save")


async def retry_failed(session: Session) -> None:
    await session.visit("/admin/schedule/placements/?status=failed")
    inspects = [url for url in await session.links("/admin/schedule/placements/inspect/")]
    if not inspects:
        return
    await session.visit(random.choice(inspects))
    retry = session.page.get_by_role("link", name="重试", exact=True)
    if await retry.count() == 0:
        return
    await retry.click()
    await session.page.wait_for_load_state("domcontentloaded")
    await session.page.get_by_role("button", name="确定").click()
    await session.page.wait_for_load_state("domcontentloaded")
    if "已完成" in await session.page.content():
        session.person.done["retries"] += 1
    else:
        session.person.fail(f"retry did not take on {session.page.url}")


async def reviewer(session: Session, deadline: float) -> None:
    await session.login()
    while time.monotonic() < deadline:
        await session.visit("/admin/")
        # The dashboard's "awaiting your review" rows fold their actions into a menu.
        approve = "button[data-workflow-action-url*='/approve/']"
        if await session.page.locator(approve).count():
            async with session.page.expect_navigation():
                await session.page.evaluate(f"document.querySelector({approve!r}).click()")
            if "已批准" in await session.page.content() or "批准" in await session.page.content():
                session.person.done["approvals"] += 1
        for path in ("/admin/pages/", "/admin/reports/site-history/", "/admin/snippets/"):
            if await session.visit(path):
                links = [url for url in await session.links("/admin/") if not changes(url)]
                if links:
                    await session.visit(random.choice(links))
        await asyncio.sleep(1)


UNFOLLOWED = ("/delete/", "/bulk/", "/logout/", "/unpublish/", "/lock/", "/unlock/", "/move/")


def changes(url: str) -> bool:
    """Links a reader does not follow at random: they change things or need a selection."""
    return any(part in url for part in UNFOLLOWED)


async def operator(session: Session, deadline: float) -> None:
    await session.login()
    while time.monotonic() < deadline:
        if not await session.visit("/admin/led/"):
            await asyncio.sleep(2)
            continue
        screens = sorted(
            set(
                url
                for url in await session.links("/admin/led/screens/")
                if re.search(r"/screens/\d+/$", url)
            )
        )
        for screen in screens:
            await session.visit(screen)
            for link in (await session.links("/admin/led/screens/"))[:4]:
                if "/preview/" in link:
                    await session.visit(link)
            export = session.page.locator("form[action*='/export/'] button[type=submit]")
            await session.visit(screen)
            if await export.count():
                await export.first.click()
                await session.page.wait_for_load_state("domcontentloaded")
                session.person.done["exports started"] += 1
            downloads = [
                url
                for url in await session.links("/admin/led/packages/")
                if url.endswith("/download/")
            ]
            if downloads:
                response = await session.page.request.get(downloads[0])
                if response.status == 200:
                    session.person.done["packages downloaded"] += 1
                else:
                    session.person.fail(f"HTTP {response.status} downloading {downloads[0]}")
        await asyncio.sleep(1)


async def fetch(session: Session, path: str, expect: str = "") -> bool:
    """GET a download the way a browser's link would; count it or note what went wrong.

    A browser sends a GET again, once, when the server closed the kept-alive connection as
    the request went out; so does this (a server that really fails fails the second time)."""
    try:
        response = await session.page.request.get(urljoin(session.base, path))
    except Exception as error:  # the kept-alive connection closed under the request
        if "ECONNRESET" not in str(error):
            raise
        session.person.done["GETs sent again after a closed connection"] += 1
        response = await session.page.request.get(urljoin(session.base, path))
    body = await response.body()
    if response.status != 200 or (expect and expect.encode() not in body[:4096]):
        session.person.fail(f"HTTP {response.status} for {path} ({len(body)} bytes)")
        return False
    session.person.done["downloads"] += 1
    return True


async def head(session: Session, deadline: float) -> None:
    await session.login()
    today = datetime.date.today()
    while time.monotonic() < deadline:
        await session.visit("/admin/schedule/calendar/")
        start = today.replace(day=1) - datetime.timedelta(days=7)
        feed = f"/admin/schedule/calendar/events/?start={start}T00:00:00&end={start + datetime.timedelta(days=42)}T00:00:00"
        await fetch(session, feed, "[")
        await session.visit("/admin/schedule/calendar/planner/")
        for period in ("week", "month", "quarter", "year"):
            if await session.visit(f"/admin/coverage/?period={period}"):
                cells = await session.links("/admin/coverage/cell/")
                if cells:
                    await session.visit(random.choice(cells))
        await fetch(session, "/admin/coverage/export/?period=month", "PK")
        await session.visit("/admin/coverage/standard/")
        items = [
            u
            for u in await session.links("/admin/coverage/standard/")
            if re.search(r"/standard/\d+/$", u)
        ]
        if items:
            await session.visit(random.choice(items))
        await archive(session)
        await session.visit("/admin/inbox/")
        entries = [u for u in await session.links("/admin/inbox/") if re.search(r"/inbox/\d+/$", u)]
        if entries:
            await session.visit(random.choice(entries))
        session.person.done["rounds"] += 1
        await asyncio.sleep(1)


async def archive(session: Session) -> None:
    """Start an archive of this month and wait (bounded) for its download."""
    if not await session.visit("/admin/coverage/archive/"):
        return
    start = session.page.locator("form[action*='/archive/start/'] button[type=submit]")
    if not await start.count():
        return
    await start.first.click()
    await session.page.wait_for_load_state("domcontentloaded")
    for _poll in range(60):
        downloads = [
            u for u in await session.links("/admin/coverage/archive/") if u.endswith("/download/")
        ]
        if downloads:
            if await fetch(session, urlsplit(downloads[0]).path, "PK"):
                session.person.done["archives"] += 1
            return
        await asyncio.sleep(2)
        await session.visit("/admin/coverage/archive/")
    session.person.fail("archive not ready after 2 minutes")


async def station(session: Session, deadline: float) -> None:
    await session.login()
    while time.monotonic() < deadline:
        if not await session.visit("/admin/broadcast/"):
            await asyncio.sleep(2)
            continue
        for link in await session.links("/broadcast/calendar/"):
            await fetch(session, urlsplit(link).path, "BEGIN:VCALENDAR")
        stations = await session.links("/admin/broadcast/stations/")
        days = []
        for link in sorted({u for u in stations if re.search(r"/stations/\d+/[\d-]+/$", u)}):
            # Today's rundown, and tomorrow's, which the duty editor prepares.
            base, day = link.rstrip("/").rsplit("/", 1)
            following = datetime.date.fromisoformat(day) + datetime.timedelta(days=1)
            days += [link, f"{base}/{following.isoformat()}/"]
        for day in days[:6]:
            await session.visit(day)
            await fetch(session, urlsplit(day).path + "rundown.xlsx", "PK")
            await fetch(session, urlsplit(day).path + "rundown.pdf", "%PDF")
            make_link = session.page.locator(
                "form[action*='/confirmation-link/'] button[type=submit]"
            )
            if await make_link.count():
                await make_link.first.click()
                await session.page.wait_for_load_state("domcontentloaded")
                found = re.search(
                    r"https?://\S+/broadcast/as-run/[^/\s]+/", await session.page.content()
                )
                if found:
                    await answer_as_run(session, found.group(0))
        session.person.done["rounds"] += 1
        await asyncio.sleep(1)


async def answer_as_run(session: Session, link: str) -> None:
    """Open the station's as-run page (no account needed) and tick every item as aired."""
    if not await session.visit(link):
        return
    aired = session.page.locator("input[type=radio][value=aired]")
    if not await aired.count():
        return
    for index in range(await aired.count()):
        await aired.nth(index).check()
    await session.page.locator("form button[type=submit]").first.click()
    await session.page.wait_for_load_state("domcontentloaded")
    session.person.done["as-run answers"] += 1


async def run(
    base: str, minutes: float, roles: dict[str, str], articles: list[int]
) -> list[Person]:
    from playwright.async_api import async_playwright

    people = [
        Person("editor", roles["editor"]),
        Person("reviewer", roles["reviewer"]),
        Person("operator", roles["operator"]),
        Person("visitor", None),
        Person("head", roles["head"]),
        Person("station", roles["station"]),
    ]
    loops = {
        "editor": functools.partial(editor, articles=articles),
        "reviewer": reviewer,
        "operator": operator,
        "visitor": visitor,
        "head": head,
        "station": station,
    }
    deadline = time.monotonic() + minutes * 60
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        sessions = []
        for person in people:
            context = await browser.new_context(viewport={"width": 1366, "height": 900})
            sessions.append(Session(person, await context.new_page(), base))

        async def guarded(session: Session) -> None:
            while time.monotonic() < deadline:
                try:
                    await loops[session.person.role](session, deadline)
                except Exception as error:  # a stuck page or a missing element: note it, go on
                    session.person.fail(
                        f"stopped on {session.page.url}: {str(error).splitlines()[0]}"
                    )
                    await asyncio.sleep(2)

        await asyncio.gather(*(guarded(session) for session in sessions))
        await browser.close()
    return people


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("department_day only runs against a system on this machine (127.0.0.1).")

    roles, articles = prepare_staff()
    print(f"before: {health()}\n")
    started = time.monotonic()
    people = asyncio.run(run(args.url.rstrip("/") + "/", args.minutes, roles, articles))
    elapsed = time.monotonic() - started
    print(f"{len(people)} people for {elapsed / 60:.1f} minutes against {args.url}\n")
    failures = 0
    for person in people:
        done = ", ".join(f"{what} {count}" for what, count in sorted(person.done.items()))
        print(f"{person.role:9} ({person.username or 'anonymous'}): {done}")
        grouped = defaultdict(int)
        for failure in person.failures:
            grouped[failure.split(" ", 1)[1][:160]] += 1
        for what, count in sorted(grouped.items(), key=lambda item: -item[1]):
            print(f"    FAILED ×{count}: {what}")
        failures += len(person.failures)
    print(f"\nafter: {health()}")
    print(f"\n{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
