"""The embedded run serves pages, admin, static files and uploads with DEBUG off."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings


@pytest.fixture
def uploaded_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("original_images/proof.txt", ContentFile(b"uploaded bytes"))
    return name


@override_settings(DEBUG=False)
def test_uploads_are_served_with_debug_off(client, uploaded_file):
    response = client.get(f"/media/{uploaded_file}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"uploaded bytes"


@pytest.mark.django_db  # a 404 passes through the redirects middleware, which reads the table
@override_settings(DEBUG=False)
def test_media_view_refuses_to_leave_media_root(client, uploaded_file):
    client.raise_request_exception = False

    response = client.get("/media/%2e%2e/%2e%2e/site/settings.py")

    assert response.status_code in {400, 404}
    assert b"SECRET_KEY" not in response.content


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_admin_login_page_is_chinese_by_default(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "登录" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_admin_login_page_in_english_when_chosen(client):
    client.cookies["django_language"] = "en"

    response = client.get("/admin/login/")

    assert "Sign in" in response.content.decode()


@override_settings(DEBUG=False)
def test_admin_static_files_are_served(client):
    response = client.get("/static/wagtailadmin/css/core.css")

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_site_icon_is_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/publicity/img/favicon.ico"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_kept_alive_connection_still_takes_a_request_after_a_pause_of_three_seconds():
    import http.client
    import time

    from tests.support.gunicorn import GunicornProcess

    server = GunicornProcess(name="keepalive").start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/admin/login/")
        first = connection.getresponse()
        first.read()
        local_port = connection.sock.getsockname()[1]
        time.sleep(3)
        connection.request("GET", "/admin/login/")
        second = connection.getresponse()
        second.read()
        same_socket = connection.sock.getsockname()[1] == local_port
        connection.close()
    finally:
        server.stop()

    assert (first.status, second.status) == (200, 200)
    assert same_socket
