"""The README's "Scale-out, step by step" section, run as written: its first block (where PostgreSQL, Redis and
S3 are) is replaced by this machine's addresses (a fresh database, a queue name of its own, moto's S3 server on
a free port); every other block runs verbatim in one bash, which must complete an import and an export."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.scaleout import REDIS_URL, fresh_database, fresh_queue_name, moto_s3, sqlalchemy_url
from tests.server import free_port

pytest.importorskip("celery")
pytest.importorskip("boto3")
if shutil.which("curl") is None:
    pytest.skip("the README's steps use curl", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Scale-out, step by step"


def readme_blocks() -> list[str]:
    """The section's bash blocks, in order (up to its Docker part, which needs Docker)."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ", 1)]
    section = section[:section.index("**With Docker.**")]
    return re.findall(r"```bash\n(.*?)```", section, re.S)


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database("bulkops_readme") as url:
        yield sqlalchemy_url(url)


@pytest.fixture
def queue_name() -> Iterator[str]:
    with fresh_queue_name("bulkops_readme") as name:
        yield name


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


def machine_settings(database: str, queue_name: str, s3_endpoint: str, port: int) -> str:
    """The first block, for this machine."""
    return "\n".join([
        f"export BULKOPS_DATABASE_URL={database}",
        f"export BULKOPS_QUEUE_URL={REDIS_URL} BULKOPS_QUEUE_NAME={queue_name}",
        f"export BULKOPS_S3_ENDPOINT_URL={s3_endpoint}",
        "export AWS_ACCESS_KEY_ID=bulkops-test AWS_SECRET_ACCESS_KEY=bulkops-test-secret AWS_DEFAULT_REGION=us-east-1",
        "export AWS_CONFIG_FILE=/nonexistent/aws-config AWS_SHARED_CREDENTIALS_FILE=/nonexistent/aws-credentials",
        "export BULKOPS_HELPER_PROCESSES=0",
        f"PORT={port}",
    ])


def run_script(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run in its own process group, so the server and workers it starts in the background die with it."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(["bash", "-c", script], cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=240)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(process.args, process.returncode, out, "")


def logs(cwd: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(cwd.glob("*.log")))


def test_the_readme_scale_out_steps_complete_an_import_and_an_export(
        tmp_path: Path, database: str, queue_name: str, s3_endpoint: str) -> None:
    settings, *steps = readme_blocks()
    script = "\n".join(["set -e", machine_settings(database, queue_name, s3_endpoint, free_port()), *steps])

    done = run_script(script, tmp_path)

    assert "BULKOPS_DATABASE_URL" in settings and len(steps) == 3
    assert done.returncode == 0, done.stdout + logs(tmp_path)
    results = [orjson.loads(line) for line in (tmp_path / "results.jsonl").read_bytes().splitlines()]
    exported = [orjson.loads(line) for line in (tmp_path / "products-export.jsonl").read_bytes().splitlines()]
    assert [r["data"]["productCreate"]["userErrors"] for r in results] == [[], []]
    assert sorted(p["title"] for p in exported) == ["Scaled snowboard 1", "Scaled snowboard 2"]
    assert 'bulkops_import_lines_total{mutation="productCreate"} 2.0' in done.stdout
    assert "celery" in (tmp_path / "worker-1.log").read_text() + (tmp_path / "worker-2.log").read_text()
