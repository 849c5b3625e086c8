"""Apply batches: each request that edits an identity, before it is sent and after its answer.

Revision ID: 0002_apply_batches
Revises: 0001_verdicts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_apply_batches"
down_revision = "0001_verdicts"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "apply_batches",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("group_id", sa.String(256), nullable=False),
        sa.Column("identity_id", sa.String(256), nullable=True),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("image_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "operation IN ('add', 'remove', 'create')", name="ck_apply_batches_operation"
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'confirmed', 'failed')", name="ck_apply_batches_state"
        ),
    )
    op.create_index("ix_apply_batches_group", "apply_batches", ["namespace", "group_id", "id"])
