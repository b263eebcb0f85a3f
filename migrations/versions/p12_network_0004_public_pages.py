"""public pages: settings, published events, visitors' registrations

Revision ID: p12_network_0004
Revises: p12_network_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "p12_network_0004"
down_revision = "p12_network_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('services', sa.Boolean(), nullable=False),
    sa.Column('needs', sa.Boolean(), nullable=False),
    sa.Column('projects', sa.Boolean(), nullable=False),
    sa.Column('events', sa.Boolean(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_public_settings_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_settings')),
    sa.UniqueConstraint('territory_id', name=op.f('uq_public_settings_territory_id'))
    )
    with op.batch_alter_table('public_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_settings_territory_id'), ['territory_id'], unique=False)

    op.create_table('public_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_open', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['governance_event.id'], name=op.f('fk_public_event_event_id_governance_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_public_event_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_event')),
    sa.UniqueConstraint('event_id', name=op.f('uq_public_event_event_id'))
    )
    with op.batch_alter_table('public_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_event_territory_id'), ['territory_id'], unique=False)

    op.create_table('public_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('company', sa.String(length=160), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['governance_event.id'], name=op.f('fk_public_registration_event_id_governance_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_public_registration_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_registration')),
    sa.UniqueConstraint('event_id', 'email', name=op.f('uq_public_registration_event_id_email'))
    )
    with op.batch_alter_table('public_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_registration_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_registration_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_registration_territory_id'), ['territory_id'], unique=False)


def downgrade():
    with op.batch_alter_table('public_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_registration_territory_id'))
        batch_op.drop_index(batch_op.f('ix_public_registration_event_id'))
        batch_op.drop_index(batch_op.f('ix_public_registration_email'))

    op.drop_table('public_registration')
    with op.batch_alter_table('public_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_event_territory_id'))

    op.drop_table('public_event')
    with op.batch_alter_table('public_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_settings_territory_id'))

    op.drop_table('public_settings')
