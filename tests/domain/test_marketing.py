"""marketingActivityUpsertExternal (by remoteId) and marketingEngagementCreate (one per target and day)."""

from __future__ import annotations

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

UPSERT = """mutation upsert($input: MarketingActivityUpsertExternalInput!) {
  marketingActivityUpsertExternal(input: $input) {
    marketingActivity { id title status tactic marketingChannelType isExternal utmParameters { campaign source medium }
                        adSpend { amount currencyCode } budget { budgetType total { amount } } }
    userErrors { field message code }
  }
}"""
ENGAGE = """mutation engage($id: ID, $remoteId: String, $channel: String, $e: MarketingEngagementInput!) {
  marketingEngagementCreate(marketingActivityId: $id, remoteId: $remoteId, channelHandle: $channel,
                            marketingEngagement: $e) {
    marketingEngagement { occurredOn clicksCount impressionsCount adSpend { amount } isCumulative utcOffset
                          channelHandle marketingActivity { title } }
    userErrors { field message code }
  }
}"""
LIST = "{ marketingActivities(first: 10) { nodes { title status } } }"
SPRING = {"remoteId": "spring-1", "title": "Spring sale", "status": "ACTIVE", "tactic": "AD",
          "marketingChannelType": "SOCIAL", "remoteUrl": "https://ads.example.com/spring", "channelHandle": "ads",
          "utm": {"campaign": "spring", "source": "ads", "medium": "cpc"},
          "adSpend": {"amount": "12.5", "currencyCode": "USD"},
          "budget": {"budgetType": "DAILY", "total": {"amount": "100", "currencyCode": "USD"}}}
DAY = {"occurredOn": "2025-04-01", "isCumulative": True, "utcOffset": "+00:00", "clicksCount": 10,
       "impressionsCount": 100, "adSpend": {"amount": "3", "currencyCode": "USD"}}


def upsert(client: BulkClient, **changes: object) -> dict:
    return client.graphql(UPSERT, {"input": {**SPRING, **changes}})["data"]["marketingActivityUpsertExternal"]


def engage(client: BulkClient, engagement: dict, **target: object) -> dict:
    return client.graphql(ENGAGE, {"e": engagement, **target})["data"]["marketingEngagementCreate"]


def test_an_activity_is_created_then_updated_by_remote_id(shop_client: BulkClient) -> None:
    created = upsert(shop_client)
    updated = upsert(shop_client, title="Spring sale (extended)", status="PAUSED")

    assert created["userErrors"] == [] and updated["userErrors"] == []
    activity = updated["marketingActivity"]
    assert activity["id"] == created["marketingActivity"]["id"]
    assert (activity["title"], activity["status"], activity["isExternal"]) == ("Spring sale (extended)", "PAUSED", True)
    assert activity["utmParameters"] == {"campaign": "spring", "source": "ads", "medium": "cpc"}
    assert activity["budget"] == {"budgetType": "DAILY", "total": {"amount": "100.0"}}
    assert shop_client.graphql(LIST)["data"]["marketingActivities"]["nodes"] == [
        {"title": "Spring sale (extended)", "status": "PAUSED"}]


def test_upsert_checks_tracking_immutables_and_currencies(shop_client: BulkClient) -> None:
    upsert(shop_client)

    untracked = upsert(shop_client, remoteId="x", utm=None)
    same_utm = upsert(shop_client, remoteId="copy")
    changed = upsert(shop_client, channelHandle="other-ads")
    currencies = upsert(shop_client, remoteId="fx", utm={"campaign": "fx", "source": "a", "medium": "b"},
                        adSpend={"amount": "1", "currencyCode": "EUR"})

    assert untracked["userErrors"] == [{"field": None, "code": "NON_HIERARCHIAL_REQUIRES_UTM_URL_PARAMETER",
                                        "message": "Non-hierarchical marketing activities must have UTM parameters "
                                                   "or a URL parameter value."}]
    assert same_utm["userErrors"][0]["code"] == "MARKETING_ACTIVITY_WITH_UTM_CAMPAIGN_ALREADY_EXISTS"
    assert changed["userErrors"] == [{"field": ["input", "channelHandle"], "code": "IMMUTABLE_CHANNEL_HANDLE",
                                      "message": "Channel handle cannot be modified."}]
    assert currencies["userErrors"][0]["code"] == "CURRENCY_CODE_MISMATCH_INPUT"


def test_engagement_is_recorded_per_activity_and_day_and_replaced_on_resend(shop_client: BulkClient) -> None:
    activity_id = upsert(shop_client)["marketingActivity"]["id"]

    by_id = engage(shop_client, DAY, id=activity_id)
    by_remote = engage(shop_client, {**DAY, "clicksCount": 12}, remoteId="spring-1")
    channel = engage(shop_client, {**DAY, "clicksCount": 1}, channel="ads")

    assert by_id["userErrors"] == [] and by_remote["userErrors"] == [] and channel["userErrors"] == []
    assert by_remote["marketingEngagement"] == {
        "occurredOn": "2025-04-01", "clicksCount": 12, "impressionsCount": 100, "adSpend": {"amount": "3.0"},
        "isCumulative": True, "utcOffset": "+00:00", "channelHandle": None,
        "marketingActivity": {"title": "Spring sale"}}
    assert channel["marketingEngagement"]["channelHandle"] == "ads"
    assert channel["marketingEngagement"]["marketingActivity"] is None


def test_engagement_needs_exactly_one_known_target(shop_client: BulkClient) -> None:
    activity_id = upsert(shop_client)["marketingActivity"]["id"]

    none = engage(shop_client, DAY)
    two = engage(shop_client, DAY, id=activity_id, remoteId="spring-1")
    unknown = engage(shop_client, DAY, remoteId="nope")
    channel = engage(shop_client, DAY, channel="tv")

    assert none["userErrors"][0]["code"] == "INVALID_MARKETING_ENGAGEMENT_ARGUMENT_MISSING"
    assert two["userErrors"][0]["code"] == "INVALID_MARKETING_ENGAGEMENT_ARGUMENTS"
    assert unknown["userErrors"] == [{"field": ["remoteId"], "message": "Marketing activity does not exist.",
                                      "code": "MARKETING_ACTIVITY_DOES_NOT_EXIST"}]
    assert channel["userErrors"][0]["code"] == "INVALID_CHANNEL_HANDLE"


def test_bulk_marketing_lines_upsert_activities_and_engagements(shop_client: BulkClient) -> None:
    activities = run_bulk(shop_client, UPSERT, {"input": SPRING}, {"input": {**SPRING, "title": "Renamed"}})
    engagements = run_bulk(shop_client, ENGAGE, {"remoteId": "spring-1", "e": DAY},
                           {"remoteId": "spring-1", "e": {**DAY, "occurredOn": "2025-04-02"}})

    ids = {line["data"]["marketingActivityUpsertExternal"]["marketingActivity"]["id"] for line in activities}
    assert len(ids) == 1
    assert [line["data"]["marketingEngagementCreate"]["marketingEngagement"]["occurredOn"]
            for line in engagements] == ["2025-04-01", "2025-04-02"]
    assert shop_client.graphql(LIST)["data"]["marketingActivities"]["nodes"] == [
        {"title": "Renamed", "status": "ACTIVE"}]
