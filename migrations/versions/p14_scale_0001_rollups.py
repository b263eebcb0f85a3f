"""rollup tables: request facts, monthly request totals, their build record, the indicator cache

Filled by `coopserv upgrade` (which rebuilds rollups never built) or `coopserv indicators rebuild`.

Revision ID: p14_scale_0001_rollups
Revises: p12_more_0001_network_audit
Create Date: 2026-11-30 04:02:32.527572

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p14_scale_0001_rollups'
down_revision = 'p12_more_0001_network_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rollup_build',
    sa.Column('rollup_key', sa.String(length=80), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('rollup_key', name=op.f('pk_rollup_build'))
    )
    op.create_table('indicator_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_key', sa.String(length=80), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_indicator_cache_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_cache')),
    sa.UniqueConstraint('territory_id', 'indicator_key', 'month', name=op.f('uq_indicator_cache_territory_id_indicator_key_month'))
    )
    with op.batch_alter_table('indicator_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_cache_territory_id'), ['territory_id'], unique=False)

    op.create_table('request_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rollup_key', sa.String(length=80), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['service_module.id'], name=op.f('fk_request_fact_module_id_service_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_request_fact_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_fact')),
    sa.UniqueConstraint('request_id', 'rollup_key', name=op.f('uq_request_fact_request_id_rollup_key'))
    )
    with op.batch_alter_table('request_fact', schema=None) as batch_op:
        batch_op.create_index('ix_request_fact_cell', ['rollup_key', 'module_id', 'month', 'organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_fact_territory_id'), ['territory_id'], unique=False)

    op.create_table('request_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rollup_key', sa.String(length=80), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['service_module.id'], name=op.f('fk_request_rollup_module_id_service_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_request_rollup_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_rollup')),
    sa.UniqueConstraint('territory_id', 'rollup_key', 'module_id', 'organization_id', 'month', 'status', name='uq_request_rollup_cell')
    )
    with op.batch_alter_table('request_rollup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_rollup_territory_id'), ['territory_id'], unique=False)


def downgrade():
    op.drop_table('request_rollup')
    op.drop_table('request_fact')
    op.drop_table('indicator_cache')
    op.drop_table('rollup_build')
