"""Progress of a followed operation: its rate and time left from the polled ``objectCount`` (of the lines known
at upload for an import; a bare count for an export), drawn as a bar on a terminal and, when output goes to a
file or a CI log, as one plain line every few seconds instead of silence."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bulkops.client.models import FINISHED

DEFAULT_EVERY = 10.0
"""Seconds between plain progress lines when output is not a terminal."""


def duration(seconds: float) -> str:
    """``45s``, ``12m05s``, ``3h07m``: a time left as a person reads it."""
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


@dataclass
class Meter:
    """Rate and ETA of a count that grows, measured from the first observation (so following an operation that
    is already half done does not count its first half as done in no time)."""

    total: int | None
    clock: Callable[[], float] = time.monotonic
    first: tuple[float, int] | None = field(default=None, init=False)
    latest: tuple[float, int] | None = field(default=None, init=False)
    server: dict[str, Any] | None = field(default=None, init=False)
    """The server's own figures (a bulkops server's live progress): its exact total, rate and ETA win."""

    def observe(self, count: int, server: dict[str, Any] | None = None) -> None:
        now = self.clock()
        if self.first is None:
            self.first = (now, count)
        self.latest = (now, count)
        self.server = server
        if server and server.get("totalLines") is not None:
            self.total = server["totalLines"]

    def observe_state(self, state: dict[str, Any]) -> None:
        """A polled state: its ``live`` progress when the server gave one (lines done), else ``objectCount``."""
        live = state.get("live")
        self.observe(int(live["linesDone"]) if live else int(state.get("objectCount") or 0), live)

    @property
    def noun(self) -> str:
        return "lines" if self.total else "objects"

    @property
    def count(self) -> int:
        return self.latest[1] if self.latest else 0

    @property
    def rate(self) -> float | None:
        """Objects a second since the first observation (the server's rate when it gives one); None before any
        time passed."""
        if self.server and self.server.get("linesPerSecond") is not None:
            return float(self.server["linesPerSecond"])
        if self.first is None or self.latest is None or self.latest[0] <= self.first[0]:
            return None
        return (self.latest[1] - self.first[1]) / (self.latest[0] - self.first[0])

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (the server's ETA when it gives one); None without a total or a
        rate."""
        if self.server and self.server.get("etaSeconds") is not None:
            return float(self.server["etaSeconds"])
        rate = self.rate
        if not self.total or not rate or rate <= 0:
            return None
        return max(0, self.total - self.count) / rate

    def rate_text(self, noun: str) -> str:
        rate = self.rate
        return f"{rate:,.0f} {noun}/s" if rate is not None else f"– {noun}/s"

    def eta_text(self) -> str:
        eta = self.eta
        return f"ETA {duration(eta)}" if eta is not None else "ETA –"

    def line(self, label: str, status: str, noun: str) -> str:
        """One plain progress line: ``import RUNNING 1,200/5,000 lines (24%), 150 lines/s, ETA 25s``."""
        if self.total:
            done = f"{self.count:,}/{self.total:,} {noun} ({100 * self.count // self.total}%)"
            return f"{label} {status} {done}, {self.rate_text(noun)}, {self.eta_text()}"
        return f"{label} {status} {self.count:,} {noun}, {self.rate_text(noun)}"


@contextmanager
def progress(console: Console, total: int | None, label: str, every: float = DEFAULT_EVERY,
             clock: Callable[[], float] = time.monotonic) -> Iterator[Callable[[dict[str, Any]], None]]:
    """An ``update(state)`` for each polled state: a bar on a terminal, else a line every ``every`` seconds
    (and the first and the final state's)."""
    meter = Meter(total, clock)
    if console.is_terminal:
        with _bar(console, meter, label, meter.noun) as draw:
            yield draw
        return
    last_said: list[float] = []

    def update(state: dict[str, Any]) -> None:
        meter.observe_state(state)
        now = clock()
        if not last_said or now - last_said[-1] >= every or state["status"] in FINISHED:
            console.print(meter.line(label, state["status"], meter.noun), markup=False, highlight=False, soft_wrap=True)
            last_said[:] = [now]

    yield update


@contextmanager
def _bar(console: Console, meter: Meter, label: str, noun: str) -> Iterator[Callable[[dict[str, Any]], None]]:
    columns = [TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn() if meter.total else TextColumn("{task.completed} " + noun),
               TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[eta]}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=meter.total, rate="", eta="")

        def update(state: dict[str, Any]) -> None:
            meter.observe_state(state)
            bar.update(task, total=meter.total, completed=meter.count, description=f"{label} {state['status']}",
                       rate=meter.rate_text(noun), eta=meter.eta_text() if meter.total else "")

        yield update
