"""``shop.json`` and ``oauth/access_scopes.json``: the REST Shop resource from what a shop keeps here (its name,
domain, creation and primary location) and what a new Shopify store answers for the rest; null for what this
server has no value for."""

from __future__ import annotations

from typing import Any

from bulkops.domain.money import SHOP_CURRENCY
from bulkops.domain.shops.rules import ACCESS_SCOPES, ShopDetails
from bulkops.rest.shapes import rest_time

_UNKNOWN = dict.fromkeys((
    "address1", "address2", "city", "province", "province_code", "country", "country_code", "country_name", "zip",
    "phone", "latitude", "longitude", "source", "shop_owner", "google_apps_domain", "google_apps_login_enabled",
    "county_taxes", "taxes_included", "tax_shipping", "auto_configure_tax_inclusivity",
))


def present(details: ShopDetails) -> dict[str, Any]:
    shop = details.shop
    email = f"owner@{shop.domain}"
    created = rest_time(details.created_at)
    return {
        "id": shop.id, "name": shop.name, "email": email, "domain": shop.domain, **_UNKNOWN,
        "primary_locale": "en", "created_at": created, "updated_at": created, "customer_email": email,
        "currency": SHOP_CURRENCY, "timezone": "(GMT+00:00) UTC", "iana_timezone": "UTC",
        "money_format": "${{amount}}", "money_with_currency_format": "${{amount}} " + SHOP_CURRENCY,
        "money_in_emails_format": "${{amount}}",
        "money_with_currency_in_emails_format": "${{amount}} " + SHOP_CURRENCY, "weight_unit": "kg",
        "plan_display_name": "Development" if shop.is_development else "Basic",
        "plan_name": "partner_test" if shop.is_development else "basic", "has_discounts": False,
        "has_gift_cards": True, "myshopify_domain": shop.domain, "eligible_for_payments": False,
        "requires_extra_payments_agreement": False, "password_enabled": shop.is_development,
        "has_storefront": True, "finances": True, "primary_location_id": details.primary_location_id,
        "checkout_api_supported": False, "multi_location_enabled": True, "setup_required": False,
        "pre_launch_enabled": False, "enabled_presentment_currencies": [SHOP_CURRENCY],
        "marketing_sms_consent_enabled_at_checkout": False, "transactional_sms_disabled": False,
    }


def access_scopes() -> dict[str, Any]:
    return {"access_scopes": [{"handle": handle} for handle in ACCESS_SCOPES]}
