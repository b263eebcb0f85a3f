"""read-only API tokens; organizations' postal address and a SIRET index for imports

Revision ID: p12_network_0001
Revises: 0011_merge
"""
import sqlalchemy as sa
from alembic import op

revision = "p12_network_0001"
down_revision = "core_0004_governance"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_only', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), server_default='', nullable=False))
        batch_op.create_index('ix_organization_territory_id_siret', ['territory_id', 'siret'], unique=False)


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_territory_id_siret')
        batch_op.drop_column('address')

    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.drop_column('read_only')
