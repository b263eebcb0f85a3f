"""The `coopserv` command: demo, serving, database upgrades, and administration."""
import json
import re
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from marshmallow import ValidationError
from sqlalchemy import select

from coopserv import create_app


def _create_app():
    from coopserv.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        fail(f"configuration: {error}")


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, add_version_option=False)
def main():
    """coopserv: co-designed services for the companies and employees of a territory."""


from coopserv.i18n_tools import i18n_group  # noqa: E402

main.add_command(i18n_group)
from coopserv.projects.cli import projects_group  # noqa: E402

main.add_command(projects_group)
from coopserv.invitations.cli import invitations_group  # noqa: E402
from coopserv.network.cli import network_group  # noqa: E402

main.add_command(invitations_group)
main.add_command(network_group)


def fail(message):
    """Print an error and exit non-zero, writing nothing more."""
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)


def _upgrade():
    """Migrate, then rebuild the rollups that were never built or whose definition changed."""
    from flask_migrate import upgrade

    from coopserv.extensions import db
    from coopserv.rollups.services import outdated_keys, rebuild

    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
    outdated = outdated_keys()
    if outdated:
        rebuild(outdated)
        db.session.commit()
        click.echo(f"Rollups rebuilt: {', '.join(outdated)}.")


@main.command("upgrade")
@with_appcontext
def upgrade_command():
    """Apply every pending migration: the core's, the built-in plugins' and pip-installed plugins'."""
    _upgrade()
    click.echo("Database is up to date.")


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-serve", is_flag=True, help="Prepare the database and data, then stop.")
@click.option("--no-worker", is_flag=True, help="Do not start a job worker beside the server.")
@with_appcontext
def demo_command(host, port, no_serve, no_worker):
    """Apply migrations, seed the four demo territories, then serve the portal with a job worker."""
    from coopserv.demo import DEMO_PASSWORD, demo_accounts, seed_demo

    _upgrade()
    created = seed_demo()
    click.echo("Demo territories created." if created else "Demo territories already present.")
    click.echo(f"Database: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo(f"\nPortal: http://{host}:{port}/")
    click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
    current = None
    for territory_name, email, roles in demo_accounts():
        if territory_name != current:
            current = territory_name
            click.echo(f"\n{territory_name or 'Platform'}")
        click.echo(f"  {email:<48} {'; '.join(roles)}")
    if no_serve:
        return
    worker = None if no_worker else _start_worker_process()
    try:
        # Flask ignores app.run() under its own CLI, so serve with werkzeug directly.
        from werkzeug.serving import run_simple

        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)


def _start_worker_process():
    """Start `coopserv worker` beside the development server (same environment), and say so."""
    import subprocess

    process = subprocess.Popen([sys.executable, "-m", "coopserv", "worker", "--threads", "1"])
    click.echo(f"Job worker started (process {process.pid}): e-mails land in "
               f"{current_app.config['MAIL_SERVER'] or 'instance/' + current_app.config['MAIL_OUTBOX']}.")
    return process


@main.command("worker")
@click.option("--threads", default=2, show_default=True, type=int, help="Jobs run at the same time.")
@click.option("--no-periodic", is_flag=True, help="Run queued jobs only; leave periodic work to other workers.")
@with_appcontext
def worker_command(threads, no_periodic):
    """Run queued jobs (e-mail, documents, rollups) and periodic work (ticks, digests, snapshots)."""
    queue = current_app.extensions["coopserv_jobs"]
    if queue.backend == "immediate":
        fail("JOBS_IMMEDIATE is on: jobs run inside the web process, there is nothing for a worker to do.")
    click.echo(f"Worker: {queue.backend} queue, {threads} threads, periodic work {'off' if no_periodic else 'on'}.")
    import logging

    if not logging.getLogger().handlers:  # LOG_JSON already set one up; otherwise plain lines on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    queue.consumer(workers=threads, periodic=not no_periodic).run()


@main.command("tick")
@with_appcontext
def tick_command():
    """Run time-based work of every plugin for every territory now (the worker also does it by itself)."""
    from coopserv.extensions import db
    from coopserv.jobs.builtin import run_ticks
    from coopserv.territories.models import Territory
    from coopserv.timeutil import utcnow

    now = utcnow()
    failures = 0
    for territory in db.session.scalars(select(Territory).order_by(Territory.id)).all():
        failed = run_ticks(territory, now)
        failures += len(failed)
        for plugin in failed:
            click.secho(f"{territory.slug}: {plugin} failed (see the log).", fg="red", err=True)
    click.echo(f"Tick done at {now.isoformat(timespec='seconds')}.")
    if failures:
        sys.exit(1)


@main.group("plugin")
def plugin_group():
    """Write new service plugins."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--path", "destination", default=".", type=click.Path(file_okay=False), show_default=True,
              help="Folder in which to create coopserv-NAME/.")
@click.option("--title", help="Human name of the service (default: from NAME).")
def plugin_new(name, destination, title):
    """Create a complete, pip-installable plugin package whose tests pass right away."""
    from coopserv.scaffold import ScaffoldError, create_plugin

    try:
        root = create_plugin(name, destination, title)
    except ScaffoldError as error:
        fail(str(error))
    click.echo(f"Created {root}. Next: pip install -e {root} && coopserv upgrade && "
               f"python -m pytest {root}")


@main.group("token")
def token_group():
    """Manage personal access tokens for the REST API."""


@token_group.command("create")
@click.argument("email")
@click.argument("territory_slug", required=False)
@click.option("--name", required=True, help="What the token is for.")
@click.option("--read-only", is_flag=True, help="The token may only read; every write answers 403.")
@click.option("--platform", is_flag=True,
              help="A platform operator's token for the platform's endpoints (creating networks), not a territory's.")
@with_appcontext
def token_create(email, territory_slug, name, read_only, platform):
    """Create an API token acting as EMAIL in TERRITORY_SLUG (or, with --platform, on the platform); prints the secret once."""
    from coopserv.accounts.models import Membership
    from coopserv.accounts.services import find_user_by_email
    from coopserv.extensions import db
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import get_territory
    from coopserv.tokens.schemas import TokenCreateSchema
    from coopserv.tokens.services import NotAPlatformOperator, create_platform_token, create_token

    def validated():
        try:
            return TokenCreateSchema().load({"name": name, "read_only": read_only})
        except ValidationError as error:
            fail(_format_errors(error.messages))

    user = find_user_by_email(email)
    if user is None:
        fail(f"no account uses {email!r}.")
    if platform:
        if territory_slug:
            fail("a platform token belongs to no territory: leave TERRITORY_SLUG out with --platform.")
        data = validated()
        try:
            _token, secret = create_platform_token(user, data["name"], read_only=data["read_only"])
        except NotAPlatformOperator:
            fail(f"{email} is not a platform operator (coopserv user create … --platform-admin).")
        click.echo(secret)
        return
    if not territory_slug:
        fail("name the token's territory (TERRITORY_SLUG), or use --platform for a platform token.")
    territory = get_territory(territory_slug)
    if territory is None:
        fail(f"unknown territory {territory_slug!r}.")
    with territory_scope(territory):
        if not user.is_platform_admin and db.session.scalar(select(Membership.id).filter_by(user_id=user.id)) is None:
            fail(f"{email} is not a member of {territory_slug}.")
        data = validated()
        _token, secret = create_token(user, territory, data["name"], read_only=data["read_only"])
    click.echo(secret)


@main.group("indicators")
def indicators_group():
    """Shared indicators."""


@indicators_group.command("snapshot")
@click.option("--month", help="Month to record, YYYY-MM (default: the previous month).")
@with_appcontext
def indicators_snapshot(month):
    """Record every indicator of every territory for one month (call it monthly from cron)."""
    from datetime import date, timedelta

    from coopserv.extensions import db
    from coopserv.indicators.services import current_month, month_start, snapshot_month
    from coopserv.tenancy import territory_scope
    from coopserv.territories.models import Territory

    if month:
        try:
            year, number = (int(part) for part in month.split("-"))
            target = date(year, number, 1)
        except ValueError:
            fail(f"--month must look like 2026-10, not {month!r}.")
    else:
        target = month_start(current_month() - timedelta(days=1))
    written = 0
    for territory in db.session.scalars(select(Territory).order_by(Territory.id)).all():
        with territory_scope(territory):
            written += snapshot_month(target)
    click.echo(f"Recorded {written} indicator values for {target:%Y-%m}.")


@indicators_group.command("rebuild")
@click.option("--territory", "territory_slug", help="Only this territory (default: all).")
@click.option("--key", "keys", multiple=True, help="Only this rollup (repeat; default: all).")
@with_appcontext
def indicators_rebuild(territory_slug, keys):
    """Recompute rollups (requests', plugins' own) from their rows and forget cached indicator values (history, new definitions)."""
    from sqlalchemy import delete

    from coopserv.extensions import db
    from coopserv.indicators.models import IndicatorCache
    from coopserv.rollups.services import rebuild, rollup_keys
    from coopserv.tenancy import ALL_TERRITORIES
    from coopserv.territories.models import Territory

    known = set(rollup_keys())
    unknown = sorted(set(keys) - known)
    if unknown:
        fail(f"Unknown rollup {', '.join(unknown)}; known: {', '.join(sorted(known))}.")
    territory_id = None
    if territory_slug:
        territory = db.session.scalar(select(Territory).filter_by(slug=territory_slug))
        if territory is None:
            fail(f"No territory {territory_slug!r}.")
        territory_id = territory.id
    rebuilt = rebuild(set(keys) or None, territory_id)
    cache = delete(IndicatorCache)
    if territory_id is not None:
        cache = cache.where(IndicatorCache.territory_id == territory_id)
    db.session.execute(cache.execution_options(**{ALL_TERRITORIES: True}))
    db.session.commit()
    click.echo(f"Rebuilt {len(rebuilt)} rollups ({', '.join(rebuilt)}){' for ' + territory_slug if territory_slug else ''}.")


@main.group("territory")
def territory_group():
    """Manage territories."""


@territory_group.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--region", default="")
@click.option("--language", default="fr", type=click.Choice(["fr", "en"]))
@click.option("--timezone", "timezone_name", default="Europe/Paris", show_default=True,
              help="IANA time zone in which the portal shows and reads times.")
@click.option("--epci", "epci_sirens", multiple=True,
              help="SIREN of an EPCI whose communes become the territory's towns (repeatable: a PETR is several EPCI).")
@click.option("--commune", "insee_codes", multiple=True, help="INSEE code of a commune to add as a town (repeatable).")
@with_appcontext
def territory_create(slug, name, region, language, timezone_name, epci_sirens, insee_codes):
    """Create a territory reachable at /t/SLUG/, with its time zone and its towns from the official division."""
    from coopserv.territories.services import create_territory_with_towns

    try:
        territory = create_territory_with_towns(
            {"slug": slug, "name": name, "region": region, "default_language": language, "timezone": timezone_name},
            epci_sirens=epci_sirens, insee_codes=insee_codes)
    except ValidationError as error:
        fail(_format_errors(error.messages))
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import list_towns

    with territory_scope(territory):
        towns = len(list_towns())
    click.echo(f"Territory {territory.slug} created: /t/{territory.slug}/ ({towns} towns)")


@main.group("user")
def user_group():
    """Manage accounts."""


@user_group.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--territory", "territory_slug", help="Give the user a role in this territory.")
@click.option("--role", type=click.Choice(["territory_admin", "governance_member", "company_referent", "employee",
                                           "service_operator"]))
@click.option("--organization", help="Organization name (employees, referents).")
@click.option("--service", help="Service key (operators).")
@click.option("--platform-admin", is_flag=True)
@with_appcontext
def user_create(email, name, password, territory_slug, role, organization, service, platform_admin):
    """Create an account, optionally with a role in one territory; all or nothing."""
    from coopserv.accounts.models import Membership
    from coopserv.accounts.schemas import UserCreateSchema
    from coopserv.accounts.services import create_user
    from coopserv.extensions import db
    from coopserv.modules.services import get_module
    from coopserv.organizations.models import Organization
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import get_territory

    try:
        data = UserCreateSchema().load({"email": email, "name": name, "password": password,
                                        "platform_admin": platform_admin})
    except ValidationError as error:
        fail(_format_errors(error.messages))
    if bool(territory_slug) != bool(role):
        fail("--territory and --role go together.")
    territory = get_territory(territory_slug) if territory_slug else None
    if territory_slug and territory is None:
        fail(f"unknown territory {territory_slug!r}.")
    try:
        user = create_user(data["name"], data["email"], data["password"], platform_admin=data["platform_admin"])
        if territory is not None:
            with territory_scope(territory):
                org = module = None
                if organization:
                    org = db.session.scalar(select(Organization).filter_by(name=organization))
                    if org is None:
                        raise click.UsageError(f"unknown organization {organization!r} in {territory_slug}.")
                if role == "service_operator":
                    module = get_module(service or "")
                    if module is None:
                        raise click.UsageError(f"service {service!r} is not enabled in {territory_slug}.")
                db.session.add(Membership(user_id=user.id, role=role, organization_id=org.id if org else None,
                                          module_id=module.id if module else None, territory_id=territory.id))
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        fail(_format_errors(error.messages))
    except click.UsageError as error:
        db.session.rollback()
        fail(error.message)
    click.echo(f"User {user.email} created.")


@main.group("plugins")
def plugins_group():
    """Inspect plugins."""


@plugins_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def plugins_list(as_json):
    """List installed plugins with their version, origin, service types and hooks."""
    host = current_app.extensions["coopserv"]
    rows = []
    for info in sorted(host.infos.values(), key=lambda i: i.name):
        services = sorted(k for k, owner in host.service_type_plugin.items() if owner == info.name)
        rows.append({"name": info.name, "version": info.version, "module": info.module, "source": info.source,
                     "service_types": services, "hooks": info.hooks, "error": info.error})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = f"FAILED: {row['error']}" if row["error"] else ", ".join(row["service_types"]) or "-"
        click.echo(f"{row['name']:<20} {row['version']:<10} {row['source']:<40} {state}")
        click.echo(f"{'':<20} hooks: {', '.join(row['hooks'])}")


@main.group("module")
def module_group():
    """Manage a territory's service modules."""


@module_group.command("enable")
@click.argument("territory_slug")
@click.argument("service_key")
@click.option("--stage", default="prototype", type=click.Choice(["prototype", "pilot", "perennial"]))
@click.option("--config", "config_json", default="{}", help="Module configuration as JSON.")
@with_appcontext
def module_enable(territory_slug, service_key, stage, config_json):
    """Enable SERVICE_KEY in TERRITORY_SLUG, with a configuration the plugin validates."""
    from coopserv.modules.services import enable_module
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import get_territory

    territory = get_territory(territory_slug)
    if territory is None:
        fail(f"unknown territory {territory_slug!r}.")
    host = current_app.extensions["coopserv"]
    if service_key not in host.service_types:
        fail(f"unknown service {service_key!r}; installed: {', '.join(sorted(host.service_types))}.")
    try:
        config = json.loads(config_json)
    except json.JSONDecodeError as error:
        fail(f"--config is not valid JSON: {error}.")
    with territory_scope(territory):
        try:
            module = enable_module(service_key, stage=stage, config=config)
        except ValidationError as error:
            fail(_format_errors(error.messages))
        click.echo(f"{service_key} enabled in {territory_slug} ({module.stage}).")


@main.command("invite")
@click.argument("territory_slug")
@click.argument("organization_name")
@click.argument("addresses_file", type=click.File("r", encoding="utf-8"))
@click.option("--message", default="", help="A personal note shown in the e-mail.")
@with_appcontext
def invite_command(territory_slug, organization_name, addresses_file, message):
    """Import people: e-mail an invitation to join ORGANIZATION_NAME to each address of ADDRESSES_FILE.

    The file holds addresses one per line or separated by commas (a CSV column works; "-" reads stdin).
    """
    from coopserv.accounts.schemas import InvitationSchema, split_addresses
    from coopserv.accounts.services import invite_to_organization
    from coopserv.extensions import db
    from coopserv.organizations.models import Organization
    from coopserv.tenancy import territory_scope
    from coopserv.territories.services import get_territory

    territory = get_territory(territory_slug)
    if territory is None:
        fail(f"unknown territory {territory_slug!r}.")
    # A CSV with a header ("email;name") keeps only the cells that look like addresses.
    text = "\n".join(cell for cell in re.split(r"[\s,;]+", addresses_file.read()) if "@" in cell)
    try:
        data = InvitationSchema().load({"addresses": text, "message": message})
    except ValidationError as error:
        fail(_format_errors(error.messages))
    with territory_scope(territory):
        organization = db.session.scalar(select(Organization).filter_by(name=organization_name))
        if organization is None:
            fail(f"no organization {organization_name!r} in {territory_slug}.")
        sent, skipped = invite_to_organization(organization, split_addresses(data["addresses"]), message=message)
    click.echo(f"{len(sent)} invitation(s) sent" + (f"; skipped: {', '.join(skipped)}" if skipped else "") + ".")


@main.group("person")
def person_group():
    """Export or erase a person's data across the core and every plugin."""


@person_group.command("export")
@click.argument("email")
@with_appcontext
def person_export(email):
    """Print everything held about EMAIL as JSON."""
    from coopserv.accounts.services import find_user_by_email
    from coopserv.privacy.services import export_person

    user = find_user_by_email(email)
    if user is None:
        fail(f"no account uses {email!r}.")
    click.echo(json.dumps(export_person(user), indent=2, ensure_ascii=False))


@person_group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def person_erase(email, yes):
    """Erase EMAIL's account and personal data (requests are kept, anonymised, for statistics)."""
    from coopserv.accounts.services import find_user_by_email
    from coopserv.privacy.services import erase_person

    user = find_user_by_email(email)
    if user is None:
        fail(f"no account uses {email!r}.")
    if not yes:
        click.confirm(f"Erase {email} and everything about them?", abort=True)
    counts = erase_person(user)
    click.echo(f"Erased {email}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _format_errors(messages):
    parts = []
    for field, errors in messages.items():
        texts = errors if isinstance(errors, list) else [str(errors)]
        parts.append(f"{field}: {' '.join(str(t) for t in texts)}")
    return "; ".join(parts)
