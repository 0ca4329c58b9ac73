"""The client stands alone: ``bulkops import`` and its local checks start without the server (no SQLAlchemy, no
Ariadne, no schema bound to resolvers), and the SDK is importable from ``bulkops.client``. Each check runs in a
fresh interpreter, so what it finds loaded is what the command loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import typer

import bulkops.client
from bulkops.cli import app
from bulkops.client.sdk import BulkClient, BulkClientError

SERVER = ("sqlalchemy", "ariadne", "uvicorn", "starlette", "celery", "alembic", "bulkops.engine", "bulkops.domain",
          "bulkops.graphql", "bulkops.workers", "bulkops.db", "bulkops.storage", "bulkops.webhooks")
CREATE_PRODUCT = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
                  "{ product { id title } userErrors { field message } } }")


def loaded_after(code: str) -> list[str]:
    """The modules loaded once ``code`` has run in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return run.stdout.split()


def server_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == s or m.startswith(s + ".") for s in SERVER)]


def test_the_client_cli_loads_no_server_module() -> None:
    modules = loaded_after("import bulkops.client.cli")

    assert "bulkops.client.cli" in modules
    assert server_modules(modules) == []
    assert [m for m in modules if m.startswith(("bulkops.app", "bulkops.config"))] == []


def test_the_bulkops_command_loads_the_server_only_when_a_server_command_runs() -> None:
    modules = loaded_after("import bulkops.cli")

    assert "bulkops.app.cli" in modules
    assert server_modules(modules) == []


def test_an_import_checked_locally_loads_no_server_module(tmp_path: Path) -> None:
    data = tmp_path / "products.jsonl"
    data.write_bytes(orjson.dumps({"product": {"title": "Hat", "status": "DRAFTY"}}) + b"\n")
    command = ["import", str(data), "--mutation-text", CREATE_PRODUCT, "--validate-only"]
    run_it = (f"from bulkops.cli import app\ntry:\n    app({command!r})\nexcept SystemExit as exit:\n"
              f"    assert exit.code == 1, exit.code")

    modules = loaded_after(run_it)

    assert "bulkops.protocol.check_schema" in modules
    assert server_modules(modules) == []


def test_the_sdk_is_the_client_packages_public_surface() -> None:
    assert bulkops.client.__all__ == ["AsyncBulkClient", "BulkClient", "BulkClientError", "BulkOperation",
                                      "ImportReport", "LineFailure", "RetryPolicy", "StagedTarget"]
    assert bulkops.client.BulkClient is BulkClient and bulkops.client.BulkClientError is BulkClientError


def test_one_bulkops_command_holds_the_server_and_the_client_commands_in_their_order() -> None:
    command = typer.main.get_command(app)

    assert isinstance(command, typer.core.TyperGroup)
    assert list(command.commands) == ["serve", "worker", "seed", "load", "coverage", "import", "export", "operations", "watch", "operation",
                                     "cancel", "shop", "webhooks", "admin"]


def test_a_shop_name_or_domain_is_the_shops_https_url_and_a_loopback_address_is_http() -> None:
    from bulkops.client.session import base_url

    assert base_url("my-shop") == "https://my-shop.myshopify.com"
    assert base_url("my-shop.myshopify.com/") == "https://my-shop.myshopify.com"
    assert base_url("127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert base_url("http://bulkops.internal:8000/") == "http://bulkops.internal:8000"


def test_the_sdk_asks_a_shop_as_shopify_expects_its_token_header_and_versioned_path() -> None:
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response

    from tests.client.stub import stub_shop

    seen: list[tuple[str, str | None, str | None]] = []

    async def graphql(request: Request) -> Response:
        seen.append((request.url.path, request.headers.get("x-shopify-access-token"),
                     request.headers.get("content-type")))
        return JSONResponse({"data": {"shop": {"name": "stub"}}})

    with stub_shop(graphql) as url, BulkClient(url, "shpat_real", version="2026-01") as client:
        body = client.graphql("{ shop { name } }")

    assert body == {"data": {"shop": {"name": "stub"}}}
    assert seen == [("/admin/api/2026-01/graphql.json", "shpat_real", "application/json")]


def test_the_package_ships_its_py_typed_marker() -> None:
    """PEP 561: type checkers read the SDK's annotations only when the installed package has ``py.typed``."""
    root = Path(bulkops.client.__file__).resolve().parents[1]
    pyproject = (root.parents[1] / "pyproject.toml").read_text()

    assert (root / "py.typed").is_file()
    assert 'bulkops = ["py.typed"' in pyproject
