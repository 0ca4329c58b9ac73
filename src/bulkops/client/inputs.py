"""An import's input, streamed from disk: plain or gzip JSONL, numbered as the server numbers it (``__lineNumber``:
every physical line counts from 0, blank lines are skipped and never run), narrowed to the lines to run
(``--lines``, ``--resume``) and cut into parts the server accepts (its upload limit, 100 MB on Shopify).

A part keeps every physical line from its first to its last, with each line not to run written blank: the server
numbers a part's lines from 0, so a part's ``__lineNumber`` plus its ``start`` is the input's line number, and a
report over several parts speaks of the input's lines. Lines written blank exist only where a resumed run skips
lines that already have a result: bulkops skips a blank line and counts it (``engine.importer``), as a file's
own blank lines; whether Shopify does is UNCONFIRMED (spec 3.4), so a plain import or ``--lines`` writes none."""

from __future__ import annotations

import gzip
import re
import tempfile
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

GZIP_MAGIC = b"\x1f\x8b"
MAX_FILE_BYTES = 100 * 1024 * 1024
"""Shopify's upload limit since 2026-01 (104,857,600 B; spec 3.4)."""
LINES = re.compile(r"^(\d+)(?:-(\d*))?$")


def is_gzip(path: Path) -> bool:
    with path.open("rb") as head:
        return head.read(2) == GZIP_MAGIC


def open_input(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (by its first bytes, whatever its name)."""
    stream: IO[bytes] = gzip.open(path, "rb") if is_gzip(path) else path.open("rb")  # type: ignore[assignment]
    return stream


def physical_lines(path: Path) -> Iterator[bytes]:
    """Each line without its newline, read a block at a time."""
    with open_input(path) as stream:
        for line in stream:
            yield line[:-1] if line.endswith(b"\n") else line


def input_name(path: Path) -> str:
    """The name the server sees, and the stem of ``FILE.failed.jsonl``: ``products.jsonl.gz`` → ``products.jsonl``."""
    return path.name[:-3] if path.name.endswith(".gz") else path.name


def failed_lines_path(failures: Path, source: Path) -> Path:
    """``products.failed.jsonl`` beside the ``--failures`` report, for an input ``products.jsonl`` (or ``.gz``)."""
    stem = input_name(source)
    stem = stem[: -len(".jsonl")] if stem.endswith(".jsonl") else stem
    return failures.with_name(f"{stem}.failed.jsonl")


class LineSet:
    """Input line numbers, one bit each: the lines a previous run already has a result for (``--resume``)."""

    def __init__(self) -> None:
        self.bits = bytearray()
        self.count = 0

    def add(self, number: int) -> None:
        byte, bit = divmod(number, 8)
        if byte >= len(self.bits):
            self.bits.extend(bytes(byte + 1 - len(self.bits)))
        if not self.bits[byte] >> bit & 1:
            self.bits[byte] |= 1 << bit
            self.count += 1

    def __contains__(self, number: int) -> bool:
        byte, bit = divmod(number, 8)
        return byte < len(self.bits) and bool(self.bits[byte] >> bit & 1)


@dataclass
class Selection:
    """The input lines to run: ``first`` to ``last`` (0-based, inclusive; None: to the end), less ``done``."""

    first: int = 0
    last: int | None = None
    done: LineSet = field(default_factory=LineSet)

    @classmethod
    def parse(cls, text: str | None) -> Selection:
        """``--lines N-M`` (counted from 1 as an editor counts, inclusive), ``N-`` (to the end) or ``N``."""
        if not text:
            return cls()
        match = LINES.match(text.strip())
        if not match or int(match[1]) < 1 or (match[2] and int(match[2]) < int(match[1])):
            raise ValueError(f"--lines takes N-M, N- or N, counted from 1 with N <= M; got {text!r}")
        last = match[1] if match[2] is None else match[2] or None
        return cls(int(match[1]) - 1, None if last is None else int(last) - 1)

    @property
    def everything(self) -> bool:
        return self.first == 0 and self.last is None and not self.done.count

    def runs(self, number: int, raw: bytes) -> bool:
        return (self.first <= number and (self.last is None or number <= self.last) and number not in self.done
                and bool(raw.strip()))

    def label(self) -> str:
        """The selection as ``--lines`` takes it."""
        return f"{self.first + 1}-{'' if self.last is None else self.last + 1}"


def selected_lines(path: Path, selection: Selection) -> Iterator[tuple[int, bytes]]:
    """``(__lineNumber, line)`` of each line to run, streamed (the whole file: the hot loop of a local check)."""
    if selection.everything:
        for number, raw in enumerate(physical_lines(path)):
            if raw.strip():
                yield number, raw
        return
    for number, raw in enumerate(physical_lines(path)):
        if selection.last is not None and number > selection.last:
            return
        if selection.runs(number, raw):
            yield number, raw


@dataclass
class Part:
    """One upload: a file on disk whose physical line ``n`` is input line ``start + n``."""

    path: Path
    start: int
    lines: int = 0
    """Lines that will run (not blank)."""
    size: int = 0
    starts: array = field(default_factory=lambda: array("Q"))
    """Byte offset of each physical line, to fetch a failed line's input for the report."""

    @contextmanager
    def reader(self) -> Iterator[Callable[[int], bytes]]:
        """A lookup of this part's physical line ``n`` (without its newline; ``b""`` past the end), on one
        open handle for the whole report."""
        with self.path.open("rb") as stream:

            def line(local: int) -> bytes:
                if not 0 <= local < len(self.starts):
                    return b""
                stream.seek(self.starts[local])
                return stream.readline().rstrip(b"\n")

            yield line


def parts(path: Path, selection: Selection, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Part]:
    """The uploads that run ``selection`` of ``path``, each at most ``max_bytes`` (a single longer line goes
    alone): the file itself when it can go as it is, else parts written to a temporary directory one at a time
    (each removed once the next is asked for)."""
    if selection.everything and not is_gzip(path) and path.stat().st_size <= max_bytes:
        yield _whole(path)
        return
    with tempfile.TemporaryDirectory(prefix="bulkops-parts-") as workdir:
        yield from _written_parts(path, selection, max_bytes, Path(workdir))


def _whole(path: Path) -> Part:
    part = Part(path, 0, size=path.stat().st_size)
    offset = 0
    for raw in physical_lines(path):
        part.starts.append(offset)
        offset += len(raw) + 1
        part.lines += bool(raw.strip())
    return part


def _written_parts(path: Path, selection: Selection, max_bytes: int, workdir: Path) -> Iterator[Part]:
    part: Part | None = None
    out: IO[bytes] | None = None
    for number, raw in enumerate(physical_lines(path)):
        if selection.last is not None and number > selection.last:
            break
        line = raw if selection.runs(number, raw) else b""
        if part is not None and out is not None and line and part.size + len(line) + 1 > max_bytes:
            out.close()
            yield part
            part.path.unlink()
            part = out = None
        if part is None:
            if not line:
                continue  # a part starts at a line that runs: no run of blanks before it
            part = Part(workdir / f"part-{number}.jsonl", number)
            out = part.path.open("wb")
        assert out is not None
        part.starts.append(part.size)
        out.write(line + b"\n")
        part.size += len(line) + 1
        part.lines += bool(line)
    if part is not None and out is not None:
        out.close()
        yield part
