"""Runtime settings, read once from flags, environment variables (``BULKOPS_*``) and an optional ``bulkops.toml``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict, Unpack

MB = 1024 * 1024
DAY = 24 * 3600


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
    chunk_helpers: int = 3
    """With the queue on a database of many writers (PostgreSQL): helper tasks the worker that claims an import
    sends, so idle workers claim its chunks too (engine/shared_chunks.py; 0: one worker per import)."""
    heartbeat_stale_s: float = 60.0
    """A running operation whose heartbeat (beaten at every chunk commit) is older than this is taken over by
    another worker: it must comfortably exceed the slowest chunk (a slower chunk is redone, never duplicated)."""
    storage_retries: int = 30
    """Times in a row an operation whose files meet a failure that may pass (a full disk, a store out of reach)
    is let go and resumed after ``heartbeat_stale_s``, before it fails; it stays RUNNING meanwhile and
    ``/healthz`` says why."""
    worker_stale_s: float = 5.0
    """A worker process whose heartbeat (beaten every second) is older than this counts as dead for ``/readyz``."""
    ready_wait_s: float = 5.0
    """``/readyz`` fails when an operation has waited in CREATED longer than this and no worker is alive."""
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
    s3_public_endpoint_url: str | None = None
    """The S3 endpoint as clients reach it, when it differs from ``s3_endpoint_url`` (the one this server talks
    to): presigned upload and download URLs name it (``http://minio:9000`` inside a compose network is
    ``http://127.0.0.1:9000`` on the host). Unset: the URLs name ``s3_endpoint_url``."""
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
    progress_poll_s: float = 0.5
    """How often an operation's event stream (``/bulkops/v1/operations/{id}/events``) reads it again."""
    progress_heartbeat_s: float = 15.0
    """Seconds of quiet after which an event stream sends a heartbeat comment (proxies close idle streams)."""
    secret_key: str | None = None
    """Encrypts the secrets the server must read back (app secrets for webhook HMACs, the URL-signing secret).
    Unset, a key is made once in ``<data dir>/secret.key``; every process of a deployment needs the same key."""
    proxy_headers: bool = False
    """Trust ``X-Forwarded-Proto``/``-Host``/``-For`` (only behind a proxy that sets them, as uvicorn's
    --proxy-headers); off, a client cannot make the server hand out URLs on a host of its choosing."""
    forwarded_allow_ips: str = "127.0.0.1"
    """The proxies whose ``X-Forwarded-*`` headers count when ``proxy_headers`` is on (comma-separated, or *)."""
    control_plane: bool = True
    """Serve the control plane (``/__bulkops/``: reset, seed, clock, request log...); ``serve`` refuses it on a
    non-loopback address without ``admin_token`` (``app/control/access.py``)."""
    admin_token: str | None = None
    """When set, every control-plane call needs ``Authorization: Bearer <admin_token>``."""

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
    chunk_helpers: int | None
    heartbeat_stale_s: float | None
    storage_retries: int | None
    worker_stale_s: float | None
    ready_wait_s: float | None
    queue_url: str | None
    queue_name: str | None
    webhook_retry_schedule_s: tuple[float, ...] | None
    webhook_timeout_s: float | None
    webhook_remove_after_failures: int | None
    storage_url: str | None
    s3_endpoint_url: str | None
    s3_addressing_style: str | None
    s3_public_endpoint_url: str | None
    graphql_body_max_bytes: int | None
    max_query_cost: int | None
    max_query_depth: int | None
    max_query_aliases: int | None
    max_query_tokens: int | None
    parse_cache_bytes: int | None
    progress_poll_s: float | None
    progress_heartbeat_s: float | None

    secret_key: str | None
    proxy_headers: bool | None
    forwarded_allow_ips: str | None
    control_plane: bool | None
    admin_token: str | None


class ConfigError(Exception):
    """A setting that cannot work (a bad value, an unreachable database, bucket or queue): the commands print the
    problem and its fix on one line and exit 2, with no traceback."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem} (fix: {fix})" if fix else problem)
        self.problem = problem
        self.fix = fix


CONFIG_FILE = "bulkops.toml"
"""Read from the working directory when present (or from ``--config`` / ``BULKOPS_CONFIG``)."""

_ENV: dict[str, tuple[str, Any]] = {
    "data_dir": ("BULKOPS_DATA_DIR", Path),
    "database_url": ("BULKOPS_DATABASE_URL", str),
    "public_base_url": ("BULKOPS_PUBLIC_BASE_URL", str),
    "upload_max_bytes": ("BULKOPS_UPLOAD_MAX_BYTES", int),
    "staged_upload_ttl_s": ("BULKOPS_STAGED_UPLOAD_TTL", int),
    "result_url_ttl_s": ("BULKOPS_RESULT_URL_TTL", int),
    "mutation_time_limit_s": ("BULKOPS_MUTATION_TIME_LIMIT", float),
    "query_time_limit_s": ("BULKOPS_QUERY_TIME_LIMIT", float),
    "daily_mutation_cap": ("BULKOPS_DAILY_MUTATION_CAP", int),
    "chunk_lines": ("BULKOPS_CHUNK_LINES", int),
    "workers": ("BULKOPS_WORKERS", int),
    "helper_processes": ("BULKOPS_HELPER_PROCESSES", int),
    "helper_min_input_bytes": ("BULKOPS_HELPER_MIN_INPUT_BYTES", int),
    "chunk_helpers": ("BULKOPS_CHUNK_HELPERS", int),
    "heartbeat_stale_s": ("BULKOPS_HEARTBEAT_STALE", float),
    "storage_retries": ("BULKOPS_STORAGE_RETRIES", int),
    "worker_stale_s": ("BULKOPS_WORKER_STALE", float),
    "ready_wait_s": ("BULKOPS_READY_WAIT", float),
    "queue_url": ("BULKOPS_QUEUE_URL", str),
    "queue_name": ("BULKOPS_QUEUE_NAME", str),
    "webhook_retry_schedule_s": ("BULKOPS_WEBHOOK_RETRY_SCHEDULE", tuple),
    "webhook_timeout_s": ("BULKOPS_WEBHOOK_TIMEOUT", float),
    "webhook_remove_after_failures": ("BULKOPS_WEBHOOK_REMOVE_AFTER_FAILURES", int),
    "storage_url": ("BULKOPS_STORAGE_URL", str),
    "s3_endpoint_url": ("BULKOPS_S3_ENDPOINT_URL", str),
    "s3_addressing_style": ("BULKOPS_S3_ADDRESSING_STYLE", str),
    "s3_public_endpoint_url": ("BULKOPS_S3_PUBLIC_ENDPOINT_URL", str),
    "secret_key": ("BULKOPS_SECRET_KEY", str),
    "proxy_headers": ("BULKOPS_PROXY_HEADERS", bool),
    "forwarded_allow_ips": ("BULKOPS_FORWARDED_ALLOW_IPS", str),
    "control_plane": ("BULKOPS_CONTROL_PLANE", bool),
    "admin_token": ("BULKOPS_ADMIN_TOKEN", str),
    "graphql_body_max_bytes": ("BULKOPS_GRAPHQL_BODY_MAX_BYTES", int),
    "max_query_cost": ("BULKOPS_MAX_QUERY_COST", int),
    "max_query_depth": ("BULKOPS_MAX_QUERY_DEPTH", int),
    "max_query_aliases": ("BULKOPS_MAX_QUERY_ALIASES", int),
    "max_query_tokens": ("BULKOPS_MAX_QUERY_TOKENS", int),
    "parse_cache_bytes": ("BULKOPS_PARSE_CACHE_BYTES", int),
}
"""Each setting read from the environment or ``bulkops.toml`` (the file uses the setting's own name as key)."""


def _convert(name: str, raw: Any, kind: Any, source: str) -> Any:
    """One setting's value from text (environment) or TOML, or a ConfigError naming where it came from."""
    try:
        if kind is tuple:
            items = raw.split(",") if isinstance(raw, str) else raw
            return tuple(float(x) for x in items if str(x).strip())
        if kind is bool:
            return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes", "on")
        if kind is int and isinstance(raw, float):
            raise ValueError(raw)
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {name} = {raw!r} is not a valid value",
                          f"give {name} a {getattr(kind, '__name__', kind)}") from exc


def _from_environment() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, (variable, kind) in _ENV.items():
        raw = os.environ.get(variable)
        if raw not in (None, ""):
            found[name] = _convert(name, raw, kind, variable)
    return found


def config_file_path(explicit: Path | None = None) -> Path | None:
    """The ``bulkops.toml`` to read: ``--config``, else ``BULKOPS_CONFIG``, else one in the working directory."""
    if explicit is not None:
        return explicit
    named = os.environ.get("BULKOPS_CONFIG")
    if named:
        return Path(named)
    here = Path(CONFIG_FILE)
    return here if here.is_file() else None


def _from_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    import tomllib

    try:
        table = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist", "create it or drop --config/BULKOPS_CONFIG") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}", "fix the file's syntax") from exc
    unknown = sorted(set(table) - set(_ENV))
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting {unknown[0]!r}",
                          f"use one of {', '.join(sorted(_ENV))}")
    return {name: _convert(name, value, _ENV[name][1], str(path)) for name, value in table.items()}


DATABASE_SETTINGS = ("data_dir", "database_url")


def database_named(config_file: Path | None = None, **flags: Any) -> bool:
    """Whether the database was named anywhere (a flag given here, ``BULKOPS_DATA_DIR``/``BULKOPS_DATABASE_URL``,
    ``bulkops.toml``) rather than left to the ``./data`` default."""
    if any(flags.get(name) is not None for name in DATABASE_SETTINGS):
        return True
    named = {**_from_file(config_file_path(config_file)), **_from_environment()}
    return any(name in named for name in DATABASE_SETTINGS)


def settings_from_env(config_file: Path | None = None, **overrides: Unpack[SettingsOverrides]) -> Settings:
    """Defaults, then ``bulkops.toml``, then the environment, then explicit overrides (CLI flags): flags win."""
    merged = {**_from_file(config_file_path(config_file)), **_from_environment()}
    return Settings(**merged).with_overrides(**overrides)
