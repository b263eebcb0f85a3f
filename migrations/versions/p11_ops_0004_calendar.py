"""private calendar feed secrets

Revision ID: p11_ops_0004_calendar
Revises: p11_ops_0003_local_time
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p11_ops_0004_calendar"
down_revision = "p11_ops_0003_local_time"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_calendar_feed_token_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feed_token_user_id")),
    )


def downgrade():
    op.drop_table("calendar_feed_token")
