"""Thin bindings, one module per resource: translate GraphQL arguments, call the domain, shape the answer.
Each module exposes ``bindables`` (and ``modern_bindables`` for fields that exist only from 2026-01);
graphql/schema lists them."""
