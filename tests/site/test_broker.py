"""The embedded broker (site/broker.py): damaged messages are moved aside, messages a dead
consumer held come back, broadcasts reach every bound queue, and a real worker survives a
damaged message."""

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import kombu
import pytest
from django.conf import settings

from outreach_site.broker import Transport, message_name
from outreach_site.celery import app, ping
from tests.support.broker_load import QUEUE, TRANSPORT, connect, transport_options

pytestmark = pytest.mark.embedded

REPO = Path(__file__).resolve().parents[2]
file_broker_only = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("filesystem://"),
    reason="the embedded file broker is not the configured broker",
)

DAMAGED = {
    "empty": b"",
    "truncated": b'{"body": "eyJpZCI6ICJ4In0=", "content-encoding": "utf-8", "prop',
    "not JSON": b"<html>proxy error</html>",
    "not UTF-8": b"\xff\xfe\x00garbage",
    "not an envelope": b'["a", "list"]',
    "no delivery tag": b'{"body": "", "properties": {"delivery_info": {}}}',
    "unknown body encoding": (
        b'{"body": "eyJpZCI6ICJ4In0=", "content-type": "application/json", "content-encoding": "utf-8",'
        b' "headers": {}, "properties": {"body_encoding": "rot13", "delivery_tag": "t1",'
        b' "delivery_info": {"exchange": "", "routing_key": "stress"}, "priority": 0}}'
    ),
}


@pytest.fixture
def broker_folder(tmp_path):
    for name in ("queue", "control"):
        (tmp_path / name).mkdir()
    return tmp_path


def publish(folder: Path, *ids: str) -> None:
    queue = kombu.Queue(QUEUE, routing_key=QUEUE)
    with connect(folder, TRANSPORT) as connection, connection.Producer() as producer:
        for message_id in ids:
            producer.publish({"id": message_id}, routing_key=QUEUE, declare=[queue])


def load_process(role: str, folder: Path, *arguments: str, **options) -> subprocess.Popen:
    """A process of tests/support/broker_load.py in ``role``."""
    command = [sys.executable, "-m", "tests.support.broker_load", role, str(folder), TRANSPORT]
    return subprocess.Popen(
        [*command, *arguments], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, **options
    )


def drop_damaged(queue_folder: Path, queue: str, content: bytes, *, first: bool = True) -> Path:
    """Put a damaged message file straight into the queue folder, named to be taken first."""
    name = f"{0:020d}_{uuid.uuid4().hex}.{queue}.msg" if first else message_name(queue)
    path = queue_folder / name
    path.write_bytes(content)
    return path


def receive(folder: Path, count: int, *, ack: bool = True) -> list[dict]:
    """Consume ``count`` messages (or fewer, if the queue runs dry) in this process."""
    queue = kombu.Queue(QUEUE, routing_key=QUEUE)
    received = []

    def on_message(body, message):
        received.append({"id": body["id"], "redelivered": message.delivery_info.get("redelivered")})
        if ack:
            message.ack()

    connection = connect(folder, TRANSPORT)
    with connection, connection.Consumer([queue], callbacks=[on_message], accept=["json"]):
        while len(received) < count:
            try:
                connection.drain_events(timeout=2)
            except TimeoutError:
                break
    return received


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_message_is_moved_aside_and_the_next_one_delivered(
    broker_folder, content, caplog
):
    damaged = drop_damaged(broker_folder / "queue", QUEUE, content)
    publish(broker_folder, "good-1")

    with caplog.at_level(logging.ERROR, logger="outreach_site.broker"):
        received = receive(broker_folder, 1)

    assert [message["id"] for message in received] == ["good-1"]
    assert (broker_folder / "damaged" / damaged.name).read_bytes() == content
    assert list((broker_folder / "queue").iterdir()) == []
    assert f"Damaged message file {damaged.name} on queue 'stress' moved to" in caplog.text


def test_a_message_written_only_in_part_is_never_visible_in_the_queue(broker_folder):
    publish(broker_folder, "whole")

    names = [path.name for path in (broker_folder / "queue").iterdir()]
    staging = list((broker_folder / "staging").iterdir())

    assert len(names) == 1 and names[0].endswith(f".{QUEUE}.msg")
    assert staging == []


def test_messages_held_by_a_killed_consumer_come_back_marked_redelivered(broker_folder):
    publish(broker_folder, "held", "next")
    holder = load_process("hold", broker_folder, "h", start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (broker_folder / "holding-h").exists() and time.monotonic() < deadline:
            assert holder.poll() is None, "the holding consumer exited"
            time.sleep(0.1)
        assert (broker_folder / "holding-h").read_text() == "held"
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()

    received = receive(broker_folder, 2)

    assert sorted((m["id"], bool(m["redelivered"])) for m in received) == [
        ("held", True),
        ("next", False),
    ]
    assert list((broker_folder / "claimed").iterdir()) == []


def test_unacknowledged_messages_go_back_when_the_consumer_closes(broker_folder):
    publish(broker_folder, "one", "two")

    first = receive(broker_folder, 2, ack=False)
    second = receive(broker_folder, 2)

    assert sorted(m["id"] for m in first) == ["one", "two"]
    assert sorted((m["id"], m["redelivered"]) for m in second) == [("one", True), ("two", True)]
    assert list((broker_folder / "queue").iterdir()) == []


def test_queues_bound_by_many_processes_at_once_all_receive_a_broadcast(broker_folder):
    names = [f"node{number}" for number in range(8)]
    binders = [load_process("bind", broker_folder, name) for name in names]
    assert [binder.wait(timeout=120) for binder in binders] == [0] * 8

    exchange = kombu.Exchange("everyone", type="fanout")
    with connect(broker_folder, TRANSPORT) as connection, connection.Producer() as producer:
        producer.publish({"id": "to-all"}, exchange=exchange, declare=[exchange])
    queued = sorted(path.name.partition(".")[2] for path in (broker_folder / "queue").iterdir())

    assert queued == [f"{name}.msg" for name in names]


def test_folders_come_from_the_transport_options(broker_folder):
    options = transport_options(broker_folder)

    assert options["data_folder_in"] == options["data_folder_out"] == str(broker_folder / "queue")
    assert options["damaged_folder"] == str(broker_folder / "damaged")


@file_broker_only
@pytest.mark.worker
def test_a_real_worker_moves_a_damaged_message_aside_and_goes_on(celery_worker):
    queue_folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    damaged_folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["damaged_folder"])
    damaged = drop_damaged(queue_folder, settings.CELERY_TASK_DEFAULT_QUEUE, b"")

    answer = ping.apply_async().get(timeout=30)
    deadline = time.monotonic() + 30
    while not (damaged_folder / damaged.name).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    second = ping.apply_async().get(timeout=30)

    assert answer["pong"] is True and second["pong"] is True
    assert (damaged_folder / damaged.name).read_bytes() == b""
    assert celery_worker.process.poll() is None
    assert f"Damaged message file {damaged.name}" in celery_worker.log_tail(200)
    assert "Unrecoverable error" not in celery_worker.log_tail(200)


@pytest.mark.worker
def test_a_broadcast_ping_reaches_the_worker_and_its_answer_comes_back(celery_worker):
    hostname = f"{celery_worker.name}-{os.getpid()}@{socket.gethostname()}"

    replies = app.control.ping(destination=[hostname], timeout=5)

    assert replies == [{hostname: {"ok": "pong"}}]


@file_broker_only
def test_the_celery_app_uses_the_embedded_broker_for_filesystem_urls_only():
    assert isinstance(app.connection_for_write().transport, Transport)
    assert app.connection_for_write("redis://127.0.0.1:9/0").transport_cls == "redis"


def test_a_forked_copy_of_a_consumer_puts_nothing_back(broker_folder):
    # A prefork pool child inherits the worker's channels; closing its copy must leave the
    # worker's unacknowledged messages alone.
    publish(broker_folder, "in-hand")
    with connect(broker_folder, TRANSPORT) as connection:
        channel = connection.channel()
        message = channel.basic_get(QUEUE)
        child = os.fork()
        if child == 0:
            try:
                channel.close()
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        queued_after_the_child = sorted((broker_folder / "queue").iterdir())
        message.ack()
        channel.close()

    assert queued_after_the_child == []
    assert list((broker_folder / "claimed").iterdir()) == []


def test_a_damaged_message_that_cannot_be_kept_is_deleted_and_the_consumer_goes_on(
    broker_folder, caplog
):
    (broker_folder / "damaged").write_text("a file where the folder should be")
    damaged = drop_damaged(broker_folder / "queue", QUEUE, b"{")
    publish(broker_folder, "good-2")

    with caplog.at_level(logging.ERROR, logger="outreach_site.broker"):
        received = receive(broker_folder, 1)

    assert [message["id"] for message in received] == ["good-2"]
    assert list((broker_folder / "queue").iterdir()) == []
    assert (
        f"Damaged message file {damaged.name} on queue 'stress' moved to nowhere (" in caplog.text
    )


def test_a_wait_for_messages_ends_without_another_poll_once_the_worker_shuts_down(
    broker_folder, monkeypatch
):
    from outreach_site import broker

    polls = []
    monkeypatch.setattr(broker.time, "sleep", polls.append)
    monkeypatch.setattr(broker, "_shutting_down", threading.Event())
    queue = kombu.Queue(QUEUE, routing_key=QUEUE)
    connection = connect(broker_folder, TRANSPORT)
    with connection, connection.Consumer([queue], accept=["json"]):
        with pytest.raises(TimeoutError):
            connection.drain_events(timeout=0.05)
        waited = len(polls)
        broker.stop_waiting()
        with pytest.raises(TimeoutError):
            connection.drain_events(timeout=3600)

    assert waited > 0
    assert len(polls) == waited
