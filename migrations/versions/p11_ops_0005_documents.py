"""stored PDF documents

Revision ID: p11_ops_0005_documents
Revises: p11_ops_0004_calendar
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "p11_ops_0005_documents"
down_revision = "p11_ops_0004_calendar"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"],
                                name=op.f("fk_stored_document_territory_id_territory"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_document")),
        sa.UniqueConstraint("territory_id", "kind", "object_id", "language", "version",
                            name=op.f("uq_stored_document_territory_id_kind_object_id_language_version")),
    )
    with op.batch_alter_table("stored_document") as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_document_territory_id"), ["territory_id"], unique=False)


def downgrade():
    op.drop_table("stored_document")
