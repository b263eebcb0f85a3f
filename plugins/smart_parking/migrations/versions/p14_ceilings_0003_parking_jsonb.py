"""smart parking: the MQTT mappings' status values become JSONB on PostgreSQL; SQLite keeps JSON text

Revision ID: p14_ceilings_0003_parking_jsonb
Revises: p13_parking_0001_occupancy
Create Date: 2026-11-30 14:05:00

"""
from coopserv.plugin_api import json_columns_to_jsonb, jsonb_columns_to_json


revision = 'p14_ceilings_0003_parking_jsonb'
down_revision = 'p13_parking_0001_occupancy'
branch_labels = None
depends_on = None

COLUMNS = [("smart_parking_mqtt_mapping", "status_values")]


def upgrade():
    json_columns_to_jsonb(COLUMNS)


def downgrade():
    jsonb_columns_to_json(COLUMNS)
