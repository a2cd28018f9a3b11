"""The embedded broker under load: several producer and consumer processes, the CPU kept
busy, thousands of messages, each received exactly once and no consumer dying."""

import collections
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.broker_load import TRANSPORT

REPO = Path(__file__).resolve().parents[2]


@dataclass
class LoadResult:
    received: collections.Counter
    failures: list[str]

    def missing(self, expected: set[str]) -> set[str]:
        return expected - set(self.received)

    def duplicates(self) -> dict[str, int]:
        return {key: count for key, count in self.received.items() if count > 1}


def _start(folder: Path, *arguments: str) -> subprocess.Popen:
    role = arguments[0]
    name = arguments[2] if len(arguments) > 2 else role
    log = (folder / f"{role}-{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.broker_load", arguments[0], str(folder), *arguments[1:]],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def run_load(
    folder: Path,
    transport: str,
    *,
    producers: int,
    per_producer: int,
    consumers: int,
    spinners: int,
    deadline: float = 900.0,
) -> LoadResult:
    """Run the processes to completion (or until ``deadline`` seconds, then kill them)."""
    for name in ("queue", "control"):
        (folder / name).mkdir(parents=True)
    processes = [_start(folder, "spinner", transport) for _ in range(spinners)]
    consuming = {f"c{n}": _start(folder, "consumer", transport, f"c{n}") for n in range(consumers)}
    producing = [
        _start(folder, "producer", transport, f"p{n}", str(per_producer)) for n in range(producers)
    ]
    processes += [*consuming.values(), *producing]
    give_up = time.monotonic() + deadline
    failures = []
    try:
        for producer in producing:
            producer.wait(timeout=max(1.0, give_up - time.monotonic()))
            if producer.returncode:
                failures.append(f"a producer exited with {producer.returncode}")
        (folder / "producers-done").touch()
        for name, consumer in consuming.items():
            consumer.wait(timeout=max(1.0, give_up - time.monotonic()))
            if consumer.returncode:
                log = (folder / f"consumer-{name}.log").read_text(errors="replace")
                failures.append(
                    f"consumer {name} exited with {consumer.returncode}:\n{log[-2000:]}"
                )
    except subprocess.TimeoutExpired:
        failures.append(f"the load did not finish within {deadline:g} s")
    finally:
        (folder / "stop-spinning").touch()
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    received = collections.Counter()
    for path in folder.glob("received-*.txt"):
        received.update(path.read_text().split())
    return LoadResult(received, failures)


@pytest.mark.embedded
def test_every_message_is_received_exactly_once_by_consumers_on_a_busy_machine(tmp_path):
    producers, per_producer = 3, 1500
    expected = {f"p{p}-{n}" for p in range(producers) for n in range(per_producer)}

    result = run_load(
        tmp_path, TRANSPORT, producers=producers, per_producer=per_producer, consumers=3, spinners=2
    )

    assert result.failures == []
    assert result.missing(expected) == set()
    assert result.duplicates() == {}
    assert len(result.received) == 4500
    assert sorted((tmp_path / "queue").iterdir()) == []
