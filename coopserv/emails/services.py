"""The one place that writes e-mail preferences, opt-outs and digest entries, and that sends e-mail.

``send_email`` is called by services inside their transaction. It reads the
recipient's preference for the category: *at once* sends a job after the
commit, *daily digest* keeps an entry for the next digest, *never* sends
nothing (the in-app notification stays). Rendering and delivery happen in the
job (``coopserv.emails.jobs``), never in the web request.
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from coopserv.emails.categories import CATEGORIES, DIGEST, IMMEDIATELY, INVITATIONS, MODES, NEVER, tunable_categories
from coopserv.emails.models import DigestEntry, EmailOnce, EmailOptOut, EmailPreference
from coopserv.emails.rendering import encode_context
from coopserv.extensions import db
from coopserv.jobs import enqueue_after_commit
from coopserv.tenancy import current_territory

UNSUBSCRIBE_SALT = "coopserv-unsubscribe"
#: The pseudo-category of a digest's unsubscribe header: every category the person gets as a digest.
ALL_DIGESTS = "*digest"


def language_of(user, territory=None):
    """The language a person reads: theirs, else the territory's, else French."""
    return (getattr(user, "language", None) or getattr(territory, "default_language", None) or "fr")


# -- preferences -------------------------------------------------------------------------
def preferences(user_id):
    """{category key: mode} for every tunable category (defaults filled in)."""
    stored = dict(db.session.execute(select(EmailPreference.category, EmailPreference.mode)
                                     .filter_by(user_id=user_id)).all())
    return {category.key: stored.get(category.key, IMMEDIATELY) for category in tunable_categories()}


def mode_for(user_id, category_key):
    if not CATEGORIES[category_key].tunable:
        return IMMEDIATELY
    mode = db.session.scalar(select(EmailPreference.mode).filter_by(user_id=user_id, category=category_key))
    return mode or IMMEDIATELY


def set_preference(user_id, category_key, mode, commit=True):
    """Choose how one category reaches a person (the caller validated both)."""
    if category_key not in CATEGORIES or mode not in MODES or not CATEGORIES[category_key].tunable:
        raise ValueError(f"unknown category or mode: {category_key!r}, {mode!r}")
    row = db.session.scalar(select(EmailPreference).filter_by(user_id=user_id, category=category_key))
    if row is None:
        row = EmailPreference(user_id=user_id, category=category_key, mode=mode)
        db.session.add(row)
    row.mode = mode
    if commit:
        db.session.commit()
    return row


def save_preferences(user_id, modes):
    """Save {category: mode} from the settings form (validated by EmailPreferencesSchema)."""
    for category_key, mode in modes.items():
        set_preference(user_id, category_key, mode, commit=False)
    db.session.commit()


# -- unsubscribe ------------------------------------------------------------------------------
def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(category_key, user_id=None, address=None):
    """A signed token naming who (an account, or an address without one) stops which category."""
    payload = {"c": category_key}
    if user_id is not None:
        payload["u"] = user_id
    else:
        payload["a"] = address.strip().lower()
    return _serializer().dumps(payload)


def read_unsubscribe_token(token):
    """The token's payload, or None when it was not signed by this instance."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    category = payload.get("c")
    if category != ALL_DIGESTS and (category not in CATEGORIES or not CATEGORIES[category].tunable):
        return None
    if "u" not in payload and "a" not in payload:
        return None
    return payload


def unsubscribe(payload):
    """Apply a valid token: the category (or every digest category) is never e-mailed again."""
    category = payload["c"]
    if "u" in payload:
        from coopserv.accounts.models import User

        if db.session.get(User, payload["u"]) is None:
            return
        keys = ([key for key, mode in preferences(payload["u"]).items() if mode == DIGEST]
                if category == ALL_DIGESTS else [category])
        for key in keys:
            set_preference(payload["u"], key, NEVER, commit=False)
    elif category != ALL_DIGESTS and db.session.scalar(
            select(EmailOptOut.id).filter_by(address=payload["a"], category=category)) is None:
        db.session.add(EmailOptOut(address=payload["a"], category=category))
    db.session.commit()


def opted_out(address, category_key):
    return db.session.scalar(select(EmailOptOut.id).filter_by(address=address.strip().lower(),
                                                              category=category_key)) is not None


# -- sending ---------------------------------------------------------------------------------
def claim_once(key):
    """True the first time ``key`` is given (in this transaction's outcome); False ever after."""
    if db.session.scalar(select(EmailOnce.id).filter_by(key=key)) is not None:
        return False
    db.session.add(EmailOnce(key=key))
    return True


def send_email(user, category, template, territory=None, link_to=None, once_key=None, attachments=(), **context):
    """Send ``template`` to ``user`` after the commit, as their preference for ``category`` says.

    ``category`` is a ``coopserv.emails.categories.Category`` (or its key);
    ``link_to`` a target made with ``coopserv.urls.target`` (the message's
    main link, built as an absolute URL when rendered); ``once_key`` makes the
    message go out at most once ever (reminders); ``attachments`` are dicts
    ``{"filename", "mimetype", "content" (bytes), "params"}``; ``context``
    holds plain values (str, numbers, dates) for the template. Returns
    "sent", "digest" or "skipped".
    """
    category_key = getattr(category, "key", category)
    if user is None or not getattr(user, "email", None):
        return "skipped"
    territory = territory if territory is not None else current_territory()
    if once_key is not None and not claim_once(once_key):
        return "skipped"
    mode = mode_for(user.id, category_key)
    if mode == NEVER:
        return "skipped"
    if link_to is not None:
        context["link_to"] = link_to
    if mode == DIGEST and not attachments:
        db.session.add(DigestEntry(user_id=user.id, category=category_key, template=template,
                                   context=encode_context(context),
                                   territory_id=territory.id if territory is not None else None))
        return "digest"
    from coopserv.emails.jobs import deliver_email

    enqueue_after_commit(deliver_email, address=user.email, user_id=user.id,
                         territory_id=territory.id if territory is not None else None, category=category_key,
                         template=template, context=encode_context(context), language=language_of(user, territory),
                         attachments=list(attachments))
    return "sent"


def send_email_to_users(user_ids, category, template, territory=None, link_to=None, once_key=None,
                        attachments=(), **context):
    """``send_email`` to several people (loaded in one query); ``once_key`` gets ":<user id>" appended."""
    from coopserv.accounts.models import User

    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all()
    return {user.id: send_email(user, category, template, territory=territory, link_to=link_to,
                                once_key=f"{once_key}:{user.id}" if once_key else None,
                                attachments=attachments, **dict(context))
            for user in users}


def send_to_address(address, category, template, territory=None, language=None, link_to=None, **context):
    """Send to an address that may have no account (invitations), unless it opted out of ``category``."""
    category_key = getattr(category, "key", category)
    territory = territory if territory is not None else current_territory()
    if opted_out(address, category_key):
        return "skipped"
    if link_to is not None:
        context["link_to"] = link_to
    from coopserv.emails.jobs import deliver_email

    enqueue_after_commit(deliver_email, address=address.strip(), user_id=None,
                         territory_id=territory.id if territory is not None else None, category=category_key,
                         template=template, context=encode_context(context),
                         language=language or getattr(territory, "default_language", None) or "fr", attachments=[])
    return "sent"


def send_invitation_email(address, territory, accept_url, inviter_name="", organization_name="", language=None,
                          expires_on=None, message=""):
    """E-mail an invitation to join ``territory``'s portal (for the invitations module and imports).

    ``accept_url`` is the absolute link that accepts the invitation (build it
    with ``coopserv.urls.external_url``); ``inviter_name``, ``organization_name``,
    ``expires_on`` (a date) and ``message`` (a personal note) are shown when
    given. The message goes out after the caller's commit, in ``language`` (or
    the territory's), unless the address opted out of invitations. Returns
    "sent" or "skipped".
    """
    return send_to_address(address, INVITATIONS, "emails/invitation.html", territory=territory, language=language,
                           link=accept_url, inviter_name=inviter_name, organization_name=organization_name,
                           expires_on=expires_on, note=message)


def pending_digest_recipients():
    """(user id, territory id) pairs with entries waiting, across every territory."""
    from coopserv.tenancy import ALL_TERRITORIES

    return db.session.execute(select(DigestEntry.user_id, DigestEntry.territory_id)
                              .where(DigestEntry.sent_at.is_(None)).distinct()
                              .order_by(DigestEntry.territory_id, DigestEntry.user_id)
                              .execution_options(**{ALL_TERRITORIES: True})).all()
