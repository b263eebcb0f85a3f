"""the network's own audit log (territories, partners and coordinators managed from the web and the API)

Revision ID: p12_more_0001_network_audit
Revises: p11_ops_0005_documents
"""
import sqlalchemy as sa
from alembic import op

revision = "p12_more_0001_network_audit"
down_revision = "p11_ops_0005_documents"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "network_audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_network_audit_entry_actor_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], name=op.f("fk_network_audit_entry_network_id_network"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_audit_entry")),
    )
    with op.batch_alter_table("network_audit_entry") as batch_op:
        batch_op.create_index(batch_op.f("ix_network_audit_entry_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_network_audit_entry_at"), ["at"], unique=False)


def downgrade():
    with op.batch_alter_table("network_audit_entry") as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_network_audit_entry_network_id"))
    op.drop_table("network_audit_entry")
