"""Customers: unique email and phone per shop, formats checked as Shopify does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bulkops.db.tables import customers
from bulkops.errors import UserError, UserErrors
from bulkops.shop.common import normalize_tags

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{7,20}$")


@dataclass(frozen=True)
class CustomerFields:
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] | None = None
    locale: str | None = None
    tax_exempt: bool | None = None
    addresses: list[dict[str, Any]] | None = None
    email_marketing_consent: dict[str, Any] | None = None
    sms_marketing_consent: dict[str, Any] | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _normalized_phone(phone: str) -> str:
    digits = re.sub(r"[^0-9+]", "", phone)
    return digits if digits.startswith("+") else "+" + digits


def _validate(conn: Connection, shop_id: int, fields: CustomerFields, current_id: int | None,
              creating: bool) -> dict[str, Any]:
    errors: list[UserError] = []
    values = fields.given()
    if fields.email is not None:
        email = fields.email.strip().lower()
        if not _EMAIL.match(email):
            errors.append(UserError("Email is invalid", ["email"]))
        elif _taken(conn, shop_id, "email", email, current_id):
            errors.append(UserError("Email has already been taken", ["email"]))
        values["email"] = email
    if fields.phone is not None:
        if not _PHONE.match(fields.phone.strip()):
            errors.append(UserError("Phone is invalid", ["phone"]))
        else:
            phone = _normalized_phone(fields.phone)
            if _taken(conn, shop_id, "phone", phone, current_id):
                errors.append(UserError("Phone has already been taken", ["phone"]))
            values["phone"] = phone
    if creating and not any(values.get(k) for k in ("email", "phone", "first_name", "last_name")):
        errors.append(UserError("A name, phone number, or email address must be present", None))
    if fields.email_marketing_consent is not None and not (values.get("email") or current_id):
        errors.append(UserError("An email address is required to set the email marketing consent state.",
                                ["emailMarketingConsent"]))
    if fields.sms_marketing_consent is not None and not (values.get("phone") or current_id):
        errors.append(UserError("A phone number is required to set the SMS consent state.",
                                ["smsMarketingConsent"]))
    if errors:
        raise UserErrors(errors)
    if "tags" in values:
        values["tags"] = normalize_tags(values["tags"])
    return values


def _taken(conn: Connection, shop_id: int, column: str, value: str, current_id: int | None) -> bool:
    row = conn.execute(
        select(customers.c.id).where(customers.c.shop_id == shop_id, customers.c[column] == value)
    ).first()
    return row is not None and row.id != current_id


def create_customer(conn: Connection, shop_id: int, fields: CustomerFields, now: datetime) -> int:
    values = _validate(conn, shop_id, fields, None, creating=True)
    values = {"tags": [], "addresses": [], "locale": "en", "tax_exempt": False, "state": "DISABLED",
              "verified_email": True, **values, "shop_id": shop_id, "created_at": now, "updated_at": now}
    return conn.execute(insert(customers).values(**values)).inserted_primary_key[0]


def update_customer(conn: Connection, shop_id: int, customer_id: int, fields: CustomerFields,
                    now: datetime) -> int:
    if get_customer(conn, shop_id, customer_id) is None:
        raise UserError("Customer does not exist", ["id"])
    values = _validate(conn, shop_id, fields, customer_id, creating=False)
    conn.execute(update(customers).where(customers.c.id == customer_id).values(**values, updated_at=now))
    return customer_id


def get_customer(conn: Connection, shop_id: int, customer_id: int) -> Any | None:
    return conn.execute(
        select(customers).where(customers.c.id == customer_id, customers.c.shop_id == shop_id)
    ).first()
