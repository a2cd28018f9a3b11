"""Producer, consumer and CPU-spinner processes for the embedded broker's tests.

Run as ``python -m tests.support.broker_load ROLE FOLDER TRANSPORT [NAME [COUNT]]``. Every
process talks to the broker through kombu alone, as Celery's worker and clients do, with
the transport class named by TRANSPORT and its folders under FOLDER.
"""

import os
import sys
import time
from pathlib import Path

import kombu

# The transport under test; set BROKER_TEST_TRANSPORT=kombu.transport.filesystem:Transport
# to watch kombu's own transport fail these tests (kombu issue 1551).
TRANSPORT = os.environ.get("BROKER_TEST_TRANSPORT", "outreach_site.broker:Transport")
QUEUE = "stress"
# A consumer leaves once this file exists and the queue has stayed empty for a while.
DONE = "producers-done"


def transport_options(folder: Path) -> dict:
    """Folder layout of the embedded run, under ``folder``."""
    options = {"polling_interval": 0.01}
    for name in ("queue", "staging", "claimed", "damaged", "control"):
        options[f"{name}_folder"] = str(folder / name)
    options["data_folder_in"] = options["data_folder_out"] = options.pop("queue_folder")
    return options


def connect(folder: Path, transport: str) -> kombu.Connection:
    return kombu.Connection(
        "filesystem://localhost/", transport=transport, transport_options=transport_options(folder)
    )


def produce(folder: Path, transport: str, name: str, count: int) -> None:
    queue = kombu.Queue(QUEUE, routing_key=QUEUE)
    with connect(folder, transport) as connection, connection.Producer() as producer:
        for number in range(count):
            producer.publish(
                {"id": f"{name}-{number}"}, routing_key=QUEUE, declare=[queue], serializer="json"
            )


def consume(folder: Path, transport: str, name: str) -> None:
    """Record every message received, one line each, and acknowledge it afterwards."""
    queue = kombu.Queue(QUEUE, routing_key=QUEUE)
    record = (folder / f"received-{name}.txt").open("a", buffering=1)

    def on_message(body, message):
        record.write(body["id"] + "\n")
        message.ack()

    connection = connect(folder, transport)
    with connection, connection.Consumer([queue], callbacks=[on_message], accept=["json"]):
        idle_since = None
        while True:
            try:
                connection.drain_events(timeout=0.5)
                idle_since = None
            except TimeoutError:
                if not (folder / DONE).exists():
                    continue
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 2:
                    return


def hold(folder: Path, transport: str, name: str) -> None:
    """Take one message and never acknowledge it, as a worker killed mid-task would."""
    queue = kombu.Queue(QUEUE, routing_key=QUEUE)

    def on_message(body, message):
        (folder / f"holding-{name}").write_text(body["id"])

    connection = connect(folder, transport)
    with connection, connection.Consumer([queue], callbacks=[on_message], accept=["json"]):
        connection.drain_events(timeout=60)
        time.sleep(600)


def bind(folder: Path, transport: str, name: str) -> None:
    """Bind queue ``name`` to the broadcast exchange ``everyone``, as each worker does."""
    exchange = kombu.Exchange("everyone", type="fanout")
    with connect(folder, transport) as connection:
        kombu.Queue(name, exchange=exchange)(connection.default_channel).declare()


def spin(folder: Path) -> None:
    """Keep one CPU busy until the producers are done and the consumers have drained."""
    while not (folder / "stop-spinning").exists():
        for _ in range(200_000):
            pass


if __name__ == "__main__":
    role, folder, transport, *rest = sys.argv[1:]
    folder = Path(folder)
    if role == "producer":
        produce(folder, transport, rest[0], int(rest[1]))
    elif role == "consumer":
        consume(folder, transport, rest[0])
    elif role == "hold":
        hold(folder, transport, rest[0])
    elif role == "bind":
        bind(folder, transport, rest[0])
    elif role == "spinner":
        spin(folder)
    else:
        raise SystemExit(f"unknown role {role!r}")
