"""iot_training certificates keep a stored number, ranked per territory

Revision ID: p16_final_0001_iot_cert_numbers
Revises: p9_more_0001_iot_training_dates
Create Date: 2026-11-30 14:00:00.000000

Certificates used to print a number made of database ids (``AUTUN-IOT-<session>-<enrolment>``).
They now print a number given once, when the certificate is issued, ranked per territory
(``AUTUN-IOT-1``…). Every enrolment that may already have printed a certificate (seated, in a
session that has ended and was not cancelled) keeps the number it printed, stored here.
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'p16_final_0001_iot_cert_numbers'
down_revision = 'p9_more_0001_iot_training_dates'
branch_labels = None
depends_on = None

#: Request statuses that held a seat (plugins/iot_training/services.py, SEATED).
SEATED = ("enrolled", "completed", "not_completed")


def upgrade():
    with op.batch_alter_table('iot_training_enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('certificate_sequence', sa.Integer(), nullable=True))
    # The number printed until now, on every certificate that may have been printed.
    op.execute(sa.text("""
        UPDATE iot_training_enrolment SET certificate_number = (
            SELECT UPPER(territory.slug) || '-IOT-' || CAST(iot_training_enrolment.session_id AS VARCHAR)
                   || '-' || CAST(iot_training_enrolment.id AS VARCHAR)
            FROM territory WHERE territory.id = iot_training_enrolment.territory_id)
        WHERE request_id IN (SELECT id FROM service_request WHERE status IN ('enrolled', 'completed', 'not_completed'))
          AND session_id IN (SELECT id FROM iot_training_session
                             WHERE status != 'cancelled' AND last_day <= :today)
    """).bindparams(today=date.today()))
    with op.batch_alter_table('iot_training_enrolment', schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f('uq_iot_training_enrolment_territory_id_certificate_sequence'),
                                          ['territory_id', 'certificate_sequence'])
        batch_op.create_unique_constraint(op.f('uq_iot_training_enrolment_territory_id_certificate_number'),
                                          ['territory_id', 'certificate_number'])


def downgrade():
    with op.batch_alter_table('iot_training_enrolment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_iot_training_enrolment_territory_id_certificate_number'), type_='unique')
        batch_op.drop_constraint(op.f('uq_iot_training_enrolment_territory_id_certificate_sequence'), type_='unique')
        batch_op.drop_column('certificate_sequence')
        batch_op.drop_column('certificate_number')
