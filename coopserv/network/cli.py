"""`coopserv network …`: platform operators create networks, add member territories, partners and coordinators."""
import sys

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError


def _fail(message):
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)


def _network(slug):
    from coopserv.network.services import get_network

    network = get_network(slug)
    if network is None:
        _fail(f"unknown network {slug!r}.")
    return network


@click.group("network")
def network_group():
    """Networks of territories (a coordinator, member territories, seminars)."""


@network_group.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--description", default="")
@with_appcontext
def create(slug, name, description):
    """Create a network reachable at /n/SLUG/."""
    from coopserv.network.schemas import NetworkSchema
    from coopserv.network.services import create_network

    try:
        network = create_network(NetworkSchema().load({"slug": slug, "name": name, "description": description}))
    except ValidationError as error:
        _fail("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.messages.items()))
    click.echo(f"Network {network.slug} created: /n/{network.slug}/")


@network_group.command("add-territory")
@click.argument("network_slug")
@click.argument("territory_slug")
@with_appcontext
def add_territory(network_slug, territory_slug):
    """Make TERRITORY_SLUG a member of NETWORK_SLUG."""
    from coopserv.network.services import add_territory as add
    from coopserv.territories.services import get_territory

    territory = get_territory(territory_slug)
    if territory is None:
        _fail(f"unknown territory {territory_slug!r}.")
    add(_network(network_slug), territory)
    click.echo(f"{territory_slug} is a member of {network_slug}.")


@network_group.command("add-partner")
@click.argument("network_slug")
@click.argument("name")
@click.option("--role", type=click.Choice(["coordinator", "co_organiser", "partner"]), default="partner")
@with_appcontext
def add_partner(network_slug, name, role):
    """Name an organization acting at network level (ADEFPAT, ARADEL…)."""
    from coopserv.network.services import add_partner as add

    add(_network(network_slug), name, role)
    click.echo(f"{name} ({role}) added to {network_slug}.")


@network_group.command("add-coordinator")
@click.argument("network_slug")
@click.argument("email")
@click.option("--partner", help="The network-level organization the person works for.")
@with_appcontext
def add_coordinator(network_slug, email, partner):
    """Give the account EMAIL the coordinator role in NETWORK_SLUG."""
    from sqlalchemy import select

    from coopserv.accounts.services import find_user_by_email
    from coopserv.extensions import db
    from coopserv.network.models import NetworkPartner
    from coopserv.network.services import add_coordinator as add

    network = _network(network_slug)
    user = find_user_by_email(email)
    if user is None:
        _fail(f"no account uses {email!r}.")
    organization = None
    if partner:
        organization = db.session.scalar(select(NetworkPartner).filter_by(network_id=network.id, name=partner))
        if organization is None:
            _fail(f"unknown partner {partner!r} in {network_slug}.")
    add(network, user, organization)
    click.echo(f"{email} coordinates {network_slug}.")
