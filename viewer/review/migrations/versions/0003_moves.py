"""Moves: a face marked as belonging to another group's person, kept with who and when.

Revision ID: 0003_moves
Revises: 0002_apply_batches
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_moves"
down_revision = "0002_apply_batches"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "moves",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("group_id", sa.String(256), nullable=False),
        sa.Column("face_id", sa.String(300), nullable=False),
        sa.Column("image_id", sa.String(256), nullable=True),
        sa.Column("target_group", sa.String(256), nullable=True),  # NULL: the move withdrawn
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_moves_face", "moves", ["namespace", "group_id", "face_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_moves_face", table_name="moves")
    op.drop_table("moves")
