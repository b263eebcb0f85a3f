"""user.session_version: sessions end on sign-out and password change

Revision ID: p9_robust_0001_session_version
Revises: core_0004_governance
Create Date: 2026-11-30 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p9_robust_0001_session_version"
down_revision = "core_0004_governance"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
