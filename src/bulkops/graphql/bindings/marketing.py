"""Marketing: marketingActivityUpsertExternal, marketingEngagementCreate; marketingActivities (extension), nodes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.marketing import listing, rules
from bulkops.domain.marketing.fields import MARKETING_ACTIVITY, MARKETING_ENGAGEMENT, METRICS
from bulkops.domain.paging import Window
from bulkops.graphql.bindings.common import connection, guarded, page_args, require_id
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")

present_activity = MARKETING_ACTIVITY.presenter()


@register("MarketingActivity")
def load_activity(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_activity(context.conn, context.shop.id, number)
    return present_activity(row) if row else None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    return str(value) if not isinstance(value, str | int | bool | float) and value is not None else value


@mutation.field("marketingActivityUpsertExternal")
@guarded(lambda errors: {"marketingActivity": None, "userErrors": errors})
def resolve_upsert_external(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    utm = input.get("utm")
    spec = rules.ActivitySpec(
        remote_id=input["remoteId"], title=input["title"], status=input["status"], tactic=input["tactic"],
        channel_type=input["marketingChannelType"], remote_url=str(input["remoteUrl"]),
        channel_handle=input.get("channelHandle"), remote_preview_image_url=input.get("remotePreviewImageUrl"),
        referring_domain=input.get("referringDomain"), url_parameter_value=input.get("urlParameterValue"),
        utm={"campaign": utm["campaign"], "medium": utm["medium"], "source": utm["source"]} if utm else None,
        hierarchy_level=input.get("hierarchyLevel"), parent_remote_id=input.get("parentRemoteId"),
        budget=_plain(input.get("budget")), ad_spend=_plain(input.get("adSpend")),
        schedule={k: input.get(k) for k in ("start", "end", "scheduledStart", "scheduledEnd")},
    )
    number = rules.upsert_activity(context.conn, context.shop.id, spec, context.now)
    return {"marketingActivity": load_activity(context, number), "userErrors": []}


def _activity(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
    return lambda info: load_activity(ctx(info), row.activity_id) if row.activity_id else None


present_engagement = MARKETING_ENGAGEMENT.presenter({"marketingActivity": _activity})


def _target(context: RequestContext, activity_gid: str | None, remote_id: str | None, channel: str | None
            ) -> tuple[int | None, str | None]:
    given = [v for v in (activity_gid, remote_id, channel) if v is not None]
    if not given:
        raise UserError("One of marketingActivityId, remoteId or channelHandle must be provided.", None,
                        "INVALID_MARKETING_ENGAGEMENT_ARGUMENT_MISSING")
    if len(given) > 1:
        raise UserError("Only one of marketingActivityId, remoteId or channelHandle may be provided.", None,
                        "INVALID_MARKETING_ENGAGEMENT_ARGUMENTS")
    if channel is not None:
        if not rules.channel_known(context.conn, context.shop.id, channel):
            raise UserError("The channel handle is not recognized.", ["channelHandle"], "INVALID_CHANNEL_HANDLE")
        return None, channel
    if activity_gid is not None:
        number = require_id(activity_gid, "MarketingActivity")
        row = rules.get_activity(context.conn, context.shop.id, number) if number else None
        field = "marketingActivityId"
    else:
        row = rules.by_remote_id(context.conn, context.shop.id, remote_id or "")
        field = "remoteId"
    if row is None:
        raise UserError("Marketing activity does not exist.", [field], "MARKETING_ACTIVITY_DOES_NOT_EXIST")
    return row.id, None


@mutation.field("marketingEngagementCreate")
@guarded(lambda errors: {"marketingEngagement": None, "userErrors": errors})
def resolve_engagement_create(_: Any, info: GraphQLResolveInfo, marketingEngagement: dict[str, Any],
                              marketingActivityId: str | None = None, remoteId: str | None = None,
                              channelHandle: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    activity_id, channel = _target(context, marketingActivityId, remoteId, channelHandle)
    data = marketingEngagement
    spec = rules.EngagementSpec(
        occurred_on=date.fromisoformat(str(data["occurredOn"])), is_cumulative=data["isCumulative"],
        utc_offset=str(data["utcOffset"]),
        metrics={name: _plain(data[name]) for name in METRICS if data.get(name) is not None})
    number = rules.record_engagement(context.conn, context.shop.id, activity_id, channel, spec, context.now)
    return {"marketingEngagement": present_engagement(rules.get_engagement(context.conn, number)),
            "userErrors": []}


@query.field("marketingActivities")
def resolve_activities(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                       last: int | None = None, before: str | None = None, reverse: bool = False,
                       sortKey: str = "CREATED_AT", query: str | None = None,
                       marketingActivityIds: list[str] | None = None, remoteIds: list[str] | None = None,
                       savedSearchId: str | None = None, utm: dict[str, Any] | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    ids = [require_id(i, "MarketingActivity") or 0 for i in marketingActivityIds] if marketingActivityIds else None
    page = listing.activities_page(context.conn, context.shop.id, query,
                                   Window(first, after, last, before, reverse, sortKey), ids, remoteIds)
    return connection(page, present_activity)


bindables = [query, mutation]
