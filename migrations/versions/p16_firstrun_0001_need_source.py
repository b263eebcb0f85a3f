"""need.source: where a need recorded on an organization's behalf was heard

Revision ID: p16_firstrun_0001_need_source
Revises: p16_prereq_0002_territory_towns
Create Date: 2026-11-30 06:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p16_firstrun_0001_need_source"
down_revision = "p16_prereq_0002_territory_towns"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=200), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_column("source")
