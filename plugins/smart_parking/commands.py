"""`coopserv parking ...`: replay simulated sensor traffic on a lot."""
import time

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from coopserv.plugin_api import db, territory_scope

parking_group = AppGroup("parking", help="Smart parking: simulate sensor traffic.")


@parking_group.command("simulate")
@click.argument("territory_slug")
@click.argument("lot")
@click.option("--events", default=1000, show_default=True, type=click.IntRange(1, 10_000_000),
              help="How many sensor events to send.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 5000),
              help="Most events a sensor sends at once.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed (same seed, same traffic).")
@click.option("--heartbeat", default=10, show_default=True, type=click.IntRange(0, 120),
              help="Minutes between two reports of an unchanged spot (0: changes only).")
def simulate_command(territory_slug, lot, events, batch_size, seed, heartbeat):
    """Replay realistic traffic (morning arrivals, lunch, evening departures) on LOT (its id or name)."""
    from coopserv.plugin_api import Territory

    from .models import Lot
    from .simulator import simulate

    territory = db.session.scalar(select(Territory).filter_by(slug=territory_slug))
    if territory is None:
        raise click.ClickException(f"No territory {territory_slug!r}.")
    with territory_scope(territory):
        condition = Lot.name == lot
        if lot.isdigit():
            condition = or_(condition, Lot.id == int(lot))
        found = db.session.scalar(select(Lot).where(condition))
        if found is None:
            raise click.ClickException(f"No car park {lot!r} in {territory.name}.")
        started = time.perf_counter()
        try:
            report = simulate(found, events=events, batch_size=batch_size, seed=seed, heartbeat_minutes=heartbeat)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        elapsed = time.perf_counter() - started
    click.echo(f"{report.sent} events sent in {report.batches} batches to {found.name}: {report.accepted} accepted, "
               f"{report.duplicates} duplicates, {report.rejected} rejected; "
               f"{report.sent / elapsed:,.0f} events/s.")
