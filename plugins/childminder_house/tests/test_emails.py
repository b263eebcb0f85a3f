"""Childminder house e-mails read back from a real SMTP server: the offer with its deadline, the reminder, expiry."""
from datetime import timedelta

from coopserv_plugins.childminder_house.models import Placement
from sqlalchemy import select

from coopserv.plugin_api import db, format_when, utcnow

from .test_waiting_list import full_house, queue  # noqa: F401


def test_offer_reminder_a_day_before_it_lapses_then_expiry(app, clients, tarare, full_house, queue, scoped,  # noqa: F811
                                                           smtp_server):
    smtp_server.clear()
    assert clients.operator.post_json(f"/t/ouest-rhodanien/requests/{queue['held']}/transition",
                                      {"transition": "leave"}).status_code == 200
    with scoped(tarare.territory):
        deadline = db.session.scalar(select(Placement.offer_deadline).filter_by(request_id=queue["plain"]))
    [offer] = smtp_server.to(tarare.parent3.email)
    assert offer["Subject"].startswith("Une place pour Noé à ")
    text = smtp_server.text(offer)
    # The deadline in Tarare's time, the way a French reader writes it.
    assert f"avant le {format_when(deadline, territory=tarare.territory, locale='fr')}" in text
    assert " h " in text and "UTC" not in text
    assert f"/t/ouest-rhodanien/requests/{queue['plain']}" in text

    host = app.extensions["coopserv"]
    smtp_server.clear()
    for days in (5, 6):  # two days before: nothing; within the last day: one reminder, however many ticks run
        with scoped(tarare.territory):
            host.call_each("tick", territory=tarare.territory, now=deadline - timedelta(days=7 - days, hours=1))
    with scoped(tarare.territory):
        host.call_each("tick", territory=tarare.territory, now=deadline - timedelta(hours=3))
    [reminder] = smtp_server.messages
    assert reminder["To"] == tarare.parent3.email
    assert reminder["Subject"].startswith("Rappel : la place pour Noé expire le")

    smtp_server.clear()
    with scoped(tarare.territory):
        host.call_each("tick", territory=tarare.territory, now=deadline + timedelta(minutes=5))
    # Expired (a transition the plugin marks worth an e-mail) and offered to the next family.
    [expired] = smtp_server.to(tarare.parent3.email)
    assert "Expirée" in expired["Subject"] or "expir" in expired["Subject"].lower()
    assert smtp_server.to(tarare.parent2.email)  # Lou's second child is offered the place
    assert utcnow() < deadline
