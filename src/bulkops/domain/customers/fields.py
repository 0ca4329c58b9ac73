"""Customer and its MailingAddress: each field's source, once (domain/fields.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bulkops.domain.customers.rules import ADDRESS_KEYS, Address, address_of
from bulkops.domain.fields import Child, Computed, Const, FieldMap, Plain, columns, common
from bulkops.domain.metafields.listing import owned_metafields
from bulkops.domain.money import SHOP_CURRENCY, money

COUNTRY_NAMES = {
    "US": "United States", "CA": "Canada", "GB": "United Kingdom", "FR": "France", "DE": "Germany",
    "ES": "Spain", "IT": "Italy", "NL": "Netherlands", "BE": "Belgium", "CH": "Switzerland", "AT": "Austria",
    "IE": "Ireland", "PT": "Portugal", "SE": "Sweden", "NO": "Norway", "DK": "Denmark", "FI": "Finland",
    "PL": "Poland", "AU": "Australia", "NZ": "New Zealand", "JP": "Japan", "CN": "China", "IN": "India",
    "BR": "Brazil", "MX": "Mexico", "AR": "Argentina", "ZA": "South Africa", "SG": "Singapore",
    "HK": "Hong Kong SAR", "KR": "South Korea",
}
NOT_SUBSCRIBED = {"marketingState": "NOT_SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN",
                  "consentUpdatedAt": None}


def _country(a: Address) -> str | None:
    return COUNTRY_NAMES.get(a.countryCode or "", a.country)


def _name(a: Address) -> str | None:
    return " ".join(p for p in (a.firstName, a.lastName) if p) or None


def _area(a: Address) -> str | None:
    return ", ".join(p for p in (a.city, a.provinceCode or a.province, _country(a)) if p) or None


def _formatted(a: Address) -> Callable[..., list[str]]:
    """``formatted(withName:, withCompany:)``: the address as the lines of a label."""
    name, country = _name(a), _country(a)

    def formatted(info: Any, withName: bool = False, withCompany: bool = True) -> list[str]:
        lines = [name] if withName and name else []
        if withCompany and a.company:
            lines.append(a.company)
        lines += [p for p in (a.address1, a.address2) if p]
        city_line = " ".join(p for p in (a.city, a.provinceCode or a.province, a.zip) if p)
        return [*lines, *([city_line] if city_line else []), *([country] if country else [])]

    return formatted


MAILING_ADDRESS = FieldMap("MailingAddress", {
    "id": Computed(lambda a: f"gid://shopify/MailingAddress/{a.id}?model_name=CustomerAddress"),
    **columns(**{key: key for key in ADDRESS_KEYS if key not in ("countryCode", "country")}),
    "country": Computed(_country), "countryCodeV2": Plain("countryCode"), "countryCode": Plain("countryCode"),
    "name": Computed(_name), "formatted": Computed(_formatted), "formattedArea": Computed(_area),
    "coordinatesValidated": Const(False), "latitude": Const(None), "longitude": Const(None), "timeZone": Const(None),
    "validationResultSummary": Const(None),
})
"""Read from an :class:`Address`."""

_present_address = MAILING_ADDRESS.presenter()


def present_address(raw: dict[str, Any]) -> dict[str, Any]:
    """A MailingAddress from one stored address."""
    return _present_address(address_of(raw))


def email_consent(row: Any) -> dict[str, Any] | None:
    if not row.email:
        return None
    stored = row.email_marketing_consent or NOT_SUBSCRIBED
    return {"marketingState": stored["marketingState"], "marketingOptInLevel": stored["marketingOptInLevel"],
            "consentUpdatedAt": stored.get("consentUpdatedAt"), "sourceLocation": None}


def sms_consent(row: Any) -> dict[str, Any] | None:
    if not row.phone:
        return None
    stored = row.sms_marketing_consent or NOT_SUBSCRIBED
    return {"marketingState": stored["marketingState"], "marketingOptInLevel": stored["marketingOptInLevel"],
            "consentUpdatedAt": stored.get("consentUpdatedAt"),
            "consentCollectedFrom": stored.get("consentCollectedFrom", "OTHER"), "sourceLocation": None}


def _default_email(row: Any) -> dict[str, Any] | None:
    consent = email_consent(row)
    if consent is None:
        return None
    return {"emailAddress": row.email, "marketingState": consent["marketingState"],
            "marketingOptInLevel": consent["marketingOptInLevel"], "marketingUpdatedAt": consent["consentUpdatedAt"],
            "validFormat": True, "sourceLocation": None, "openTrackingLevel": "UNKNOWN",
            "marketingUnsubscribeUrl": _unsubscribe_url(row),
            "openTrackingUrl": f"https://bulkops.invalid/open-tracking?customer_id={row.id}"}


def _unsubscribe_url(row: Any) -> str:
    """A non-null URL Shopify serves from the shop's domain (its form UNCONFIRMED): nothing here sends mail, so
    it names the customer on a host that says so rather than fail the field."""
    return f"https://bulkops.invalid/unsubscribe?customer_id={row.id}"


def _default_phone(row: Any) -> dict[str, Any] | None:
    consent = sms_consent(row)
    if consent is None:
        return None
    return {"phoneNumber": row.phone, "marketingState": consent["marketingState"],
            "marketingOptInLevel": consent["marketingOptInLevel"], "marketingUpdatedAt": consent["consentUpdatedAt"],
            "marketingCollectedFrom": consent["consentCollectedFrom"], "sourceLocation": None}


def _addresses(row: Any) -> Callable[..., list[dict[str, Any]]]:
    """``addresses(first:)``."""
    addresses = [present_address(a) for a in row.addresses or []]
    return lambda info, first=None: addresses[:first] if first else addresses


def _display_name(row: Any) -> str:
    return " ".join(p for p in (row.first_name, row.last_name) if p) or row.email or row.phone or ""


CUSTOMER = FieldMap("Customer", {
    **common(), "_pk": Plain("id"),
    **columns(firstName="first_name", lastName="last_name", email="email", phone="phone", note="note", tags="tags",
              state="state", verifiedEmail="verified_email", taxExempt="tax_exempt", locale="locale",
              multipassIdentifier="multipass_identifier"),
    "displayName": Computed(_display_name),
    "taxExemptions": Computed(lambda row: row.tax_exemptions or []),
    "addresses": Computed(_addresses),
    "defaultAddress": Computed(lambda row: present_address(row.addresses[0]) if row.addresses else None),
    "emailMarketingConsent": Computed(email_consent), "smsMarketingConsent": Computed(sms_consent),
    "defaultEmailAddress": Computed(_default_email), "defaultPhoneNumber": Computed(_default_phone),
    "validEmailAddress": Computed(lambda row: bool(row.email)),
    "amountSpent": Computed(lambda row: money("0", SHOP_CURRENCY)),
    "numberOfOrders": Const("0"), "canDelete": Const(True), "productSubscriberStatus": Const("NEVER_SUBSCRIBED"),
    "dataSaleOptOut": Const(False), "lifetimeDuration": Const("now"), "hasTimelineComment": Const(False),
    "statistics": Const({"predictedSpendTier": None, "rfmGroup": None}),
    "mergeable": Const({"isMergeable": True, "reason": None, "errorFields": [], "mergeInProgress": None}),
    "unsubscribeUrl": Computed(_unsubscribe_url),
    "metafields": Child(owned_metafields("Customer")),
})
