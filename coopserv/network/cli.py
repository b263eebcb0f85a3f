"""`coopserv network …`: platform operators create networks, add or remove member territories, partners and coordinators.

Every command goes through ``coopserv.network.services``, as the network's
admin page and the API do, so each change is written in the network's log.
"""
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


def _territory(slug):
    from coopserv.territories.services import get_territory

    territory = get_territory(slug)
    if territory is None:
        _fail(f"unknown territory {slug!r}.")
    return territory


def _account(email):
    from coopserv.accounts.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        _fail(f"no account uses {email!r}.")
    return user


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

    add(_network(network_slug), _territory(territory_slug))
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
    from coopserv.network.services import add_coordinator as add
    from coopserv.network.services import partner_named

    network = _network(network_slug)
    user = _account(email)
    organization = None
    if partner:
        organization = partner_named(network, partner)
        if organization is None:
            _fail(f"unknown partner {partner!r} in {network_slug}.")
    add(network, user, organization)
    click.echo(f"{email} coordinates {network_slug}.")


@network_group.command("remove-territory")
@click.argument("network_slug")
@click.argument("territory_slug")
@with_appcontext
def remove_territory(network_slug, territory_slug):
    """End TERRITORY_SLUG's membership of NETWORK_SLUG (what it published stays in the library)."""
    from coopserv.network.services import remove_territory as remove
    from coopserv.network.services import territory_ids

    network = _network(network_slug)
    territory = _territory(territory_slug)
    if territory.id not in territory_ids(network):
        _fail(f"{territory_slug} is not a member of {network_slug}.")
    remove(network, territory)
    click.echo(f"{territory_slug} is no longer a member of {network_slug}.")


@network_group.command("remove-partner")
@click.argument("network_slug")
@click.argument("name")
@with_appcontext
def remove_partner(network_slug, name):
    """Remove the partner NAME: it no longer organises events; its people keep their coordinator role."""
    from coopserv.network.services import partner_named
    from coopserv.network.services import remove_partner as remove

    network = _network(network_slug)
    partner = partner_named(network, name)
    if partner is None:
        _fail(f"unknown partner {name!r} in {network_slug}.")
    remove(network, partner)
    click.echo(f"{name} removed from {network_slug}.")


@network_group.command("remove-coordinator")
@click.argument("network_slug")
@click.argument("email")
@with_appcontext
def remove_coordinator(network_slug, email):
    """Withdraw the coordinator role of the account EMAIL in NETWORK_SLUG (the last coordinator stays)."""
    from coopserv.network.services import coordinator_role_of
    from coopserv.network.services import remove_coordinator as remove

    network = _network(network_slug)
    member = coordinator_role_of(network, _account(email))
    if member is None:
        _fail(f"{email} does not coordinate {network_slug}.")
    try:
        remove(network, member)
    except ValidationError as error:
        _fail(" ".join(str(message) for message in error.messages["_schema"]))
    click.echo(f"{email} no longer coordinates {network_slug}.")
