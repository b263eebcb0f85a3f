"""Demo indicators the committees defined: monthly figures entered by a named person, and counts of data."""
from datetime import timedelta

from sqlalchemy import select

from coopserv.accounts.models import User
from coopserv.extensions import db
from coopserv.indicators.services import current_month

from . import services

#: slug -> [(definition, reporter's e-mail handle, monthly figures from the oldest month)].
DEMO = {
    "figeac": [
        ({"name": "Recrues facilitées par l'accueil des conjoints", "unit": "recrues", "method": "manual",
          "aggregation": "sum", "target_value": 12, "per_employees": True,
          "description": "Salariés et conjoints recrutés grâce au réseau d'accueil, déclarés chaque mois par "
                         "Figeac Accueil."}, "presidente-accueil", [1, 0, 2, 1, 3, 2]),
        ({"name": "Participants aux soirées Start Up de Territoire", "unit": "inscrits", "method": "count",
          "source": "event_registrations", "filters": {"event_kind": "startup_evening"}, "target_value": 30,
          "description": "Inscriptions aux soirées d'émergence de projets."}, None, []),
    ],
    "grand-quercy": [
        ({"name": "Entreprises adhérentes au club", "unit": "entreprises", "method": "manual", "aggregation": "last",
          "target_value": 25, "description": "Le nombre d'adhérents du Club des entrepreneurs, relevé chaque mois."},
         "president-club", [14, 15, 15, 17, 18, 19]),
    ],
}


def _month(months_ago):
    day = current_month()
    for _ in range(months_ago):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def seed_demo(territory, users):
    """Define the territory's committee indicators and fill six months of figures."""
    admin = users["admin"]
    for definition, handle, figures in DEMO.get(territory.slug, []):
        reporter = db.session.scalar(select(User).filter_by(email=f"{handle}@{territory.slug}.demo")) \
            if handle else None
        if handle and reporter is None:
            continue
        created = services.create_definition({**definition, "reporter_id": reporter.id if reporter else None},
                                             admin)
        for months_ago, value in zip(range(len(figures) - 1, -1, -1), figures):
            services.enter_figure(created, {"month": _month(months_ago), "value": value,
                                            "note": ""}, reporter, is_admin=False)
