"""An input JSONL file's lines, numbered as the server numbers them (``__lineNumber``): every physical line
counts, blank lines are skipped and never run (``bulk.importer.run_batch``)."""

from __future__ import annotations

from array import array
from collections.abc import Iterator


def _spans(data: bytes) -> Iterator[tuple[int, int]]:
    """Start and end (before the newline) of each physical line."""
    start, size = 0, len(data)
    while start < size:
        end = data.find(b"\n", start)
        end = size if end == -1 else end
        yield start, end
        start = end + 1


def numbered_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(__lineNumber, line)`` for each line that will run, without its newline."""
    for number, raw in enumerate(data.split(b"\n")):
        if raw.strip():
            yield number, raw


class LineIndex:
    """Random access to a file's lines by ``__lineNumber``: result lines may come in any order (spec 3.6), and
    a failure report joins each failed result with its input line. Eight bytes a line, not a copy."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = array("Q", (start for start, _ in _spans(data)))
        self.count = sum(1 for _ in numbered_lines(data))

    def __getitem__(self, number: int) -> bytes:
        """The line (without its newline); ``b""`` for a number past the end."""
        if not 0 <= number < len(self.starts):
            return b""
        start = self.starts[number]
        end = self.data.find(b"\n", start)
        return self.data[start:] if end == -1 else self.data[start:end]
