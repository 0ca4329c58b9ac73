"""Helper processes for pure CPU work (no database, no files): a bulk import checks the lines of its next
chunk on another core while the worker writes the current one (SQLite has one writer, so the writer's
process is the bottleneck; work that needs no database is what can leave it).

Each helper is a plain child process (``python -m bulkops.workers.helper_main``) reading pickled calls on its
stdin and answering on its stdout, in order. Not ``multiprocessing``: a spawned child re-imports the
server's main module, a forked one inherits locks the server's threads hold, and ``ProcessPoolExecutor``
can leave futures unanswered when a worker dies. Here a helper that dies fails the calls it had (callers then
do the work themselves: it is pure, so nothing is lost or done twice), and the next call starts another.
Helpers start on first use or with :meth:`HelperProcesses.start`, and end with the server (stdin closes).
"""

from __future__ import annotations

import logging
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from itertools import count
from typing import IO, Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
FRAME = struct.Struct("!Q")
HELPER_MODULE = "bulkops.workers.helper_main"


class HelperDied(RuntimeError):
    pass


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(FRAME.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame, or None at the end of the stream."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    size = FRAME.unpack(head)[0]
    payload = stream.read(size)
    return payload if len(payload) == size else None


class _Helper:
    """One child process: calls go out in order, answers come back in the same order."""

    def __init__(self, warm: Callable[[], object] | None) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", HELPER_MODULE],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._outbox: queue.Queue[tuple[Future[Any], bytes] | None] = queue.Queue()
        self._waiting: deque[Future[Any]] = deque()
        self._lock = threading.Lock()
        self.answered = threading.Event()
        """Set at its first answer (its warm-up): from then on it answers at full speed."""
        self.dead = False
        threading.Thread(target=self._send, name=f"helper-{self.process.pid}-send", daemon=True).start()
        threading.Thread(target=self._receive, name=f"helper-{self.process.pid}-receive", daemon=True).start()
        self.submit(warm or _nothing)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self.dead:
                raise HelperDied("the helper process has ended")
            self._outbox.put((future, payload))
        return future

    def _send(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        while (item := self._outbox.get()) is not None:
            future, payload = item
            if not future.set_running_or_notify_cancel():
                continue
            with self._lock:
                if self.dead:
                    future.set_exception(HelperDied(f"helper process {self.process.pid} ended"))
                    continue
                self._waiting.append(future)
            try:
                write_frame(stdin, payload)
            except (OSError, ValueError):
                break
        try:
            stdin.close()
        except OSError:
            pass

    def _receive(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while (frame := read_frame(stdout)) is not None:
                with self._lock:
                    future = self._waiting.popleft()
                self._answer(future, frame)
        except Exception:
            log.exception("helper process %s sent an answer that cannot be read; ending it", self.process.pid)
            self.process.kill()
        finally:
            self._died()

    def _answer(self, future: Future[Any], frame: bytes) -> None:
        """Settle ``future`` from its answer. An answer that cannot be read fails its call and then raises:
        the stream is no longer trusted, so the helper is ended rather than its next answers misread."""
        try:
            ok, value = pickle.loads(frame)
        except Exception as exc:
            future.set_exception(HelperDied(f"helper process {self.process.pid} sent an unreadable answer: {exc!r}"))
            raise
        if ok:
            future.set_result(value)
            self.answered.set()
        else:
            future.set_exception(value)

    def _died(self) -> None:
        with self._lock:
            self.dead = True
            waiting = list(self._waiting)
            self._waiting.clear()
        self._outbox.put(None)
        for future in waiting:
            future.set_exception(HelperDied(f"helper process {self.process.pid} ended"))
        while True:
            try:
                item = self._outbox.get_nowait()
            except queue.Empty:
                break
            if item is not None and item[0].set_running_or_notify_cancel():
                item[0].set_exception(HelperDied(f"helper process {self.process.pid} ended"))

    def stop(self, timeout: float = 5.0) -> None:
        self._outbox.put(None)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)


class HelperProcesses:
    def __init__(self, processes: int, warm: Callable[[], object] | None = None) -> None:
        self.processes = processes
        self.warm = warm
        """Run in each helper when it starts (imports, schemas), so the first real call finds it ready."""
        self._helpers: list[_Helper] = []
        self._turn = count()
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def ready(self) -> bool:
        """Every helper has answered (they are warm): waiting for one now costs less than doing its work here."""
        helpers = self._helpers
        return len(helpers) == self.processes and all(h.answered.is_set() and not h.dead for h in helpers)

    def start(self) -> None:
        """Start the helpers now (a server does, so that its first big import finds them warm)."""
        with self._lock:
            self._running()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` in a helper: ``fn`` a module-level function, ``args`` plain values (they are
        pickled). The future fails with :class:`HelperDied` if the helper ends first."""
        with self._lock:
            helpers = self._running()
            helper = helpers[next(self._turn) % len(helpers)]
            return helper.submit(fn, *args)

    def _running(self) -> list[_Helper]:
        if self._stopped:
            raise RuntimeError("helper processes are stopped")
        alive = [h for h in self._helpers if not h.dead]
        if len(alive) < len(self._helpers):
            log.warning("a helper process ended; starting another")
        while len(alive) < self.processes:
            alive.append(_Helper(self.warm))
        self._helpers = alive
        return alive

    def pids(self) -> list[int]:
        with self._lock:
            return [h.process.pid for h in self._helpers if not h.dead]

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            helpers, self._helpers = self._helpers, []
        for helper in helpers:
            helper.stop()


def _nothing() -> None:
    """The warm-up of a helper with nothing to warm: its answer says it has started."""
