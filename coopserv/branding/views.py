"""Branding pages: the admin form with its preview, the territory stylesheet and logo."""
from flask import abort, flash, make_response, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.branding import logos, services
from coopserv.branding.colors import contrast_report, is_hex
from coopserv.branding.theme import brand_variables, stylesheet, theme_version
from coopserv.extensions import db
from coopserv.input_guard import accepts_body
from coopserv.tenancy import current_territory
from coopserv.web import form_data, roles_required, territory_blueprint

bp = territory_blueprint("branding", __name__)
YEAR = 365 * 24 * 3600


@bp.get("/theme.css")
def theme():
    """The territory's colours as CSS variables; with ?primary=&accent=, a preview scoped to .brand-preview."""
    territory = current_territory()
    primary, accent = request.args.get("primary"), request.args.get("accent")
    if primary is not None or accent is not None:
        if not (is_hex(primary) and is_hex(accent)):
            abort(404)
        css = stylesheet(primary, accent, ".brand-preview")
        max_age = 300
    else:
        css = stylesheet(territory.primary_color, territory.accent_color)
        max_age = YEAR if request.args.get("v") == theme_version(territory) else 300
    response = make_response(css)
    response.mimetype = "text/css"
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/logo/<name>")
def logo(name):
    """Serve one of the territory's logo files (names are content hashes: cached for good)."""
    if not logos.belongs_to(name, current_territory().id):
        abort(404)
    response = send_from_directory(logos.logo_folder(), name, mimetype="image/png", max_age=YEAR)
    response.cache_control.public = True
    return response


@bp.route("/admin/branding", methods=["GET", "POST"])
@accepts_body(logos.MAX_FORM_BYTES)
@roles_required(TERRITORY_ADMIN)
def edit():
    """Show the branding form; "Preview" shows the result without saving, "Save" applies it."""
    territory = current_territory()
    values, errors, status, preview = services.current_values(territory), {}, 200, None
    if request.method == "POST":
        values = {**values, **form_data()}
        upload = request.files.get("logo")
        try:
            if request.form.get("action") == "save":
                services.update_branding(territory, form_data(), upload)
                flash(_("The portal's look is saved."), "success")
                return redirect(url_for("branding.edit"))
            data, logo_file = services.validate_branding(territory, form_data(), upload)
        except ValidationError as error:
            db.session.rollback()
            errors, status = error.messages, 422
        else:
            values["logo_file"] = logo_file or ""
            preview = {"primary": data["primary_color"], "accent": data["accent_color"], "name": data["name"],
                       "region": data.get("region") or "", "logo_file": logo_file}
    colours = (values.get("primary_color"), values.get("accent_color"))
    report = contrast_report(*colours) if all(is_hex(c) for c in colours) else []
    logo_preview = None
    if preview and preview["logo_file"]:
        logo_preview = url_for("branding.logo", name=preview["logo_file"])
    elif values.get("logo_file") and logos.belongs_to(values["logo_file"], territory.id):
        logo_preview = url_for("branding.logo", name=values["logo_file"])
    return render_template("branding/edit.html", values=values, errors=errors, preview=preview, report=report,
                           logo_preview=logo_preview, variables=brand_variables(*colours) if all(is_hex(c) for c in colours) else {}), status

