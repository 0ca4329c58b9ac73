"""When to try a webhook delivery again, and when to give up on a subscription: pure rules over counts."""

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
    remove_after_failures: int = 0
    """Deliveries in a row that ran out of retries before the subscription is removed; 0 never removes."""

    @property
    def max_tries(self) -> int:
        return 1 + len(self.delays_s)

    def next_try(self, tries_made: int, succeeded: bool, now: datetime) -> datetime | None:
        """The time of the next try, or None when the delivery is over (delivered, or out of retries)."""
        if succeeded or tries_made < 1 or tries_made > len(self.delays_s):
            return None
        return now + timedelta(seconds=self.delays_s[tries_made - 1])

    def removes_subscription(self, failed_in_a_row: int) -> bool:
        """Whether a subscription whose last ``failed_in_a_row`` deliveries each ran out of retries goes.

        Shopify: "after 8 consecutive failures an Admin-API-created subscription may be deleted". What counts
        as a failure is UNCONFIRMED; here it is a delivery that failed for good, not a failed attempt. Counting
        attempts would let a short outage delete the subscription whenever several operations finish during it
        (each first try fails at once), although every retry would then have succeeded; counting deliveries
        removes only an address that stayed dead through whole retry schedules, which is what an app developer
        expects the rule to be for.
        """
        return self.remove_after_failures > 0 and failed_in_a_row >= self.remove_after_failures
