"""uvicorn's server as ``bulkops serve`` and the in-process test server run it."""

from __future__ import annotations

from types import FrameType

import uvicorn

from bulkops.engine.runtime import Runtime


class ClosingServer(uvicorn.Server):
    """Tells the runtime as soon as it is asked to exit (SIGTERM, Ctrl-C, a test's stop): event streams end
    then, rather than keep the graceful shutdown waiting for their clients to leave."""

    def __init__(self, config: uvicorn.Config, runtime: Runtime) -> None:
        super().__init__(config)
        self.runtime = runtime

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.runtime.closing.set()
        super().handle_exit(sig, frame)
