"""Coworking desks indicators: declared once, kept by the core as monthly rollups of the module's requests."""
from coopserv.plugin_api import Indicator, RequestMeasure, _l

from . import SERVICE_KEY

INDICATORS = [
    # No SQL to write: the core counts the module's requests per month, in the transaction that stores them.
    Indicator(f"{SERVICE_KEY}.bookings", _l("Bookings"), _l("bookings"), SERVICE_KEY,
              description=_l("Bookings made in the period."), per_employees=True,
              rollup=RequestMeasure("count", by_organization=True)),
]
