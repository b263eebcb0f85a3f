"""every foreign key of the core leads an index: deleting a person, an organisation or a module no longer scans whole tables

Revision ID: p17_fk_0001_indexes
Revises: p14_ceilings_0002_jsonb
Create Date: 2026-11-30 17:40:00

"""
from coopserv.migration_helpers import drop_column_indexes, index_columns


revision = 'p17_fk_0001_indexes'
down_revision = 'p14_ceilings_0002_jsonb'
branch_labels = None
depends_on = None

#: (table, column): foreign keys that no index led, so deleting the row they point to scanned the table.
INDEXED = [
    ('audit_entry', 'actor_id'),
    ('membership', 'module_id'),
    ('module_member', 'organization_id'),
    ('module_pilot_organization', 'organization_id'),
    ('status_change', 'actor_id'),
    ('need_campaign_answer', 'organization_id'),
    ('need_campaign_answer', 'user_id'),
    ('service_project', 'lead_id'),
    ('service_project', 'module_id'),
    ('need', 'merged_into_id'),
    ('need', 'organization_id'),
    ('need', 'project_id'),
    ('project_collective_need', 'collective_need_id'),
    ('project_contribution', 'organization_id'),
    ('project_decision', 'actor_id'),
    ('project_event', 'actor_id'),
    ('project_partner', 'organization_id'),
    ('project_satisfaction', 'user_id'),
    ('need_support', 'organization_id'),
    ('need_support', 'user_id'),
    ('governance_risk', 'owner_id'),
    ('governance_action_item', 'owner_id'),
    ('governance_charter_signature', 'signed_by_id'),
    ('governance_event_registration', 'organization_id'),
    ('governance_agenda_item', 'charter_version_id'),
    ('governance_idea', 'author_id'),
    ('governance_idea', 'project_id'),
    ('invitation', 'accepted_user_id'),
    ('invitation', 'invited_by_id'),
    ('invitation', 'organization_id'),
    ('import_batch', 'created_by_id'),
    ('network_member', 'partner_id'),
    ('practice_sheet', 'published_by_id'),
    ('practice_sheet', 'source_project_id'),
    ('practice_replication', 'project_id'),
    ('practice_replication', 'replicated_by_id'),
    ('network_event', 'host_territory_id'),
    ('network_event_organiser', 'partner_id'),
    ('network_event_registration', 'registered_by_id'),
    ('committee_indicator', 'reporter_id'),
    ('committee_indicator_figure', 'entered_by_id'),
    ('network_audit_entry', 'actor_id'),
    ('request_fact', 'module_id'),
    ('request_rollup', 'module_id'),
    ('legal_page', 'updated_by_id'),
]


def upgrade():
    index_columns(INDEXED)


def downgrade():
    drop_column_indexes(INDEXED)
