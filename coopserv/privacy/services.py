"""Export or erase everything coopserv and its plugins hold about one person."""
import datetime
import decimal

from sqlalchemy import delete, select, update

from coopserv.accounts.models import User
from coopserv.extensions import db
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import ALL_TERRITORIES


def personal_data_specs():
    """Every PersonalData declaration of the core and the plugins."""
    return plugin_host().personal_data()


def export_person(user):
    """Return a JSON-ready dict of the person's account and every row about them, across territories."""
    result = {"account": {"name": user.name, "email": user.email, "language": user.language,
                          "created_at": _plain(user.created_at)}}
    for spec in personal_data_specs():
        column = getattr(spec.model, spec.user_column)
        rows = db.session.execute(
            select(*(getattr(spec.model, name) for name in spec.fields))
            .where(column == user.id)
            .execution_options(**{ALL_TERRITORIES: True})
        ).all()
        key = spec.label or spec.model.__tablename__
        result[key] = [{name: _plain(value) for name, value in zip(spec.fields, row)} for row in rows]
    return result


def erase_person(user):
    """Delete or anonymise every row about the person, then the account itself; one transaction."""
    counts = {}
    try:
        for spec in personal_data_specs():
            column = getattr(spec.model, spec.user_column)
            if spec.erase == "delete":
                statement = delete(spec.model).where(column == user.id)
            else:
                values = dict(spec.anonymised_values)
                values[spec.user_column] = None
                statement = update(spec.model).where(column == user.id).values(**values)
            result = db.session.execute(statement.execution_options(synchronize_session=False,
                                                                    **{ALL_TERRITORIES: True}))
            counts[spec.label or spec.model.__tablename__] = result.rowcount
        db.session.execute(delete(User).where(User.id == user.id))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    # Expire rather than expunge: the request goes on using its territory and signed-in user.
    db.session.expire_all()
    return counts


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value
