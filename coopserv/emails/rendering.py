"""Turn a message template and its context into a MIME message: text and HTML parts, headers, attachments.

A message template (``emails/<name>.html``) defines three blocks: ``subject``,
``text`` (inside ``{% autoescape false %}``) and ``html``; it sees its context,
``link`` (its main link, absolute), ``territory``, ``portal_url`` and the
``button(url, label, territory)`` macro. It is rendered in the recipient's language, with the
territory in scope (times in its zone), then wrapped in the territory's
layout: its name and colours, and a footer saying why the person gets it, with
the one-click unsubscribe link of the category.
"""
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup

from coopserv.json_values import from_json, to_json
from coopserv.tenancy import territory_scope
from coopserv.urls import base_url, target_url


def encode_context(context):
    """Make a context JSON-storable (digest entries): dates and datetimes are tagged."""
    return to_json(context)


def decode_context(context):
    return from_json(context)


def _render_block(template_name, block, context):
    template = current_app.jinja_env.get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context))).strip()


def _plain(rendered):
    """A subject line: the block is rendered with HTML escaping (a .html template), a header wants plain text."""
    import html

    return " ".join(html.unescape(rendered).split())


def message_context(context, territory):
    """The context a message template sees: its values, ``link`` (absolute) and the territory."""
    full = dict(context)
    full["territory"] = territory
    full["link"] = target_url(context.get("link_to"), territory=territory, external=True) if context.get(
        "link_to") else context.get("link", "")
    full["portal_url"] = _portal_url(territory)
    # Blocks are rendered on their own, so a template's top-level imports would not run: macros come here.
    full["button"] = current_app.jinja_env.get_template("emails/_macros.html").module.button
    return full


def _portal_url(territory):
    from coopserv.urls import external_url

    return external_url("portal.home", territory=territory) if territory is not None else base_url()


def render_parts(template_name, context, territory, language):
    """(subject, text, html body) of one message, in ``language`` and the territory's zone."""
    with force_locale(language), _scope(territory):
        full = message_context(context, territory)
        subject = _plain(_render_block(template_name, "subject", full))
        text = _render_block(template_name, "text", full)
        html = _render_block(template_name, "html", full)
    return subject, text, html


def render_summary(template_name, context, territory, language):
    """(subject, link) of a message, for one line of a digest."""
    with force_locale(language), _scope(territory):
        full = message_context(context, territory)
        return _plain(_render_block(template_name, "subject", full)), full["link"]


class _scope:
    """territory_scope, or nothing when the message belongs to no territory."""

    def __init__(self, territory):
        self.territory = territory
        self.inner = None

    def __enter__(self):
        if self.territory is not None:
            self.inner = territory_scope(self.territory)
            self.inner.__enter__()

    def __exit__(self, *exc):
        if self.inner is not None:
            return self.inner.__exit__(*exc)
        return False


def compose(*, to, subject, text, html, territory, language, category_label, why, unsubscribe_url=None,
            attachments=()):
    """Build the MIME message: text and HTML alternatives in the territory's layout, unsubscribe headers."""
    from flask_babel import gettext as _

    with force_locale(language), _scope(territory):
        name = territory.name if territory is not None else "coopserv"
        layout = {"territory": territory, "body": Markup(html), "subject": subject, "language": language,
                  "category_label": category_label, "why": why, "unsubscribe_url": unsubscribe_url,
                  "portal_url": _portal_url(territory), "site_name": name}
        # Not render_template: its context processors serve web pages (signed-in user, request path).
        html_document = current_app.jinja_env.get_template("emails/_layout.html").render(**layout)
        footer = [f"-- \n{name} · {layout['portal_url']}", why]
        if unsubscribe_url:
            footer.append(_("Stop these e-mails (%(category)s): %(url)s", category=category_label,
                            url=unsubscribe_url))
        text_document = text.rstrip() + "\n\n" + "\n".join(footer) + "\n"

    message = EmailMessage()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message["From"] = formataddr((name, sender)) if "<" not in sender else sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">") or None)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text_document)
    message.add_alternative(html_document, subtype="html")
    for attachment in attachments:
        maintype, subtype = attachment["mimetype"].split("/", 1)
        params = attachment.get("params") or {}
        content = attachment["content"]
        if maintype == "text":
            # Text parts (an .ics) go as UTF-8 text, so their charset is declared.
            text_content = content.decode("utf-8") if isinstance(content, bytes) else content
            message.add_attachment(text_content, subtype=subtype, filename=attachment["filename"], params=params)
        else:
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=attachment["filename"],
                                   params=params)
    message["Content-Language"] = language  # after the parts: setting content clears Content-* headers
    return message
