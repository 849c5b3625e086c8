"""Alembic environment for the verdict store: run on a connection the viewer hands over.

The viewer builds the Alembic Config in code (viewer.review.database.migrate) and passes its
open connection as ``config.attributes["connection"]``; no alembic.ini is read.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the verdict store's migrations through viewer.review.database.migrate")

context.configure(
    connection=connection, target_metadata=None, render_as_batch=True, transactional_ddl=True
)
with context.begin_transaction():
    context.run_migrations()
