"""The tables, declared once with SQLAlchemy Core; Alembic migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

Id = BigInteger().with_variant(Integer, "sqlite")

server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)

deployment = Table(
    "deployment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("storage", String(255), nullable=False),
    Column("secret_key_fingerprint", String(64), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)
"""One row: how the deployment on this database runs (embedded or queue), where its files live, and which key
seals its secrets. A process started otherwise refuses to run (``bulkops.app.deployment``)."""

shops = Table(
    "shops",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("domain", String(255), nullable=False, unique=True),
    Column("access_token_sha256", String(64), nullable=False, unique=True),
    Column("api_secret_sealed", String(255), nullable=False),
    Column("is_development", Boolean, nullable=False, default=False),
    Column("bulk_lock", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
)

staged_uploads = Table(
    "staged_uploads",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False, index=True),
    Column("key", String(1024), nullable=False, unique=True),
    Column("resource", String(64), nullable=False),
    Column("filename", String(512), nullable=False),
    Column("mime_type", String(255), nullable=False),
    Column("http_method", String(8), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("uploaded_at", DateTime),
    Column("size", BigInteger),
    Column("md5", String(64)),
)

bulk_operations = Table(
    "bulk_operations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error_code", String(32)),
    Column("query", Text, nullable=False),
    Column("client_identifier", String(255)),
    Column("group_objects", Boolean, nullable=False, default=False),
    Column("api_version", String(16), nullable=False),
    Column("staged_upload_path", String(1024)),
    Column("input_size", BigInteger),
    Column("input_lines", BigInteger),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("completed_at", DateTime),
    Column("finished_at", DateTime),
    Column("object_count", BigInteger, nullable=False, default=0),
    Column("root_object_count", BigInteger, nullable=False, default=0),
    Column("file_size", BigInteger),
    Column("result_key", String(1024)),
    Column("partial_key", String(1024)),
    Column("heartbeat_at", DateTime),
    Column("worker", String(128)),
    Column("retries", Integer, nullable=False, default=0, server_default="0"),
    Column("retry_reason", Text),
    Column("finishing_status", String(16)),
    Column("finishing_error_code", String(32)),
    Column("failed_lines_key", String(1024)),
    Index("ix_bulk_operations_shop_type_status", "shop_id", "type", "status"),
    Index("ix_bulk_operations_shop_created", "shop_id", "created_at"),
    Index("ix_bulk_operations_retries", "retries"),
)

bulk_chunks = Table(
    "bulk_chunks",
    metadata,
    Column("operation_id", ForeignKey("bulk_operations.id"), primary_key=True),
    Column("chunk_index", Integer, primary_key=True, autoincrement=False),
    Column("first_line", BigInteger, nullable=False),
    Column("last_line", BigInteger, nullable=False),
    Column("object_count", BigInteger, nullable=False),
    Column("root_object_count", BigInteger, nullable=False),
    Column("segment_key", String(1024), nullable=False),
    Column("segment_size", BigInteger, nullable=False),
    Column("resume_offset", BigInteger, nullable=False, default=0),
    Column("result_data", LargeBinary),
    Column("failed_lines", BigInteger, nullable=False, default=0, server_default="0"),
    Column("duration_ms", Integer),
    Column("recorded_at", DateTime),
    Column("worker", String(128)),
)

bulk_workers = Table(
    "bulk_workers",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("heartbeat_at", DateTime, nullable=False, index=True),
)

emulation_rules = Table(
    "emulation_rules",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("fault_type", String(32)),
    Column("shop", String(255)),
    Column("operation_type", String(16)),
    Column("operation_id", BigInteger),
    Column("body", JSON, nullable=False),
    Column("times", Integer),
    Column("fired", Integer, nullable=False, default=0),
    Column("draws", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
)
"""The emulator's progression rules and faults (control plane): in the database, so every process follows them."""

emulated_operations = Table(
    "emulated_operations",
    metadata,
    Column("operation_id", BigInteger, primary_key=True, autoincrement=False),
    Column("reads", Integer, nullable=False, default=0),
    Column("granted_lines", Integer, nullable=False, default=0),
    Column("forced_status", String(16)),
)
"""Per operation under a progression rule: reads seen (``polls`` mode), lines granted by ``advance`` and a
status it was told to reach."""

products = Table(
    "products",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("title", String(255), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("description_html", Text, nullable=False, default=""),
    Column("vendor", String(255), nullable=False, default=""),
    Column("product_type", String(255), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="ACTIVE"),
    Column("tags", JSON, nullable=False, default=list),
    Column("template_suffix", String(255)),
    Column("seo_title", String(255)),
    Column("seo_description", Text),
    Column("gift_card", Boolean, nullable=False, default=False),
    Column("requires_selling_plan", Boolean, nullable=False, default=False),
    Column("category_id", String(255)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("published_at", DateTime),
    UniqueConstraint("shop_id", "handle", name="uq_products_shop_handle"),
)

product_options = Table(
    "product_options",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    Column("values", JSON, nullable=False, default=list),
)

product_variants = Table(
    "product_variants",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    Column("selected_options", JSON, nullable=False, default=list),
    Column("price", String(32), nullable=False, default="0.00"),
    Column("compare_at_price", String(32)),
    Column("sku", String(255)),
    Column("barcode", String(255)),
    Column("taxable", Boolean, nullable=False, default=True),
    Column("inventory_quantity", Integer, nullable=False, default=0),
    Column("inventory_policy", String(16), nullable=False, default="DENY"),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("inventory_item", JSON(none_as_null=True)),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("first_name", String(255)),
    Column("last_name", String(255)),
    Column("email", String(255)),
    Column("phone", String(64)),
    Column("note", Text),
    Column("tags", JSON, nullable=False, default=list),
    Column("state", String(16), nullable=False, default="DISABLED"),
    Column("verified_email", Boolean, nullable=False, default=True),
    Column("tax_exempt", Boolean, nullable=False, default=False),
    Column("locale", String(16), nullable=False, default="en"),
    Column("addresses", JSON, nullable=False, default=list),
    Column("email_marketing_consent", JSON),
    Column("sms_marketing_consent", JSON),
    Column("tax_exemptions", JSON),
    Column("multipass_identifier", String(255)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("shop_id", "email", name="uq_customers_shop_email"),
    UniqueConstraint("shop_id", "phone", name="uq_customers_shop_phone"),
)

metafields = Table(
    "metafields",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("owner_type", String(64), nullable=False),
    Column("owner_id", BigInteger, nullable=False),
    Column("namespace", String(255), nullable=False),
    Column("key", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("type", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("owner_type", "owner_id", "namespace", "key", name="uq_metafields_owner_ns_key"),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("topic", String(128), nullable=False),
    Column("uri", Text, nullable=False),
    Column("format", String(8), nullable=False),
    Column("filter", Text),
    Column("include_fields", JSON, nullable=False, default=list),
    Column("metafield_namespaces", JSON, nullable=False, default=list),
    Column("api_version", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_webhook_subscriptions_shop_topic", "shop_id", "topic"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False, index=True),
    Column("subscription_id", ForeignKey("webhook_subscriptions.id", ondelete="SET NULL")),
    Column("operation_id", BigInteger),
    Column("topic", String(128), nullable=False),
    Column("uri", Text, nullable=False),
    Column("api_version", String(16), nullable=False),
    Column("webhook_id", String(64), nullable=False, unique=True),
    Column("event_id", String(64), nullable=False),
    Column("triggered_at", DateTime, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime),
    Column("last_response_code", Integer),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Index("ix_webhook_deliveries_status_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_subscription_finished", "subscription_id", "finished_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("response_code", Integer),
    Column("error", Text),
)

collections = Table(
    "collections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("title", String(255), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("description_html", Text, nullable=False, default=""),
    Column("sort_order", String(16), nullable=False, default="BEST_SELLING"),
    Column("template_suffix", String(255)),
    Column("seo_title", String(255)),
    Column("seo_description", Text),
    Column("rule_set", JSON(none_as_null=True)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("published_at", DateTime),
    UniqueConstraint("shop_id", "handle", name="uq_collections_shop_handle"),
)

collection_products = Table(
    "collection_products",
    metadata,
    Column("collection_id", ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("position", Integer, nullable=False),
)

publications = Table(
    "publications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("auto_publish", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("shop_id", "name", name="uq_publications_shop_name"),
)

resource_publications = Table(
    "resource_publications",
    metadata,
    Column("publication_id", ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True),
    Column("resource_type", String(32), primary_key=True),
    Column("resource_id", BigInteger, primary_key=True),
    Column("publish_date", DateTime, nullable=False),
    Index("ix_resource_publications_resource", "resource_type", "resource_id"),
)

# ---- shop data behind the bulk mutations: metaobjects, selling, store credit, marketing (migration 0004) ----
metaobject_definitions = Table(
    "metaobject_definitions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("type", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text),
    Column("display_name_key", String(64)),
    Column("field_definitions", JSON, nullable=False, default=list),
    Column("access", JSON, nullable=False, default=dict),
    Column("capabilities", JSON, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("shop_id", "type", name="uq_metaobject_definitions_shop_type"),
)

metaobjects = Table(
    "metaobjects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("definition_id", ForeignKey("metaobject_definitions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("type", String(255), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("fields", JSON, nullable=False, default=dict),
    Column("status", String(16), nullable=False, default="ACTIVE"),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("shop_id", "type", "handle", name="uq_metaobjects_shop_type_handle"),
)

price_lists = Table(
    "price_lists",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

price_list_prices = Table(
    "price_list_prices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("price_list_id", ForeignKey("price_lists.id", ondelete="CASCADE"), nullable=False),
    Column("variant_id", BigInteger, nullable=False),
    Column("amount", String(32), nullable=False),
    Column("compare_at_amount", String(32)),
    Column("currency", String(3), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("price_list_id", "variant_id", name="uq_price_list_prices_list_variant"),
)

gift_cards = Table(
    "gift_cards",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("initial_value", String(32), nullable=False),
    Column("balance", String(32), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("customer_id", BigInteger),
    Column("expires_on", Date),
    Column("note", Text),
    Column("template_suffix", String(255)),
    Column("recipient", JSON),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("deactivated_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("shop_id", "code", name="uq_gift_cards_shop_code"),
)

store_credit_accounts = Table(
    "store_credit_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("owner_type", String(64), nullable=False),
    Column("owner_id", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("balance", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("shop_id", "owner_type", "owner_id", "currency", name="uq_store_credit_accounts_owner_currency"),
)

store_credit_transactions = Table(
    "store_credit_transactions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", ForeignKey("store_credit_accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("amount", String(32), nullable=False),
    Column("balance_after", String(32), nullable=False),
    Column("expires_at", DateTime),
    Column("event", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

marketing_activities = Table(
    "marketing_activities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("remote_id", String(255), nullable=False),
    Column("title", String(255), nullable=False),
    Column("status", String(32), nullable=False),
    Column("tactic", String(32), nullable=False),
    Column("channel_type", String(32), nullable=False),
    Column("channel_handle", String(255)),
    Column("remote_url", Text, nullable=False),
    Column("remote_preview_image_url", Text),
    Column("referring_domain", String(255)),
    Column("url_parameter_value", String(255)),
    Column("utm", JSON),
    Column("hierarchy_level", String(16)),
    Column("parent_remote_id", String(255)),
    Column("budget", JSON),
    Column("ad_spend", JSON),
    Column("schedule", JSON, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("shop_id", "remote_id", name="uq_marketing_activities_shop_remote"),
)

marketing_engagements = Table(
    "marketing_engagements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("activity_id", ForeignKey("marketing_activities.id", ondelete="CASCADE")),
    Column("channel_handle", String(255)),
    Column("occurred_on", Date, nullable=False),
    Column("is_cumulative", Boolean, nullable=False),
    Column("utc_offset", String(8), nullable=False),
    Column("metrics", JSON, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_marketing_engagements_target_day", "shop_id", "activity_id", "channel_handle", "occurred_on"),
)

product_media = Table(
    "product_media",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("media_content_type", String(16), nullable=False),
    Column("original_source", Text, nullable=False),
    Column("alt", Text),
    Column("status", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("preview_image_url", Text),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_product_media_product_position", "product_id", "position"),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("is_primary", Boolean, nullable=False, default=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

inventory_quantities = Table(
    "inventory_quantities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("item_id", ForeignKey("product_variants.id", ondelete="CASCADE"), nullable=False),
    Column("location_id", ForeignKey("locations.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("item_id", "location_id", "name", name="uq_inventory_quantities_level_name"),
)

inventory_adjustment_groups = Table(
    "inventory_adjustment_groups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("reference_document_uri", Text),
    Column("changes", JSON, nullable=False, default=list),
    Column("created_at", DateTime, nullable=False),
)

virtual_clock = Table(
    "virtual_clock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("offset_seconds", Float, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
"""At most one row (id 1): how far the control plane moved this deployment's time from the real clock. Every
process's clock adds it (``engine/virtual_clock.py``); no row means real time."""

request_log = Table(
    "request_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("shop", String(255)),
    Column("api_version", String(16)),
    Column("kind", String(16), nullable=False),
    Column("operation_name", String(255)),
    Column("root_fields", JSON, nullable=False),
    Column("variables", Text),
    Column("status", Integer, nullable=False),
    Column("error_codes", JSON, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("cost", Integer),
)
"""The Shopify endpoint's recent calls, for the control plane (``GET /__bulkops/requests``): never a token nor a
body, variables truncated, only the newest ``REQUEST_LOG_SIZE`` rows kept."""
