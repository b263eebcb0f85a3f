"""`coopserv projects export|import`: replicate a perennial service project between territories."""
import json
import sys

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError


def _fail(message):
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)


def _territory(slug):
    from coopserv.territories.services import get_territory

    territory = get_territory(slug)
    if territory is None:
        _fail(f"unknown territory {slug!r}.")
    return territory


def _messages(error):
    return "; ".join(f"{field}: {' '.join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))}"
                     for field, msgs in error.messages.items())


@click.group("projects")
def projects_group():
    """Replicate service projects between territories ("essaimage")."""


@projects_group.command("export")
@click.argument("territory_slug")
@click.argument("project_id", type=int)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout).")
@with_appcontext
def export_command(territory_slug, project_id, output):
    """Write PROJECT_ID of TERRITORY_SLUG as a JSON template (no personal data)."""
    from coopserv.projects.services import export_template, get_project
    from coopserv.tenancy import territory_scope

    with territory_scope(_territory(territory_slug)):
        project = get_project(project_id)
        if project is None:
            _fail(f"no project {project_id} in {territory_slug}.")
        try:
            template = export_template(project)
        except ValidationError as error:
            _fail(_messages(error))
    output.write(json.dumps(template, indent=2, ensure_ascii=False) + "\n")


@projects_group.command("import")
@click.argument("territory_slug")
@click.argument("template_file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def import_command(territory_slug, template_file):
    """Create a project at the design stage in TERRITORY_SLUG from TEMPLATE_FILE."""
    from coopserv.extensions import db
    from coopserv.projects.schemas import ProjectTemplateSchema
    from coopserv.projects.services import import_template
    from coopserv.tenancy import territory_scope

    try:
        raw = json.load(template_file)
    except json.JSONDecodeError as error:
        _fail(f"the template is not valid JSON: {error}.")
    with territory_scope(_territory(territory_slug)):
        try:
            project = import_template(ProjectTemplateSchema().load(raw if isinstance(raw, dict) else {}))
        except ValidationError as error:
            db.session.rollback()
            _fail(_messages(error))
        click.echo(f"Project {project.id} “{project.title}” created in {territory_slug} at the design stage.")
