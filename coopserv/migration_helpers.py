"""Helpers for Alembic revisions, the core's and the plugins' (through ``coopserv.plugin_api``).

A revision's data conversion is written once here when several revisions need it; the
helpers take everything they depend on as arguments, so a revision keeps doing what it did
when it was written even if the models change later.
"""
import sqlalchemy as sa
from alembic import op

_notification = sa.table("notification", sa.column("id", sa.Integer), sa.column("message", sa.String),
                         sa.column("params", sa.JSON))


def convert_notification_param(messages, convert, key="date"):
    """Rewrite the parameter ``key`` of the stored notifications whose message is one of ``messages``.

    ``convert(value)`` returns the new value, or None to leave that row alone (a value already
    converted, or one it does not recognise). Revisions that change how a message's parameter is
    stored (a date kept as text, then tagged) convert older rows with it, up and down.
    """
    connection = op.get_bind()
    rows = connection.execute(sa.select(_notification.c.id, _notification.c.params)
                              .where(_notification.c.message.in_(messages))).all()
    for row_id, params in rows:
        new = convert((params or {}).get(key))
        if new is not None:
            connection.execute(_notification.update().where(_notification.c.id == row_id)
                               .values(params={**params, key: new}))
