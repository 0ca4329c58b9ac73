"""The ``bulkops`` command: the server's commands (``bulkops.app.cli``: serve, worker, seed, shop, webhooks) and
the client's (``bulkops.client.cli``: import, export, operation, cancel; ``bulkops.client.admin_cli``: admin) as one
command line.

Both modules are cheap to import: a server command imports the server only when it runs, so ``bulkops import``
and ``bulkops --help`` start without SQLAlchemy, Ariadne or the schemas (``tests/client/test_cli.py``).
"""

from __future__ import annotations

import typer

from bulkops.app import cli as server
from bulkops.client import admin_cli
from bulkops.client import cli as client

app = typer.Typer(help="bulkops: a self-hostable, Shopify-compatible bulk operations server.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.registered_commands = [*server.app.registered_commands, *client.app.registered_commands]
app.registered_groups = [*server.app.registered_groups, *client.app.registered_groups]
app.add_typer(admin_cli.app, name="admin")

if __name__ == "__main__":
    app()
