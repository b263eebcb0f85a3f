"""The one place that writes the risk register ("what happens if…")."""
from sqlalchemy import select

from coopserv.audit.services import record
from coopserv.extensions import db

from .models import Risk
from .services import _by_id, territory_member


def list_risks():
    risks = list(db.session.scalars(select(Risk).order_by(Risk.review_on)))
    return sorted(risks, key=lambda r: -r.score)


def get_risk(risk_id):
    return _by_id(Risk, risk_id)


def save_risk(data, risk=None, actor=None):
    """Create or update a risk of the register."""
    owner = territory_member(data["owner_id"], "owner_id") if data.get("owner_id") else None
    if risk is None:
        risk = Risk()
        db.session.add(risk)
    for name in ("title", "category", "likelihood", "impact", "mitigation", "review_on"):
        setattr(risk, name, data.get(name, getattr(risk, name)))
    risk.owner_id = owner.id if owner else None
    db.session.flush()
    record("governance.risk_saved", risk.id, actor=actor, score=risk.score)
    db.session.commit()
    return risk
