"""The scale-out services tests run against: a fresh database on the machine's PostgreSQL, a queue name of its own
on the machine's Redis, moto's S3 server on a free loopback port. Each skips the test when its service is
missing, and cleans up after it."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ADMIN_URL = os.environ.get("BULKOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BULKOPS_TEST_REDIS", "redis://127.0.0.1:6379/0")


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its plain ``postgresql://`` URL."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable (the scale-out database)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def sqlalchemy_url(plain_url: str) -> str:
    """What ``BULKOPS_DATABASE_URL`` takes: the psycopg 3 driver named."""
    return plain_url.replace("postgresql://", "postgresql+psycopg://")


@contextmanager
def fresh_queue_name(prefix: str) -> Iterator[str]:
    """A queue name (the prefix of every Redis key the deployment uses) whose keys are deleted afterwards."""
    redis = pytest.importorskip("redis")
    broker = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        broker.ping()
    except redis.RedisError:
        pytest.skip(f"Redis does not answer at {REDIS_URL}; the Celery queue needs it")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        for key in broker.scan_iter(match=f"{name}:*"):
            broker.delete(key)
        broker.close()


@contextmanager
def moto_s3() -> Iterator[str]:
    """moto's S3 server on a free loopback port; yields its endpoint URL."""
    moto_server = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its request lines are not the server's output
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
