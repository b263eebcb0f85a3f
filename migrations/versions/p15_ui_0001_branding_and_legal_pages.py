"""territory logo file and required pages (accessibility, legal notice, personal data)

Revision ID: p15_ui_0001_branding_legal
Revises: p14_scale_0003_jsonb
Create Date: 2026-11-30 04:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'p15_ui_0001_branding_legal'
down_revision = "p14_scale_0003_jsonb"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_file', sa.String(length=80), nullable=True))

    op.create_table('legal_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_legal_page_territory_id_territory'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_legal_page_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_page')),
    sa.UniqueConstraint('territory_id', 'kind', name=op.f('uq_legal_page_territory_id_kind'))
    )
    with op.batch_alter_table('legal_page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_page_territory_id'), ['territory_id'], unique=False)


def downgrade():
    with op.batch_alter_table('legal_page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_page_territory_id'))
    op.drop_table('legal_page')
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.drop_column('logo_file')
