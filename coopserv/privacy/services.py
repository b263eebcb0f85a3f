"""Export or erase everything coopserv and its plugins hold about one person.

Erasure leaves no trace of the person: rows about them are deleted or anonymised as each
PersonalData declaration says, texts they wrote in shared spaces become a neutral "contribution
removed", and the places where the core copies texts (the audit log's targets and details, other
people's notifications) lose those copies too. The audit log keeps a pseudonym (``person-…``)
where it named the person, so an administrator can still tell that entries concern one person.
"""
import datetime
import decimal
import hashlib
import hmac
import json

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import delete, or_, select, update
from sqlalchemy.types import JSON

from coopserv.accounts.models import Membership, User
from coopserv.audit.models import AuditEntry
from coopserv.extensions import db
from coopserv.notifications.models import Notification
from coopserv.plugin_host import plugin_host
from coopserv.tenancy import ALL_TERRITORIES

#: Copied texts shorter than this are too common to hunt (a "Yes" answer, a two-letter word).
MIN_COPIED_TEXT = 4


def personal_data_specs():
    """Every PersonalData declaration of the core and the plugins."""
    return plugin_host().personal_data()


def pseudonym(user):
    """A stable reference to the person that does not reveal them (HMAC of the id with the secret key)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"user:{user.id}".encode(), hashlib.sha256).hexdigest()
    return f"person-{digest[:12]}"


def removed_text():
    """The neutral text that replaces a contribution, in the instance's default language."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        return gettext("Contribution removed")


def export_person(user, withhold_confidential=False):
    """Return a JSON-ready dict of the person's account and every row about them, across territories.

    ``withhold_confidential`` (the territory admin's export) gives only the number of rows of
    confidential declarations, whose contents are for the person and the service's team alone.
    """
    result = {"account": {"name": user.name, "email": user.email, "language": user.language,
                          "created_at": _plain(user.created_at)}}
    for spec in personal_data_specs():
        rows = db.session.execute(
            select(*(getattr(spec.model, name) for name in spec.fields))
            .where(_rows_about(spec, user.id))
            .execution_options(**{ALL_TERRITORIES: True})
        ).all()
        key = spec.label or spec.model.__tablename__
        if withhold_confidential and spec.confidential:
            result[key] = {"withheld": len(rows)}
            continue
        result[key] = [{name: _plain(value) for name, value in zip(spec.fields, row)} for row in rows]
        if withhold_confidential and spec.confidential_rows is not None:
            for row in spec.confidential_rows(result[key]):
                row.update({name: "withheld" for name in spec.scrub if name in row})
    return result


def erase_person(user, actor=None):
    """Delete or anonymise every row about the person, remove copies of their texts, then the account.

    One transaction; a ``privacy.erased`` audit entry naming the pseudonym is written in each
    territory the person belonged to (``actor`` did it: an admin, or nobody from the CLI).
    """
    counts = {}
    reference, neutral = pseudonym(user), removed_text()
    texts = {user.email, user.name}
    territory_ids = set(db.session.scalars(select(Membership.territory_id).where(Membership.user_id == user.id)
                                           .execution_options(**{ALL_TERRITORIES: True})))
    try:
        # Rows found through another table go first, while the link to the person still exists.
        for spec in sorted(personal_data_specs(), key=lambda spec: spec.related is None):
            condition = _rows_about(spec, user.id)
            texts |= _written_texts(spec, condition)
            if spec.erase == "delete":
                statement = delete(spec.model).where(condition)
            else:
                values = dict(spec.anonymised_values)
                if spec.related is None:
                    values[spec.user_column] = None
                for name in spec.scrub:
                    if name not in values and not _is_json(spec.model, name):
                        values[name] = neutral
                statement = update(spec.model).where(condition).values(**values)
                _scrub_json(spec, condition, neutral)
            result = db.session.execute(statement.execution_options(synchronize_session=False,
                                                                    **{ALL_TERRITORIES: True}))
            counts[spec.label or spec.model.__tablename__] = result.rowcount
        _remove_copies(texts, user.email, reference, neutral, territory_ids)
        for territory_id in sorted(territory_ids):
            db.session.add(AuditEntry(territory_id=territory_id, action="privacy.erased", target=reference,
                                      details={}, actor_id=actor.id if actor is not None else None))
        db.session.execute(delete(User).where(User.id == user.id))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    # Expire rather than expunge: the request goes on using its territory and signed-in user.
    db.session.expire_all()
    return counts


def _rows_about(spec, user_id):
    if spec.related is not None:
        return spec.related(user_id)
    return getattr(spec.model, spec.user_column) == user_id


def _is_json(model, name):
    return isinstance(model.__table__.c[name].type, JSON)


def _written_texts(spec, condition):
    """The texts of the person's rows in ``spec.scrub`` (JSON values walked), before they go."""
    if not spec.scrub:
        return set()
    found = set()
    rows = db.session.execute(select(*(getattr(spec.model, name) for name in spec.scrub)).where(condition)
                              .execution_options(**{ALL_TERRITORIES: True})).all()
    for row in rows:
        for value in row:
            found |= set(_strings(value))
    return found


def _scrub_json(spec, condition, neutral):
    """Replace every string inside the scrubbed JSON columns of the person's rows (row by row: rare and small)."""
    names = [name for name in spec.scrub if _is_json(spec.model, name) and name not in spec.anonymised_values]
    if not names:
        return
    key = spec.model.__mapper__.primary_key[0]
    rows = db.session.execute(select(key, *(getattr(spec.model, name) for name in names)).where(condition)
                              .execution_options(**{ALL_TERRITORIES: True})).all()
    for row_id, *values in rows:
        db.session.execute(update(spec.model).where(key == row_id)
                           .values({name: _replace_strings(value, lambda _text: neutral)
                                    for name, value in zip(names, values)})
                           .execution_options(synchronize_session=False, **{ALL_TERRITORIES: True}))


def _remove_copies(texts, email, reference, neutral, territory_ids):
    """Where the core copies texts (audit targets and details, notifications): drop the person's.

    Only the person's territories hold copies; the e-mail becomes the pseudonym, other texts the
    neutral text (the whole copied string goes, not only the matching part). An audit entry about
    the person (its target was their e-mail, such as a sign-up request) loses every text detail.
    """
    texts = sorted({t for t in texts if isinstance(t, str) and len(t.strip()) >= MIN_COPIED_TEXT},
                   key=len, reverse=True)
    if not texts:
        return

    def clean(value):
        for text in texts:
            if text.lower() in value.lower():
                return reference if "@" in text and "@" in value else neutral
        return value

    audit_filter = or_(*(or_(AuditEntry.target.ilike(_like(text), escape="\\"), _json_like(AuditEntry.details, text))
                         for text in texts))
    in_territories = AuditEntry.territory_id.in_(territory_ids)
    for entry in db.session.scalars(select(AuditEntry).where(in_territories, audit_filter)
                                    .execution_options(**{ALL_TERRITORIES: True})):
        about_the_person = (entry.target or "").strip().lower() == email.lower()
        entry.target = clean(entry.target)[:200]
        entry.details = _replace_strings(entry.details, (lambda _text: neutral) if about_the_person else clean)
    notice_filter = or_(*(or_(Notification.message.ilike(_like(text), escape="\\"), _json_like(Notification.params, text))
                          for text in texts))
    for notice in db.session.scalars(select(Notification).where(Notification.territory_id.in_(territory_ids),
                                                                notice_filter)
                                     .execution_options(**{ALL_TERRITORIES: True})):
        notice.message = clean(notice.message)
        notice.params = _replace_strings(notice.params, clean)
    db.session.flush()


def _like(text):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _json_like(column, text):
    """Match ``text`` inside a JSON column as it is stored (JSON-escaped, non-ASCII as \\uXXXX)."""
    from sqlalchemy import String, cast

    stored = json.dumps(text)[1:-1]
    return or_(cast(column, String).ilike(_like(stored), escape="\\"), cast(column, String).ilike(_like(text), escape="\\"))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _replace_strings(value, replace):
    """A copy of a JSON value with each string passed through ``replace``."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {key: _replace_strings(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_strings(item, replace) for item in value]
    return value


def _plain(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        # Stored in UTC: say so, so the export reads the same in any time zone.
        return value.replace(tzinfo=datetime.timezone.utc).isoformat()
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value
