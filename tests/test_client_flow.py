"""``bulkops import`` / ``export`` / ``operation`` / ``cancel``: the whole client flow against a real server on
loopback (validate, upload, run, progress, results, failure report), driven as a user types it."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from bulkops.cli import app
from bulkops.client.report import import_exit_code, tally_results
from bulkops.client.session import base_url
from tests.server import ServerProcess, free_port

CREATE_PRODUCT = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title } userErrors { field message } } }"
)
PRODUCTS_QUERY = "{ products { edges { node { id title } } } }"


def jsonl(*lines: object) -> str:
    return "".join((line if isinstance(line, str) else orjson.dumps(line).decode()) + "\n" for line in lines)


@pytest.fixture
def shop_env(server: ServerProcess) -> dict[str, str]:
    """BULKOPS_URL and BULKOPS_TOKEN of a fresh shop, as a user would export them."""
    return {"BULKOPS_URL": server.base_url, "BULKOPS_TOKEN": server.new_shop("cli").access_token}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "create.graphql").write_text(CREATE_PRODUCT)
    return tmp_path


def bulkops(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def import_args(workdir: Path, file: Path, *more: str | Path) -> list[str | Path]:
    return ["import", file, "--mutation", workdir / "create.graphql", "--poll-interval", "0.05", *more]


def test_an_import_writes_one_result_per_line_and_exits_0(workdir: Path, shop_env: dict[str, str]) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl(*({"product": {"title": f"Board {i}"}} for i in range(3))))

    run = bulkops(*import_args(workdir, products, "--results", workdir / "out.jsonl",
                               "--client-identifier", "client-flow-test"), env=shop_env)

    results = [orjson.loads(line) for line in (workdir / "out.jsonl").read_bytes().splitlines()]
    assert run.exit_code == 0, run.output
    assert [r["data"]["productCreate"]["product"]["title"] for r in results] == ["Board 0", "Board 1", "Board 2"]
    assert [r["__lineNumber"] for r in results] == [0, 1, 2]
    assert "products.jsonl: 3 lines, no problems found." in run.stdout
    assert ": COMPLETED" in run.stdout
    assert "  succeeded  3\n  failed     0\n" in run.stdout
    assert "3/3" in run.stderr


def test_failed_lines_are_reported_with_their_messages_and_written_with_their_variables(
    workdir: Path, shop_env: dict[str, str]
) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Kept"}}, {"product": {"title": ""}}, "not json", "",
                              {"product": {"title": "Also kept"}}))

    run = bulkops(*import_args(workdir, products, "--failures", workdir / "failed.jsonl"), env=shop_env)

    failed = [orjson.loads(line) for line in (workdir / "failed.jsonl").read_bytes().splitlines()]
    assert run.exit_code == 1, run.output
    assert "products.jsonl:3: Failed to parse the JSONL line" in run.stdout  # found before upload
    assert "  lines      4\n  succeeded  2\n  failed     2\n" in run.stdout
    assert "Failed lines (counted from 1; files carry the 0-based __lineNumber):\n" \
        "  line 2: title: Title can't be blank\n" \
        "  line 3: Failed to parse the JSONL line: " in run.stdout
    assert run.stdout.endswith("(INVALID_JSONL)\n")
    assert [(f["__lineNumber"], f["variables"]) for f in failed] == [(1, {"product": {"title": ""}}), (2, None)]
    assert failed[0]["errors"][0]["message"] == "Title can't be blank"
    assert failed[1]["input"] == "not json"
    assert failed[1]["errors"][0]["extensions"]["code"] == "INVALID_JSONL"
    assert list(failed[0]) == ["__lineNumber", "variables", "errors"]


def test_validate_only_names_the_bad_lines_without_contacting_the_server(workdir: Path) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Fine"}}, "[1, 2]", {"product": {"title": 3}},
                              {"product": {"title": "x", "colour": "red"}}))
    nobody = {"BULKOPS_URL": f"http://127.0.0.1:{free_port()}", "BULKOPS_TOKEN": "shpat_unused"}

    run = bulkops(*import_args(workdir, products, "--validate-only"), env=nobody)

    assert run.exit_code == 1, run.output
    assert "products.jsonl:2: Each JSONL line must be a JSON object holding the mutation's variables; this line " \
        "is an array." in run.stdout
    assert "products.jsonl:3: Variable '$product' has invalid value at .title: String cannot represent a non " \
        "string value: 3" in run.stdout
    assert "products.jsonl:4: Variable '$product' has invalid value: Expected value of type 'ProductCreateInput' " \
        "not to include unknown field 'colour'" in run.stdout
    assert "products.jsonl:1" not in run.stdout
    assert "products.jsonl: 4 lines, 3 with problems." in run.stdout
    assert "error" not in run.stderr


def test_validate_only_passes_a_good_file_with_no_server_at_all(workdir: Path) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Fine"}}, {"product": {"title": "Also fine"}}))

    run = bulkops(*import_args(workdir, products, "--validate-only"), env={"BULKOPS_URL": "", "BULKOPS_TOKEN": ""})

    assert run.exit_code == 0, run.output
    assert "products.jsonl: 2 lines, no problems found." in run.stdout


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (PRODUCTS_QUERY, "Invalid operation type. Only `mutation` operations are supported. (INVALID_MUTATION)"),
        ("mutation { productCreate(", "Failed to parse the mutation - syntax error, unexpected end of file at [1, 25] (INVALID_MUTATION)"),
        ("mutation { a: productCreate(product: {title: \"a\"}) { userErrors { message } } "
         "b: productCreate(product: {title: \"b\"}) { userErrors { message } } }",
         "You must specify a single top level mutation."),
    ],
)
def test_a_mutation_document_the_server_would_refuse_is_refused_before_upload(
    workdir: Path, document: str, message: str
) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Fine"}}))
    nobody = {"BULKOPS_URL": f"http://127.0.0.1:{free_port()}", "BULKOPS_TOKEN": "shpat_unused"}

    checked = bulkops("import", products, "--mutation-text", document, "--validate-only", env=nobody)
    refused = bulkops("import", products, "--mutation-text", document, env=nobody)

    assert checked.exit_code == 1 and f"mutation: {message}\n" in checked.stdout
    assert refused.exit_code == 2 and f"mutation: {message}\n" in refused.stdout
    assert "error" not in refused.stderr  # the unreachable server was never asked


def test_a_run_the_server_refuses_exits_2_with_its_user_error(workdir: Path, shop_env: dict[str, str]) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Fine"}}))

    run = bulkops("import", products, "--mutation-text", PRODUCTS_QUERY, "--skip-validation", env=shop_env)

    assert run.exit_code == 2, run.output
    assert run.stdout == ("bulkOperationRunMutation refused:\n"
                          "  Invalid operation type. Only `mutation` operations are supported. (INVALID_MUTATION)\n")


def test_no_wait_prints_the_operation_id_which_operation_then_reads(workdir: Path, shop_env: dict[str, str]) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Quick"}}))

    started = bulkops(*import_args(workdir, products, "--no-wait", "--no-schema-check"), env=shop_env)
    operation_id = started.stdout.strip().splitlines()[-1]
    number = operation_id.rsplit("/", 1)[1]
    state = {"status": "CREATED"}
    for _ in range(200):
        state = orjson.loads(bulkops("operation", number, env=shop_env).stdout)
        if state["status"] == "COMPLETED":
            break
    cancel = bulkops("cancel", operation_id, env=shop_env)

    assert started.exit_code == 0, started.output
    assert operation_id.startswith("gid://shopify/BulkOperation/")
    assert state["id"] == operation_id and state["status"] == "COMPLETED" and state["objectCount"] == "1"
    assert cancel.exit_code == 2 and orjson.loads(cancel.stdout)["userErrors"]


def test_an_export_writes_its_jsonl_to_the_out_file_or_stdout(workdir: Path, shop_env: dict[str, str]) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Exported 1"}}, {"product": {"title": "Exported 2"}}))
    assert bulkops(*import_args(workdir, products), env=shop_env).exit_code == 0
    (workdir / "products.graphql").write_text(PRODUCTS_QUERY)

    to_file = bulkops("export", workdir / "products.graphql", "--out", workdir / "export.jsonl",
                      "--poll-interval", "0.05", env=shop_env)
    to_stdout = bulkops("export", "--query-text", PRODUCTS_QUERY, "--poll-interval", "0.05", env=shop_env)

    exported = [orjson.loads(line) for line in (workdir / "export.jsonl").read_bytes().splitlines()]
    assert to_file.exit_code == 0, to_file.output
    assert sorted(line["title"] for line in exported) == ["Exported 1", "Exported 2"]
    assert "  objectCount      2\n" in to_file.stderr and f"written to {workdir / 'export.jsonl'}" in to_file.stderr
    assert to_stdout.exit_code == 0
    assert to_stdout.stdout.encode() == (workdir / "export.jsonl").read_bytes()


def test_an_export_the_server_refuses_exits_2(shop_env: dict[str, str]) -> None:
    run = bulkops("export", "--query-text", "{ shop { name } }", env=shop_env)

    assert run.exit_code == 2
    assert "query: Bulk queries must contain at least one connection. (INVALID)" in run.stderr


def test_without_a_url_the_import_says_how_to_give_one(workdir: Path) -> None:
    products = workdir / "products.jsonl"
    products.write_text(jsonl({"product": {"title": "Fine"}}))

    run = bulkops(*import_args(workdir, products), env={"BULKOPS_URL": "", "BULKOPS_TOKEN": ""})

    assert run.exit_code == 2
    assert "--url (or BULKOPS_URL)" in run.stderr


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("my-shop.myshopify.com", "https://my-shop.myshopify.com"),
        ("my-shop", "https://my-shop.myshopify.com"),
        ("https://my-shop.myshopify.com/", "https://my-shop.myshopify.com"),
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost:8000", "http://localhost:8000"),
        ("http://bulkops.internal:8000", "http://bulkops.internal:8000"),
    ],
)
def test_a_shop_domain_or_bare_address_becomes_a_base_url(given: str, url: str) -> None:
    assert base_url(given) == url


def test_an_import_that_did_not_complete_exits_2_and_lines_without_a_result_are_not_successes() -> None:
    tally = tally_results([b'{"data":{"productCreate":{"product":null,"userErrors":[]}},"__lineNumber":0}\n'])

    assert (tally.results, tally.failed) == (1, 0)
    assert import_exit_code("CANCELED", 3, tally) == 2
    assert import_exit_code("FAILED", 1, tally) == 2
    assert import_exit_code("COMPLETED", 3, tally) == 1
    assert import_exit_code("COMPLETED", 1, tally) == 0
