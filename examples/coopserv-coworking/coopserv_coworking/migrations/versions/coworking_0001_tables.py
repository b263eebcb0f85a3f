"""coworking tables

The plugin's own Alembic branch: it starts from nothing (down_revision None)
and needs the core's tables (depends_on), so `coopserv upgrade` applies it
after them.
"""
import sqlalchemy as sa
from alembic import op

revision = "coworking_0001_33fdf3"
down_revision = None
branch_labels = ("coworking",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "coworking_resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"], name=op.f("fk_coworking_resource_territory_id_territory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coworking_resource")),
    )
    op.create_index(op.f("ix_coworking_resource_territory_id"), "coworking_resource", ["territory_id"])
    op.create_table(
        "coworking_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["service_request.id"],
                                name=op.f("fk_coworking_booking_request_id_service_request"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resource_id"], ["coworking_resource.id"],
                                name=op.f("fk_coworking_booking_resource_id_coworking_resource"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"], name=op.f("fk_coworking_booking_territory_id_territory"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_coworking_booking_user_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coworking_booking")),
        sa.UniqueConstraint("request_id", name=op.f("uq_coworking_booking_request_id")),
    )
    op.create_index(op.f("ix_coworking_booking_territory_id"), "coworking_booking", ["territory_id"])
    op.create_index(op.f("ix_coworking_booking_user_id"), "coworking_booking", ["user_id"])
    op.create_index(op.f("ix_coworking_booking_resource_id"), "coworking_booking", ["resource_id"])
    op.create_index("uq_coworking_booking_desk_day", "coworking_booking", ["resource_id", "day"], unique=True,
                    sqlite_where=sa.text("active"), postgresql_where=sa.text("active"))


def downgrade():
    op.drop_table("coworking_booking")
    op.drop_table("coworking_resource")
