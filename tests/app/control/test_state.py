"""``/__bulkops/state``: dump, reset, restore gives the same listings and the same export, files included; an
archive that cannot be restored here changes nothing and says why."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.client.control import ControlPlane, ControlPlaneError
from tests.app.control.flow import create_products, export_products, operation_ids, product_titles
from tests.server import InProcessServer, ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path) as server:
        yield server


@pytest.fixture
def control(server: InProcessServer) -> Iterator[ControlPlane]:
    with server.control() as control:
        yield control


def test_dump_reset_restore_gives_the_same_listings_exports_and_files(
        server: InProcessServer, control: ControlPlane) -> None:
    client = server.client(server.new_shop())
    create_products(client, ["Snowboard", "Wax"])
    control.seed("customers", count=3)
    done = export_products(client)
    exported = httpx.get(done["url"]).content
    before = (product_titles(client), operation_ids(client), client.operation(done["id"]))

    archive = control.dump_state()
    control.reset()
    assert product_titles(client) == [] and httpx.get(done["url"]).status_code == 404
    restored = control.restore_state(archive)

    assert (product_titles(client), operation_ids(client), client.operation(done["id"])) == before
    assert httpx.get(done["url"]).content == exported
    assert restored["rows"]["products"] == 2 and restored["rows"]["customers"] == 3 and restored["files"] >= 1
    assert create_products(client, ["Next"]) == ["gid://shopify/Product/3"]


def archive_with(manifest: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        content = orjson.dumps(manifest)
        info = tarfile.TarInfo("manifest.json")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.mark.parametrize(("archive", "message"), [
    (b"not a tar", "the body is not a tar archive"),
    (archive_with({"format": "other", "version": 1}),
     "the archive is 'other' version 1; this server reads 'bulkops-state' version 1"),
    (archive_with({"format": "bulkops-state", "version": 1, "schemaRevision": "0001"}),
     "the archive is of schema revision 0001, this server's is "),
])
def test_an_archive_that_cannot_be_restored_changes_nothing_and_says_why(
        server: InProcessServer, control: ControlPlane, archive: bytes, message: str) -> None:
    client = server.client(server.new_shop())
    create_products(client, ["Kept"])

    with pytest.raises(ControlPlaneError) as refused:
        control.restore_state(archive)

    assert refused.value.status == 422 and refused.value.message.startswith(message)
    assert product_titles(client) == ["Kept"]


def test_serve_starts_from_an_imported_archive_and_exports_its_state_on_exit(tmp_path: Path) -> None:
    key = "shared-test-key"
    with InProcessServer(tmp_path / "made", {"secret_key": key}) as made, made.control() as control:
        shop = made.new_shop()
        create_products(made.client(shop), ["Imported"])
        (tmp_path / "in.tar.gz").write_bytes(control.dump_state())
    served = ServerProcess(tmp_path / "served", env={"BULKOPS_SECRET_KEY": key},
                           args=["--import", str(tmp_path / "in.tar.gz"), "--export-on-exit", str(tmp_path / "out.tar.gz")])
    with served, served.control() as control:
        client = served.client(shop)
        titles = product_titles(client)
        create_products(client, ["Served"])
        on_by_default = control.health()["backends"]["database"]["kind"]

    with tarfile.open(tmp_path / "out.tar.gz") as archive:
        member = archive.extractfile("tables/products.jsonl")
        assert member is not None
        exported = [orjson.loads(line)["title"] for line in member.read().splitlines()]
    assert titles == ["Imported"] and exported == ["Imported", "Served"] and on_by_default == "sqlite"
