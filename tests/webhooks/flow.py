"""Steps the webhook tests share: subscribe, finish a tiny bulk import, and read deliveries back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bulkops.app.bootstrap import open_database
from bulkops.client import BulkClient
from bulkops.config import settings_from_env
from bulkops.webhooks.outbox import deliveries_report

SUBSCRIPTION_FIELDS = (
    "id legacyResourceId topic format uri callbackUrl filter includeFields metafieldNamespaces createdAt updatedAt "
    "apiVersion { handle displayName supported } endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } }"
)
CREATE_SUBSCRIPTION = f"""
mutation create($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {{
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {{
    webhookSubscription {{ {SUBSCRIPTION_FIELDS} }}
    userErrors {{ field message }}
  }}
}}"""
UPDATE_SUBSCRIPTION = f"""
mutation update($id: ID!, $sub: WebhookSubscriptionInput!) {{
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $sub) {{
    webhookSubscription {{ {SUBSCRIPTION_FIELDS} }}
    userErrors {{ field message }}
  }}
}}"""
DELETE_SUBSCRIPTION = """
mutation delete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}"""
READ_SUBSCRIPTION = f"query one($id: ID!) {{ webhookSubscription(id: $id) {{ {SUBSCRIPTION_FIELDS} }} }}"
LIST_SUBSCRIPTIONS = """
query list($first: Int, $topics: [WebhookSubscriptionTopic!], $uri: String, $query: String) {
  webhookSubscriptions(first: $first, topics: $topics, uri: $uri, query: $query) {
    nodes { id topic uri }
    pageInfo { hasNextPage }
  }
}"""
CREATE_PRODUCT = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id } userErrors { field message } } }"
)
OPERATION = "query op($id: ID!) { bulkOperation(id: $id) { id status type errorCode createdAt completedAt } }"


def subscribe(client: BulkClient, uri: str, topic: str = "BULK_OPERATIONS_FINISH", **fields: Any) -> dict[str, Any]:
    """The ``webhookSubscriptionCreate`` payload."""
    body = client.graphql(CREATE_SUBSCRIPTION, {"topic": topic, "sub": {"format": "JSON", "uri": uri, **fields}})
    assert "errors" not in body, body
    return body["data"]["webhookSubscriptionCreate"]


def subscription_ids(client: BulkClient) -> list[str]:
    """The ids ``webhookSubscriptions`` lists for the client's shop."""
    body = client.graphql(LIST_SUBSCRIPTIONS, {"first": 50})
    return [node["id"] for node in body["data"]["webhookSubscriptions"]["nodes"]]


def shopify_hmac(secret: str, raw_body: bytes) -> str:
    """How a receiver checks ``X-Shopify-Hmac-Sha256`` (Shopify's verify-deliveries guide), written out here
    independently of the server's code."""
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()).decode()


def start_an_import(client: BulkClient, lines: int = 2) -> str:
    """Stage and start a bulk productCreate of ``lines`` products; its operation id."""
    data = b"".join(orjson.dumps({"product": {"title": f"Hooked {i}"}}) + b"\n" for i in range(lines))
    started = client.run_mutation(CREATE_PRODUCT, client.stage(data))
    assert started["userErrors"] == [], started
    return str(started["bulkOperation"]["id"])


def read_operation(client: BulkClient, operation_id: str) -> dict[str, Any]:
    """The operation as ``bulkOperation(id:)`` shows it."""
    return client.graphql(OPERATION, {"id": operation_id})["data"]["bulkOperation"]


def finish_an_import(client: BulkClient, lines: int = 2) -> dict[str, Any]:
    """Run a tiny bulk productCreate to its end; the operation as ``bulkOperation(id:)`` shows it."""
    operation_id = start_an_import(client, lines)
    client.wait(operation_id)
    return read_operation(client, operation_id)


def deliveries(data_dir: Path, shop: str | None = None) -> list[dict[str, Any]]:
    """What ``bulkops webhooks deliveries --json`` prints, read through the real command."""
    command = [sys.executable, "-m", "bulkops.cli", "webhooks", "deliveries", "--json", "--data-dir", str(data_dir)]
    if shop:
        command += ["--shop", shop]
    done = subprocess.run(command, capture_output=True, check=True, timeout=120)
    return orjson.loads(done.stdout)


def stored_deliveries(data_dir: Path, shop: str) -> list[dict[str, Any]]:
    """The same report as ``deliveries``, read in-process (no process start; the command is tested once)."""
    return watch(data_dir, shop, lambda _: True)


def settle(data_dir: Path, shop: str, count: int = 1, timeout: float = 60.0) -> list[dict[str, Any]]:
    """The shop's deliveries once ``count`` of them are over (delivered or given up)."""
    return watch(data_dir, shop, lambda report: sum(d["status"] != "pending" for d in report) >= count, timeout)


def watch(data_dir: Path, shop: str, done: Callable[[list[dict[str, Any]]], bool],
          timeout: float = 60.0) -> list[dict[str, Any]]:
    """The shop's deliveries as soon as ``done`` holds for them, read in-process (quick, for waiting)."""
    db = open_database(settings_from_env(data_dir=data_dir))
    deadline = time.monotonic() + timeout
    try:
        while True:
            with db.read() as conn:
                report = deliveries_report(conn, shop)
            if done(report):
                return report
            if time.monotonic() > deadline:
                raise AssertionError(f"deliveries never got there: {report}")
            time.sleep(0.05)
    finally:
        db.dispose()
