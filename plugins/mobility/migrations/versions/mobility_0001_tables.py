"""mobility tables

Revision ID: mobility_0001_tables (was 0006_mobility before plugins kept their own migrations)
The first revision of the mobility plugin's own branch: it starts from nothing and needs the
core's tables.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'mobility_0001_tables'
down_revision = None
branch_labels = ('mobility',)
depends_on = '0001_core'


def upgrade():
    op.create_table('mobility_business_park',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_business_park_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_business_park')),
    sa.UniqueConstraint('territory_id', 'name', name=op.f('uq_mobility_business_park_territory_id_name'))
    )
    with op.batch_alter_table('mobility_business_park', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_business_park_territory_id'), ['territory_id'], unique=False)

    op.create_table('mobility_town',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_town_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_town')),
    sa.UniqueConstraint('territory_id', 'name', name=op.f('uq_mobility_town_territory_id_name'))
    )
    with op.batch_alter_table('mobility_town', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_town_territory_id'), ['territory_id'], unique=False)

    op.create_table('mobility_bike_pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_park_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('bikes', sa.Integer(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_park_id'], ['mobility_business_park.id'], name=op.f('fk_mobility_bike_pool_business_park_id_mobility_business_park'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_bike_pool_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_bike_pool'))
    )
    with op.batch_alter_table('mobility_bike_pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_bike_pool_territory_id'), ['territory_id'], unique=False)

    op.create_table('mobility_shuttle_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_park_id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=160), nullable=False),
    sa.Column('departs_at', sa.DateTime(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_park_id'], ['mobility_business_park.id'], name=op.f('fk_mobility_shuttle_run_business_park_id_mobility_business_park'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_shuttle_run_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_shuttle_run'))
    )
    with op.batch_alter_table('mobility_shuttle_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_shuttle_run_territory_id'), ['territory_id'], unique=False)

    op.create_table('mobility_bike_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['mobility_bike_pool.id'], name=op.f('fk_mobility_bike_booking_pool_id_mobility_bike_pool'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_bike_booking_territory_id_territory'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mobility_bike_booking_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_bike_booking'))
    )
    with op.batch_alter_table('mobility_bike_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_bike_booking_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_bike_booking_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_mobility_bike_booking_window', ['pool_id', 'starts_at', 'ends_at'], unique=False)

    op.create_table('mobility_commute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('business_park_id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('town_name', sa.String(length=120), nullable=False),
    sa.Column('home_latitude', sa.Float(), nullable=False),
    sa.Column('home_longitude', sa.Float(), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('departure_time', sa.Time(), nullable=False),
    sa.Column('return_time', sa.Time(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_park_id'], ['mobility_business_park.id'], name=op.f('fk_mobility_commute_business_park_id_mobility_business_park'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_mobility_commute_organization_id_organization'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_mobility_commute_request_id_service_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_commute_territory_id_territory'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['town_id'], ['mobility_town.id'], name=op.f('fk_mobility_commute_town_id_mobility_town'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mobility_commute_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_commute')),
    sa.UniqueConstraint('request_id', name=op.f('uq_mobility_commute_request_id'))
    )
    with op.batch_alter_table('mobility_commute', schema=None) as batch_op:
        batch_op.create_index('ix_mobility_commute_matching', ['territory_id', 'kind', 'active', 'business_park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_commute_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_commute_user_id'), ['user_id'], unique=False)

    op.create_table('mobility_shuttle_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['mobility_shuttle_run.id'], name=op.f('fk_mobility_shuttle_booking_run_id_mobility_shuttle_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_shuttle_booking_territory_id_territory'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mobility_shuttle_booking_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_shuttle_booking'))
    )
    with op.batch_alter_table('mobility_shuttle_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_shuttle_booking_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_shuttle_booking_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_shuttle_booking_user_id'), ['user_id'], unique=False)

    op.create_table('mobility_crew',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('business_park_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_park_id'], ['mobility_business_park.id'], name=op.f('fk_mobility_crew_business_park_id_mobility_business_park'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['mobility_commute.id'], name=op.f('fk_mobility_crew_offer_id_mobility_commute'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_crew_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_crew'))
    )
    with op.batch_alter_table('mobility_crew', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_crew_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_crew_territory_id'), ['territory_id'], unique=False)

    op.create_table('mobility_crew_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crew_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('commute_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('days_per_week', sa.Integer(), nullable=False),
    sa.Column('trip_km', sa.Float(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commute_id'], ['mobility_commute.id'], name=op.f('fk_mobility_crew_member_commute_id_mobility_commute'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['crew_id'], ['mobility_crew.id'], name=op.f('fk_mobility_crew_member_crew_id_mobility_crew'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_mobility_crew_member_organization_id_organization'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_crew_member_territory_id_territory'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mobility_crew_member_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_crew_member')),
    sa.UniqueConstraint('crew_id', 'user_id', name=op.f('uq_mobility_crew_member_crew_id_user_id'))
    )
    with op.batch_alter_table('mobility_crew_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_crew_member_crew_id'), ['crew_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_crew_member_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_crew_member_user_id'), ['user_id'], unique=False)

    op.create_table('mobility_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('detour_km', sa.Float(), nullable=False),
    sa.Column('time_gap_minutes', sa.Integer(), nullable=False),
    sa.Column('shared_days', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('driver_answer', sa.String(length=10), nullable=False),
    sa.Column('passenger_answer', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('crew_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['crew_id'], ['mobility_crew.id'], name=op.f('fk_mobility_proposal_crew_id_mobility_crew'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['mobility_commute.id'], name=op.f('fk_mobility_proposal_offer_id_mobility_commute'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['mobility_commute.id'], name=op.f('fk_mobility_proposal_request_id_mobility_commute'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mobility_proposal_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobility_proposal')),
    sa.UniqueConstraint('offer_id', 'request_id', name=op.f('uq_mobility_proposal_offer_id_request_id'))
    )
    with op.batch_alter_table('mobility_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_proposal_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_proposal_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_proposal_territory_id'), ['territory_id'], unique=False)


def downgrade():
    # Dropping a table drops its indexes too.
    op.drop_table('mobility_proposal')
    op.drop_table('mobility_crew_member')
    op.drop_table('mobility_crew')
    op.drop_table('mobility_shuttle_booking')
    op.drop_table('mobility_commute')
    op.drop_table('mobility_bike_booking')
    op.drop_table('mobility_shuttle_run')
    op.drop_table('mobility_bike_pool')
    op.drop_table('mobility_town')
    op.drop_table('mobility_business_park')
