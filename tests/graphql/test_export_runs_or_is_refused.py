"""A bulk query either runs or is refused when it is created, never FAILED later for something known then
(issue: ``priceRangeV2`` and ``ProductOptionValue.id`` were accepted, then failed on the first row). Each
exportable root is asked for every field of its node the schema has, objects expanded two levels down
(connections and fields with required arguments left out); what the planner refuses is dropped and asked again
without; what it accepts must complete."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, Undefined, get_named_type, is_leaf_type

from bulkops.graphql.planner.export_plan import UnsupportedExport, compile_plan
from bulkops.graphql.schema import schema_for_version
from bulkops.protocol.mutation_document import is_connection_type
from tests.engine.inprocess import VERSION, InProcessBulk
from tests.engine.test_export_breadth import CREATE_WITH_MEDIA
from tests.engine.test_export_format import COLLECTION_CREATE, CUSTOMER_CREATE, PRODUCT_SET, board

REFUSED = "Bulk queries on this server cannot export the field '"
MEDIA = [{"mediaContentType": kind, "originalSource": f"https://example.com/media/{n}{suffix}", "alt": kind}
         for n, (kind, suffix) in enumerate([("IMAGE", ".png"), ("VIDEO", ".mp4"), ("MODEL_3D", ".glb")])]
MEDIA += [{"mediaContentType": "EXTERNAL_VIDEO", "originalSource": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}]
ROOTS = {"products": "Product", "productVariants": "ProductVariant", "customers": "Customer",
         "collections": "Collection", "orders": "Order"}
ORDER_CREATE = """mutation call($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } } }"""
ORDER = {"order": {
    "email": "ann@example.com", "note": "n", "tags": ["t"], "poNumber": "PO-1",
    "billingAddress": {"address1": "1 Main St", "city": "Ottawa", "countryCode": "CA"},
    "shippingAddress": {"address1": "1 Main St", "city": "Ottawa", "countryCode": "CA"},
    "lineItems": [{"title": "Mug", "quantity": 2, "priceSet": {"shopMoney": {"amount": "5", "currencyCode": "USD"}},
                   "taxLines": [{"title": "VAT", "rate": 0.2}]}],
    "shippingLines": [{"title": "Post", "priceSet": {"shopMoney": {"amount": "3", "currencyCode": "USD"}}}],
    "transactions": [{"gateway": "manual", "amountSet": {"shopMoney": {"amount": "15", "currencyCode": "USD"}}}],
    "discountCode": {"itemFixedDiscountCode": {"code": "OFF", "amountSet": {
        "shopMoney": {"amount": "1", "currencyCode": "USD"}}}},
    "customer": {"toUpsert": {"email": "ann@example.com", "firstName": "Ann"}},
    "fulfillment": {"locationId": "gid://shopify/Location/1", "trackingNumber": "1Z"},
}}


def every_field(type_name: str, refused: set[str], depth: int = 2) -> dict[str, str]:
    """Field name -> its selection text: leaves as they are, objects with every field of theirs, but for the
    ``refused`` ones (``Type.field``)."""
    node_type = schema_for_version(VERSION).get_type(type_name)
    assert isinstance(node_type, GraphQLObjectType)
    selected: dict[str, str] = {}
    for name, definition in node_type.fields.items():
        named = get_named_type(definition.type)
        if f"{type_name}.{name}" in refused:
            continue
        if any(isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
               for arg in definition.args.values()):
            continue
        if is_leaf_type(named):
            selected[name] = name
        elif isinstance(named, GraphQLObjectType) and not is_connection_type(named) and depth > 0:
            inner = every_field(named.name, refused, depth - 1)
            if inner:
                selected[name] = f"{name} {{ {' '.join(inner.values())} }}"
    return selected


def jsonl(objects: list[dict]) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in objects)


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> InProcessBulk:
    bulk = InProcessBulk(Path(tmp_path_factory.mktemp("every-field")))
    made = [bulk.start_import(jsonl([board(1), board(2)]), PRODUCT_SET),
            bulk.start_import(jsonl([{"product": {"title": "Lamp"}, "media": MEDIA}]), CREATE_WITH_MEDIA),
            bulk.start_import(jsonl([{"input": {"firstName": "Ada", "email": "ada@example.com", "tags": ["vip"]}}]),
                              CUSTOMER_CREATE),
            bulk.start_import(jsonl([{"input": {"title": "Line"}}]), COLLECTION_CREATE),
            bulk.start_import(jsonl([ORDER]), ORDER_CREATE)]
    bulk.queue.run_pending()
    assert [bulk.operation(op).status for op in made] == ["COMPLETED"] * 5
    return bulk


def refused_field(bulk: InProcessBulk, query: str) -> str | None:
    """The field ``bulkOperationRunQuery`` would refuse (it compiles the plan at creation), if any."""
    with bulk.db.read() as conn:
        try:
            compile_plan(schema_for_version(VERSION), query, conn, bulk.shop.id)
        except UnsupportedExport as refusal:
            message = str(refusal)
            assert message.startswith(REFUSED), message
            return message[len(REFUSED):].split("'")[0]
    return None


@pytest.mark.parametrize("root", ROOTS)
def test_every_field_of_a_root_runs_or_is_refused_at_creation(bulk: InProcessBulk, root: str) -> None:
    refused: set[str] = set()
    while True:
        fields = every_field(ROOTS[root], refused)
        query = f"{{ {root} {{ edges {{ node {{ {' '.join(fields.values())} }} }} }} }}"
        name = refused_field(bulk, query)
        if name is None:
            break
        refused.add(name)
    done = bulk.operation(bulk.start_export(query))
    bulk.queue.run_pending()
    done = bulk.operation(done)

    assert (done.status, done.error_code) == ("COMPLETED", None), refused
    assert len(fields) > 10


def test_every_field_of_every_kind_of_media_exports(bulk: InProcessBulk) -> None:
    """``Product.media``'s nodes are shaped by graphql-core from each row's own type: every field of each."""
    kinds = ["MediaImage", "Video", "ExternalVideo", "Model3d"]
    fragments = " ".join(
        f"... on {kind} {{ {' '.join(f'{kind}_{key}: {text}' for key, text in every_field(kind, set(), 1).items())} }}"
        for kind in kinds)
    query = f"{{ products {{ edges {{ node {{ id media {{ edges {{ node {{ {fragments} }} }} }} }} }} }} }}"
    assert refused_field(bulk, query) is None

    done = bulk.operation(bulk.start_export(query))
    bulk.queue.run_pending()
    done = bulk.operation(done)

    assert (done.status, done.error_code) == ("COMPLETED", None)
    media = [line for line in bulk.lines(done.result_key) if "__parentId" in line]
    assert sorted(next(iter(line)).split("_")[0] for line in media) == sorted(kinds)
