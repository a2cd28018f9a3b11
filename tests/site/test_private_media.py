"""Documents and LED packages are kept out of MEDIA_ROOT and never served from MEDIA_URL.

Documents are read through Wagtail's document view (which checks collection privacy), LED
packages through the token pull or the admin download; MEDIA_URL serves images alone. Files
stored under MEDIA_ROOT before stay readable, and ``move_private_media`` moves them.
"""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roots")]


@pytest.fixture
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)


def make_document(title: str, content: bytes, name: str, collection=None):
    document = get_document_model()(title=title, file=ContentFile(content, name=name))
    if collection is not None:
        document.collection = collection
    document.save()
    return document


def read(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@override_settings(DEBUG=False)
def test_an_uploaded_document_is_private_and_read_through_wagtail(client, roots):
    media, private = roots
    document = make_document("征兵公告", "征兵公告全文".encode(), "notice.txt")

    direct = client.get(f"/media/{document.file.name}")
    served = client.get(document.url)

    assert document.file.name == "documents/notice.txt"
    assert (private / "documents/notice.txt").read_bytes() == "征兵公告全文".encode()
    assert not (media / "documents").exists()
    assert document.url == f"/documents/{document.pk}/notice.txt"
    assert direct.status_code == 404
    assert served.status_code == 200 and read(served) == "征兵公告全文".encode()


@override_settings(DEBUG=False)
def test_a_document_in_a_private_collection_asks_for_its_password(client):
    collection = Collection.get_first_root_node().add_child(name="内部资料")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="pw"
    )
    document = make_document("演练方案", "演练方案全文".encode(), "drill.txt", collection)

    direct = client.get(f"/media/{document.file.name}")
    served = client.get(document.url)

    assert direct.status_code == 404
    assert served.status_code == 200
    assert "演练方案全文".encode() not in read(served)
    assert 'name="password"' in served.content.decode()


@override_settings(DEBUG=False)
def test_images_are_still_served_and_nothing_else(client, roots):
    media, _private = roots
    (media / "original_images").mkdir(parents=True)
    (media / "original_images/flag.png").write_bytes(b"png bytes")
    (media / "wagtail_uploads").mkdir()
    (media / "wagtail_uploads/draft.txt").write_bytes(b"half uploaded")
    (media / "notes.txt").write_bytes(b"stray file")

    image = client.get("/media/original_images/flag.png")
    sideways = client.get("/media/original_images/../wagtail_uploads/draft.txt")
    upload = client.get("/media/wagtail_uploads/draft.txt")
    stray = client.get("/media/notes.txt")

    assert image.status_code == 200 and read(image) == b"png bytes"
    assert [sideways.status_code, upload.status_code, stray.status_code] == [404, 404, 404]


@override_settings(DEBUG=False)
def test_files_stored_under_media_root_before_stay_readable_and_can_be_moved(client, roots):
    media, private = roots
    (media / "documents").mkdir(parents=True)
    (media / "documents/old.txt").write_bytes("旧文件".encode())
    (media / "led/packages/screen-7").mkdir(parents=True)
    (media / "led/packages/screen-7/loop-v0001.zip").write_bytes(b"PK old package")
    document = get_document_model().objects.create(title="旧文件", file="documents/old.txt")

    before = client.get(document.url)
    direct = client.get("/media/documents/old.txt")
    dry_run = io.StringIO()
    call_command("move_private_media", "--dry-run", stdout=dry_run)
    still_there = (media / "documents/old.txt").exists()
    output = io.StringIO()
    call_command("move_private_media", stdout=output)
    after = client.get(document.url)

    assert read(before) == "旧文件".encode() and direct.status_code == 404
    assert "would move documents/old.txt" in dry_run.getvalue() and still_there
    assert "2 file(s) moved" in output.getvalue()
    assert (private / "documents/old.txt").read_bytes() == "旧文件".encode()
    assert (private / "led/packages/screen-7/loop-v0001.zip").read_bytes() == b"PK old package"
    assert not (media / "documents").exists() and not (media / "led").exists()
    assert read(after) == "旧文件".encode()


def test_moving_keeps_a_file_whose_name_is_taken_in_the_private_root(roots):
    media, private = roots
    for root, content in ((media, b"old copy"), (private, b"new copy")):
        (root / "documents").mkdir(parents=True)
        (root / "documents/same.txt").write_bytes(content)
    errors = io.StringIO()

    call_command("move_private_media", stdout=io.StringIO(), stderr=errors)

    assert "kept documents/same.txt" in errors.getvalue()
    assert (media / "documents/same.txt").read_bytes() == b"old copy"
    assert (private / "documents/same.txt").read_bytes() == b"new copy"
