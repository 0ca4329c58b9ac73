"""Configuration, one way for every process: flags, ``BULKOPS_*`` variables and ``bulkops.toml`` (flags win); the
deployment recorded in the database; a setting that cannot work is one line and its fix, exit code 2.

The commands run in this process (typer's CliRunner): each fails before it would serve anything."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bulkops.app.bootstrap import build_runtime, open_database
from bulkops.app.deployment import Deployment, join_deployment, recorded, secret_box
from bulkops.cli import app
from bulkops.clock import SystemClock
from bulkops.config import ConfigError, Settings, settings_from_env
from bulkops.db.tables import shops
from bulkops.domain.shops.rules import create_shop, shop_by_token
from bulkops.engine.heartbeats import Heartbeat
from bulkops.engine.operations import insert_operation

POSTGRES = os.environ.get("BULKOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def refused(result: Result) -> str:
    """The error a command printed, having checked it is the one-line problem and its fix, exit code 2."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("  fix: "), result.stderr
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Settings]:
    """A data dir an embedded ``serve`` (SQLite, local files) has run on: the deployment is recorded."""
    settings = Settings(data_dir=tmp_path, helper_processes=0)
    build_runtime(settings).db.dispose()
    yield settings


def test_flags_win_over_the_environment_which_wins_over_bulkops_toml(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "bulkops.toml"
    toml.write_text('database_url = "sqlite:///from-file.db"\nqueue_url = "redis://file:6379/0"\n'
                    'storage_url = "s3://file-bucket"\nchunk_lines = 7\nwebhook_retry_schedule_s = [1, 2]\n')
    monkeypatch.setenv("BULKOPS_QUEUE_URL", "redis://env:6379/0")
    monkeypatch.setenv("BULKOPS_STORAGE_URL", "s3://env-bucket")

    settings = settings_from_env(toml, storage_url="s3://flag-bucket")

    assert settings.database_url == "sqlite:///from-file.db"
    assert settings.queue_url == "redis://env:6379/0"
    assert settings.storage_url == "s3://flag-bucket"
    assert settings.chunk_lines == 7 and settings.webhook_retry_schedule_s == (1.0, 2.0)


def test_a_bulkops_toml_in_the_working_directory_is_read_without_being_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bulkops.toml").write_text(f'data_dir = "{tmp_path / "elsewhere"}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BULKOPS_DATA_DIR", raising=False)

    assert settings_from_env().data_dir == tmp_path / "elsewhere"


def test_an_unknown_setting_in_bulkops_toml_is_refused_naming_it(tmp_path: Path) -> None:
    toml = tmp_path / "bulkops.toml"
    toml.write_text('databse_url = "postgresql://x/y"\n')

    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        settings_from_env(toml)
    assert "unknown setting 'databse_url'" in refused(run("shop", "list", "--config", str(toml)))


def test_shop_create_with_no_database_named_refuses_and_creates_none(tmp_path: Path) -> None:
    result = run("shop", "create", "lost", "--data-dir", str(tmp_path / "data"))

    assert "no bulkops database at" in refused(result)
    assert "--database-url" in result.stderr
    assert not (tmp_path / "data").exists()


def test_shop_create_writes_into_the_deployment_and_says_which_database(embedded: Settings) -> None:
    result = run("shop", "create", "in-the-deployment", "--json", "--data-dir", str(embedded.data_dir))

    token = result.stdout.split('"access_token":"')[1].split('"')[0]
    db = open_database(embedded)
    with db.read() as conn:
        found = shop_by_token(conn, token)
    db.dispose()
    assert result.exit_code == 0, result.output
    assert f"in sqlite:///{(embedded.data_dir / 'bulkops.db').resolve()}" in result.stderr
    assert found is not None and found.name == "in-the-deployment"


@pytest.fixture
def default_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A ``./data`` an embedded ``serve`` once ran on, in the working directory, and no database named anywhere:
    the admin commands' default."""
    monkeypatch.chdir(tmp_path)
    for variable in ("BULKOPS_DATA_DIR", "BULKOPS_DATABASE_URL", "BULKOPS_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    settings = Settings(data_dir=tmp_path / "data", helper_processes=0)
    build_runtime(settings).db.dispose()
    return settings


def shop_names(settings: Settings) -> list[str]:
    db = open_database(settings)
    with db.read() as conn:
        names = [row.name for row in conn.execute(select(shops.c.name))]
    db.dispose()
    return names


def test_shop_create_refuses_the_default_data_dir_when_no_process_runs_on_it(default_data_dir: Settings) -> None:
    """It is most likely left from an earlier try while the deployment runs elsewhere: a shop made in it gets 401."""
    result = run("shop", "create", "stale")

    assert (f"no database named, and the default {(default_data_dir.data_dir / 'bulkops.db').resolve()} has no "
            "bulkops serve or worker running on it") in refused(result)
    assert "  fix: to use that file, name it (--data-dir data or BULKOPS_DATA_DIR); for your server's database, " \
           "give --database-url / BULKOPS_DATABASE_URL" in result.stderr
    assert "stale" not in shop_names(default_data_dir)


def test_the_default_data_dir_works_once_named_or_while_its_server_runs(default_data_dir: Settings) -> None:
    named = run("shop", "create", "named", "--data-dir", "data")
    by_variable = run("shop", "list", env={"BULKOPS_DATA_DIR": "data"})
    db = open_database(default_data_dir)
    Heartbeat(db, SystemClock(), "serve-in-another-terminal", "embedded").beat()  # as a running serve does
    db.dispose()
    while_running = run("shop", "create", "while-running")

    assert named.exit_code == 0 and by_variable.exit_code == 0, named.output + by_variable.output
    assert "named.myshopify.com" in by_variable.stdout
    assert while_running.exit_code == 0, while_running.output
    assert f"in sqlite:///{(default_data_dir.data_dir / 'bulkops.db').resolve()}" in while_running.stderr
    assert {"named", "while-running"} <= set(shop_names(default_data_dir))


def test_a_taken_or_malformed_shop_name_is_refused(embedded: Settings) -> None:
    assert run("shop", "create", "twice", "--data-dir", str(embedded.data_dir)).exit_code == 0

    again = run("shop", "create", "twice", "--data-dir", str(embedded.data_dir))
    malformed = run("shop", "create", "Not A Name", "--data-dir", str(embedded.data_dir))

    assert again.exit_code == 2 and "already exists" in again.output
    assert malformed.exit_code == 2


def test_a_worker_on_an_embedded_deployment_refuses_to_start_saying_what_differs(embedded: Settings) -> None:
    result = run("worker", "--data-dir", str(embedded.data_dir), "--queue-url", "redis://127.0.0.1:1/0")

    assert "the deployment runs embedded" in refused(result) and "this process queue" in result.stderr


def test_serve_without_the_queue_never_runs_on_a_queue_deployment(tmp_path: Path) -> None:
    """A second ``serve`` without the queue URL once took a live worker's running import (take_over_all)."""
    settings = Settings(data_dir=tmp_path, helper_processes=0)
    db = open_database(settings, secret_box(settings))
    join_deployment(db, Deployment("queue", "local", secret_box(settings).fingerprint), SystemClock().now())
    db.dispose()

    result = run("serve", "--data-dir", str(tmp_path), "--port", "1")

    assert "the deployment runs queue" in refused(result) and "this process embedded" in result.stderr
    assert "--queue-url" in result.stderr


def test_a_process_with_other_storage_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, helper_processes=0)
    db = open_database(settings, secret_box(settings))
    join_deployment(db, Deployment("embedded", "s3://the-bucket", secret_box(settings).fingerprint),
                    SystemClock().now())
    db.dispose()

    result = run("serve", "--data-dir", str(tmp_path), "--port", "1")

    assert "files are in s3://the-bucket, this process's in local" in refused(result)
    assert "--storage s3://the-bucket" in result.stderr


def test_a_process_with_another_secret_key_refuses_to_start(embedded: Settings) -> None:
    served = run("serve", "--data-dir", str(embedded.data_dir), "--port", "1", env={"BULKOPS_SECRET_KEY": "other"})
    shop = run("shop", "create", "sealed-otherwise", "--data-dir", str(embedded.data_dir),
               env={"BULKOPS_SECRET_KEY": "other"})

    assert "secret key" in refused(served)
    assert "secret key" in refused(shop)


def test_an_unreachable_queue_is_one_line_and_records_no_deployment(tmp_path: Path) -> None:
    result = run("worker", "--data-dir", str(tmp_path), "--queue-url", "redis://127.0.0.1:1/0")

    assert "cannot reach the queue at redis://127.0.0.1:1/0" in refused(result)
    db = open_database(Settings(data_dir=tmp_path))
    assert recorded(db) is None
    db.dispose()


def test_a_worker_without_a_queue_says_how_to_give_one(tmp_path: Path) -> None:
    assert "--queue-url" in refused(run("worker", "--data-dir", str(tmp_path)))


def test_a_database_that_does_not_exist_is_named_with_the_fix(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url = f"{base}/bulkops_no_such_database"

    result = run("serve", "--data-dir", str(tmp_path), "--port", "1", "--database-url", url)

    if "cannot reach" in result.stderr:
        pytest.skip("PostgreSQL is not reachable")
    assert "database 'bulkops_no_such_database' does not exist" in refused(result)
    assert "createdb bulkops_no_such_database" in result.stderr


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    url = "postgresql+psycopg://bulkops:hunter2@127.0.0.1:1/bulkops"

    result = run("shop", "list", "--data-dir", str(tmp_path), "--database-url", url)

    assert "cannot reach the database postgresql+psycopg://bulkops:***@127.0.0.1:1/bulkops" in refused(result)
    assert "hunter2" not in result.output


def test_debug_shows_the_traceback_of_a_config_error(tmp_path: Path) -> None:
    result = run("worker", "--data-dir", str(tmp_path), "--debug")

    assert result.exit_code != 0 and isinstance(result.exception, ConfigError)


def test_the_database_keeps_no_token_and_no_app_secret_in_clear(embedded: Settings) -> None:
    created = run("shop", "create", "digested", "--json", "--data-dir", str(embedded.data_dir))
    token = created.stdout.split('"access_token":"')[1].split('"')[0]
    secret = created.stdout.split('"api_secret":"')[1].split('"')[0]

    db = open_database(embedded)
    with db.read() as conn:
        row = conn.execute(select(shops).where(shops.c.name == "digested")).one()
    db.dispose()
    stored = " ".join(str(value) for value in row)

    assert token not in stored and token[6:] not in stored and secret not in stored
    assert secret_box(embedded).open(row.api_secret_sealed) == secret
    assert not (embedded.data_dir / "bulkops.db").read_bytes().count(token.encode())


def test_shop_token_makes_a_new_token_and_the_old_one_stops_working(embedded: Settings) -> None:
    created = run("shop", "create", "rotated", "--json", "--data-dir", str(embedded.data_dir))
    old = created.stdout.split('"access_token":"')[1].split('"')[0]
    secret = created.stdout.split('"api_secret":"')[1].split('"')[0]

    rotated = run("shop", "token", "rotated.myshopify.com", "--data-dir", str(embedded.data_dir))
    new = rotated.stdout.split("access token: ")[1].split()[0]
    db = open_database(embedded)
    with db.read() as conn:
        old_shop, new_shop = shop_by_token(conn, old), shop_by_token(conn, new)
    db.dispose()

    assert rotated.exit_code == 0 and new != old and f"app secret (webhook HMAC): {secret}" in rotated.stdout
    assert old_shop is None and new_shop is not None and new_shop.name == "rotated"
    assert "no shop named 'nobody'" in refused(run("shop", "token", "nobody", "--data-dir", str(embedded.data_dir)))


def test_reconfigure_records_another_mode_when_no_operation_is_in_flight(embedded: Settings) -> None:
    """An operator who first started the server the wrong way (say, without the queue) is not stuck with it."""
    runtime = build_runtime(embedded.with_overrides(storage_url=None, workers=0), reconfigure=True)
    runtime.db.dispose()
    with pytest.raises(ConfigError, match="files are in local"):
        build_runtime(embedded.with_overrides(storage_url="s3://elsewhere"))

    db = open_database(embedded)
    before = recorded(db)
    db.dispose()
    moved = Settings(data_dir=embedded.data_dir, helper_processes=0, queue_url="redis://127.0.0.1:6379/0")
    try:
        build_runtime(moved, reconfigure=True).db.dispose()
    except ConfigError as exc:
        pytest.skip(f"Redis is needed to start a queue process: {exc}")
    db = open_database(embedded)
    after = recorded(db)
    db.dispose()

    assert before is not None and before.mode == "embedded"
    assert after is not None and after.mode == "queue" and after.secret_key_fingerprint == before.secret_key_fingerprint


def test_reconfigure_is_refused_while_an_operation_is_in_flight(tmp_path: Path) -> None:
    """A queue deployment's running import stays the workers': ``serve --reconfigure`` will not make it embedded."""
    settings = Settings(data_dir=tmp_path, helper_processes=0)
    box = secret_box(settings)
    db = open_database(settings, box)
    join_deployment(db, Deployment("queue", "local", box.fingerprint), SystemClock().now())
    with db.write() as conn:
        shop = create_shop(conn, "in-flight", SystemClock().now(), box)
        insert_operation(conn, shop_id=shop.id, type="MUTATION", status="RUNNING", query="mutation {}",
                         group_objects=False, api_version="2026-10", created_at=SystemClock().now())
    db.dispose()

    result = run("serve", "--data-dir", str(tmp_path), "--port", "1", "--reconfigure")

    assert "--reconfigure refused: 1 operation(s) of this deployment are still in flight" in refused(result)
