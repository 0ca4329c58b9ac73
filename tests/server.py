"""The test suite's server process lives in the package (``bulkops.testing``), shared with the benchmarks."""

from bulkops.testing import ServerProcess, free_port

__all__ = ["ServerProcess", "free_port"]
