"""merge the built-in branches

Revision ID: 0011_merge
Revises: 0003_spouse_welcome, 0004_childminder_house, 0005_iot_training, 0006_mobility, 0007_smart_parking, 0009_api, 0010_governance
Create Date: 2026-11-28 22:26:13.448952

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_merge'
down_revision = ('0003_spouse_welcome', '0004_childminder_house', '0005_iot_training', '0006_mobility', '0007_smart_parking', '0009_api', '0010_governance')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
