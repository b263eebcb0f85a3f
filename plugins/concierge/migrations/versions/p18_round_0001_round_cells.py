"""concierge: the providers' round kept per day, slot, provider and label (cells), and each open order's part (facts)

Revision ID: p18_round_0001_round_cells
Revises: p17_fk_0002_concierge_indexes
Create Date: 2026-11-30 21:00:00

Filled here from the existing orders, set-based (the same definition as
``round_cells.rebuild``, written out so that this revision keeps doing what it
did when the models change).
"""
from alembic import op
import sqlalchemy as sa


revision = 'p18_round_0001_round_cells'
down_revision = 'p17_fk_0002_concierge_indexes'
branch_labels = None
depends_on = None

ROUND_STATUSES = "('submitted', 'accepted', 'in_progress', 'ready')"


def upgrade():
    op.create_table('concierge_round_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('dropoff_date', sa.Date(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=160), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['concierge_provider.id'], name=op.f('fk_concierge_round_fact_provider_id_concierge_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['concierge_pickup_slot.id'], name=op.f('fk_concierge_round_fact_slot_id_concierge_pickup_slot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_concierge_round_fact_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concierge_round_fact')),
    sa.UniqueConstraint('request_id', 'provider_id', 'label', name=op.f('uq_concierge_round_fact_request_id_provider_id_label'))
    )
    with op.batch_alter_table('concierge_round_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concierge_round_fact_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concierge_round_fact_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concierge_round_fact_territory_id'), ['territory_id'], unique=False)

    op.create_table('concierge_round_cell',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dropoff_date', sa.Date(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=160), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['concierge_provider.id'], name=op.f('fk_concierge_round_cell_provider_id_concierge_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['concierge_pickup_slot.id'], name=op.f('fk_concierge_round_cell_slot_id_concierge_pickup_slot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_concierge_round_cell_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concierge_round_cell')),
    sa.UniqueConstraint('slot_id', 'dropoff_date', 'provider_id', 'label', name=op.f('uq_concierge_round_cell_slot_id_dropoff_date_provider_id_label'))
    )
    with op.batch_alter_table('concierge_round_cell', schema=None) as batch_op:
        batch_op.create_index('ix_concierge_round_cell_day', ['territory_id', 'dropoff_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_concierge_round_cell_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concierge_round_cell_territory_id'), ['territory_id'], unique=False)

    # Each open order's part: its lines by provider and label, for orders whose request is in the round.
    op.execute(f"""
        INSERT INTO concierge_round_fact (territory_id, request_id, dropoff_date, slot_id, provider_id, label, quantity)
        SELECT o.territory_id, o.request_id, o.dropoff_date, o.slot_id, l.provider_id, l.label, SUM(l.quantity)
        FROM concierge_order o
        JOIN concierge_order_line l ON l.order_id = o.id
        JOIN service_request r ON r.id = o.request_id
        WHERE r.status IN {ROUND_STATUSES} AND o.slot_id IS NOT NULL AND l.provider_id IS NOT NULL
        GROUP BY o.territory_id, o.request_id, o.dropoff_date, o.slot_id, l.provider_id, l.label
    """)
    op.execute("""
        INSERT INTO concierge_round_cell (territory_id, slot_id, dropoff_date, provider_id, label, quantity, orders)
        SELECT territory_id, slot_id, dropoff_date, provider_id, label, SUM(quantity), COUNT(*)
        FROM concierge_round_fact
        GROUP BY territory_id, slot_id, dropoff_date, provider_id, label
    """)


def downgrade():
    with op.batch_alter_table('concierge_round_cell', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concierge_round_cell_territory_id'))
        batch_op.drop_index(batch_op.f('ix_concierge_round_cell_provider_id'))
        batch_op.drop_index('ix_concierge_round_cell_day')
    op.drop_table('concierge_round_cell')
    with op.batch_alter_table('concierge_round_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concierge_round_fact_territory_id'))
        batch_op.drop_index(batch_op.f('ix_concierge_round_fact_slot_id'))
        batch_op.drop_index(batch_op.f('ix_concierge_round_fact_provider_id'))
    op.drop_table('concierge_round_fact')
