"""productVariantsBulkCreate, productVariantsBulkUpdate, productVariantsBulkDelete, productVariantsBulkReorder."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.fields import FieldMap
from bulkops.domain.products import rules as product_rules
from bulkops.domain.products import variants as rules
from bulkops.domain.products.fields import VARIANT
from bulkops.engine.executor import LineExecutor, LineRunner
from bulkops.graphql.bindings.common import guarded, require_id, user_errors
from bulkops.graphql.bindings.products import (
    load_product,
    load_variant,
    present_variant,
    product_presenter,
    set_owned_metafields,
    variant_spec,
)
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.planner.mutation_plan import Plan
from bulkops.graphql.planner.writer_base import PreparedHere, decode_variables
from bulkops.protocol.errors import UserError, UserErrors
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

if TYPE_CHECKING:
    from sqlalchemy import Connection

mutation = ObjectType("Mutation")


def _product_id(context: RequestContext, raw: str) -> int:
    number = require_id(raw, "Product")
    if not number or not product_rules.product_exists(context.conn, context.shop.id, number):
        raise UserError("Product does not exist", ["productId"], "PRODUCT_DOES_NOT_EXIST")
    return number


def _option_names(context: RequestContext, product_id: int) -> dict[str, str]:
    return {f"gid://shopify/ProductOption/{o.id}": o.name for o in rules.options_of(context.conn, product_id)}


def _variant_metafields(context: RequestContext, variants: list[dict[str, Any]], ids: list[int]) -> None:
    for index, (raw, variant_id) in enumerate(zip(variants, ids, strict=False)):
        set_owned_metafields(context, "ProductVariant", variant_id, raw.get("metafields"),
                             ["variants", str(index), "metafields"], "INVALID")


def _payload(context: RequestContext, product_id: int, variant_ids: list[int] | None,
             errors: list[UserError] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"product": load_product(context, product_id),
                               "userErrors": user_errors(UserErrors(errors or []))}
    if variant_ids is not None:
        payload["productVariants"] = [load_variant(context, i) for i in variant_ids]
    return payload


@mutation.field("productVariantsBulkCreate")
@guarded(lambda errors: {"product": None, "productVariants": None, "userErrors": errors})
def resolve_bulk_create(_: Any, info: GraphQLResolveInfo, productId: str, variants: list[dict[str, Any]],
                        strategy: str = "DEFAULT", media: Any = None) -> dict[str, Any]:
    """``media`` is accepted and not stored (this server keeps no media)."""
    context = ctx(info)
    product_id = _product_id(context, productId)
    names = _option_names(context, product_id)
    for index, raw in enumerate(variants):
        if raw.get("id"):
            raise UserError("On create, this key cannot be used.", ["variants", str(index), "id"], "NO_KEY_ON_CREATE")
    specs = [variant_spec(v, names) for v in variants]
    [answer] = rules.create_many(context.conn, context.shop.id,
                                 [rules.VariantsCreateInput(product_id, specs, strategy)], context.now)
    if isinstance(answer, UserErrors):
        raise answer
    ids = answer.variant_ids
    _variant_metafields(context, variants, ids)
    return _payload(context, product_id, ids)


@mutation.field("productVariantsBulkUpdate")
@guarded(lambda errors: {"product": None, "productVariants": None, "userErrors": errors})
def resolve_bulk_update(_: Any, info: GraphQLResolveInfo, productId: str, variants: list[dict[str, Any]],
                        allowPartialUpdates: bool = False, media: Any = None) -> dict[str, Any]:
    """Atomic unless ``allowPartialUpdates``: then the valid variants are saved and the others reported."""
    context = ctx(info)
    product_id = _product_id(context, productId)
    names = _option_names(context, product_id)
    early: list[UserError] = []
    usable: list[tuple[int, rules.VariantSpec]] = []
    for index, raw in enumerate(variants):
        if raw.get("inventoryQuantities"):
            early.append(UserError(
                "Inventory quantities can only be provided during create. To update inventory for existing "
                "variants, use inventoryAdjustQuantities.", ["variants", str(index), "inventoryQuantities"],
                "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE"))
        else:
            usable.append((index, variant_spec(raw, names)))
    if early and not allowPartialUpdates:
        raise UserErrors(early)
    [answer] = rules.update_many(context.conn, context.shop.id,
                                 [rules.VariantsUpdateInput(product_id, [s for _, s in usable], allowPartialUpdates)],
                                 context.now)
    if isinstance(answer, UserErrors):
        raise answer
    updated, errors = answer.variant_ids, answer.errors
    for error in errors:
        if error.field and len(error.field) > 1:
            error.field[1] = str(usable[int(error.field[1])][0])
    by_id = {s.id: i for i, s in usable}
    for variant_id in updated:
        index = by_id[variant_id]
        set_owned_metafields(context, "ProductVariant", variant_id, variants[index].get("metafields"),
                             ["variants", str(index), "metafields"], "INVALID_INPUT")
    return _payload(context, product_id, updated, sorted(early + errors, key=_input_index))


def _input_index(error: UserError) -> int:
    """The position in ``variants`` an error is about (its field path is ``["variants", "<index>", ...]``)."""
    return int(error.field[1]) if error.field and len(error.field) > 1 else 0


@mutation.field("productVariantsBulkDelete")
@guarded(lambda errors: {"product": None, "userErrors": errors})
def resolve_bulk_delete(_: Any, info: GraphQLResolveInfo, productId: str, variantsIds: list[str]) -> dict[str, Any]:
    context = ctx(info)
    product_id = _product_id(context, productId)
    numbers = [_variant_number(raw) for raw in variantsIds]
    rules.bulk_delete(context.conn, product_id, numbers, context.now)
    return _payload(context, product_id, None)


def _variant_number(raw: str) -> int | None:
    try:
        kind, number = parse_gid(raw)
    except InvalidGlobalId:
        return None
    return number if kind == "ProductVariant" else None


@mutation.field("productVariantsBulkReorder")
@guarded(lambda errors: {"product": None, "userErrors": errors})
def resolve_bulk_reorder(_: Any, info: GraphQLResolveInfo, productId: str,
                         positions: list[dict[str, Any]]) -> dict[str, Any]:
    context = ctx(info)
    product_id = _product_id(context, productId)
    moves = [(_variant_number(p["id"]), int(p["position"])) for p in positions]
    rules.bulk_reorder(context.conn, product_id, moves, context.now)
    return _payload(context, product_id, None)


_WRITTEN = (rules.VariantsCreated, rules.VariantsUpdated)


class _VariantsChunks(PreparedHere):
    """What the two variant writers share: the chunk's lines through the domain's batch (``batch_type``), the
    lines it wrote answered from the rows it read, the others as the ordinary path answered them."""

    batch_type: Any
    prepare: Callable[[Plan, list[bytes]], list[Any]]

    def __init__(self, plan: Plan, make_context: Callable[[Connection], RequestContext], slow: LineExecutor,
                 elsewhere: Any = None) -> None:
        super().__init__(plan, make_context, slow)
        selected = plan.selected_names() or set()
        # a document that does not select the product is not given one (present_product formats every field)
        self.present_product = product_presenter(plan.selected_names("product")) if "product" in selected else None
        self.present_variant = _variant_presenter(plan.selected_names("productVariants"))

    def run_chunk(self, conn: Connection, lines: list[bytes], run_line: LineRunner) -> list[dict[str, Any]]:
        context = self.make_context(conn)
        batch = self.batch_type(conn, context.shop.id, read_rows=True,
                                read_products=self.present_product is not None)
        answers = batch.run(self.prepare(self.plan, lines), context.now, lambda index: run_line(lines[index]))
        return [self._response(context, a) if isinstance(a, _WRITTEN) else a for a in answers]

    def _response(self, context: RequestContext, answer: rules.VariantsCreated | rules.VariantsUpdated
                  ) -> dict[str, Any]:
        variants = [self.present_variant(row) for row in answer.variants or []]
        product = None if self.present_product is None else self.present_product(answer.product)
        return self.plan.shape({"product": product, "productVariants": variants, "userErrors": []}, context)


_CREATE_BATCHABLE_VARIANT = frozenset({"optionValues", "price", "compareAtPrice", "barcode", "taxable",
                                       "inventoryPolicy", "inventoryItem", "inventoryQuantities"})
"""Per line, the ordinary way: ``id`` (refused on create), ``metafields``, option values given by ``optionId``
(named from the database), the fields this server does not keep, and any line the batch cannot vouch for (see
``VariantsCreateBatch``: a product without options, a new option value, a taken combination...)."""


class VariantsCreateChunks(_VariantsChunks):
    """productVariantsBulkCreate a chunk at a time, through ``domain/products/variants.py:create_many`` (which
    the synchronous mutation uses with a batch of one): new variants of existing option values the batch can
    vouch for are written with one INSERT for the chunk; any other line runs the ordinary way at its turn."""

    @staticmethod
    def fits(plan: Plan) -> bool:
        return (plan.root_field_name == "productVariantsBulkCreate" and plan.pure_payload
                and plan.constant_args.keys() <= {"strategy"}
                and {a.name for a in plan.variable_args} <= {"productId", "variants", "strategy"})

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[rules.VariantsCreateInput | None]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        return [_prepare_create_line(plan, raw) for raw in lines]

    batch_type = rules.VariantsCreateBatch


def _prepare_create_line(plan: Plan, raw: bytes) -> rules.VariantsCreateInput | None:
    found = _product_and_variants(plan, raw, _CREATE_BATCHABLE_VARIANT)
    if found is None:
        return None
    args, product_id, raw_variants = found
    if any(value.get("optionName") is None for v in raw_variants for value in v.get("optionValues") or []):
        return None
    return rules.VariantsCreateInput(product_id, [variant_spec(v) for v in raw_variants],
                                     args.get("strategy") or "DEFAULT")


def _product_and_variants(plan: Plan, raw: bytes, batchable: frozenset[str]
                          ) -> tuple[dict[str, Any], int, list[dict[str, Any]]] | None:
    """A line's arguments, product number and variant inputs, when every variant input gives only
    ``batchable`` fields (else None: the line runs the ordinary way)."""
    variables = decode_variables(raw)
    args = None if variables is None else plan.arguments(variables)
    if args is None or not isinstance(args.get("productId"), str) or not isinstance(args.get("variants"), list):
        return None
    product_id = _gid_number(args["productId"], "Product")
    if product_id is None or any(not v.keys() <= batchable for v in args["variants"]):
        return None
    return args, product_id, args["variants"]


_UPDATE_BATCHABLE_VARIANT = frozenset({"id", "price", "compareAtPrice", "barcode", "taxable", "inventoryPolicy",
                                       "inventoryItem"})
"""Per line, the ordinary way: ``optionValues`` (checked against the product's other variants),
``metafields``, ``inventoryQuantities`` (refused on update), the fields this server does not keep (``mediaSrc``,
``taxCode``...: left to the ordinary path so that whatever it does with them stays the one rule), and any line
the batch cannot vouch for (see ``VariantsUpdateBatch``)."""


class VariantsUpdateChunks(_VariantsChunks):
    """productVariantsBulkUpdate a chunk at a time, through ``domain/products/variants.py:update_many`` (which
    the synchronous mutation uses with a batch of one): updates of variants' own columns the batch can vouch
    for are written with one executemany per set of columns; any other line runs the ordinary way at its turn."""

    @staticmethod
    def fits(plan: Plan) -> bool:
        return (plan.root_field_name == "productVariantsBulkUpdate" and plan.pure_payload
                and plan.constant_args.keys() <= {"allowPartialUpdates"}
                and {a.name for a in plan.variable_args} <= {"productId", "variants", "allowPartialUpdates"})

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[rules.VariantsUpdateInput | None]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        return [_prepare_update_line(plan, raw) for raw in lines]

    batch_type = rules.VariantsUpdateBatch


def _variant_presenter(names: set[str] | None) -> Callable[[Any], dict[str, Any]]:
    """present_variant, or a presenter of only the selected fields (a bulk import selecting ``id price`` need
    not format every timestamp of every variant)."""
    if names is None or not names <= VARIANT.fields.keys() | {"__typename"}:
        return present_variant
    return FieldMap(VARIANT.type_name, {n: s for n, s in VARIANT.fields.items()
                                        if n in names or n.startswith("_")}).presenter()


def _prepare_update_line(plan: Plan, raw: bytes) -> rules.VariantsUpdateInput | None:
    found = _product_and_variants(plan, raw, _UPDATE_BATCHABLE_VARIANT)
    if found is None:
        return None
    args, product_id, raw_variants = found
    return rules.VariantsUpdateInput(product_id, [variant_spec(v) for v in raw_variants],
                                     bool(args.get("allowPartialUpdates")))


def _gid_number(raw: str, type_name: str) -> int | None:
    try:
        kind, number = parse_gid(raw)
    except InvalidGlobalId:
        return None
    return number if kind == type_name else None


bindables = [mutation]
