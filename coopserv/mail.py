"""Deliver a built message: over SMTP when MAIL_SERVER is set, else into the instance outbox (development).

Messages are built by ``coopserv.emails`` with the standard library's ``email``
package; this module only hands them over. It runs in jobs, never in a web
request.
"""
import logging
import os
import re
import smtplib
import ssl

from flask import current_app

from coopserv.timeutil import utcnow

log = logging.getLogger(__name__)


def deliver(message):
    """Send an ``EmailMessage``; return where it went (the SMTP server or the outbox file)."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return _send_smtp(message, config)
    return _write_outbox(message)


def _send_smtp(message, config):
    host, port, timeout = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), config.get("MAIL_TIMEOUT", 20)
    if config.get("MAIL_USE_SSL"):
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    log.info("Mail to %s (%s) sent through %s:%s", message["To"], message["Subject"], host, port)
    return f"smtp://{host}:{port}"


def _write_outbox(message):
    outbox = os.path.join(current_app.instance_path, current_app.config["MAIL_OUTBOX"])
    os.makedirs(outbox, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    # The address names the file: keep only harmless characters (an address may hold "/" or "..").
    address = str(message["To"]).split("<")[-1].rstrip(">")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", address.replace("@", "_at_"))[:100]
    path = os.path.join(outbox, f"{stamp}-{safe}.eml")
    # Written aside then renamed, so whoever watches the folder never reads half a message.
    with open(path + ".part", "wb") as handle:
        handle.write(bytes(message))
    os.replace(path + ".part", path)
    log.info("Mail to %s (%s) written to %s", message["To"], message["Subject"], path)
    return path
