"""Verdict actions and verdict events.

Revision ID: 0001_verdicts
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_verdicts"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("group_id", sa.String(256), nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("undoes_action_id", ID, sa.ForeignKey("actions.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("face_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('verdict', 'undo', 'import')", name="ck_actions_kind"),
    )
    op.create_index("ix_actions_analyst", "actions", ["namespace", "group_id", "analyst", "id"])
    op.create_index("ix_actions_undoes", "actions", ["undoes_action_id"])
    op.create_table(
        "verdict_events",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("action_id", ID, sa.ForeignKey("actions.id"), nullable=False),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("group_id", sa.String(256), nullable=False),
        sa.Column("face_id", sa.String(300), nullable=False),
        sa.Column("image_id", sa.String(256), nullable=True),
        sa.Column("verdict", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaces_event_id", ID, sa.ForeignKey("verdict_events.id"), nullable=True),
        sa.Column("replaced_verdict", sa.String(32), nullable=True),
        sa.Column("restores_event_id", ID, sa.ForeignKey("verdict_events.id"), nullable=True),
        sa.CheckConstraint(
            "verdict IS NULL OR verdict IN ('belongs', 'not_this_person', 'unsure')",
            name="ck_verdict_events_verdict",
        ),
    )
    op.create_index("ix_events_face", "verdict_events", ["namespace", "group_id", "face_id", "id"])
    op.create_index("ix_events_action", "verdict_events", ["action_id"])
