"""platform operators' API tokens (networks created through the API)

Revision ID: p12_final_0001_platform_tokens
Revises: p15_ui_0001_branding_legal
"""
import sqlalchemy as sa
from alembic import op

revision = "p12_final_0001_platform_tokens"
down_revision = "p15_ui_0001_branding_legal"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "platform_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("read_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_platform_token_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_platform_token_token_hash")),
    )
    with op.batch_alter_table("platform_token") as batch_op:
        batch_op.create_index(batch_op.f("ix_platform_token_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("platform_token") as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_token_user_id"))
    op.drop_table("platform_token")
