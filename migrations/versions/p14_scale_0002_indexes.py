"""composite indexes for the hot queries: queues by key, a person's requests, live indicators, unread notifications, audit log

Revision ID: p14_scale_0002_indexes
Revises: p14_scale_0001_rollups
Create Date: 2026-11-30 04:02:32.527572

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'p14_scale_0002_indexes'
down_revision = 'p14_scale_0001_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_territory_id_id', ['territory_id', 'id'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.create_index('ix_notification_unread', ['user_id', 'territory_id', 'read_at'], unique=False)
        batch_op.create_index('ix_notification_user_id_id', ['user_id', 'id'], unique=False)

    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_request_module_status'))
        batch_op.drop_index(batch_op.f('ix_service_request_requester_id'))
        batch_op.create_index('ix_service_request_module_created', ['module_id', 'created_at'], unique=False)
        batch_op.create_index('ix_service_request_module_id_id', ['module_id', 'id'], unique=False)
        batch_op.create_index('ix_service_request_module_status_id', ['module_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_service_request_requester_id_id', ['requester_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_requester_id_id')
        batch_op.drop_index('ix_service_request_module_status_id')
        batch_op.drop_index('ix_service_request_module_id_id')
        batch_op.drop_index('ix_service_request_module_created')
        batch_op.create_index(batch_op.f('ix_service_request_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_request_module_status'), ['module_id', 'status'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_id_id')
        batch_op.drop_index('ix_notification_unread')
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_territory_id_id')
