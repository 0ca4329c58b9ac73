"""``/metrics`` in Prometheus text format. Every count is read from the database at scrape time, so work done
by any process (Celery workers on other hosts included) is counted once, whichever server is scraped, and a
restart resets nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, case, func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from bulkops.app.health import helper_state
from bulkops.db.tables import bulk_chunks, bulk_operations, webhook_attempts, webhook_deliveries
from bulkops.engine.heartbeats import live_workers
from bulkops.engine.lifecycle import OperationType, Status
from bulkops.engine.runtime import Runtime
from bulkops.protocol.mutation_document import main_operation, parse_document

CHUNK_SECONDS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
HELPER_STATES = ("off", "starting", "ready")


def mutation_name(query: str) -> str:
    """The root field an import runs (``productCreate``), or ``unknown`` for a document that does not parse
    (``parse_document`` keeps a bounded memo: a scrape parses only documents it has not seen lately)."""
    document, _ = parse_document(query)
    operation = main_operation(document) if document else None
    if operation is None or not operation.selection_set.selections:
        return "unknown"
    first = operation.selection_set.selections[0]
    name = getattr(first, "name", None)
    return name.value if name is not None else "unknown"


class BulkCollector(Collector):
    """Reads the metrics from the runtime's database on every scrape."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        with self.runtime.db.read() as conn:
            yield self._operations(conn)
            yield from self._import_lines(conn)
            yield from self._chunk_durations(conn)
            yield self._queue_depth(conn)
            yield from self._webhooks(conn)
            yield self._workers(conn)
        yield from self._broker()
        yield from self._helpers()

    def _operations(self, conn: Connection) -> Metric:
        family = GaugeMetricFamily("bulkops_operations", "Bulk operations by type and status.",
                                   labels=["type", "status"])
        counts = {(t, s): 0 for t in OperationType for s in Status}
        t, s = bulk_operations.c.type, bulk_operations.c.status
        for row in conn.execute(select(t, s, func.count()).group_by(t, s)):
            counts[(OperationType(row[0]), Status(row[1]))] = row[2]
        for (op_type, status), count in counts.items():
            family.add_metric([op_type.value, status.value], count)
        return family

    def _import_lines(self, conn: Connection) -> Iterator[Metric]:
        processed = CounterMetricFamily("bulkops_import_lines", "Import lines run, per mutation.",
                                        labels=["mutation"])
        failed = CounterMetricFamily("bulkops_import_lines_failed", "Import lines that failed (errors or "
                                     "userErrors), per mutation.", labels=["mutation"])
        rows = conn.execute(
            select(bulk_operations.c.query, func.sum(bulk_chunks.c.object_count), func.sum(bulk_chunks.c.failed_lines))
            .select_from(bulk_chunks.join(bulk_operations, bulk_chunks.c.operation_id == bulk_operations.c.id))
            .where(bulk_operations.c.type == OperationType.MUTATION.value)
            .group_by(bulk_operations.c.query)
        )
        totals: dict[str, tuple[int, int]] = {}
        for query, lines, failures in rows:
            name = mutation_name(query)
            before = totals.get(name, (0, 0))
            totals[name] = (before[0] + int(lines or 0), before[1] + int(failures or 0))
        for name, (lines, failures) in sorted(totals.items()):
            processed.add_metric([name], lines)
            failed.add_metric([name], failures)
        yield processed
        yield failed

    def _chunk_durations(self, conn: Connection) -> Iterator[Metric]:
        family = HistogramMetricFamily("bulkops_chunk_duration_seconds", "Time to run one chunk (its lines or "
                                       "rows, its result segment), by operation type.", labels=["type"])
        ms = bulk_chunks.c.duration_ms
        columns = [func.count(), func.coalesce(func.sum(ms), 0)]
        columns += [func.sum(case((ms <= round(le * 1000), 1), else_=0)) for le in CHUNK_SECONDS_BUCKETS]
        rows = conn.execute(
            select(bulk_operations.c.type, *columns)
            .select_from(bulk_chunks.join(bulk_operations, bulk_chunks.c.operation_id == bulk_operations.c.id))
            .where(ms.is_not(None))
            .group_by(bulk_operations.c.type)
        )
        for row in rows:
            count, total_ms, *cumulative = row[1:]
            buckets = [(str(le), int(n or 0)) for le, n in zip(CHUNK_SECONDS_BUCKETS, cumulative, strict=True)]
            family.add_metric([row[0]], buckets + [("+Inf", int(count))], sum_value=int(total_ms) / 1000)
        yield family

    def _queue_depth(self, conn: Connection) -> Metric:
        """Operations waiting for a worker (CREATED): the queue's depth whatever the queue is."""
        waiting = conn.execute(
            select(func.count()).select_from(bulk_operations).where(bulk_operations.c.status == Status.CREATED.value)
        ).scalar_one()
        return GaugeMetricFamily("bulkops_queue_depth", "Bulk operations waiting for a worker (CREATED).",
                                 value=waiting)

    def _broker(self) -> Iterator[Metric]:
        """Messages in the Celery broker's queue (scale-out only), when the broker answers."""
        depth = getattr(self.runtime.queue, "depth", None)
        if depth is None:
            return
        try:
            messages = depth()
        except Exception:
            return
        yield GaugeMetricFamily("bulkops_queue_messages", "Messages waiting in the Celery broker's queue.",
                                value=messages)

    def _webhooks(self, conn: Connection) -> Iterator[Metric]:
        attempts = CounterMetricFamily("bulkops_webhook_attempts", "Webhook delivery attempts by outcome.",
                                       labels=["outcome"])
        for outcome, count in conn.execute(
                select(webhook_attempts.c.outcome, func.count()).group_by(webhook_attempts.c.outcome)):
            attempts.add_metric([outcome], count)
        deliveries = GaugeMetricFamily("bulkops_webhook_deliveries", "Webhook deliveries by status (pending, "
                                       "delivered, failed after every retry).", labels=["status"])
        for status, count in conn.execute(
                select(webhook_deliveries.c.status, func.count()).group_by(webhook_deliveries.c.status)):
            deliveries.add_metric([status], count)
        yield attempts
        yield deliveries

    def _workers(self, conn: Connection) -> Metric:
        alive_after = self.runtime.clock.now() - timedelta(seconds=self.runtime.settings.worker_stale_s)
        return GaugeMetricFamily("bulkops_workers_alive", "Worker processes whose heartbeat is fresh.",
                                 value=live_workers(conn, alive_after).count)

    def _helpers(self) -> Iterator[Metric]:
        state = helper_state(self.runtime)
        family = GaugeMetricFamily("bulkops_helpers_state", "This server's import helper processes: 1 for their "
                                   "current state.", labels=["state"])
        for name in HELPER_STATES:
            family.add_metric([name], 1 if name == state else 0)
        yield family
        helpers = self.runtime.helpers
        yield GaugeMetricFamily("bulkops_helper_processes", "Import helper processes this server runs.",
                                value=helpers.processes if helpers is not None else 0)


def metrics_handler(runtime: Runtime) -> Callable[[Request], Awaitable[Response]]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BulkCollector(runtime))

    async def metrics(_: Request) -> Response:
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics
