"""e-mail preferences, opt-outs, digest entries, once keys; notification link targets

Revision ID: p11_ops_0002_emails
Revises: p11_ops_0001_jobs
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p11_ops_0002_emails"
down_revision = "p11_ops_0001_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_email_preference_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_preference")),
        sa.UniqueConstraint("user_id", "category", name=op.f("uq_email_preference_user_id_category")),
    )
    with op.batch_alter_table("email_preference") as batch_op:
        batch_op.create_index(batch_op.f("ix_email_preference_user_id"), ["user_id"], unique=False)

    op.create_table(
        "email_opt_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_opt_out")),
        sa.UniqueConstraint("address", "category", name=op.f("uq_email_opt_out_address_category")),
    )

    op.create_table(
        "email_digest_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("template", sa.String(length=120), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"],
                                name=op.f("fk_email_digest_entry_territory_id_territory"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_email_digest_entry_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_digest_entry")),
    )
    with op.batch_alter_table("email_digest_entry") as batch_op:
        batch_op.create_index(batch_op.f("ix_email_digest_entry_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_email_digest_entry_territory_id"), ["territory_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_email_digest_entry_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "email_once",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_once")),
        sa.UniqueConstraint("key", name=op.f("uq_email_once_key")),
    )

    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("link_target", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("link_target")
    op.drop_table("email_once")
    op.drop_table("email_digest_entry")
    op.drop_table("email_opt_out")
    op.drop_table("email_preference")
