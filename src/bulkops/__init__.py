"""bulkops: a self-hostable bulk-operations engine speaking Shopify's GraphQL Admin bulk protocol."""

__version__ = "0.1.0"
