"""Webhook subscriptions and the durable delivery of ``bulk_operations/finish`` (spec 6)."""
