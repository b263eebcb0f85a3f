"""The practices library inside a territory: browse and search it, replicate a sheet, publish a project."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.accounts.access import is_territory_admin
from coopserv.extensions import db
from coopserv.plugin_host import plugin_host
from coopserv.projects.services import SHEET, get_project
from coopserv.tenancy import current_territory
from coopserv.web import form_data, json_error, member_required, roles_required, territory_blueprint, wants_json

from . import access, practices
from .schemas import LibraryQuerySchema, PracticeSheetSchema

bp = territory_blueprint("practices", __name__, url_prefix="/practices")
PAGE_SIZE = 20


def _networks():
    return access.networks_of_territory(current_territory().id)


@bp.get("/")
@member_required
def index():
    """The library of every network the territory belongs to."""
    networks = _networks()
    try:
        query = LibraryQuerySchema().load(request.args.to_dict())
    except ValidationError:
        query = {"q": "", "service_key": None}
    page = min(max(request.args.get("page", 1, type=int), 1), 10_000)
    ids = [n.id for n in networks]
    sheets, total = practices.search(ids, query["q"], query["service_key"], PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template("practices/index.html", networks=networks, sheets=sheets, total=total, page=page,
                           has_more=page * PAGE_SIZE < total, query=query,
                           services=practices.searchable_services(ids),
                           replications=practices.replication_counts([s.id for s in sheets]),
                           service_types=plugin_host().service_types, labels=practices.labels(),
                           sheet_endpoint="practices.detail")


def _sheet_or_404(sheet_id):
    found = practices.get_sheet(sheet_id, [n.id for n in _networks()])
    if found is None:
        abort(404)
    return found


@bp.get("/<int:sheet_id>")
@member_required
def detail(sheet_id):
    found = _sheet_or_404(sheet_id)
    may_replicate = (is_territory_admin() and found.template is not None
                     and found.source_territory_id != current_territory().id)
    return render_template("practices/detail.html", sheet=found, replications=practices.replications(found),
                           labels=practices.labels(), network=found.network,
                           replicate_url=url_for("practices.replicate", sheet_id=found.id) if may_replicate else None)


@bp.post("/<int:sheet_id>/replicate")
@roles_required(TERRITORY_ADMIN)
def replicate(sheet_id):
    """Start a project here from the sheet's template, in one step."""
    found = _sheet_or_404(sheet_id)
    try:
        project = practices.replicate(found, current_territory(), current_user)
    except ValidationError as error:
        db.session.rollback()
        message = " ".join(str(m) for m in error.messages.get("_schema", []))
        if wants_json():
            return json_error(409, message)
        flash(message, "error")
        return redirect(url_for("practices.detail", sheet_id=found.id))
    if wants_json():
        return {"project": project.id}, 201
    flash(_("The project is started at the design stage from this practice."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/publish/<int:project_id>", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def publish(project_id):
    """Tell a project to the network: the territory writes the story, the numbers come from the project."""
    project = get_project(project_id, SHEET)
    if project is None:
        abort(404)
    networks = _networks()
    risks = practices.territory_risks()
    existing = practices.sheet_for_project(project)
    if request.method == "POST":
        values = form_data()
        if isinstance(values.get("risk_ids"), str):
            values["risk_ids"] = [values["risk_ids"]]
    elif existing is not None:
        values = {name: getattr(existing, name) for name in ("context", "need", "service", "partners", "costs",
                                                              "lessons")}
        values["network_id"] = existing.network_id
        chosen = {r["title"] for r in existing.risks}
        values["risk_ids"] = [r.id for r in risks if r.title in chosen]
    else:
        values = practices.defaults(project)
        values["network_id"] = networks[0].id if networks else None
    errors, status = {}, 200
    if request.method == "POST":
        try:
            data = PracticeSheetSchema().load(values)
            network = next((n for n in networks if n.id == data["network_id"]), None)
            if network is None:
                raise ValidationError({"network_id": [_("Choose a network this territory belongs to.")]})
            sheet = practices.publish(project, network, data, current_user)
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Please correct the fields marked below."), error.messages)
            errors, status = error.messages, 422
        else:
            if wants_json():
                return {"sheet": sheet.id}, 201
            flash(_("The practice is in the network's library."), "success")
            return redirect(url_for("practices.detail", sheet_id=sheet.id))
    selected = {int(i) for i in values.get("risk_ids") or [] if str(i).isdigit()}
    # Here nothing is written: a GET, or a refused POST already rolled back.
    return render_template("practices/publish.html", project=project, networks=networks, values=values,
                           errors=errors, risks=risks, selected=selected, existing=existing,
                           results=practices.results_of(project, read_only=True), labels=practices.labels(),
                           publishable=project.stage in practices.PUBLISHABLE_STAGES), status
