"""Runtime settings, read once from flags and environment variables (``BULKOPS_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict, Unpack

MB = 1024 * 1024
DAY = 24 * 3600


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("./data")
    database_url: str | None = None
    public_base_url: str | None = None
    listen_url: str | None = None
    """Where ``bulkops serve`` listens: the base of URLs made off the request path (bulk lines, exports)
    when no public base URL is configured."""
    upload_max_bytes: int = 100 * MB
    staged_upload_ttl_s: int = DAY
    result_url_ttl_s: int = 7 * DAY
    mutation_time_limit_s: float = DAY
    query_time_limit_s: float = 10 * DAY
    daily_mutation_cap: int = 25_000
    chunk_lines: int = 500
    workers: int = 2
    helper_processes: int = field(default_factory=lambda: 2 if (os.cpu_count() or 1) > 1 else 0)
    """Processes that check a big import's next chunks while a worker writes the current one (0: none). Two
    even on two cores: the writer waits on SQLite part of the time, and one helper alone cannot keep up
    (bench/README.md)."""
    helper_min_input_bytes: int = 2 * MB
    """Imports of smaller files check their lines in the worker itself (a helper takes a second to start)."""
    heartbeat_stale_s: float = 60.0
    """A running operation whose heartbeat (beaten at every chunk commit) is older than this is taken over by
    another worker: it must comfortably exceed the slowest chunk (a slower chunk is redone, never duplicated)."""
    storage_retries: int = 30
    """Times in a row an operation whose files meet a failure that may pass (a full disk, a store out of reach)
    is let go and resumed after ``heartbeat_stale_s``, before it fails; it stays RUNNING meanwhile and
    ``/healthz`` says why."""
    queue_url: str | None = None
    """A Redis URL: operations go to Celery workers (``bulkops worker``) instead of in-process threads."""
    queue_name: str = "bulkops"
    webhook_retry_schedule_s: tuple[float, ...] = field(
        default=(60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 3840.0, 6780.0)
    )
    """Seconds before each retry: Shopify retries 8 times over 4 hours with exponential backoff (the exact
    delays are UNCONFIRMED; these double from 1 minute and the last lands at exactly 4 hours)."""
    webhook_timeout_s: float = 5.0
    webhook_remove_after_failures: int = 8
    """A subscription is removed once this many of its deliveries in a row ran out of retries (a success, or
    an update of the subscription, starts the count again); 0 never removes. See ``RetryPolicy``."""
    storage_url: str | None = None
    """``s3://<bucket>``: files live in S3-compatible storage (clients upload and download there directly);
    unset, they live under the data dir and go through this server."""
    s3_endpoint_url: str | None = None
    """For S3-compatible servers (MinIO, Ceph, moto...); unset means AWS. Region and credentials come from the
    usual AWS variables (AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles, roles)."""
    s3_addressing_style: str | None = None
    """``path`` or ``virtual``; unset lets boto choose (virtual on AWS, path for an IP endpoint)."""
    graphql_body_max_bytes: int = MB
    """A GraphQL request body larger than this is refused with a 413 before it is parsed."""
    max_query_cost: int = 1000
    """Shopify's single-query ceiling on requested cost (``MAX_COST_EXCEEDED``); 0 lifts it."""
    max_query_depth: int = 25
    """Deepest field nesting a request may select (fragments counted where spread); 0 lifts it."""
    max_query_aliases: int = 1000
    """Most aliased fields a request may hold (fragments counted each time they are spread); 0 lifts it.
    Validation time grows with the square of a selection's width, so this also bounds it."""
    max_query_tokens: int = 50_000
    """Parsing stops past this many tokens (a 1,000-alias query has about 4,000)."""
    parse_cache_bytes: int = 32 * MB
    """Memory the parsed and validated documents kept for reuse may take (estimated from their size)."""

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'bulkops.db').resolve()}"

    @property
    def background_base_url(self) -> str:
        """The base URL for URLs built outside an HTTP request (no Host header to follow)."""
        return self.public_base_url or self.listen_url or "http://127.0.0.1:8000"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    def with_overrides(self, **changes: Unpack[SettingsOverrides]) -> Settings:
        """These settings with every given, non-None change applied (None is a CLI flag left unset)."""
        given: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given)


class SettingsOverrides(TypedDict, total=False):
    """Keyword overrides of :class:`Settings` (each field, or None for "keep the current value")."""

    data_dir: Path | None
    database_url: str | None
    public_base_url: str | None
    listen_url: str | None
    upload_max_bytes: int | None
    staged_upload_ttl_s: int | None
    result_url_ttl_s: int | None
    mutation_time_limit_s: float | None
    query_time_limit_s: float | None
    daily_mutation_cap: int | None
    chunk_lines: int | None
    workers: int | None
    helper_processes: int | None
    helper_min_input_bytes: int | None
    heartbeat_stale_s: float | None
    storage_retries: int | None
    queue_url: str | None
    queue_name: str | None
    webhook_retry_schedule_s: tuple[float, ...] | None
    webhook_timeout_s: float | None
    webhook_remove_after_failures: int | None
    storage_url: str | None
    s3_endpoint_url: str | None
    s3_addressing_style: str | None
    graphql_body_max_bytes: int | None
    max_query_cost: int | None
    max_query_depth: int | None
    max_query_aliases: int | None
    max_query_tokens: int | None
    parse_cache_bytes: int | None


def settings_from_env(**overrides: Unpack[SettingsOverrides]) -> Settings:
    """Environment first, explicit overrides (CLI flags) last."""
    schedule = os.environ.get("BULKOPS_WEBHOOK_RETRY_SCHEDULE")
    base = Settings(
        data_dir=Path(os.environ.get("BULKOPS_DATA_DIR", "./data")),
        database_url=os.environ.get("BULKOPS_DATABASE_URL") or None,
        public_base_url=os.environ.get("BULKOPS_PUBLIC_BASE_URL") or None,
        upload_max_bytes=_env_int("BULKOPS_UPLOAD_MAX_BYTES", 100 * MB),
        staged_upload_ttl_s=_env_int("BULKOPS_STAGED_UPLOAD_TTL", DAY),
        result_url_ttl_s=_env_int("BULKOPS_RESULT_URL_TTL", 7 * DAY),
        mutation_time_limit_s=_env_float("BULKOPS_MUTATION_TIME_LIMIT", DAY),
        query_time_limit_s=_env_float("BULKOPS_QUERY_TIME_LIMIT", 10 * DAY),
        daily_mutation_cap=_env_int("BULKOPS_DAILY_MUTATION_CAP", 25_000),
        chunk_lines=_env_int("BULKOPS_CHUNK_LINES", 500),
        workers=_env_int("BULKOPS_WORKERS", 2),
        helper_processes=_env_int("BULKOPS_HELPER_PROCESSES", Settings().helper_processes),
        helper_min_input_bytes=_env_int("BULKOPS_HELPER_MIN_INPUT_BYTES", 2 * MB),
        heartbeat_stale_s=_env_float("BULKOPS_HEARTBEAT_STALE", 60.0),
        storage_retries=_env_int("BULKOPS_STORAGE_RETRIES", 30),
        queue_url=os.environ.get("BULKOPS_QUEUE_URL") or None,
        queue_name=os.environ.get("BULKOPS_QUEUE_NAME") or "bulkops",
        webhook_retry_schedule_s=(
            tuple(float(x) for x in schedule.split(",") if x.strip()) if schedule else Settings.webhook_retry_schedule_s
        ),
        webhook_timeout_s=_env_float("BULKOPS_WEBHOOK_TIMEOUT", 5.0),
        webhook_remove_after_failures=_env_int("BULKOPS_WEBHOOK_REMOVE_AFTER_FAILURES", 8),
        storage_url=os.environ.get("BULKOPS_STORAGE_URL") or None,
        s3_endpoint_url=os.environ.get("BULKOPS_S3_ENDPOINT_URL") or None,
        s3_addressing_style=os.environ.get("BULKOPS_S3_ADDRESSING_STYLE") or None,
        graphql_body_max_bytes=_env_int("BULKOPS_GRAPHQL_BODY_MAX_BYTES", MB),
        max_query_cost=_env_int("BULKOPS_MAX_QUERY_COST", 1000),
        max_query_depth=_env_int("BULKOPS_MAX_QUERY_DEPTH", 25),
        max_query_aliases=_env_int("BULKOPS_MAX_QUERY_ALIASES", 1000),
        max_query_tokens=_env_int("BULKOPS_MAX_QUERY_TOKENS", 50_000),
        parse_cache_bytes=_env_int("BULKOPS_PARSE_CACHE_BYTES", 32 * MB),
    )
    return base.with_overrides(**overrides)
