"""deployment record; shop tokens kept as digests and app secrets sealed

Revision ID: 0009
Revises: 0008
Written by hand. Existing tokens are replaced by their SHA-256 digests (they keep working); app secrets and the
URL-signing secret are sealed with the deployment's key, which ``Database.migrate`` hands in (it never enters
the database).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from bulkops.domain.shops.secrets import token_digest

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("storage", sa.String(255), nullable=False),
        sa.Column("secret_key_fingerprint", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("shops") as batch:
        batch.alter_column("access_token", new_column_name="access_token_sha256", existing_type=sa.String(64),
                           existing_nullable=False)
        batch.alter_column("api_secret", new_column_name="api_secret_sealed", type_=sa.String(255),
                           existing_type=sa.String(64), existing_nullable=False)
    shops = sa.table("shops", sa.column("id"), sa.column("access_token_sha256"), sa.column("api_secret_sealed"))
    server_secrets = sa.table("server_secrets", sa.column("name"), sa.column("value"))
    bind = op.get_bind()
    rows = bind.execute(sa.select(shops.c.id, shops.c.access_token_sha256, shops.c.api_secret_sealed)).fetchall()
    kept = bind.execute(sa.select(server_secrets.c.name, server_secrets.c.value)).fetchall()
    if not rows and not kept:
        return
    box = context.config.attributes.get("secret_box")
    if box is None:
        raise RuntimeError("sealing the stored secrets needs the deployment's key (open the database with "
                           "bulkops.app.bootstrap.open_database)")
    for row in rows:
        bind.execute(sa.update(shops).where(shops.c.id == row.id).values(
            access_token_sha256=token_digest(row.access_token_sha256),
            api_secret_sealed=box.seal(row.api_secret_sealed)))
    for secret in kept:
        bind.execute(sa.update(server_secrets).where(server_secrets.c.name == secret.name).values(
            value=box.seal(secret.value)))


def downgrade() -> None:
    raise NotImplementedError("tokens kept as digests cannot be turned back into tokens")
