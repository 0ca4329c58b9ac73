"""When to try a webhook delivery again: a pure policy over (attempts made, outcome)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """``delays_s[n]`` is the wait after the (n+1)-th failed try; when they run out, the delivery gives up.

    Shopify retries "a total of 8 times over 4 hours using an exponential backoff schedule" (changelog
    2024-09-10); its exact delays are UNCONFIRMED, see ``bulkops.config`` for the default used here.
    """

    delays_s: tuple[float, ...]

    @property
    def max_tries(self) -> int:
        return 1 + len(self.delays_s)

    def next_try(self, tries_made: int, succeeded: bool, now: datetime) -> datetime | None:
        """The time of the next try, or None when the delivery is over (delivered, or out of retries)."""
        if succeeded or tries_made < 1 or tries_made > len(self.delays_s):
            return None
        return now + timedelta(seconds=self.delays_s[tries_made - 1])
