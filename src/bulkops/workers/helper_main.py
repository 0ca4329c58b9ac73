"""A helper process's loop (``python -m bulkops.workers.helper_main``): read a pickled ``(function, args)``
from stdin, answer ``(True, result)`` or ``(False, exception)`` on stdout, until stdin ends."""

from __future__ import annotations

import gc
import os
import pickle
import sys

from bulkops.workers.helpers import read_frame, write_frame


def main() -> None:
    calls = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    warmed = False
    while (frame := read_frame(calls)) is not None:
        fn, args = pickle.loads(frame)
        try:
            answer = (True, fn(*args))
        except Exception as exc:
            answer = (False, exc)
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            payload = pickle.dumps((False, RuntimeError(f"unpicklable answer: {exc!r}")))
        write_frame(answers, payload)
        if not warmed:  # the first call imports and builds what every later call uses: keep it out of the GC
            gc.collect()
            gc.freeze()
            warmed = True


if __name__ == "__main__":
    main()
