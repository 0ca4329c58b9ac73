"""Customers: unique email and phone per shop, formats checked as Shopify does, marketing consent kept in
Shopify's shape, addresses with stable ids."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert, null, select

from bulkops.clock import iso_z
from bulkops.db.inserted import inserted_id
from bulkops.db.tables import customers
from bulkops.domain.common import normalize_tags
from bulkops.protocol.errors import UserError, UserErrors

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{7,20}$")
SETTABLE_EMAIL_STATES = {"NOT_SUBSCRIBED", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"}
SETTABLE_SMS_STATES = {"NOT_SUBSCRIBED", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"}


class Address(NamedTuple):
    """One stored address (a customer's addresses live in its row, as JSON, under these keys)."""

    id: int
    firstName: str | None
    lastName: str | None
    company: str | None
    address1: str | None
    address2: str | None
    city: str | None
    province: str | None
    provinceCode: str | None
    country: str | None
    countryCode: str | None
    zip: str | None
    phone: str | None


ADDRESS_KEYS = Address._fields[1:]
"""A MailingAddressInput's keys, as stored."""


def address_of(raw: dict[str, Any]) -> Address:
    return Address(raw["id"], *(raw.get(key) for key in ADDRESS_KEYS))


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
    tax_exemptions: list[str] | None = None
    multipass_identifier: str | None = None
    addresses: list[dict[str, Any]] | None = None
    email_marketing_consent: dict[str, Any] | None = None
    sms_marketing_consent: dict[str, Any] | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def normalized_phone(phone: str) -> str:
    """E.164-ish: digits with a leading ``+`` (a bare 10-digit number is taken as North American)."""
    digits = re.sub(r"[^0-9]", "", phone)
    if not phone.strip().startswith("+") and len(digits) == 10:
        digits = "1" + digits
    return "+" + digits


def _consent(raw: dict[str, Any], now: datetime, sms: bool) -> dict[str, Any]:
    """Consent as stored (and read back): state, opt-in level, when, where."""
    stored = {
        "marketingState": raw["marketingState"],
        "marketingOptInLevel": raw.get("marketingOptInLevel") or "SINGLE_OPT_IN",
        "consentUpdatedAt": raw.get("consentUpdatedAt") or iso_z(now),
        "sourceLocationId": raw.get("sourceLocationId"),
    }
    if sms:
        stored["consentCollectedFrom"] = "OTHER"
    return stored


def _check_consent(fields: CustomerFields, values: dict[str, Any], current: Any, errors: list[UserError],
                   now: datetime) -> None:
    for attr, label, contact, states, sms in (
            ("email_marketing_consent", "emailMarketingConsent", "email", SETTABLE_EMAIL_STATES, False),
            ("sms_marketing_consent", "smsMarketingConsent", "phone", SETTABLE_SMS_STATES, True)):
        raw = getattr(fields, attr)
        if raw is None:
            continue
        if current is not None:
            # customerUpdate refuses consent changes; Shopify points at the dedicated mutations (UNCONFIRMED
            # wording, recalled from live responses).
            mutation = "customerSmsMarketingConsentUpdate" if sms else "customerEmailMarketingConsentUpdate"
            errors.append(UserError(f"To update {label}, please use the {mutation} Mutation instead.", [label]))
        elif not values.get(contact):
            message = ("A phone number is required to set the SMS consent state." if sms else
                       "An email address is required to set the email marketing consent state.")
            errors.append(UserError(message, [label]))
        elif raw["marketingState"] not in states:
            errors.append(UserError(f"Marketing state {raw['marketingState']} cannot be set.",
                                    [label, "marketingState"]))
        else:
            values[attr] = _consent(raw, now, sms)


def _address(raw: dict[str, Any], old_ids: set[int]) -> dict[str, Any]:
    kept = {k: raw.get(k) for k in ADDRESS_KEYS}
    if kept["country"] is None and kept["countryCode"]:
        kept["country"] = kept["countryCode"]
    number = None
    if isinstance(raw.get("id"), str) and raw["id"].split("?")[0].rsplit("/", 1)[-1].isdigit():
        number = int(raw["id"].split("?")[0].rsplit("/", 1)[-1])
    kept["id"] = number if number in old_ids else 10**10 + secrets.randbelow(9 * 10**10)
    return kept


Taken = Callable[[str, str], bool]
"""``taken(column, value)``: another customer of the shop already has this email or phone."""


def _validate(fields: CustomerFields, current: Any, now: datetime, taken: Taken) -> dict[str, Any]:
    errors: list[UserError] = []
    values = fields.given()
    if fields.email is not None:
        email = fields.email.strip().lower()
        if email == "":
            values["email"] = None
        elif not _EMAIL.match(email):
            errors.append(UserError("Email is invalid", ["email"]))
        elif taken("email", email):
            errors.append(UserError("Email has already been taken", ["email"]))
        else:
            values["email"] = email
    if fields.phone is not None:
        if fields.phone.strip() == "":
            values["phone"] = None
        elif not _PHONE.match(fields.phone.strip()):
            errors.append(UserError("Phone is invalid", ["phone"]))
        else:
            phone = normalized_phone(fields.phone)
            if taken("phone", phone):
                errors.append(UserError("Phone has already been taken", ["phone"]))
            values["phone"] = phone
    if current is None and not any(values.get(k) for k in ("email", "phone", "first_name", "last_name")):
        errors.append(UserError("A name, phone number, or email address must be present", None))
    contacts = {"email": values.get("email", current.email if current is not None else None),
                "phone": values.get("phone", current.phone if current is not None else None)}
    consent_values: dict[str, Any] = {**contacts}
    _check_consent(fields, consent_values, current, errors, now)
    for attr in ("email_marketing_consent", "sms_marketing_consent"):
        values.pop(attr, None)
        if attr in consent_values:
            values[attr] = consent_values[attr]
    if errors:
        raise UserErrors(errors)
    if "tags" in values:
        values["tags"] = normalize_tags(values["tags"])
    if fields.addresses is not None:
        old_ids = {a.get("id") for a in (current.addresses if current is not None else [])}
        values["addresses"] = [_address(a, old_ids) for a in fields.addresses]
    return values


def _taken_in(conn: Connection, shop_id: int) -> Taken:
    def taken(column: str, value: str) -> bool:
        return conn.execute(
            select(customers.c.id).where(customers.c.shop_id == shop_id, customers.c[column] == value)
        ).first() is not None

    return taken


def _never_taken(_column: str, _value: str) -> bool:
    return False


NEW_CUSTOMER_DEFAULTS: dict[str, Any] = {
    "first_name": None, "last_name": None, "email": None, "phone": None, "note": None, "tags": [], "addresses": [],
    "locale": "en", "tax_exempt": False, "tax_exemptions": [], "state": "DISABLED", "verified_email": True,
    "multipass_identifier": None, "email_marketing_consent": null(), "sms_marketing_consent": null(),
}
"""Every column a new customer's row sets but its owner and times (consent not given is SQL NULL), so that
rows written together share one set of keys."""


def prepare_customer(fields: CustomerFields, now: datetime) -> dict[str, Any] | None:
    """A new customer's row but ``shop_id`` and the times, when the checks that need no database pass (its
    email and phone may still be taken); None: it has errors, create it the ordinary way to report them."""
    try:
        return {**NEW_CUSTOMER_DEFAULTS, **_validate(fields, None, now, _never_taken)}
    except UserErrors:
        return None


def new_customer_row(prepared: dict[str, Any], shop_id: int, now: datetime) -> dict[str, Any]:
    return {**prepared, "shop_id": shop_id, "created_at": now, "updated_at": now}


def create_customer(conn: Connection, shop_id: int, fields: CustomerFields, now: datetime) -> int:
    """One customer, every check asking the database (``batch.create_many`` is the way in; this is its
    ordinary path for an input the batch cannot vouch for)."""
    values = _validate(fields, None, now, _taken_in(conn, shop_id))
    row = new_customer_row({**NEW_CUSTOMER_DEFAULTS, **values}, shop_id, now)
    return inserted_id(conn.execute(insert(customers).values(**row)))


def validate_update(fields: CustomerFields, current: Any, now: datetime, taken: Taken) -> dict[str, Any]:
    """The columns an update of ``current`` sets (``batch.update_many`` is the way in), or its errors raised."""
    return _validate(fields, current, now, taken)


def get_customer(conn: Connection, shop_id: int, customer_id: int) -> Any | None:
    return conn.execute(
        select(customers).where(customers.c.id == customer_id, customers.c.shop_id == shop_id)
    ).first()


def get_customers(conn: Connection, shop_id: int, customer_ids: list[int]) -> dict[int, Any]:
    """The shop's customers with these ids, by id (in one query per 500)."""
    out: dict[int, Any] = {}
    for start in range(0, len(customer_ids), 500):
        part = customer_ids[start:start + 500]
        out |= {row.id: row for row in conn.execute(
            select(customers).where(customers.c.shop_id == shop_id, customers.c.id.in_(part)))}
    return out


def customer_exists(conn: Connection, shop_id: int, customer_id: int) -> bool:
    return get_customer(conn, shop_id, customer_id) is not None
