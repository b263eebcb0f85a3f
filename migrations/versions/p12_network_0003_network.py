"""the network of territories: coordinators, tokens, practices library, seminars

Revision ID: p12_network_0003
Revises: p12_network_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "p12_network_0003"
down_revision = "p12_network_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network')),
    sa.UniqueConstraint('slug', name=op.f('uq_network_slug'))
    )
    op.create_table('network_partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_partner_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_partner')),
    sa.UniqueConstraint('network_id', 'name', name=op.f('uq_network_partner_network_id_name'))
    )
    with op.batch_alter_table('network_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_partner_network_id'), ['network_id'], unique=False)

    op.create_table('network_territory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_territory_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_network_territory_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_territory')),
    sa.UniqueConstraint('network_id', 'territory_id', name=op.f('uq_network_territory_network_id_territory_id'))
    )
    with op.batch_alter_table('network_territory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_territory_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_territory_territory_id'), ['territory_id'], unique=False)

    op.create_table('network_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_member_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['network_partner.id'], name=op.f('fk_network_member_partner_id_network_partner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_network_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_member')),
    sa.UniqueConstraint('network_id', 'user_id', 'role', name=op.f('uq_network_member_network_id_user_id_role'))
    )
    with op.batch_alter_table('network_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_member_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_member_user_id'), ['user_id'], unique=False)

    op.create_table('network_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('read_only', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_token_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_network_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_network_token_token_hash'))
    )
    with op.batch_alter_table('network_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_token_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_token_user_id'), ['user_id'], unique=False)

    op.create_table('practice_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('source_territory_id', sa.Integer(), nullable=False),
    sa.Column('source_project_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('service_key', sa.String(length=60), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('need', sa.Text(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('partners', sa.Text(), nullable=False),
    sa.Column('costs', sa.Text(), nullable=False),
    sa.Column('running_cost', sa.Integer(), nullable=False),
    sa.Column('public_share', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('risks', sa.JSON(), nullable=False),
    sa.Column('template', sa.JSON(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_practice_sheet_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_practice_sheet_published_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_project_id'], ['service_project.id'], name=op.f('fk_practice_sheet_source_project_id_service_project'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_territory_id'], ['territory.id'], name=op.f('fk_practice_sheet_source_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_sheet')),
    sa.UniqueConstraint('network_id', 'source_project_id', name=op.f('uq_practice_sheet_network_id_source_project_id'))
    )
    with op.batch_alter_table('practice_sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_sheet_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_sheet_source_territory_id'), ['source_territory_id'], unique=False)

    op.create_table('practice_replication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('replicated_by_id', sa.Integer(), nullable=True),
    sa.Column('replicated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['service_project.id'], name=op.f('fk_practice_replication_project_id_service_project'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replicated_by_id'], ['user.id'], name=op.f('fk_practice_replication_replicated_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sheet_id'], ['practice_sheet.id'], name=op.f('fk_practice_replication_sheet_id_practice_sheet'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_practice_replication_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_replication'))
    )
    with op.batch_alter_table('practice_replication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_replication_sheet_id'), ['sheet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_replication_territory_id'), ['territory_id'], unique=False)

    op.create_table('network_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('host_territory_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('minutes_updated_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['host_territory_id'], ['territory.id'], name=op.f('fk_network_event_host_territory_id_territory'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_event_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_event'))
    )
    with op.batch_alter_table('network_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_event_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_event_starts_on'), ['starts_on'], unique=False)

    op.create_table('network_event_agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('speaker', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['network_event.id'], name=op.f('fk_network_event_agenda_item_event_id_network_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_event_agenda_item'))
    )
    with op.batch_alter_table('network_event_agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_event_agenda_item_event_id'), ['event_id'], unique=False)

    op.create_table('network_event_organiser',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['network_event.id'], name=op.f('fk_network_event_organiser_event_id_network_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['network_partner.id'], name=op.f('fk_network_event_organiser_partner_id_network_partner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'partner_id', name=op.f('pk_network_event_organiser'))
    )
    op.create_table('network_event_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('from_territory_id', sa.Integer(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['network_event.id'], name=op.f('fk_network_event_registration_event_id_network_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_territory_id'], ['territory.id'], name=op.f('fk_network_event_registration_from_territory_id_territory'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user.id'], name=op.f('fk_network_event_registration_registered_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_network_event_registration_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_event_registration')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_network_event_registration_event_id_user_id'))
    )
    with op.batch_alter_table('network_event_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_event_registration_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_event_registration_from_territory_id'), ['from_territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_event_registration_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('network_event_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_event_registration_user_id'))
        batch_op.drop_index(batch_op.f('ix_network_event_registration_from_territory_id'))
        batch_op.drop_index(batch_op.f('ix_network_event_registration_event_id'))

    op.drop_table('network_event_registration')
    op.drop_table('network_event_organiser')
    with op.batch_alter_table('network_event_agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_event_agenda_item_event_id'))

    op.drop_table('network_event_agenda_item')
    with op.batch_alter_table('network_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_event_starts_on'))
        batch_op.drop_index(batch_op.f('ix_network_event_network_id'))

    op.drop_table('network_event')
    with op.batch_alter_table('practice_replication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_replication_territory_id'))
        batch_op.drop_index(batch_op.f('ix_practice_replication_sheet_id'))

    op.drop_table('practice_replication')
    with op.batch_alter_table('practice_sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_sheet_source_territory_id'))
        batch_op.drop_index(batch_op.f('ix_practice_sheet_network_id'))

    op.drop_table('practice_sheet')
    with op.batch_alter_table('network_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_network_token_network_id'))

    op.drop_table('network_token')
    with op.batch_alter_table('network_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_network_member_network_id'))

    op.drop_table('network_member')
    with op.batch_alter_table('network_territory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_territory_territory_id'))
        batch_op.drop_index(batch_op.f('ix_network_territory_network_id'))

    op.drop_table('network_territory')
    with op.batch_alter_table('network_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_partner_network_id'))

    op.drop_table('network_partner')
    op.drop_table('network')
