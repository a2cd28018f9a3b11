"""SQL queries per page stay constant as the site grows (at most 12 a page)."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from publicity.demo.bulk import bulk_create_articles
from publicity.models import KeyDate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_QUERIES = 12


def _queries(client, path) -> int:
    client.get(path)  # renditions are generated (written) once, on the first view
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


@override_settings(PUBLICITY_PAGE_CACHE_SECONDS=0)
def test_queries_per_page_do_not_grow_from_10_to_10000_articles(tree, client):
    KeyDate.objects.create(name="八一建军节", month=8, day=1)
    images = [
        get_image_model().objects.create(title=f"封面{n}", file=get_test_image_file())
        for n in range(3)
    ]
    image_ids = [image.pk for image in images]
    tree.exemplar("张德明")
    bulk_create_articles(tree.news, 10, image_ids=image_ids)
    article = tree.article("拥军优属政策解读", summary="政策要点。")
    article.themes.add(tree.theme)
    article.save_revision().publish()
    paths = [
        "/",
        "/news/",
        "/news/?page=2&theme=support-army",
        article.url,
        "/exemplars/",
        "/search/?q=拥军",
    ]
    small = {path: _queries(client, path) for path in paths}

    bulk_create_articles(tree.news, 9_990, image_ids=image_ids, seed=1)
    large = {path: _queries(client, path) for path in paths}

    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large
