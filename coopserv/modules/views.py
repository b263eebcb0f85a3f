"""Territory admin pages for service modules: enable, configure, stage, pilots, members."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.extensions import db
from coopserv.forms import config_to_form, describe, form_to_config
from coopserv.modules import services
from coopserv.modules.models import ACCESS_RULES, QUOTA_KINDS, STAGES, ModuleMember
from coopserv.modules.schemas import ModuleMemberSchema, ModuleSettingsSchema
from coopserv.organizations.services import list_organizations
from coopserv.plugin_host import plugin_host, service_type
from coopserv.web import (
    form_data,
    json_error,
    roles_required,
    territory_blueprint,
    wants_json,
)

bp = territory_blueprint("modules", __name__, url_prefix="/admin/modules")


def _module_or_404(service_key):
    module = services.get_module(service_key)
    if module is None or service_type(service_key) is None:
        abort(404)
    return module


@bp.get("/")
@roles_required(TERRITORY_ADMIN)
def index():
    modules = {m.service_key: m for m in services.list_modules()}
    kinds = sorted(plugin_host().service_types.values(), key=lambda kind: kind.key)
    return render_template("modules/index.html", kinds=kinds, modules=modules)


@bp.post("/<service_key>/enable")
@roles_required(TERRITORY_ADMIN)
def enable(service_key):
    if service_type(service_key) is None:
        abort(404)
    module = services.get_module(service_key)
    try:
        services.enable_module(service_key, config=module.config if module else None)
    except ValidationError:
        db.session.rollback()
        flash(_("Configure the service before enabling it."), "error")
        return redirect(url_for("modules.configure", service_key=service_key)) if module else redirect(url_for("modules.index"))
    flash(_("The service is enabled."), "success")
    return redirect(url_for("modules.configure", service_key=service_key))


@bp.post("/<service_key>/disable")
@roles_required(TERRITORY_ADMIN)
def disable(service_key):
    services.disable_module(_module_or_404(service_key), actor=current_user)
    flash(_("The service is disabled: its open requests are closed and their requesters told; its history is kept."),
          "success")
    return redirect(url_for("modules.index"))


@bp.route("/<service_key>", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def configure(service_key):
    """The module's configuration form, validated by the plugin's config schema."""
    module = _module_or_404(service_key)
    kind = service_type(service_key)
    described = describe(kind.config_schema)
    errors, values, status = {}, config_to_form(described, module.config), 200
    if request.method == "POST":
        raw = request.get_json(silent=True) if request.is_json else form_to_config(described, form_data())
        try:
            services.configure_module(module, raw)
        except ValidationError as error:
            db.session.rollback()
            if wants_json():
                return json_error(422, _("Some fields are not valid."), error.messages)
            errors, status = error.messages, 422
            values = form_data()
        else:
            if wants_json():
                return {"service_key": module.service_key, "config": module.config}
            flash(_("The configuration is saved."), "success")
            return redirect(url_for("modules.configure", service_key=service_key))
    return render_template("modules/configure.html", module=module, kind=kind, fields=described, values=values,
                           errors=errors, stages=STAGES, access_rules=ACCESS_RULES, quota_kinds=QUOTA_KINDS,
                           organizations=list_organizations(), settings_errors={}, member_errors={},
                           indicators=services.indicator_values(module),
                           prerequisites=services.prerequisites(module)), status


@bp.post("/<service_key>/settings")
@roles_required(TERRITORY_ADMIN)
def settings(service_key):
    module = _module_or_404(service_key)
    try:
        services.update_settings(module, ModuleSettingsSchema().load(form_data()), actor=current_user)
    except ValidationError as error:
        db.session.rollback()
        return _configure_with_errors(module, settings_errors=error.messages)
    flash(_("The stage and pilots are saved."), "success")
    return redirect(url_for("modules.configure", service_key=service_key))


@bp.post("/<service_key>/members")
@roles_required(TERRITORY_ADMIN)
def set_member(service_key):
    module = _module_or_404(service_key)
    try:
        services.set_member(module, ModuleMemberSchema().load(form_data()))
    except ValidationError as error:
        db.session.rollback()
        return _configure_with_errors(module, member_errors=error.messages)
    flash(_("The participating organization is saved."), "success")
    return redirect(url_for("modules.configure", service_key=service_key))


@bp.post("/<service_key>/members/<int:member_id>/remove")
@roles_required(TERRITORY_ADMIN)
def remove_member(service_key, member_id):
    module = _module_or_404(service_key)
    member = db.session.get(ModuleMember, member_id)
    if member is None or member.module_id != module.id:
        abort(404)
    services.remove_member(module, member)
    return redirect(url_for("modules.configure", service_key=service_key))


def _configure_with_errors(module, settings_errors=None, member_errors=None):
    kind = service_type(module.service_key)
    described = describe(kind.config_schema)
    return render_template("modules/configure.html", module=module, kind=kind, fields=described,
                           values=config_to_form(described, module.config), errors={}, stages=STAGES,
                           access_rules=ACCESS_RULES, quota_kinds=QUOTA_KINDS, organizations=list_organizations(),
                           settings_errors=settings_errors or {}, member_errors=member_errors or {},
                           indicators=services.indicator_values(module),
                           prerequisites=services.prerequisites(module)), 422
