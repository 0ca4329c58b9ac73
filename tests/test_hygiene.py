"""The code stays lint-clean (ruff) and type-clean (mypy, configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    executable = TOOLS / tool
    if not executable.exists():
        pytest.skip(f"{tool} is not installed in this environment")
    return subprocess.run([str(executable), *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing_to_report_in_the_package_and_the_tests() -> None:
    result = _run("ruff", "check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_type_errors_in_the_package() -> None:
    result = _run("mypy", "src/bulkops")
    assert result.returncode == 0, result.stdout + result.stderr
