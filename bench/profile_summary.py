"""Condense py-spy's collapsed stacks into where the time goes: by function, self and inclusive."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path


def _name(frame: str) -> str:
    """``func (path/to/module.py:12)`` -> ``module.py:func``."""
    func, _, where = frame.partition(" (")
    return f"{Path(where.split(':')[0]).name}:{func}" if where else func


def summarize(path: Path, top: int = 40) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = [_name(f) for f in stack.split(";")]
        total += samples
        own[frames[-1]] += samples
        for name in set(frames):
            inclusive[name] += samples
    if not total:
        return "no samples\n"
    out = [f"{total} samples (non-idle)", "", "inclusive % | function"]
    out += [f"{100 * n / total:6.1f} | {name}" for name, n in inclusive.most_common(top)]
    out += ["", "self % | function"]
    out += [f"{100 * n / total:6.1f} | {name}" for name, n in own.most_common(top)]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(summarize(Path(sys.argv[1])))
