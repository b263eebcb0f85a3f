"""E-mail jobs: render and deliver one message; gather and send the daily digests."""
import logging
from itertools import groupby

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from coopserv.emails.categories import CATEGORIES
from coopserv.emails.models import DigestEntry
from coopserv.emails.rendering import compose, decode_context, render_parts, render_summary
from coopserv.emails.services import ALL_DIGESTS, language_of, pending_digest_recipients, unsubscribe_token
from coopserv.extensions import db
from coopserv.jobs import enqueue, job, periodic_job
from coopserv.jobs.periodic import Daily
from coopserv.mail import deliver
from coopserv.tenancy import territory_scope
from coopserv.territories.models import Territory
from coopserv.timeutil import utcnow
from coopserv.urls import external_url

log = logging.getLogger(__name__)


def _unsubscribe_url(category_key, territory, user_id=None, address=None):
    category = CATEGORIES.get(category_key)
    if category_key != ALL_DIGESTS and (category is None or not category.tunable):
        return None
    token = unsubscribe_token(category_key, user_id=user_id, address=address)
    return external_url("emails.unsubscribe", territory=territory, token=token)


def _why(category_key, territory, language, has_account):
    with force_locale(language):
        name = territory.name if territory is not None else "coopserv"
        category = CATEGORIES[category_key]
        if not category.tunable:
            return _("You receive this message because it concerns your %(site)s account; it is always sent.",
                     site=name)
        if not has_account:
            return _("You receive this message because someone invited this address to %(site)s.", site=name)
        return _("You receive this message as a member of %(site)s (%(category)s); change what you get in your "
                 "settings.", site=name, category=_(category.label))


@job(retries=5, retry_delay=60, retry_backoff=2.0)
def deliver_email(address, user_id, territory_id, category, template, context, language, attachments):
    """Render one message in the recipient's language and hand it to the SMTP server (or the outbox)."""
    territory = db.session.get(Territory, territory_id) if territory_id is not None else None
    subject, text, html = render_parts(template, decode_context(context), territory, language)
    with force_locale(language):
        label = _(CATEGORIES[category].label)
    message = compose(to=address, subject=subject, text=text, html=html, territory=territory, language=language,
                      category_label=label, why=_why(category, territory, language, user_id is not None),
                      unsubscribe_url=_unsubscribe_url(category, territory, user_id=user_id,
                                                       address=None if user_id else address),
                      attachments=attachments)
    return deliver(message)


@periodic_job(Daily("DIGEST_HOUR"))
def send_digests(now, period):
    """Once a day: one digest job per person and territory with messages waiting."""
    for user_id, territory_id in pending_digest_recipients():
        enqueue(send_digest, user_id=user_id, territory_id=territory_id)


@job(retries=5, retry_delay=120, retry_backoff=2.0)
def send_digest(user_id, territory_id):
    """Send a person the messages kept for them in one territory, grouped by category; mark them sent."""
    from coopserv.accounts.models import User

    user = db.session.get(User, user_id)
    territory = db.session.get(Territory, territory_id)
    if user is None or territory is None:
        return None
    language = language_of(user, territory)
    with territory_scope(territory):
        entries = db.session.scalars(select(DigestEntry).filter_by(user_id=user_id, sent_at=None)
                                     .order_by(DigestEntry.category, DigestEntry.id)).all()
        if not entries:
            return None
        groups = []
        for category_key, rows in groupby(entries, key=lambda entry: entry.category):
            rows = list(rows)
            with force_locale(language):
                label = _(CATEGORIES[category_key].label)
            items = [render_summary(row.template, decode_context(row.context), territory, language) for row in rows]
            groups.append({"label": label, "items": items,
                           "unsubscribe_url": _unsubscribe_url(category_key, territory, user_id=user.id)})
        context = {"name": user.name, "groups": groups, "count": len(entries),
                   "settings_url": external_url("account_settings.index", territory=territory)}
        subject, text, html = render_parts("emails/digest.html", context, territory, language)
        with force_locale(language):
            label = _("Daily digest")
        message = compose(to=user.email, subject=subject, text=text, html=html, territory=territory,
                          language=language, category_label=label,
                          why=_why(entries[0].category, territory, language, True),
                          unsubscribe_url=_unsubscribe_url(ALL_DIGESTS, territory, user_id=user.id))
        where = deliver(message)
        sent_at = utcnow()
        for entry in entries:
            entry.sent_at = sent_at
        db.session.commit()
    log.info("Digest of %s messages sent to user %s in %s", len(entries), user_id, territory.slug)
    return where
