"""The payload for every way an operation ends, and the retry schedule, as pure rules (spec 6.2, 6.3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bulkops.config import Settings
from bulkops.engine.lifecycle import OperationType, Status
from bulkops.engine.operations import Operation
from bulkops.webhooks.payload import finish_payload
from bulkops.webhooks.retry import RetryPolicy

CREATED = datetime(2026, 7, 21, 2, 7, 50, 123456)
ENDED = datetime(2026, 7, 21, 2, 9, 1, 999999)
COMPLETED_QUERY = Operation(
    id=720918, shop_id=1, type=OperationType.QUERY, status=Status.COMPLETED, error_code=None, query="{ shop { id } }",
    client_identifier=None, group_objects=False, api_version="2026-10", staged_upload_path=None, input_size=None,
    input_lines=None, created_at=CREATED, started_at=CREATED, completed_at=ENDED, finished_at=ENDED,
    object_count=1, root_object_count=1, file_size=10, result_key="r", partial_key=None, heartbeat_at=None,
    worker=None)
SHOPIFY_GUIDE_EXAMPLE_KEYS = ["admin_graphql_api_id", "completed_at", "created_at", "error_code", "status", "type"]


def test_a_completed_query_reads_as_in_shopifys_guide() -> None:
    payload = finish_payload(COMPLETED_QUERY)

    assert list(payload) == SHOPIFY_GUIDE_EXAMPLE_KEYS
    assert payload == {"admin_graphql_api_id": "gid://shopify/BulkOperation/720918",
                       "completed_at": "2026-07-21T02:09:01Z", "created_at": "2026-07-21T02:07:50Z",
                       "error_code": None, "status": "completed", "type": "query"}


def test_a_failed_operation_carries_its_error_code_in_lower_case() -> None:
    failed = replace(COMPLETED_QUERY, type=OperationType.MUTATION, status=Status.FAILED, error_code="TIMEOUT")

    payload = finish_payload(failed)

    assert (payload["status"], payload["error_code"], payload["type"]) == ("failed", "timeout", "mutation")


def test_a_canceled_operation_has_no_completed_at() -> None:
    canceled = replace(COMPLETED_QUERY, status=Status.CANCELED, completed_at=None)

    assert finish_payload(canceled)["status"] == "canceled"
    assert finish_payload(canceled)["completed_at"] is None


def test_each_failed_try_waits_the_next_delay_and_the_last_gives_up() -> None:
    policy = RetryPolicy((60.0, 120.0))

    assert policy.max_tries == 3
    assert policy.next_try(1, False, ENDED) == datetime(2026, 7, 21, 2, 10, 1, 999999)
    assert policy.next_try(2, False, ENDED) == datetime(2026, 7, 21, 2, 11, 1, 999999)
    assert policy.next_try(3, False, ENDED) is None


def test_a_success_ends_the_delivery_at_any_try() -> None:
    assert RetryPolicy((60.0,)).next_try(1, True, ENDED) is None


def test_the_default_schedule_retries_eight_times_over_four_hours() -> None:
    delays = Settings().webhook_retry_schedule_s
    assert len(delays) == 8
    assert sum(delays) == 4 * 3600
    assert list(delays) == sorted(delays)


def test_a_subscription_goes_only_after_the_set_number_of_deliveries_failed_for_good_in_a_row() -> None:
    policy = RetryPolicy((60.0,), remove_after_failures=8)

    assert not policy.removes_subscription(7)
    assert policy.removes_subscription(8)
    assert Settings().webhook_remove_after_failures == 8


def test_a_removal_threshold_of_zero_never_removes() -> None:
    assert not RetryPolicy((60.0,), remove_after_failures=0).removes_subscription(1_000)
