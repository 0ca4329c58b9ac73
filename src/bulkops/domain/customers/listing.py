"""``customers``: search fields and sort keys, for the paginated resolver and the bulk export alike."""

from __future__ import annotations

from bulkops.db.tables import customers
from bulkops.domain.listing import Listing, Search
from bulkops.domain.rest_paging import RestListing

CUSTOMERS = Listing(
    "Customer", customers,
    sort_keys={"ID": customers.c.id, "CREATED_AT": customers.c.created_at, "UPDATED_AT": customers.c.updated_at,
               "NAME": customers.c.last_name, "RELEVANCE": customers.c.id, "LOCATION": customers.c.id},
    default_sort="ID",
    search=Search(
        fields={"email": customers.c.email, "phone": customers.c.phone, "first_name": customers.c.first_name,
                "last_name": customers.c.last_name, "tag": customers.c.tags, "state": customers.c.state,
                "created_at": customers.c.created_at, "updated_at": customers.c.updated_at, "id": customers.c.id,
                "locale": customers.c.locale},
        default=customers.c.email,
        negating_aliases={"tag_not": "tag"},
    ),
)

CUSTOMERS_REST = RestListing(customers)
"""``GET customers.json``: by id, with the filters every REST list shares."""
