"""Progress of a followed operation: a rate and an ETA from the polled ``objectCount``, and, when output is not a
terminal (CI, a pipe), one plain line every N seconds instead of silence. Time is a fake clock."""

from __future__ import annotations

import io

from rich.console import Console

from bulkops.client.progress import Meter, duration, progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def piped() -> tuple[Console, io.StringIO]:
    text = io.StringIO()
    return Console(file=text, force_terminal=False, width=200), text


def test_the_eta_is_the_lines_left_at_the_rate_so_far() -> None:
    clock = FakeClock()
    meter = Meter(500, clock)

    meter.observe(0)
    clock.now = 2.0
    meter.observe(100)

    assert meter.rate == 50.0
    assert meter.eta == 8.0
    assert meter.line("import", "RUNNING", "lines") == "import RUNNING 100/500 lines (20%), 50 lines/s, ETA 8s"


def test_the_rate_counts_from_the_first_state_seen_not_from_zero() -> None:
    clock = FakeClock()
    meter = Meter(None, clock)

    meter.observe(9000)
    clock.now = 10.0
    meter.observe(9500)

    assert meter.rate == 50.0 and meter.eta is None
    assert meter.line("export", "RUNNING", "objects") == "export RUNNING 9,500 objects, 50 objects/s"


def test_before_any_time_passed_there_is_no_rate_nor_eta() -> None:
    meter = Meter(10, FakeClock())

    meter.observe(3)

    assert meter.line("import", "CREATED", "lines") == "import CREATED 3/10 lines (30%), – lines/s, ETA –"


def test_without_a_terminal_a_line_comes_every_n_seconds_and_at_the_end() -> None:
    clock = FakeClock()
    console, text = piped()

    with progress(console, 1000, "import", every=10, clock=clock) as update:
        for now, count, status in [(0, 0, "CREATED"), (4, 100, "RUNNING"), (10, 250, "RUNNING"),
                                   (15, 400, "RUNNING"), (21, 1000, "COMPLETED")]:
            clock.now = now
            update({"status": status, "objectCount": str(count)})

    assert text.getvalue().splitlines() == [
        "import CREATED 0/1,000 lines (0%), – lines/s, ETA –",
        "import RUNNING 250/1,000 lines (25%), 25 lines/s, ETA 30s",
        "import COMPLETED 1,000/1,000 lines (100%), 48 lines/s, ETA 0s",
    ]


def test_on_a_terminal_the_bar_shows_the_rate_and_eta() -> None:
    clock = FakeClock()
    text = io.StringIO()
    console = Console(file=text, force_terminal=True, width=200)

    with progress(console, 100, "import", clock=clock) as update:
        update({"status": "RUNNING", "objectCount": "0"})
        clock.now = 5
        update({"status": "RUNNING", "objectCount": "50"})

    assert "10 lines/s" in text.getvalue() and "ETA 5s" in text.getvalue()


def test_durations_read_as_a_person_says_them() -> None:
    assert [duration(s) for s in (0.4, 45, 725, 11220)] == ["0s", "45s", "12m05s", "3h07m"]


def test_a_bulkops_servers_live_progress_gives_the_exact_total_and_the_servers_rate_and_eta() -> None:
    clock = FakeClock()
    meter = Meter(None, clock)
    live = {"totalLines": 1_000, "linesDone": 250, "linesPerSecond": 50.0, "etaSeconds": 15.0, "stalled": False}

    meter.observe_state({"status": "RUNNING", "objectCount": "240", "live": live})

    assert (meter.total, meter.count, meter.rate, meter.eta) == (1_000, 250, 50.0, 15.0)
    assert meter.line("import", "RUNNING", meter.noun) == "import RUNNING 250/1,000 lines (25%), 50 lines/s, ETA 15s"
