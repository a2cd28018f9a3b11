"""Setting or lifting a view restriction retires the anonymous page cache at once, in this
process and in every other one (each keeps its own memory cache)."""

import subprocess
import sys

import pytest
from wagtail.models import PageViewRestriction

from tests.support.worker import REPO, child_environment

SECRET = "内部演练方案"


def restrict(page) -> PageViewRestriction:
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )


def cached_twice(client, url) -> str:
    first, second = client.get(url), client.get(url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit"), url
    return second.content.decode()


@pytest.mark.django_db
def test_a_new_restriction_retires_cached_pages_and_lifting_it_brings_them_back(tree, client):
    article = tree.article(SECRET, body=f"{SECRET}正文")
    assert SECRET in cached_twice(client, article.url)
    assert SECRET in cached_twice(client, "/news/")

    restriction = restrict(article)
    page, listing = client.get(article.url), client.get("/news/")

    assert SECRET not in page.content.decode() and 'name="password"' in page.content.decode()
    assert listing["X-Page-Cache"] == "miss" and SECRET not in listing.content.decode()

    restriction.delete()
    assert SECRET in client.get(article.url).content.decode()
    assert SECRET in client.get("/news/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_restriction_set_in_another_process_retires_this_process_cache(tree, client):
    article = tree.article(SECRET, body=f"{SECRET}正文")
    assert SECRET in cached_twice(client, article.url)

    # The admin that sets the restriction runs in another process, with its own memory cache.
    script = (
        "from wagtail.models import PageViewRestriction; "
        f"PageViewRestriction.objects.create(page_id={article.pk}, "
        "restriction_type='password', password='pw')"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=REPO,
        env=child_environment(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    response = client.get(article.url)

    assert PageViewRestriction.objects.filter(page=article).count() == 1
    assert SECRET not in response.content.decode()
