"""The tables, declared once with SQLAlchemy Core; Alembic migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
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

shops = Table(
    "shops",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("domain", String(255), nullable=False, unique=True),
    Column("access_token", String(64), nullable=False, unique=True),
    Column("api_secret", String(64), nullable=False),
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
    Index("ix_bulk_operations_shop_type_status", "shop_id", "type", "status"),
    Index("ix_bulk_operations_shop_created", "shop_id", "created_at"),
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
)

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
