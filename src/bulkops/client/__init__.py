"""The client side of a bulk flow, as ``bulkops import`` and ``bulkops export`` run it against bulkops or a
real shop: check a file before upload (``checks``), follow and fetch an operation (``session``), and turn its
result file into a summary and a failure report (``report``). The commands in ``bulkops.cli`` only wire
these together; ``console`` draws them."""

from bulkops.client.sdk import BulkClient, BulkClientError

__all__ = ["BulkClient", "BulkClientError"]
