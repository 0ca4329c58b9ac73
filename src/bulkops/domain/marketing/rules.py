"""External marketing activities (upserted by ``remoteId``) and their engagement (one row per target and day).

Codes are Shopify's ``MarketingActivityUserErrorCode``; the wordings are UNCONFIRMED (Shopify documents only the
codes) and kept to one plain sentence each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import marketing_activities, marketing_engagements
from bulkops.protocol.errors import UserError, UserErrors

IMMUTABLE = (
    ("channel_handle", "channelHandle", "IMMUTABLE_CHANNEL_HANDLE", "Channel handle cannot be modified."),
    ("url_parameter_value", "urlParameterValue", "IMMUTABLE_URL_PARAMETER", "URL parameter value cannot be modified."),
    ("utm", "utm", "IMMUTABLE_UTM_PARAMETERS", "UTM parameters cannot be modified."),
    ("hierarchy_level", "hierarchyLevel", "IMMUTABLE_HIERARCHY_LEVEL", "Hierarchy level cannot be modified."),
    ("parent_remote_id", "parentRemoteId", "IMMUTABLE_PARENT_ID", "Parent activity cannot be modified."),
)


@dataclass(frozen=True)
class ActivitySpec:
    remote_id: str
    title: str
    status: str
    tactic: str
    channel_type: str
    remote_url: str
    channel_handle: str | None = None
    remote_preview_image_url: str | None = None
    referring_domain: str | None = None
    url_parameter_value: str | None = None
    utm: dict[str, str] | None = None
    hierarchy_level: str | None = None
    parent_remote_id: str | None = None
    budget: dict[str, Any] | None = None
    ad_spend: dict[str, Any] | None = None
    schedule: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class EngagementSpec:
    occurred_on: date
    is_cumulative: bool
    utc_offset: str
    metrics: dict[str, Any]


def _input_error(message: str, path: list[str] | None, code: str) -> UserError:
    return UserError(message, ["input", *path] if path is not None else None, code)


def _clash(conn: Connection, shop_id: int, remote_id: str, column: Any, value: Any) -> bool:
    return conn.execute(select(marketing_activities.c.id).where(
        marketing_activities.c.shop_id == shop_id, marketing_activities.c.remote_id != remote_id,
        column == value)).first() is not None


def _activity_errors(conn: Connection, shop_id: int, spec: ActivitySpec, existing: Any) -> list[UserError]:
    errors: list[UserError] = []
    if not spec.remote_id.strip():
        errors.append(_input_error("Remote ID can't be blank.", ["remoteId"], "INVALID_REMOTE_ID"))
    if not spec.title.strip():
        errors.append(_input_error("Title can't be blank.", ["title"], "INVALID"))
    if spec.hierarchy_level is None and not spec.utm and not spec.url_parameter_value:
        errors.append(_input_error("Non-hierarchical marketing activities must have UTM parameters or a URL "
                                   "parameter value.", None, "NON_HIERARCHIAL_REQUIRES_UTM_URL_PARAMETER"))
    if spec.parent_remote_id and by_remote_id(conn, shop_id, spec.parent_remote_id) is None:
        errors.append(_input_error("Parent marketing activity does not exist.", ["parentRemoteId"],
                                   "MARKETING_ACTIVITY_DOES_NOT_EXIST"))
    if spec.utm and _clash(conn, shop_id, spec.remote_id, marketing_activities.c.utm, spec.utm):
        errors.append(_input_error("A marketing activity with the same UTM campaign already exists.", ["utm"],
                                   "MARKETING_ACTIVITY_WITH_UTM_CAMPAIGN_ALREADY_EXISTS"))
    if spec.url_parameter_value and _clash(conn, shop_id, spec.remote_id, marketing_activities.c.url_parameter_value,
                                           spec.url_parameter_value):
        errors.append(_input_error("A marketing activity with the same URL parameter value already exists.",
                                   ["urlParameterValue"], "MARKETING_ACTIVITY_WITH_URL_PARAMETER_VALUE_ALREADY_EXISTS"))
    currencies = {m["currencyCode"] for m in (spec.ad_spend, (spec.budget or {}).get("total")) if m}
    if len(currencies) > 1:
        errors.append(_input_error("Currency codes of ad spend and budget must match.", None,
                                   "CURRENCY_CODE_MISMATCH_INPUT"))
    if existing is not None:
        for column, name, code, message in IMMUTABLE:
            given = getattr(spec, column)
            if given is not None and getattr(existing, column) is not None and given != getattr(existing, column):
                errors.append(_input_error(message, [name], code))
    return errors


def upsert_activity(conn: Connection, shop_id: int, spec: ActivitySpec, now: datetime) -> int:
    """Create the activity with this ``remoteId`` or update it (absent optional fields are cleared)."""
    existing = by_remote_id(conn, shop_id, spec.remote_id)
    errors = _activity_errors(conn, shop_id, spec, existing)
    if errors:
        raise UserErrors(errors)
    values = dict(spec.__dict__)
    if existing is not None:
        for column, *_ in IMMUTABLE:
            values[column] = values[column] if values[column] is not None else getattr(existing, column)
        conn.execute(update(marketing_activities).where(marketing_activities.c.id == existing.id).values(
            **values, updated_at=now))
        return existing.id
    return inserted_id(conn.execute(insert(marketing_activities).values(
        **values, shop_id=shop_id, created_at=now, updated_at=now)))


def record_engagement(conn: Connection, shop_id: int, activity_id: int | None, channel_handle: str | None,
                      spec: EngagementSpec, now: datetime) -> int:
    """One engagement per target and day: a second report for the same day replaces the first."""
    money = [m["currencyCode"] for m in (spec.metrics.get("adSpend"), spec.metrics.get("sales")) if m]
    if len(set(money)) > 1:
        raise UserError("Currency codes of ad spend and sales must match.", ["marketingEngagement"],
                        "CURRENCY_CODE_MISMATCH_INPUT")
    where = [marketing_engagements.c.shop_id == shop_id, marketing_engagements.c.occurred_on == spec.occurred_on,
             marketing_engagements.c.activity_id.is_(None) if activity_id is None
             else marketing_engagements.c.activity_id == activity_id,
             marketing_engagements.c.channel_handle.is_(None) if channel_handle is None
             else marketing_engagements.c.channel_handle == channel_handle]
    values = {"is_cumulative": spec.is_cumulative, "utc_offset": spec.utc_offset, "metrics": spec.metrics,
              "updated_at": now}
    row = conn.execute(select(marketing_engagements.c.id).where(*where)).first()
    if row is not None:
        conn.execute(update(marketing_engagements).where(marketing_engagements.c.id == row.id).values(**values))
        return row.id
    return inserted_id(conn.execute(insert(marketing_engagements).values(
        shop_id=shop_id, activity_id=activity_id, channel_handle=channel_handle, occurred_on=spec.occurred_on,
        created_at=now, **values)))


def channel_known(conn: Connection, shop_id: int, channel_handle: str) -> bool:
    """Channel handles are the ones this shop's activities were reported under."""
    return conn.execute(select(marketing_activities.c.id).where(
        marketing_activities.c.shop_id == shop_id, marketing_activities.c.channel_handle == channel_handle
    ).limit(1)).first() is not None


def by_remote_id(conn: Connection, shop_id: int, remote_id: str) -> Any | None:
    return conn.execute(select(marketing_activities).where(marketing_activities.c.shop_id == shop_id,
                                                           marketing_activities.c.remote_id == remote_id)).first()


def get_activity(conn: Connection, shop_id: int, activity_id: int) -> Any | None:
    return conn.execute(select(marketing_activities).where(marketing_activities.c.shop_id == shop_id,
                                                           marketing_activities.c.id == activity_id)).first()


def get_engagement(conn: Connection, engagement_id: int) -> Any | None:
    return conn.execute(select(marketing_engagements).where(marketing_engagements.c.id == engagement_id)).first()
