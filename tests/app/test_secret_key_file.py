"""The data dir's secret key, made by whichever process of a deployment starts first: processes starting
together (a serve and two workers, as the README's scale-out steps do) must all end up with the same key."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from bulkops.app.deployment import KEY_FILE, secret_box
from bulkops.config import ConfigError, Settings
from bulkops.domain.shops.secrets import SecretBox


def race_for_the_key(data_dir: str, start: Barrier, fingerprints: Queue) -> None:
    start.wait()
    fingerprints.put(secret_box(Settings(data_dir=Path(data_dir))).fingerprint)


def test_processes_making_the_key_at_once_all_get_the_same_whole_key(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A key that takes a moment to make widens the window in which a racer could find the file half-made.
    slow_new_key = SecretBox.new_key
    monkeypatch.setattr(SecretBox, "new_key", staticmethod(lambda: (time.sleep(0.02), slow_new_key())[1]))
    context = multiprocessing.get_context("fork")
    for round_ in range(5):
        data_dir = tmp_path / str(round_)
        start, fingerprints = context.Barrier(6), context.Queue()
        racers = [context.Process(target=race_for_the_key, args=(str(data_dir), start, fingerprints))
                  for _ in range(6)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=30)

        assert len({fingerprints.get(timeout=5) for _ in racers}) == 1
        assert [p.name for p in data_dir.iterdir()] == [KEY_FILE]


def test_an_empty_key_file_is_refused_rather_than_used_as_a_key(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("\n")

    with pytest.raises(ConfigError, match="secret key file .* is empty"):
        secret_box(Settings(data_dir=tmp_path))
