"""Requests numbered per territory; organization size band follows the headcount

Revision ID: p16_prereq_0001_request_numbers
Revises: p12_decisions_0002
Create Date: 2026-11-30 06:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p16_prereq_0001_request_numbers"
down_revision = "p12_decisions_0002"
branch_labels = None
depends_on = None

BANDS = """CASE WHEN employee_count < 10 THEN '1-9' WHEN employee_count < 50 THEN '10-49'
                WHEN employee_count < 250 THEN '50-249' ELSE '250+' END"""


def upgrade():
    with op.batch_alter_table("territory", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_request_number", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # Existing requests keep their order, numbered from 1 in each territory.
    op.execute("""
        UPDATE service_request SET number = (
            SELECT ranked.rn FROM (
                SELECT id, ROW_NUMBER() OVER (PARTITION BY territory_id ORDER BY id) AS rn FROM service_request
            ) AS ranked WHERE ranked.id = service_request.id)
    """)
    op.execute("""
        UPDATE territory SET last_request_number = COALESCE(
            (SELECT MAX(number) FROM service_request WHERE service_request.territory_id = territory.id), 0)
    """)
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_service_request_territory_number", ["territory_id", "number"])
    op.execute(f"UPDATE organization SET size_band = {BANDS} WHERE employee_count > 0")


def downgrade():
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_constraint("uq_service_request_territory_number", type_="unique")
        batch_op.drop_column("number")
    with op.batch_alter_table("territory", schema=None) as batch_op:
        batch_op.drop_column("last_request_number")
