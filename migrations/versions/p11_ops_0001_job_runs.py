"""job runs: the record and lock of periodic jobs

Revision ID: p11_ops_0001_jobs
Revises: 0011_merge
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p11_ops_0001_jobs"
down_revision = "p16_firstrun_0001_need_source"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
        sa.UniqueConstraint("name", "period", name=op.f("uq_job_run_name_period")),
    )


def downgrade():
    op.drop_table("job_run")
