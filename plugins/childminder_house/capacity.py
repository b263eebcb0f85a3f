"""Capacity arithmetic on a week grid of half-hour cells, with no database access.

A childminder counts in a cell only when she is present for the whole cell; a
child counts in every cell their hours touch. A request fits when one more
child keeps every cell it touches within capacity.
"""
from dataclasses import dataclass, field
from datetime import date, time

from .models import GRID_MINUTES

FAR_FUTURE = date(9999, 12, 31)


@dataclass
class Booking:
    """A child holding (or offered) a place: dates and weekly slots (weekday, start, end minutes)."""

    placement_id: int
    organization_id: int | None
    requester_id: int | None
    status: str
    start_date: date
    end_date: date | None
    slots: list = field(default_factory=list)

    def overlaps(self, start, end):
        """Tell whether the booking's dates meet the period from ``start`` to ``end`` (None: open)."""
        return self.start_date <= (end or FAR_FUTURE) and (self.end_date is None or self.end_date >= start)


def to_minutes(value: time):
    return value.hour * 60 + value.minute


def touched_cells(starts_at, ends_at):
    """Start minutes of the grid cells a stay from ``starts_at`` to ``ends_at`` touches."""
    first = starts_at - starts_at % GRID_MINUTES
    return range(first, ends_at, GRID_MINUTES)


def covered_cells(starts_at, ends_at):
    """Start minutes of the grid cells entirely within ``starts_at``..``ends_at``."""
    first = starts_at + (-starts_at) % GRID_MINUTES
    return range(first, ends_at - GRID_MINUTES + 1, GRID_MINUTES)


def capacity_by_cell(childminders):
    """Children the house may take per (weekday, cell): the sum over childminders present."""
    capacity = {}
    for weekdays, starts_at, ends_at, max_children in childminders:
        for weekday in weekdays:
            for cell in covered_cells(starts_at, ends_at):
                capacity[(weekday, cell)] = capacity.get((weekday, cell), 0) + max_children
    return capacity


def occupancy_by_cell(bookings, start=None, end=None):
    """Children booked per (weekday, cell), among bookings meeting the period (all when no start)."""
    occupancy = {}
    for booking in bookings:
        if start is not None and not booking.overlaps(start, end):
            continue
        for weekday, starts_at, ends_at in booking.slots:
            for cell in touched_cells(starts_at, ends_at):
                occupancy[(weekday, cell)] = occupancy.get((weekday, cell), 0) + 1
    return occupancy


def fits(capacity, bookings, start, end, slots):
    """Tell whether one more child, from ``start`` to ``end`` on ``slots``, keeps every cell within capacity."""
    occupancy = occupancy_by_cell(bookings, start, end)
    return all(occupancy.get((weekday, cell), 0) + 1 <= capacity.get((weekday, cell), 0)
               for weekday, starts_at, ends_at in slots for cell in touched_cells(starts_at, ends_at))


def shortfalls(capacity, bookings):
    """Cells where the bookings exceed ``capacity``, as (weekday, cell, capacity, occupancy), in order."""
    occupancy = occupancy_by_cell(bookings)
    return [(weekday, cell, capacity.get((weekday, cell), 0), count)
            for (weekday, cell), count in sorted(occupancy.items()) if count > capacity.get((weekday, cell), 0)]
