"""The one place that writes territories."""
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv.extensions import db
from coopserv.territories import division
from coopserv.territories.models import Territory, TerritoryTown
from coopserv.territories.schemas import TerritorySchema


def get_territory(slug):
    return db.session.scalar(select(Territory).filter_by(slug=slug))


def set_timezone(territory, data, actor=None):
    """Change the zone a territory's times are shown and typed in (stored times do not move).

    Rollups cut in local hours or days no longer match: a job rebuilds them for
    the territory once the change is committed.
    """
    from coopserv.audit.services import record
    from coopserv.jobs import enqueue_after_commit
    from coopserv.jobs.builtin import rebuild_indicator_rollups
    from coopserv.rollups.services import local_time_keys

    old = territory.timezone
    territory.timezone = data["timezone"]
    record("territory.timezone_changed", territory.slug, actor=actor, old=old, new=territory.timezone)
    keys = local_time_keys() if old != territory.timezone else []
    if keys:
        enqueue_after_commit(rebuild_indicator_rollups, territory_id=territory.id, keys=keys)
    db.session.commit()
    return territory


def create_territory(raw):
    """Validate and create a territory; a slug already used is a field error."""
    data = TerritorySchema().load(raw)
    if get_territory(data["slug"]) is not None:
        raise ValidationError({"slug": [_("A territory already uses this slug.")]})
    territory = Territory(**data)
    db.session.add(territory)
    db.session.commit()
    return territory


def towns_from_division(epci_sirens=(), insee_codes=()):
    """The communes of some EPCI (by SIREN) and/or of a list of INSEE codes; unknown ones are field errors.

    Several EPCI make a PETR (pôle d'équilibre territorial et rural) or any grouping of communities:
    the division ships no PETR, so a territory covering one is given its member EPCI.
    """
    if isinstance(epci_sirens, str):
        epci_sirens = [epci_sirens]
    errors, found, unknown_epci = {}, {}, []
    for siren in (str(s).strip() for s in epci_sirens or ()):
        group = division.epci(siren) if siren else None
        if group is None:
            unknown_epci.append(siren)
        else:
            found.update((c.insee_code, c) for c in group.communes)
    if unknown_epci:
        errors["epci"] = [ngettext("No EPCI has the SIREN %(sirens)s.", "No EPCI has these SIREN: %(sirens)s.",
                                   len(unknown_epci), sirens=", ".join(unknown_epci))]
    unknown = []
    for code in insee_codes:
        commune = division.commune(code)
        if commune is None:
            unknown.append(str(code))
        else:
            found[commune.insee_code] = commune
    if unknown:
        errors["communes"] = [_("Unknown INSEE codes: %(codes)s.", codes=", ".join(unknown))]
    if errors:
        raise ValidationError(errors)
    return sorted(found.values(), key=lambda c: c.name)


def add_towns(territory, communes):
    """Give the territory these communes as towns (those it already has are kept as they are)."""
    from coopserv.tenancy import territory_scope

    with territory_scope(territory):
        known = set(db.session.scalars(select(TerritoryTown.insee_code)))
        added = [TerritoryTown(territory_id=territory.id, insee_code=c.insee_code, name=c.name, postcode=c.postcode)
                 for c in communes if c.insee_code not in known]
        db.session.add_all(added)
        db.session.commit()
    return len(added)


def create_territory_with_towns(raw, epci_sirens=(), insee_codes=()):
    """Create a territory and its towns at once, all or nothing (the division is checked first)."""
    communes = towns_from_division(epci_sirens, insee_codes) if (epci_sirens or insee_codes) else []
    territory = create_territory(raw)
    add_towns(territory, communes)
    return territory


def list_towns():
    """The current territory's towns, by name."""
    return list(db.session.scalars(select(TerritoryTown).order_by(TerritoryTown.name)))
