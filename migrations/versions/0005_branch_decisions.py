"""branch decisions: the way each enrollment went at a branch or wait_for step

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "branch_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.String(length=100), nullable=False),
        sa.Column("step_id", sa.String(length=100), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_branch_decisions_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_branch_decisions_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_decisions")),
    )
    op.create_index(
        op.f("ix_branch_decisions_contact_id"), "branch_decisions", ["contact_id"], unique=False
    )
    op.create_index(
        op.f("ix_branch_decisions_enrollment_id"),
        "branch_decisions",
        ["enrollment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_branch_decisions_enrollment_id"), table_name="branch_decisions")
    op.drop_index(op.f("ix_branch_decisions_contact_id"), table_name="branch_decisions")
    op.drop_table("branch_decisions")
