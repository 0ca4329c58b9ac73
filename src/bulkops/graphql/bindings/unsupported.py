"""Mutations of the schema subset this server does not emulate: subscriptions and remote payment methods.

They answer a top-level error with ``extensions.code`` NOT_IMPLEMENTED (in a bulk run it lands on the line), so a
client learns at once that the call did nothing, instead of reading a null payload as success.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import ObjectType

from bulkops.protocol.errors import RequestError

mutation = ObjectType("Mutation")

UNSUPPORTED = {
    "subscriptionBillingAttemptCreate": "subscription contracts", "subscriptionContractActivate":
    "subscription contracts", "subscriptionContractAtomicCreate": "subscription contracts",
    "subscriptionContractCancel": "subscription contracts", "subscriptionContractExpire": "subscription contracts",
    "subscriptionContractFail": "subscription contracts", "subscriptionContractPause": "subscription contracts",
    "subscriptionContractProductChange": "subscription contracts",
    "subscriptionContractSetNextBillingDate": "subscription contracts",
    "customerPaymentMethodRemoteCreate": "customer payment methods",
}


def _refuse(field_name: str, area: str) -> Callable[..., None]:
    def resolve(*_args: Any, **_kwargs: Any) -> None:
        raise RequestError(f"{field_name} is not supported by this server: bulkops does not emulate {area}.",
                           "NOT_IMPLEMENTED")

    return resolve


for _name, _area in UNSUPPORTED.items():
    mutation.set_field(_name, _refuse(_name, _area))

bindables = [mutation]
