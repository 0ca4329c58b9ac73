"""Shopify's REST Admin resources, shaped from the domain's rows: a protocol binding beside graphql/ (thin: parse
parameters, call domain/<resource>/, shape). HTTP (auth, routes, the Link header) is app/rest.py's."""
