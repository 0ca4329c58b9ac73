"""``python -m bulkops.db.revision "message"``: write the next Alembic migration from ``tables.py``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from bulkops.db.database import _MIGRATIONS, Database


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'revision.db'}")
        db.migrate()
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        config.set_main_option("sqlalchemy.url", db.url)
        existing = sorted(p.name.split("_")[0] for p in (_MIGRATIONS / "versions").glob("[0-9]*.py"))
        next_id = f"{int(existing[-1]) + 1:04d}" if existing else "0001"
        with db.engine.connect() as conn:
            config.attributes["connection"] = conn
            command.revision(config, message=message, autogenerate=True, rev_id=next_id)


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
