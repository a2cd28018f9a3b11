"""The embedded broker: kombu's file-system transport, made safe for several processes.

The embedded run needs a broker without a server. kombu's file-system transport has none,
but its ``_put`` creates the message file in the watched folder and only then locks and
writes it, while ``_get`` takes any file it sees (kombu issue 1551): a consumer can take a
file before it has content, lose that message and die of a ``JSONDecodeError``, which
stops the whole worker. Its exchange tables (the routes of broadcast messages such as
``celery inspect``) have the same gap between creating a file and writing it.

What was chosen, and why: the same folders and message format with three changes, in a
transport of our own (``Transport`` below), which the Celery app registers for the
``filesystem://`` scheme, so the URL and the folders under ``var/celery/`` stay as they were.

* A message is written under a temporary name in ``staging/`` (outside the watched folder,
  on the same file system) and renamed into the queue folder: a rename is atomic, so a
  consumer sees the whole message or nothing. Exchange tables are replaced the same way.
* A consumer claims a message by renaming it into a folder of its own under ``claimed/``;
  of two consumers racing for one file, exactly one rename succeeds. The file is deleted
  when the message is acknowledged, and put back in the queue (marked redelivered) when it
  is rejected or when the channel closes with it unacknowledged. A consumer holds a lock
  on its folder while it lives; a folder whose lock is free belongs to a process that died
  (the kernel drops the lock even on SIGKILL), and the next consumer puts its messages
  back. So a killed worker loses nothing it had taken; a task it was running may run
  again, which the dispatcher allows (the database row is the record of what is due).
* A message that cannot be decoded (empty, truncated, not JSON, not a kombu envelope) is
  moved to ``damaged/`` with an error naming the file, and the consumer goes on with the
  next one: one bad file never stops a worker.

Nothing is fsynced by default: the rename alone guarantees that readers never see a
partial message; an fsync (option ``fsync``) only matters after a power cut, costs about
4-8 ms a message here, and the embedded SQLite database is not synced at every commit
either. A file left empty by a power cut is moved aside like any damaged one, and the
dispatcher's lease re-claims the placement it carried.

Other server-less brokers were weighed: kombu's SQLAlchemy transport would add a package
and put queue traffic into the SQLite file whose single write lock the site, the worker
and beat already share; Redis or RabbitMQ need a server, which the embedded run exists to
avoid. Files keep the queue inspectable with ``ls`` and need nothing new.
"""

import fcntl
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import suppress
from functools import cached_property
from pathlib import Path
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem, virtual
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

LOCK_NAME = ".lock"
# Names taken from one folder listing before listing again; bounds the listing's cost
# when thousands of messages wait, and how stale a consumer's view of the folder gets.
BACKLOG = 256


def message_name(queue: str) -> str:
    """A file name for a new message on ``queue``: sortable by time, unique, and in the
    layout kombu's own transport uses (``<stamp>_<uuid>.<queue>.msg``)."""
    return f"{time.time_ns():020d}_{uuid.uuid4().hex}.{queue}.msg"


def queue_of(name: str) -> str | None:
    """The queue a message file belongs to, or ``None`` for any other file."""
    _, dot, rest = name.partition(".")
    if not dot or not rest.endswith(".msg"):
        return None
    return rest[: -len(".msg")]


def write_atomically(path: Path, data: bytes, *, staging: Path, fsync: bool = False) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees a partial file.

    The data goes to a new file in ``staging`` (same file system as ``path``), which is then
    renamed over ``path``.
    """
    temporary = staging / f".{uuid.uuid4().hex}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            if fsync:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if fsync:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def mark_redelivered(payload: dict) -> dict:
    """Flag a message as delivered before, where kombu and Celery look for it."""
    payload["redelivered"] = True
    payload["headers"] = {**(payload.get("headers") or {}), "redelivered": True}
    payload["properties"].setdefault("delivery_info", {})["redelivered"] = True
    return payload


class DamagedMessage(ValueError):
    """A message file that is not a message kombu can deliver; the text says why."""


class QoS(virtual.QoS):
    """Acknowledging or rejecting a message also settles its claimed file."""

    def ack(self, delivery_tag):
        self.channel._release(delivery_tag)
        super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        # With requeue, the base class restores the message first (Channel._restore).
        super().reject(delivery_tag, requeue=requeue)
        self.channel._release(delivery_tag)


class Channel(filesystem.Channel):
    """A file-system channel whose messages appear atomically and are claimed by rename."""

    QoS = QoS

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        # delivery tag -> claimed file, until the message is acknowledged or put back.
        # Acknowledgements come from the worker's pool threads: only atomic dict operations.
        self._claimed: dict[str, Path] = {}
        self._no_ack_queues: set[str] = set()
        self._backlog: dict[str, list[str]] = {}
        self._own_folder: Path | None = None
        self._own_lock: int | None = None
        self._own_pid: int | None = None
        self._next_recovery = 0.0

    # --- folders and options --------------------------------------------------------------

    def _folder(self, option: str, default: str) -> Path:
        configured = self.transport_options.get(option)
        folder = Path(configured) if configured else Path(self.data_folder_in).parent / default
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @cached_property
    def staging_folder(self) -> Path:
        """Where messages are written before they are renamed into the queue folder."""
        return self._folder("staging_folder", "staging")

    @cached_property
    def claimed_folder(self) -> Path:
        """Where each consumer keeps the messages it has taken and not yet acknowledged."""
        return self._folder("claimed_folder", "claimed")

    @cached_property
    def damaged_folder(self) -> Path:
        """Where undecodable message files are moved, for a person to look at."""
        return self._folder("damaged_folder", "damaged")

    @cached_property
    def fsync(self) -> bool:
        return bool(self.transport_options.get("fsync", False))

    @cached_property
    def recovery_interval(self) -> float:
        return float(self.transport_options.get("recovery_interval", 30.0))

    # --- producing --------------------------------------------------------------------------

    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` onto ``queue``: written aside, then renamed in whole."""
        path = Path(self.data_folder_out) / message_name(queue)
        try:
            write_atomically(
                path, dumps(payload).encode(), staging=self.staging_folder, fsync=self.fsync
            )
        except OSError as error:
            raise ChannelError(f"Cannot add message {path.name!r} to {path.parent}") from error

    # --- consuming --------------------------------------------------------------------------

    def basic_consume(self, queue, no_ack, callback, consumer_tag, **kwargs):
        if no_ack:
            self._no_ack_queues.add(queue)
        return super().basic_consume(queue, no_ack, callback, consumer_tag, **kwargs)

    def basic_cancel(self, consumer_tag):
        queue = self._tag_to_queue.get(consumer_tag)
        super().basic_cancel(consumer_tag)
        if queue is not None and queue not in self._tag_to_queue.values():
            self._no_ack_queues.discard(queue)

    def basic_get(self, queue, no_ack=False, **kwargs):
        message = super().basic_get(queue, no_ack=no_ack, **kwargs)
        if message is not None and no_ack:
            self._release(message.delivery_tag)
        return message

    def _get(self, queue):
        """Claim, read and return the oldest good message on ``queue``."""
        if time.monotonic() >= self._next_recovery:
            self._recover_abandoned()
        listings = 0
        while True:
            backlog = self._backlog.get(queue)
            if not backlog:
                # A second empty round means every listed file went to other consumers.
                if listings == 2:
                    raise Empty()
                backlog = self._list(queue)
                listings += 1
                if not backlog:
                    raise Empty()
            name = backlog.pop()
            path = self._claim(name)
            if path is None:
                continue
            payload = self._read_claimed(path, queue)
            if payload is None:
                continue
            tag = payload["properties"]["delivery_tag"]
            if queue in self._no_ack_queues:
                os.unlink(path)
            else:
                self._claimed[tag] = path
            return payload

    def _list(self, queue: str) -> list[str]:
        """The oldest waiting messages of ``queue``, oldest last (for ``pop``)."""
        wanted = f"{queue}.msg"
        try:
            names = os.listdir(self.data_folder_in)
        except OSError as error:
            raise ChannelError(f"Cannot list the queue folder {self.data_folder_in}") from error
        backlog = sorted(name for name in names if name.partition(".")[2] == wanted)[:BACKLOG]
        backlog.reverse()
        self._backlog[queue] = backlog
        return backlog

    def _claim(self, name: str) -> Path | None:
        """Move a message into this consumer's folder; ``None`` if another took it first."""
        target = self._own() / name
        try:
            os.rename(Path(self.data_folder_in) / name, target)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise ChannelError(f"Cannot claim message {name!r}") from error
        return target

    def _read_claimed(self, path: Path, queue: str) -> dict | None:
        """Decode a claimed message; move it aside and return ``None`` if it is damaged."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            # The file is ours and intact as far as we know: give it back, let kombu retry.
            with suppress(OSError):
                os.rename(path, Path(self.data_folder_in) / path.name)
            raise ChannelError(f"Cannot read message {path.name!r}") from error
        try:
            return self._decode(raw)
        except DamagedMessage as problem:
            self._quarantine(path, queue, str(problem))
            return None

    def _decode(self, raw: bytes) -> dict:
        """The message envelope in ``raw``; :class:`DamagedMessage` if kombu could not
        deliver it."""
        if not raw:
            raise DamagedMessage("the file is empty")
        try:
            payload = loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise DamagedMessage(f"not JSON ({error})") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("properties"), dict):
            raise DamagedMessage("not a message envelope (no properties)")
        properties = payload["properties"]
        if not isinstance(properties.get("delivery_tag"), str):
            raise DamagedMessage("not a message envelope (no delivery tag)")
        if not isinstance(properties.get("delivery_info"), dict):
            raise DamagedMessage("not a message envelope (no delivery info)")
        try:
            # Exactly what delivery will do; anything it raised would stop the consumer.
            self.Message(payload, channel=self)
        except Exception as error:  # hostile input: any failure means "damaged"
            raise DamagedMessage(
                f"body cannot be decoded ({type(error).__name__}: {error})"
            ) from None
        return payload

    def _quarantine(self, path: Path, queue: str, problem: str) -> None:
        try:
            target = self.damaged_folder / path.name
            if target.exists():
                target = target.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}")
            os.replace(path, target)
        except OSError as error:
            # Never let a bad file stop the consumer, even where it cannot be kept.
            target = f"nowhere ({error}); deleted"
            with suppress(OSError):
                os.unlink(path)
        logger.error(
            "Damaged message file %s on queue %r moved to %s: %s. It was not delivered; "
            "the worker goes on with the next message.",
            path.name,
            queue,
            target,
            problem,
        )

    # --- acknowledging and putting back -------------------------------------------------------

    def _release(self, delivery_tag) -> None:
        """Forget a settled message: delete its claimed file."""
        path = self._claimed.pop(delivery_tag, None)
        if path is not None:
            with suppress(FileNotFoundError):
                os.unlink(path)

    def _restore(self, message):
        """Put an unacknowledged message back where it was taken from, marked redelivered."""
        path = self._claimed.pop(message.delivery_tag, None)
        if path is None or os.getpid() != self._own_pid:
            # Acknowledged meanwhile (by a pool thread), never claimed, or this is a forked
            # copy of the channel (a prefork pool child): nothing for it to put back.
            return
        payload = mark_redelivered(message.serializable())
        # The same name keeps its place at the head of the queue.
        write_atomically(
            Path(self.data_folder_in) / path.name,
            dumps(payload).encode(),
            staging=self.staging_folder,
            fsync=self.fsync,
        )
        with suppress(FileNotFoundError):
            os.unlink(path)

    # --- consumers' folders -------------------------------------------------------------------

    def _own(self) -> Path:
        """This channel's claim folder, created and locked on first use.

        It is prepared in the staging folder and renamed into place with its lock held,
        so no other process ever sees it unlocked while its owner lives.
        """
        if self._own_folder is None:
            name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            prepared = self.staging_folder / name
            prepared.mkdir()
            lock = os.open(prepared / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(lock, fcntl.LOCK_EX)
            folder = self.claimed_folder / name
            os.rename(prepared, folder)
            self._own_folder, self._own_lock, self._own_pid = folder, lock, os.getpid()
        return self._own_folder

    def _recover_abandoned(self) -> None:
        """Put back the messages of consumers that died holding them."""
        self._next_recovery = time.monotonic() + self.recovery_interval
        own = self._own()
        for entry in os.scandir(self.claimed_folder):
            folder = Path(entry.path)
            if folder == own or not entry.is_dir():
                continue
            try:
                lock = os.open(folder / LOCK_NAME, os.O_RDWR)
            except FileNotFoundError:
                # Emptied by whoever recovered it, or left empty by a crash: remove it.
                with suppress(OSError):
                    folder.rmdir()
                continue
            try:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its owner is alive
                self._give_back(folder)
            finally:
                os.close(lock)

    def _give_back(self, folder: Path) -> None:
        """Return every message in ``folder`` to its queue and remove the folder."""
        returned = 0
        for path in sorted(folder.glob("*.msg")):
            queue = queue_of(path.name) or "?"
            try:
                payload = mark_redelivered(self._decode(path.read_bytes()))
            except DamagedMessage as problem:
                self._quarantine(path, queue, str(problem))
                continue
            write_atomically(
                Path(self.data_folder_in) / path.name,
                dumps(payload).encode(),
                staging=self.staging_folder,
                fsync=self.fsync,
            )
            os.unlink(path)
            returned += 1
        with suppress(FileNotFoundError):
            os.unlink(folder / LOCK_NAME)
        with suppress(OSError):
            folder.rmdir()
        if returned:
            logger.warning(
                "Put %d unacknowledged message(s) of a stopped consumer (%s) back in the queue.",
                returned,
                folder.name,
            )

    def close(self):
        super().close()  # puts back what is unacknowledged, through _restore
        if self._own_folder is not None and os.getpid() == self._own_pid:
            self._give_back(self._own_folder)
            os.close(self._own_lock)
            self._own_folder = self._own_lock = None

    # --- broadcast routes (exchange tables) -------------------------------------------------

    def get_table(self, exchange):
        return self._read_table(self._exchange_file(exchange))

    def _read_table(self, file: Path) -> list:
        try:
            raw = file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise ChannelError(f"Cannot open {file}") from error
        try:
            return [filesystem.exchange_queue_t(*row) for row in loads(raw.decode("utf-8"))]
        except (UnicodeDecodeError, ValueError, TypeError) as error:
            # Consumers bind again when they start; a lost route beats a dead producer.
            logger.error(
                "Exchange table %s cannot be read (%s); treating it as empty.", file, error
            )
            return []

    def _update_table(self, exchange, change) -> None:
        """Read, change and replace an exchange table under an exclusive lock."""
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        try:
            lock = os.open(f"{file}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ChannelError(f"Cannot open {file}") from error
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            table = self._read_table(file)
            changed = change(list(table))
            if changed != table:
                write_atomically(file, dumps(changed).encode(), staging=self.control_folder)
        finally:
            os.close(lock)

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._update_table(exchange, lambda table: table if row in table else [row, *table])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        self._purge(queue)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._update_table(exchange, lambda table: [other for other in table if other != row])


# Set when this process's worker begins to shut down (see ``stop_waiting``).
_shutting_down = threading.Event()


def stop_waiting(**kwargs) -> None:
    """Connected to Celery's ``worker_shutting_down``: waits for messages end at once.

    Celery's loop for polling transports waits out the poll in progress and one more, two
    seconds each, after Ctrl-C or SIGTERM; this ends them within one polling interval."""
    _shutting_down.set()


class Transport(filesystem.Transport):
    """kombu transport for the embedded run: ``filesystem://`` with :class:`Channel`."""

    Channel = Channel
    # Its own in-process state, apart from kombu's transport should both be loaded.
    global_state = virtual.BrokerState()

    def drain_events(self, connection, timeout=None):
        """kombu's polling loop, which also ends a bounded wait once shutdown has begun."""
        started = time.monotonic()
        polling_interval = self.polling_interval
        if timeout and polling_interval and polling_interval > timeout:
            polling_interval = timeout
        while True:
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                if timeout is not None and (
                    _shutting_down.is_set() or time.monotonic() - started >= timeout
                ):
                    raise TimeoutError() from None
                if polling_interval is not None:
                    time.sleep(polling_interval)


def register_transport() -> None:
    """Serve ``filesystem://`` broker URLs with :class:`Transport` in this process.

    An alias rather than Celery's ``broker_transport`` setting: that setting would also
    override the scheme of any other URL given to ``app.connection_for_write``.
    """
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
