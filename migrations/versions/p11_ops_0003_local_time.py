"""territory time zone; meeting sequence for calendar updates

Revision ID: p11_ops_0003_local_time
Revises: p11_ops_0002_emails
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p11_ops_0003_local_time"
down_revision = "p11_ops_0002_emails"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("territory") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=False,
                                      server_default="Europe/Paris"))
    with op.batch_alter_table("governance_meeting") as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("governance_meeting") as batch_op:
        batch_op.drop_column("sequence")
    with op.batch_alter_table("territory") as batch_op:
        batch_op.drop_column("timezone")
