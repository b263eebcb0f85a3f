"""territory_town: a territory's communes, from the official administrative division

Revision ID: p16_prereq_0002_territory_towns
Revises: p16_prereq_0001_request_numbers
Create Date: 2026-11-30 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p16_prereq_0002_territory_towns"
down_revision = "p16_prereq_0001_request_numbers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "territory_town",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"], name=op.f("fk_territory_town_territory_id_territory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territory_town")),
        sa.UniqueConstraint("territory_id", "insee_code", name=op.f("uq_territory_town_territory_id_insee_code")),
    )
    with op.batch_alter_table("territory_town", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_territory_town_territory_id"), ["territory_id"], unique=False)


def downgrade():
    with op.batch_alter_table("territory_town", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territory_town_territory_id"))
    op.drop_table("territory_town")
