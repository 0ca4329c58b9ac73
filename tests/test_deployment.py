"""The deployment files: a slim, non-root image whose entry point is ``bulkops serve``, and a compose file for the
scale-out setup whose settings are ones bulkops reads. ``docker compose config`` validates it where Docker
Compose is installed."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bulkops import config
from bulkops.app import cli

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def final_stage(dockerfile: str) -> list[str]:
    """The instructions of the last stage (what the image is made of)."""
    stages = re.split(r"(?m)^FROM ", dockerfile)
    return [line.strip() for line in ("FROM " + stages[-1]).splitlines() if line.strip()]


def docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0


def test_the_image_is_slim_runs_as_a_user_and_starts_bulkops_serve() -> None:
    stage = final_stage((ROOT / "Dockerfile").read_text())

    assert stage[0].startswith("FROM python:") and stage[0].endswith("-slim")
    users = [line.split()[1] for line in stage if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["bulkops"]' in stage
    assert [line for line in stage if line.startswith("CMD ")] == ['CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]']


def test_compose_runs_postgres_redis_s3_one_server_and_several_workers_on_one_image() -> None:
    services = compose()["services"]

    assert {"postgres", "redis", "minio", "bucket", "serve", "worker"} <= set(services)
    assert services["serve"]["command"][0] == "serve" and services["worker"]["command"][0] == "worker"
    assert services["serve"]["image"] == services["worker"]["image"]
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["serve"]["environment"] == services["worker"]["environment"]
    assert "mc mb" in " ".join(services["bucket"]["entrypoint"])
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name
    assert services["worker"]["depends_on"]["bucket"] == {"condition": "service_completed_successfully"}


def test_every_bulkops_setting_compose_sets_is_one_bulkops_reads() -> None:
    environment = compose()["services"]["serve"]["environment"]
    read = inspect.getsource(config) + inspect.getsource(cli)
    names = [name for name in environment if name.startswith("BULKOPS_")]

    assert {"BULKOPS_DATABASE_URL", "BULKOPS_QUEUE_URL", "BULKOPS_STORAGE_URL"} <= set(names)
    assert [name for name in names if f'"{name}"' not in read] == []
    bucket = environment["BULKOPS_STORAGE_URL"].removeprefix("s3://")
    assert f"local/{bucket}" in compose()["services"]["bucket"]["entrypoint"][-1]


@pytest.mark.skipif(not docker_compose_available(), reason="docker compose is not installed here")
def test_docker_compose_validates_the_compose_file() -> None:
    done = subprocess.run(["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
