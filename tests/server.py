"""The test suite's server process lives in the package (``bulkops.testing``), shared with the benchmarks; here
it starts without import helper processes unless a test asks for them (``helper_processes=None`` keeps the
server's default)."""

from dataclasses import dataclass

from bulkops import testing
from bulkops.testing import InProcessServer, free_port

__all__ = ["InProcessServer", "ServerProcess", "free_port"]


@dataclass
class ServerProcess(testing.ServerProcess):
    helper_processes: int | None = 0
