"""territory keeps its accessibility statement's manual audit rate, so every footer's level needs no statement

Revision ID: p14_ceilings_0001_a11y_rate
Revises: p12_final_0001_platform_tokens
Create Date: 2026-11-30 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'p14_ceilings_0001_a11y_rate'
down_revision = 'p12_final_0001_platform_tokens'
branch_labels = None
depends_on = None

territory = sa.table('territory', sa.column('id', sa.Integer), sa.column('accessibility_audit_rate', sa.Float))
legal_page = sa.table('legal_page', sa.column('territory_id', sa.Integer), sa.column('kind', sa.String),
                      sa.column('fields', sa.JSON))


def upgrade():
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accessibility_audit_rate', sa.Float(), nullable=True))
    bind = op.get_bind()
    statements = bind.execute(sa.select(legal_page.c.territory_id, legal_page.c.fields)
                              .where(legal_page.c.kind == 'accessibility')).all()
    for territory_id, fields in statements:
        rate = (fields or {}).get('audit_rate')
        if rate is not None:
            bind.execute(territory.update().where(territory.c.id == territory_id)
                         .values(accessibility_audit_rate=float(rate)))


def downgrade():
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.drop_column('accessibility_audit_rate')
