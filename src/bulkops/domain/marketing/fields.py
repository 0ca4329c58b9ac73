"""MarketingActivity and MarketingEngagement: each field's source, once (domain/fields.py)."""

from __future__ import annotations

from typing import Any

from bulkops.domain.fields import APP, Computed, Const, FieldMap, Plain, Read, Resolved, Source, columns
from bulkops.domain.money import amount_text, money

METRICS = ("adSpend", "allConversions", "clicksCount", "commentsCount", "complaintsCount", "failsCount",
           "favoritesCount", "firstTimeCustomers", "impressionsCount", "orders", "primaryConversions",
           "returningCustomers", "sales", "sendsCount", "sessionsCount", "sharesCount", "uniqueClicksCount",
           "uniqueViewsCount", "unsubscribesCount", "viewsCount")
MONEY_METRICS = {"adSpend", "sales"}
DECIMAL_METRICS = {"allConversions", "firstTimeCustomers", "orders", "primaryConversions", "returningCustomers"}


def money_out(raw: dict[str, Any] | None) -> dict[str, str] | None:
    """A stored MoneyInput as a MoneyV2."""
    return money(str(raw["amount"]), raw["currencyCode"]) if raw else None


def _budget(row: Any) -> dict[str, Any] | None:
    if not row.budget or not row.budget.get("total"):
        return None
    return {"budgetType": row.budget.get("budgetType") or "DAILY", "total": money_out(row.budget["total"])}


MARKETING_ACTIVITY = FieldMap("MarketingActivity", {
    "id": Plain("id", "gid"),
    **columns(title="title", status="status", tactic="tactic", marketingChannel="channel_type",
              marketingChannelType="channel_type", urlParameterValue="url_parameter_value", utmParameters="utm",
              hierarchyLevel="hierarchy_level", parentRemoteId="parent_remote_id"),
    "statusLabel": Computed(lambda row: row.status.replace("_", " ").capitalize()),
    "statusTransitionedAt": Plain("updated_at", "time"),
    "sourceAndMedium": Computed(
        lambda row: f"{row.channel_handle or 'external'} {row.tactic.lower().replace('_', ' ')}"),
    "adSpend": Computed(lambda row: money_out(row.ad_spend)), "budget": Computed(_budget),
    "scheduledStart": Computed(lambda row: (row.schedule or {}).get("scheduledStart")),
    "isExternal": Const(True), "app": Const(APP), "inMainWorkflowVersion": Const(False),
    **{name: Const(None) for name in ("targetStatus", "parentActivityId", "activityListUrl", "formData",
                                      "appErrors", "marketingEvent", "statusBadgeType", "statusBadgeTypeV2")},
    "createdAt": Plain("created_at", "time"), "updatedAt": Plain("updated_at", "time"),
})


def _metric(name: str) -> Read:
    """One metric of the stored ``metrics``: money as MoneyV2, decimals in Shopify's Decimal form."""
    if name in MONEY_METRICS:
        return lambda row: money_out(row.metrics.get(name))
    if name in DECIMAL_METRICS:
        return lambda row: amount_text(str(value)) if (value := row.metrics.get(name)) is not None else None
    return lambda row: row.metrics.get(name)


_METRIC_FIELDS: dict[str, Source] = {name: Computed(_metric(name)) for name in METRICS}

MARKETING_ENGAGEMENT = FieldMap("MarketingEngagement", {
    **_METRIC_FIELDS,
    **columns(channelHandle="channel_handle", isCumulative="is_cumulative", utcOffset="utc_offset"),
    "occurredOn": Computed(lambda row: row.occurred_on.isoformat()),
    "marketingActivity": Resolved(),
})
