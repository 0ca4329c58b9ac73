"""The bulk engine: starts, runs, cancels and finishes operations. It knows no HTTP, no GraphQL
transport, and not which database, file store or worker pool it runs on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import Connection

from bulkops.clock import Clock
from bulkops.config import Settings
from bulkops.db.database import Database
from bulkops.engine import admission, progress
from bulkops.engine import operations as ops
from bulkops.engine.composing import (
    OPERATIONS_PREFIX,
    compose_results,
    is_storage_trouble,
    keep,
    leftover_segments,
)
from bulkops.engine.emulation import POLL_S, Emulation, Faulted
from bulkops.engine.executor import ExecutorFactory, HelperPool
from bulkops.engine.exporter import ExportWork, PlanFactory
from bulkops.engine.failed_lines import write_failed_lines
from bulkops.engine.importer import ImportWork
from bulkops.engine.lifecycle import TERMINAL, ErrorCode, OperationType, Status, transition
from bulkops.engine.runner import ChunkWork, run_chunks
from bulkops.engine.shared_chunks import OperationFinishing, chunk_lines_match, finishing_alone, run_shared_chunks
from bulkops.logs import bind, log_context
from bulkops.protocol.errors import UserError
from bulkops.storage.base import FileStore

log = logging.getLogger(__name__)

FinishHook = Callable[[Connection, ops.Operation], None]
"""Called inside the transaction that sets a final status (the finish webhook is queued there)."""


class Canceled(Exception):
    pass


class TimedOut(Exception):
    pass


class LostClaim(Exception):
    """Another worker took the operation over (this one looked dead: its heartbeat went stale). This worker
    stops without touching the operation; the uncommitted chunk rolls back, so no line runs twice."""


@dataclass
class BulkEngine:
    db: Database
    store: FileStore
    clock: Clock
    settings: Settings
    executor_factory: ExecutorFactory
    export_plans: PlanFactory | None = None
    helpers: HelperPool | None = None
    """Processes an import may prepare its next chunks in (see :meth:`helpers_for`)."""
    finish_hooks: list[FinishHook] = field(default_factory=list)
    emulation: Emulation | None = None
    """The emulator's progression rules and faults (the control plane sets them); None: none apply."""
    ask_for_helpers: Callable[[int, int], None] | None = None
    """``(operation id, count)``: ask that many idle workers to take an import's chunks too (the Celery queue
    sets it: :meth:`help` is what they run); None: each import has one worker."""

    # ---- starting ---------------------------------------------------------------------------------
    def start_mutation(
        self,
        conn: Connection,
        *,
        shop_id: int,
        api_version: str,
        mutation: str,
        staged_upload_path: str,
        client_identifier: str | None,
    ) -> ops.Operation | list[UserError]:
        """Spec 3.4 checks in Shopify's order (the caller checked the document first, spec 3.3), then a CREATED
        operation (the caller submits it after commit)."""
        return admission.admit_mutation(
            conn, self.store, self.settings, self.clock.now(), shop_id=shop_id, api_version=api_version,
            mutation=mutation, staged_upload_path=staged_upload_path, client_identifier=client_identifier)

    def start_query(
        self, conn: Connection, *, shop_id: int, api_version: str, query: str, group_objects: bool
    ) -> ops.Operation | list[UserError]:
        """A CREATED export operation; the query itself is checked by the caller (spec 4.2)."""
        return admission.admit_query(conn, self.clock.now(), shop_id=shop_id, api_version=api_version, query=query,
                                     group_objects=group_objects)

    # ---- cancel -----------------------------------------------------------------------------------
    def cancel(self, conn: Connection, shop_id: int, operation_id: int) -> tuple[ops.Operation | None, list[UserError]]:
        op = ops.get(conn, operation_id, shop_id)
        if op is None:
            return None, [UserError("Bulk operation does not exist", ["id"])]
        if op.status in TERMINAL:
            word = op.status.value.lower()
            return op, [UserError(f"A bulk operation cannot be canceled when it is {word}", None)]
        transition(conn, op.id, Status.CANCELING)
        return ops.get(conn, op.id), []

    # ---- running ----------------------------------------------------------------------------------
    def run(self, operation_id: int, worker: str) -> None:
        """Run (or resume) one operation to a final status. Never leaves it RUNNING on an error: a failure that
        may pass (a full disk, a store out of reach) lets it go to be retried by the upkeep (see
        :meth:`_wait_to_retry`), any other ends it. Every log line of its work names the operation, the worker
        and (once claimed) the shop."""
        with log_context(operation=f"gid://shopify/BulkOperation/{operation_id}", worker=worker):
            self._run(operation_id, worker)

    def _run(self, operation_id: int, worker: str) -> None:
        self._wait_to_start(operation_id)
        op = self._claim(operation_id, worker)
        if op is None:
            return
        try:
            if op.finishing_status is not None:
                code = op.finishing_error_code
                self.finish(op.id, Status(op.finishing_status), ErrorCode(code) if code else None)
                return
            if op.status is Status.CANCELING:
                raise Canceled()
            self._check_time_limit(op)
            op = self._count_input_lines(op)
            self._run_chunks(op)
            self.finish(op.id, Status.COMPLETED)
        except LostClaim:
            log.warning("bulk operation %s was taken over by another worker; %s stops", operation_id, worker)
        except Canceled:
            if self._linger_canceling(op):
                self.finish(op.id, Status.CANCELED)
        except Faulted as fault:
            self.finish(op.id, Status.FAILED, fault.code, partial=fault.partial)
        except TimedOut:
            self.finish(op.id, Status.FAILED, ErrorCode.TIMEOUT)
        except Exception as error:
            if not self._still_holds(op):
                log.warning("bulk operation %s: %s lost it to another worker mid-chunk", operation_id, worker)
                return
            if is_storage_trouble(error) and self._wait_to_retry(op, error):
                return
            log.exception("bulk operation %s failed", operation_id)
            self.finish(op.id, Status.FAILED, ErrorCode.INTERNAL_SERVER_ERROR)

    def _run_chunks(self, op: ops.Operation) -> None:
        """Every chunk of the operation: alone, or with the helpers of an import shared by many workers."""
        work, size = self._work(op), self._chunk_size(op)
        if not self.fans_out(op) or not self._same_chunks(op, size):
            run_chunks(self, op, work)
            return
        self._call_helpers(op, size)
        try:
            run_shared_chunks(self, op, work, size, op.worker or "", owner=True)
        except OperationFinishing:
            self.checkpoint(op)  # canceled or timed out: say so; else another worker holds the operation now
            raise LostClaim() from None

    def fans_out(self, op: ops.Operation) -> bool:
        """Whether the import's chunks may be claimed by several workers: on a database of many writers, with
        a queue that reaches other workers, and no emulation rule pacing it (those count lines in order)."""
        return (self.ask_for_helpers is not None and not self.db.is_sqlite and op.type is OperationType.MUTATION
                and self.settings.chunk_helpers > 0 and not self.emulating())

    def _same_chunks(self, op: ops.Operation, size: int) -> bool:
        with self.db.read() as conn:
            return chunk_lines_match(ops.chunks(conn, op.id), size)

    def _call_helpers(self, op: ops.Operation, size: int) -> None:
        """Ask idle workers to help with an import of more than one chunk (never fails the import)."""
        assert self.ask_for_helpers is not None
        chunks = -(-(op.input_lines or 0) // size)
        wanted = min(self.settings.chunk_helpers, chunks - 1)
        if wanted <= 0:
            return
        try:
            self.ask_for_helpers(op.id, wanted)
        except Exception:
            log.warning("bulk operation %s: no helpers could be asked for; it runs alone", op.id, exc_info=True)

    def help(self, operation_id: int, worker: str) -> None:
        """A helper's part of an import another worker holds: commit the chunks nobody has claimed, until none
        is left, the operation stops running or its owner changes. A failed chunk is left to the owner (it
        runs every chunk it found claimed and still unrecorded)."""
        with log_context(operation=f"gid://shopify/BulkOperation/{operation_id}", worker=worker):
            with self.db.read() as conn:
                op = ops.get(conn, operation_id)
            if op is None or op.status is not Status.RUNNING or op.worker is None or not self.fans_out(op):
                return
            size = self._chunk_size(op)
            if not self._same_chunks(op, size):
                return
            log.info("bulk operation %s: %s helps %s with its chunks", op.id, worker, op.worker)
            try:
                run_shared_chunks(self, op, self._work(op), size, worker, owner=False)
            except (OperationFinishing, Canceled, TimedOut, LostClaim):
                return
            except Exception:
                log.exception("bulk operation %s: %s stops helping; its owner redoes the chunk", op.id, worker)

    def _wait_to_retry(self, op: ops.Operation, error: BaseException,
                       finishing: tuple[Status, ErrorCode | None] | None = None) -> bool:
        """Let the operation go, unfinished, saying why: the upkeep resubmits it once its heartbeat is stale
        (``heartbeat_stale_s``), and it resumes at its first unrecorded chunk (or, ``finishing``, composes its
        file again). False once it has waited ``storage_retries`` times in a row: the caller ends it."""
        reason = f"{type(error).__name__}: {error}"
        final = (finishing[0].value, finishing[1].value if finishing[1] else None) if finishing else None
        with self.db.write() as conn:
            current = ops.get(conn, op.id)
            if current is None or current.retries >= self.settings.storage_retries:
                return False
            ops.wait_to_retry(conn, op.id, current.worker, self.clock.now(), reason, final)
        log.warning("bulk operation %s waits to retry (%d of %d): %s", op.id, current.retries + 1,
                    self.settings.storage_retries, reason)
        return True

    def retrying(self) -> list[ops.Operation]:
        """Operations waiting to retry after a storage failure (``/healthz`` lists them with the reason)."""
        with self.db.read() as conn:
            return ops.retrying(conn)

    def _still_holds(self, op: ops.Operation) -> bool:
        with self.db.read() as conn:
            return ops.holder(conn, op.id)[1] == op.worker

    def _claim(self, operation_id: int, worker: str) -> ops.Operation | None:
        now = self.clock.now()
        stale_before = now - timedelta(seconds=self.settings.heartbeat_stale_s)
        with self.db.write() as conn:
            previous = ops.worker_of(conn, operation_id)
            if not ops.claim(conn, operation_id, worker, now, stale_before):
                return None
            transition(conn, operation_id, Status.RUNNING, started_at=now)
            op = ops.get(conn, operation_id)
            assert op is not None
            bind(shop_id=op.shop_id, shop=ops.shop_domain(conn, op.shop_id))
        if previous is not None and previous != worker:
            log.warning("took over bulk operation %s from %s: its heartbeat was older than %s s",
                        operation_id, previous, self.settings.heartbeat_stale_s)
        log.info("bulk operation %s (%s, %s) runs on %s", operation_id, op.type.value, op.status.value, worker)
        return op

    def _count_input_lines(self, op: ops.Operation) -> ops.Operation:
        """An import's line count, once, before its first chunk (for live progress: see engine/progress.py, and
        to know how many helpers it can use); the operation with it."""
        if op.type is not OperationType.MUTATION or op.input_lines is not None or op.staged_upload_path is None:
            return op
        with self.store.open(op.staged_upload_path) as stream:
            lines = progress.count_lines(stream)
        with self.db.write() as conn:
            ops.set_input_lines(conn, op.id, lines)
        return replace(op, input_lines=lines)

    def _check_time_limit(self, op: ops.Operation) -> None:
        limit = (
            self.settings.mutation_time_limit_s
            if op.type is OperationType.MUTATION
            else self.settings.query_time_limit_s
        )
        if (self.clock.now() - op.created_at).total_seconds() > limit:
            raise TimedOut()

    def checkpoint(self, op: ops.Operation) -> None:
        """Between chunks: stop if another worker took the operation over, on cancel (from any process: it is
        read from the database) or on the time limit; an import whose staged file changed fails (Shopify
        validates the file's integrity and fails such an operation with INTERNAL_SERVER_ERROR)."""
        with self.db.read() as conn:
            status, worker = ops.holder(conn, op.id)
        if worker != op.worker:
            raise LostClaim()
        if status is Status.CANCELING:
            raise Canceled()
        self._check_time_limit(op)
        if op.staged_upload_path is not None and self.store.size(op.staged_upload_path) != op.input_size:
            raise RuntimeError("the staged file changed after the operation started")

    def _chunk_size(self, op: ops.Operation) -> int:
        size = self.settings.chunk_lines
        if self.emulation is not None:
            size = self.emulation.piece_size(op, size)
        return size

    def _work(self, op: ops.Operation) -> ChunkWork:
        size = self._chunk_size(op)
        if op.type is OperationType.MUTATION:
            emulation = self.emulation
            faulted = (lambda conn, numbers: emulation.line_errors(conn, op, numbers)) if emulation else None
            return ImportWork(self.store, op, self.executor_factory(op, self.helpers_for(op)), size, faulted)
        if self.export_plans is None:
            raise RuntimeError("this server has no export planner configured")
        return ExportWork(self.db, op, self.export_plans(op), size)

    def helpers_for(self, op: ops.Operation) -> HelperPool | None:
        """Helper processes for a big import into SQLite (other databases have several writers and need no
        help; a small file is done before a helper would have warmed up)."""
        if self.helpers is None or not self.db.is_sqlite:
            return None
        if (op.input_size or 0) < self.settings.helper_min_input_bytes:
            return None
        return self.helpers

    def record_chunk(self, conn: Connection, op: ops.Operation, chunk: ops.Chunk, data: bytes) -> None:
        """Inside the chunk's transaction: only while this worker still holds the operation, write the chunk's
        segment durably, then its record and the counters (committed with the chunk's domain writes). An
        import's record keeps the chunk's result bytes, as its writes cannot be run again; an export's does not
        (it changed nothing: a lost segment ends it FAILED with the lines that remain, and it can simply be run
        again; keeping them cost an export about a sixth of its time, bench round 5)."""
        if not ops.hold(conn, op.id, op.worker, self.clock.now()):
            raise LostClaim()
        self.store.put(chunk.segment_key, data)
        kept = keep(data) if op.type is OperationType.MUTATION else None
        ops.record_chunk(conn, op.id, chunk, self.clock.now(), kept)

    # ---- emulation (the control plane's progression rules and faults) ------------------------------
    def _wait_to_start(self, operation_id: int) -> None:
        """A start delay or a STUCK CREATED fault keeps the operation CREATED (until canceled)."""
        if self.emulation is None:
            return
        while True:
            with self.db.read() as conn:
                op = ops.get(conn, operation_id)
            if op is None or op.status is not Status.CREATED or self.emulation.may_start(op):
                return
            time.sleep(POLL_S)

    def emulating(self) -> bool:
        """Whether any progression rule or fault is set (operations may then be held)."""
        return self.emulation is not None and self.emulation.active()

    def pace(self, op: ops.Operation, lines_done: int) -> None:
        """Before the next chunk: hold while its progression rule (or a STUCK RUNNING fault) allows no more
        lines, still answering cancel."""
        if self.emulation is not None:
            emulation = self.emulation
            self._hold(op, lambda: not emulation.may_run(op, lines_done), checkpoint=True)

    def _hold(self, op: ops.Operation, held: Callable[[], bool], checkpoint: bool) -> None:
        """Wait while ``held()``, keeping the operation's heartbeat fresh (no other worker takes it over) and,
        with ``checkpoint``, answering cancel, the time limit and a lost claim."""
        beat = time.monotonic()
        while held():
            if checkpoint:
                self.checkpoint(op)
            if time.monotonic() - beat > 1.0:
                with self.db.write() as conn:
                    if not ops.hold(conn, op.id, op.worker, self.clock.now()):
                        raise LostClaim()
                beat = time.monotonic()
            time.sleep(POLL_S)

    def after_lines(self, op: ops.Operation, before: int, after: int) -> None:
        if self.emulation is not None:
            self.emulation.after_lines(op, before, after)

    def _linger_canceling(self, op: ops.Operation) -> bool:
        """cancelDelaySeconds (or a STUCK CANCELING fault) keeps a canceled operation CANCELING a while; False
        if another worker took it over meanwhile (that one finishes it)."""
        if self.emulation is None:
            return True
        emulation, noticed = self.emulation, self.clock.now()
        try:
            self._hold(op, lambda: emulation.lingers(op, noticed), checkpoint=False)
        except LostClaim:
            return False
        return True

    def observe(self, shop_id: int, op_type: OperationType | None = None, operation_id: int | None = None) -> None:
        """A client is about to read the shop's operations (``operation_id``: that one; ``op_type``: the latest
        of that type): progression rules that move on reads take their step first."""
        if self.emulation is not None:
            self.emulation.observe(shop_id, op_type, operation_id)

    def advance(self, operation_id: int, lines: int | None = None, to: Status | None = None) -> str | None:
        """The control plane moves an operation: ``lines`` more lines, or ``to`` a final status. Answers once
        the move is visible; a move that cannot be made returns why."""
        if self.emulation is None:
            return "this server runs no emulation"
        with self.db.read() as conn:
            op = ops.get(conn, operation_id)
            done = ops.lines_done(conn, operation_id)
        if op is None:
            return "Bulk operation does not exist"
        if to is Status.EXPIRED:
            return self._expire_now(op)
        if op.status in TERMINAL:
            return f"the operation is already {op.status.value}"
        if to is None:
            self.emulation.grant(op.id, lines or 0)
            self.emulation.wait_for(op.id, lines=done + (lines or 0))
            return None
        self.emulation.force(op.id, to)
        if to is Status.CANCELED:
            with self.db.write() as conn:
                transition(conn, op.id, Status.CANCELING)
        self.emulation.wait_for(op.id, status=to)
        return None

    def _expire_now(self, op: ops.Operation) -> str | None:
        if op.status not in (Status.COMPLETED, Status.FAILED, Status.CANCELED):
            return f"only a finished operation can expire; this one is {op.status.value}"
        with self.db.write() as conn:
            transition(conn, op.id, Status.EXPIRED)
        self._discard([op.result_key, op.partial_key])
        return None

    # ---- finishing --------------------------------------------------------------------------------
    def finish(self, operation_id: int, target: Status, error_code: ErrorCode | None = None,
               partial: bool = True) -> None:
        """Compose what was written and set the final status, with the finish hooks, in one transaction. A
        composing that meets storage trouble waits to be retried (the operation stays unfinished); lines whose
        results cannot be recovered turn a success into a failure whose partial data holds every other line.
        ``partial=False``: a failure without partial data (its segments are discarded). No chunk of the
        operation is in flight meanwhile (engine/shared_chunks.py)."""
        with finishing_alone(self, operation_id):
            self._finish(operation_id, target, error_code, partial)

    def _finish(self, operation_id: int, target: Status, error_code: ErrorCode | None, partial: bool) -> None:
        with self.db.read() as conn:
            op = ops.get(conn, operation_id)
            chunks = ops.chunks(conn, operation_id) if op else []
        if op is None or op.status in TERMINAL:
            return
        key, size = None, None
        if chunks and not partial:
            self._set_final(op, target, error_code, None, None, composed=True)
            return
        if chunks:
            try:
                composed = compose_results(self.store, self.db, op, chunks, partial=target is Status.FAILED)
            except Exception as error:
                if is_storage_trouble(error) and self._wait_to_retry(op, error, (target, error_code)):
                    return
                log.exception("bulk operation %s: its result file could not be composed", operation_id)
                chunks = []
                if target is Status.COMPLETED:
                    target, error_code = Status.FAILED, ErrorCode.INTERNAL_SERVER_ERROR
            else:
                key, size = composed.key, composed.size
                if composed.lost and target is Status.COMPLETED:
                    target, error_code = Status.FAILED, ErrorCode.INTERNAL_SERVER_ERROR
            if size == 0:
                key, size = None, None
        failed = self._failed_lines(op, key)
        self._set_final(op, target, error_code, key, size, composed=bool(chunks), failed_lines_key=failed)

    def _failed_lines(self, op: ops.Operation, results_key: str | None) -> str | None:
        """An import's failed-lines file, when some of its lines failed (engine/failed_lines.py). It is an extra:
        a failure to write it is logged and the operation finishes without it."""
        if op.type is not OperationType.MUTATION or results_key is None:
            return None
        with self.db.read() as conn:
            if not ops.failed_line_count(conn, op.id):
                return None
        try:
            return write_failed_lines(self.store, op, results_key)
        except Exception:
            log.warning("bulk operation %s: its failed-lines file could not be written", op.id, exc_info=True)
            return None

    def _set_final(self, op: ops.Operation, target: Status, error_code: ErrorCode | None, key: str | None,
                   size: int | None, composed: bool, failed_lines_key: str | None = None) -> None:
        """The final status in one transaction with the finish hooks; once ``composed``, the chunks' kept bytes
        are forgotten with it and their segments deleted after it."""
        now = self.clock.now()
        fields: dict[str, object] = {"finished_at": now, "error_code": error_code.value if error_code else None,
                                     "worker": None, "retries": 0, "retry_reason": None, "finishing_status": None,
                                     "finishing_error_code": None, "failed_lines_key": failed_lines_key}
        if target is Status.FAILED:
            fields.update(completed_at=now, partial_key=key)
        elif target is Status.COMPLETED:
            fields.update(completed_at=now, result_key=key, file_size=size)
        else:
            fields.update(result_key=key, file_size=size)
        final: ops.Operation | None = None
        with self.db.write() as conn:
            moved = transition(conn, op.id, target, **fields)
            if not moved:
                current = ops.status_of(conn, op.id)
                if target is Status.COMPLETED and current is Status.CANCELING:
                    moved = transition(conn, op.id, Status.CANCELED, **{**fields, "completed_at": None})
            if moved:
                final = ops.get(conn, op.id)
                assert final is not None
                for hook in self.finish_hooks:
                    hook(conn, final)
                if composed:
                    ops.forget_chunk_data(conn, op.id)
            segments = [c.segment_key for c in ops.chunks(conn, op.id)] if moved and composed else []
        if final is not None:
            log.info("bulk operation %s finished: %s%s, %s objects", op.id, final.status.value,
                     f" ({final.error_code})" if final.error_code else "", final.object_count)
        self._discard(segments)

    def _discard(self, keys: Iterable[str | None]) -> None:
        """Files nothing will read again (segments once composed, results once expired); a failure to delete
        leaves garbage, never a wrong answer."""
        for key in keys:
            if key is None:
                continue
            try:
                self.store.delete(key)
            except Exception:
                log.warning("could not delete %s", key, exc_info=True)

    # ---- upkeep -----------------------------------------------------------------------------------
    def expire_due(self) -> int:
        """Operations whose result URLs have lapsed become EXPIRED."""
        cutoff = self.clock.now() - timedelta(seconds=self.settings.result_url_ttl_s)
        expired: list[ops.Operation] = []
        with self.db.write() as conn:
            for op_id in ops.expirable(conn, cutoff):
                op = ops.get(conn, op_id)
                if op is not None and transition(conn, op_id, Status.EXPIRED):
                    expired.append(op)
        self._discard([key for op in expired for key in (op.result_key, op.partial_key, op.failed_lines_key)])
        return len(expired)

    def stale_operations(self) -> list[int]:
        stale_before = self.clock.now() - timedelta(seconds=self.settings.heartbeat_stale_s)
        with self.db.read() as conn:
            return [op.id for op in ops.stale(conn, stale_before)]

    def take_over_all(self) -> list[int]:
        """Embedded start-up: this process is the only worker, so every unfinished operation is ours, and what
        a stopped process left behind (temporary files, segments of finished operations) is garbage."""
        self.sweep_leftovers()
        with self.db.write() as conn:
            ops.release_all(conn)
            return [op.id for op in ops.unfinished(conn)]

    def sweep_leftovers(self) -> None:
        """Delete the files no operation will read again. Only where no other worker writes: a temporary file
        is in flight while its writer lives."""
        try:
            swept = self.store.remove_temporary(OPERATIONS_PREFIX)
            leftovers = leftover_segments(self.store, self.db)
        except Exception:
            log.warning("could not sweep leftover files", exc_info=True)
            return
        self._discard(leftovers)
        if swept or leftovers:
            log.info("swept %d temporary files and %d leftover segments", swept, len(leftovers))
