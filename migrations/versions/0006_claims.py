"""claims: the lease moves from enrollments to contacts; step attempts; notification leases

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_contacts_lease_until"), ["lease_until"], unique=False)
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_column("lease_owner")
        batch.drop_column("lease_until")
        batch.add_column(
            sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_column("last_error")
        batch.drop_column("attempts")
        batch.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index(batch.f("ix_contacts_lease_until"))
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
