"""Migration 0009 on a database made before it: every shop's token keeps working (kept as its digest from now on)
and its app secret, like the URL-signing secret, is sealed with the deployment's key, still opening to the same
secret (signed URLs handed out before stay valid)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from bulkops.app.bootstrap import open_database, signing_secret
from bulkops.app.deployment import secret_box
from bulkops.config import Settings
from bulkops.db import database
from bulkops.domain.shops.rules import shop_by_token

TOKEN = "shpat_0123456789abcdef0123456789abcdef"
SECRET = "fedcba9876543210fedcba9876543210"
SIGNING = "ab" * 32


def database_at_0007_with_a_shop(path: Path) -> None:
    url = f"sqlite:///{path}"
    config = Config()
    config.set_main_option("script_location", str(database._MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0007")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO shops (name, domain, access_token, api_secret, is_development, bulk_lock, "
                          "created_at) VALUES ('old', 'old.myshopify.com', :token, :secret, 0, 0, :now)"),
                     {"token": TOKEN, "secret": SECRET, "now": datetime(2026, 1, 1)})
        conn.execute(text("INSERT INTO server_secrets (name, value) VALUES ('url-signing', :value)"),
                     {"value": SIGNING})
    engine.dispose()


def test_existing_tokens_keep_working_and_secrets_are_sealed(tmp_path: Path) -> None:
    database_at_0007_with_a_shop(tmp_path / "bulkops.db")
    settings = Settings(data_dir=tmp_path)

    db = open_database(settings, secret_box(settings))
    with db.read() as conn:
        shop = shop_by_token(conn, TOKEN)
        stored = conn.execute(text("SELECT access_token_sha256, api_secret_sealed FROM shops")).one()
        signing_stored = conn.execute(text("SELECT value FROM server_secrets")).scalar_one()
    signing = signing_secret(db, secret_box(settings))
    db.dispose()

    assert shop is not None and shop.name == "old"
    assert TOKEN not in stored.access_token_sha256 and SECRET not in stored.api_secret_sealed
    assert secret_box(settings).open(stored.api_secret_sealed) == SECRET
    assert signing == SIGNING and SIGNING not in signing_stored
