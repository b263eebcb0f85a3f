"""`coopserv invitations send`: e-mail the invitations an import created (run it from cron or a job)."""
import click
from flask.cli import with_appcontext


@click.group("invitations")
def invitations_group():
    """Invitations to join a territory."""


@invitations_group.command("send")
@click.option("--territory", "territory_slug", help="Only this territory (default: every territory).")
@click.option("--limit", type=click.IntRange(1, 100_000), help="At most this many per territory.")
@with_appcontext
def send(territory_slug, limit):
    """Send every pending invitation not sent yet; links start with the PUBLIC_URL setting."""
    from sqlalchemy import select

    from coopserv.extensions import db
    from coopserv.invitations.services import send_pending
    from coopserv.tenancy import territory_scope
    from coopserv.territories.models import Territory

    query = select(Territory).order_by(Territory.id)
    if territory_slug:
        query = query.filter_by(slug=territory_slug)
    territories = db.session.scalars(query).all()
    if territory_slug and not territories:
        raise click.ClickException(f"unknown territory {territory_slug!r}.")
    total = 0
    for territory in territories:
        with territory_scope(territory):
            total += send_pending(limit=limit)
    click.echo(f"{total} invitations sent.")
