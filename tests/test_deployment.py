"""The deployment files: a slim, non-root image whose entry point is ``bulkops serve``, and a compose file for the
scale-out setup whose settings are ones bulkops reads. Compose itself validates the file (``docker compose config``,
or ``docker-compose config`` of Compose v1, which ``.ci/run`` installs: neither needs a Docker engine)."""

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


def compose_command() -> list[str] | None:
    """``docker compose`` (v2, a Docker CLI plugin) when it is there, else ``docker-compose`` (v1), else None."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 timeout=30).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


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


@pytest.mark.skipif(compose_command() is None, reason="neither docker compose nor docker-compose is installed")
def test_compose_validates_the_file_and_resolves_the_scale_out_services() -> None:
    command = compose_command()
    assert command is not None
    done = subprocess.run([*command, "-f", str(ROOT / "compose.yaml"), "config"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]

    assert set(services) == {"postgres", "redis", "minio", "bucket", "serve", "worker"}
    assert services["serve"]["command"][0] == "serve" and services["worker"]["command"][0] == "worker"
    assert services["worker"]["deploy"]["replicas"] >= 2
    for name in ("serve", "worker"):  # the shared anchors resolved: both run on the same settings and services
        assert services[name]["environment"]["BULKOPS_QUEUE_URL"] == "redis://redis:6379/0"
        assert services[name]["environment"]["BULKOPS_STORAGE_URL"] == "s3://bulkops"
        assert services[name]["depends_on"]["bucket"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "mc mb" in services["bucket"]["entrypoint"][-1]
    assert services["bucket"]["depends_on"]["minio"]["condition"] == "service_healthy"
    minio_on_the_host = f"http://127.0.0.1:{services['minio']['ports'][0]['published']}"
    assert services["serve"]["environment"]["BULKOPS_S3_PUBLIC_ENDPOINT_URL"] == minio_on_the_host  # no hosts entry
