"""Mobility indicators, each aggregated by the database over one module and period.

Shared kilometres count, for each passenger, the great-circle distance from their home to the
park, twice a day (there and back), on their riding days, over an average month (52/12 weeks).
CO2 avoided assumes each passenger would otherwise drive alone: shared km × the module's emission
factor (default 0.218 kg CO2e/km, average car, ADEME Base Empreinte).
"""
from sqlalchemy import func, or_, select

from coopserv.plugin_api import Indicator, IndicatorQuery, RequestMeasure, _l

from .models import PASSENGER, BusinessPark, Crew, CrewMember
from .schemas import MobilityConfigSchema

SERVICE_KEY = "mobility"
WEEKS_PER_MONTH = 52 / 12
DAYS_PER_MONTH = 365.25 / 12


def _here(module, *models):
    """Each model's rows of the module's territory: the SELECT names its territory itself."""
    return [model.territory_id == module.territory_id for model in models]


def _members_during(module, start, end):
    """Crew members riding at some point of the period."""
    return select().select_from(CrewMember).join(Crew, Crew.id == CrewMember.crew_id).where(
        CrewMember.joined_at < end, or_(CrewMember.left_at.is_(None), CrewMember.left_at >= start),
        *_here(module, CrewMember, Crew))


def active_crews_query(module, start, end):
    """Crews riding at some point of the period, as a SELECT the core may read beside other figures."""
    return IndicatorQuery(select(func.count(Crew.id)).where(
        Crew.created_at < end, or_(Crew.ended_at.is_(None), Crew.ended_at >= start), *_here(module, Crew)),
        names_territory=True)


def active_crews(module, start, end):
    return active_crews_query(module, start, end).value()


def shared_km_per_month_query(module, start, end):
    """Passengers' shared kilometres over an average month, as a SELECT the core may read beside other figures."""
    km = _members_during(module, start, end).where(CrewMember.role == PASSENGER).add_columns(
        func.coalesce(func.sum(CrewMember.trip_km * 2 * CrewMember.days_per_week), 0))
    return IndicatorQuery(km, lambda row: round(float(row[0] or 0) * WEEKS_PER_MONTH, 1), names_territory=True)


def shared_km_per_month(module, start, end):
    return shared_km_per_month_query(module, start, end).value()


def co2_avoided_query(module, start, end):
    """Shared kilometres over the period times the car's emission factor, as one SELECT of one row."""
    factor = MobilityConfigSchema().load(module.config or {})["emission_factor_kg_per_km"]
    months = (end - start).total_seconds() / 86400 / DAYS_PER_MONTH
    per_month = shared_km_per_month_query(module, start, end)
    return IndicatorQuery(per_month.select, lambda row: round(per_month.finish(row) * months * factor, 1),
                          names_territory=True)


def co2_avoided(module, start, end):
    return co2_avoided_query(module, start, end).value()


def park_coverage_query(module, start, end):
    """Employees of the parks' companies and those riding in a crew, as one SELECT of one row."""
    from coopserv.plugin_api import Organization

    parks = select(BusinessPark.name).where(BusinessPark.active.is_(True), *_here(module, BusinessPark))
    employees = (select(func.coalesce(func.sum(Organization.employee_count), 0))
                 .where(Organization.business_park.in_(parks), *_here(module, Organization)).scalar_subquery())
    riders = (_members_during(module, start, end).join(Organization, Organization.id == CrewMember.organization_id)
              .where(Organization.business_park.in_(parks), *_here(module, Organization))
              .add_columns(func.count(func.distinct(CrewMember.user_id))).scalar_subquery())
    return IndicatorQuery(select(employees.label("employees"), riders.label("riders")), _park_coverage,
                          names_territory=True)


def _park_coverage(row):
    employees, riders = row
    if not employees:
        return None
    return round(100 * riders / employees, 1)


def park_coverage(module, start, end):
    """Share of the employees of companies located in the territory's parks who ride in a crew."""
    return park_coverage_query(module, start, end).value()


INDICATORS = [
    Indicator("mobility.active_crews", _l("Active carpool crews"), _l("crews"), SERVICE_KEY, active_crews,
              _l("Crews riding at some point of the period."), query=active_crews_query),
    Indicator("mobility.shared_km_per_month", _l("Shared kilometres per month"), "km", SERVICE_KEY,
              shared_km_per_month, _l("Passengers' home-to-park distance, there and back, on their riding days, "
                                      "over an average month."), query=shared_km_per_month_query),
    Indicator("mobility.co2_avoided", _l("CO2 avoided"), _l("kg CO2e"), SERVICE_KEY, co2_avoided,
              _l("Shared kilometres over the period times the emission factor of a car (default 0.218 kg "
                 "CO2e/km, ADEME Base Empreinte)."), query=co2_avoided_query),
    Indicator("mobility.park_coverage", _l("Employees of the parks in a crew"), "%", SERVICE_KEY, park_coverage,
              _l("Share of the employees of the companies located in the business parks who ride in a crew."),
              query=park_coverage_query),
    # The first sign of use: a commute published counts at once, before any crew forms (a monthly rollup).
    Indicator("mobility.commutes_published", _l("Commutes published"), _l("commutes"), SERVICE_KEY, None,
              _l("Commutes offered by drivers or looked for by passengers, published in the period."),
              rollup=RequestMeasure("count", by_organization=True)),
]
