"""Outgoing mail; in development every message is written to the instance outbox and logged."""
import logging
import os
import re
from email.message import EmailMessage

from flask import current_app

from coopserv.timeutil import utcnow

log = logging.getLogger(__name__)


def send_mail(to, subject, body):
    """Write the message to the outbox folder (one .eml file per message) and return its path."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    outbox = os.path.join(current_app.instance_path, current_app.config["MAIL_OUTBOX"])
    os.makedirs(outbox, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    # The address names the file: keep only harmless characters (an address may hold "/" or "..").
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", to.replace("@", "_at_"))[:100]
    path = os.path.join(outbox, f"{stamp}-{safe}.eml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(message.as_string())
    log.info("Mail to %s (%s) written to %s", to, subject, path)
    return path
