"""Gift cards: a code unique in the shop (8–20 letters and digits, generated when not given), an initial value
that is also the first balance, an optional customer and recipient, an expiry date in the future."""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import gift_cards
from bulkops.domain.customers.rules import customer_exists
from bulkops.domain.money import SHOP_CURRENCY, amount_text, parse_amount
from bulkops.protocol.errors import UserError, UserErrors

CODE_MIN, CODE_MAX, GENERATED_LENGTH = 8, 20, 16
MAX_INITIAL_VALUE = Decimal("100000")
_CODE = re.compile(r"^[A-Za-z0-9]+$")
_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class GiftCardFields:
    """What a create/update input says (None = not given). Update never sees code or initial value."""

    initial_value: str | None = None
    code: str | None = None
    customer_id: int | None = None
    recipient: dict[str, Any] | None = None
    expires_on: date | None = None
    note: str | None = None
    template_suffix: str | None = None


def _code_errors(conn: Connection, shop_id: int, code: str) -> list[UserError]:
    at = ["input", "code"]
    if len(code) < CODE_MIN:
        return [UserError(f"Code is too short (minimum is {CODE_MIN} characters)", at, "TOO_SHORT")]
    if len(code) > CODE_MAX:
        return [UserError(f"Code is too long (maximum is {CODE_MAX} characters)", at, "TOO_LONG")]
    if not _CODE.match(code):
        return [UserError("Code must be alphanumeric", at, "INVALID")]
    if by_code(conn, shop_id, code) is not None:
        return [UserError("Code has already been taken", at, "TAKEN")]
    return []


def _common_errors(conn: Connection, shop_id: int, fields: GiftCardFields, today: date) -> list[UserError]:
    errors: list[UserError] = []
    if fields.customer_id is not None and not customer_exists(conn, shop_id, fields.customer_id):
        errors.append(UserError("Customer does not exist", ["input", "customerId"], "CUSTOMER_NOT_FOUND"))
    if fields.recipient is not None and not customer_exists(conn, shop_id, fields.recipient["id"]):
        errors.append(UserError("Recipient does not exist", ["input", "recipientAttributes", "id"],
                                "RECIPIENT_NOT_FOUND"))
    if fields.expires_on is not None and fields.expires_on <= today:
        errors.append(UserError("Expires on must be in the future", ["input", "expiresOn"], "INVALID"))
    if fields.note is not None and len(fields.note) > 5000:
        errors.append(UserError("Note is too long (maximum is 5000 characters)", ["input", "note"], "TOO_LONG"))
    return errors


def _unique_code(conn: Connection, shop_id: int) -> str:
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))
        if by_code(conn, shop_id, code) is None:
            return code


def create_gift_card(conn: Connection, shop_id: int, fields: GiftCardFields, now: datetime) -> int:
    errors: list[UserError] = []
    value = parse_amount(fields.initial_value)
    if value is None or value <= 0:
        errors.append(UserError("Initial value must be greater than 0", ["input", "initialValue"], "GREATER_THAN"))
    elif value > MAX_INITIAL_VALUE:
        errors.append(UserError(f"Initial value must be less than or equal to {amount_text(MAX_INITIAL_VALUE)}",
                                ["input", "initialValue"], "GIFT_CARD_LIMIT_EXCEEDED"))
    code = re.sub(r"[\s-]", "", fields.code) if fields.code is not None else None
    if code is not None:
        errors += _code_errors(conn, shop_id, code)
    errors += _common_errors(conn, shop_id, fields, now.date())
    if errors:
        raise UserErrors(errors)
    assert value is not None
    return inserted_id(conn.execute(insert(gift_cards).values(
        shop_id=shop_id, code=(code or _unique_code(conn, shop_id)).lower(), initial_value=amount_text(value),
        balance=amount_text(value), currency=SHOP_CURRENCY, customer_id=fields.customer_id,
        expires_on=fields.expires_on, note=fields.note, template_suffix=fields.template_suffix,
        recipient=fields.recipient, enabled=True, created_at=now, updated_at=now,
    )))


def update_gift_card(conn: Connection, shop_id: int, gift_card_id: int, fields: GiftCardFields,
                     now: datetime) -> int:
    if get_gift_card(conn, shop_id, gift_card_id) is None:
        raise UserError("Gift card does not exist", ["id"])
    errors = _common_errors(conn, shop_id, fields, now.date())
    if errors:
        raise UserErrors([UserError(e.message, e.field) for e in errors])
    values = {k: v for k, v in {
        "customer_id": fields.customer_id, "recipient": fields.recipient, "expires_on": fields.expires_on,
        "note": fields.note, "template_suffix": fields.template_suffix}.items() if v is not None}
    conn.execute(update(gift_cards).where(gift_cards.c.id == gift_card_id).values(**values, updated_at=now))
    return gift_card_id


def by_code(conn: Connection, shop_id: int, code: str) -> Any | None:
    return conn.execute(select(gift_cards).where(gift_cards.c.shop_id == shop_id,
                                                 gift_cards.c.code == code.lower())).first()


def get_gift_card(conn: Connection, shop_id: int, gift_card_id: int) -> Any | None:
    return conn.execute(select(gift_cards).where(gift_cards.c.shop_id == shop_id,
                                                 gift_cards.c.id == gift_card_id)).first()
