"""The required pages, public in every territory (and for the platform), editable by territory admins."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from coopserv.accounts.access import has_role
from coopserv.accounts.models import TERRITORY_ADMIN
from coopserv.extensions import db
from coopserv.legal import accessibility, privacy_policy, services
from coopserv.legal.models import ACCESSIBILITY, KINDS, LEGAL_NOTICE, PRIVACY
from coopserv.legal.schemas import TITLES
from coopserv.tenancy import current_territory
from coopserv.web import form_data, roles_required, territory_blueprint

bp = territory_blueprint("legal", __name__)
admin_bp = territory_blueprint("legal_admin", __name__, url_prefix="/admin/pages")
site_bp = Blueprint("platform_legal", __name__)


def _platform_fields():
    """The platform operator's own details (configuration), used outside any territory."""
    config = current_app.config
    return {"publisher": config.get("PLATFORM_PUBLISHER", ""), "contact_email": config.get("PLATFORM_CONTACT_EMAIL", ""),
            "controller": config.get("PLATFORM_PUBLISHER", ""), "dpo_contact": config.get("PLATFORM_CONTACT_EMAIL", ""),
            "host_name": config.get("PLATFORM_HOST_NAME", "")}


def _fields(kind):
    if current_territory() is None:
        return _platform_fields()
    return services.page_fields(kind)


def _render_accessibility():
    fields = _fields(ACCESSIBILITY)
    audit = accessibility.automated_audit()
    level, rate, source = accessibility.conformity(fields, audit)
    return render_template("legal/accessibility.html", fields=fields, audit=audit, level=level, rate=rate,
                           source=source, as_date=accessibility.as_date, editable=_editable(),
                           automated_rate=accessibility.audit_rate(audit) if audit else None)


def _render_legal_notice():
    return render_template("legal/legal_notice.html", fields=_fields(LEGAL_NOTICE), editable=_editable())


def _render_privacy():
    return render_template("legal/privacy.html", fields=_fields(PRIVACY), groups=privacy_policy.register(),
                           editable=_editable())


def _editable():
    return current_territory() is not None and has_role(TERRITORY_ADMIN)


@bp.get("/accessibility")
def accessibility_page():
    return _render_accessibility()


@bp.get("/legal-notice")
def legal_notice():
    return _render_legal_notice()


@bp.get("/personal-data")
def privacy():
    return _render_privacy()


site_bp.add_url_rule("/accessibility", "accessibility_page", _render_accessibility)
site_bp.add_url_rule("/legal-notice", "legal_notice", _render_legal_notice)
site_bp.add_url_rule("/personal-data", "privacy", _render_privacy)


@admin_bp.get("/")
@roles_required(TERRITORY_ADMIN)
def index():
    """The required pages and whether each one is filled in."""
    return render_template("legal/admin_index.html", kinds=KINDS, titles=TITLES, filled=services.pages_filled())


@admin_bp.route("/<kind>", methods=["GET", "POST"])
@roles_required(TERRITORY_ADMIN)
def edit(kind):
    """Edit the fields of one required page; the generated parts are shown on the page itself."""
    if kind not in KINDS:
        abort(404)
    values, errors, status = services.page_fields(kind), {}, 200
    page_url = url_for(f"legal.{_PUBLIC_ENDPOINTS[kind]}")
    if not values:
        values = _suggestions(kind)
    if request.method == "POST":
        values = form_data()
        try:
            services.save_page(kind, values)
        except ValidationError as error:
            db.session.rollback()
            errors, status = error.messages, 422
        else:
            flash(_("The page is saved."), "success")
            return redirect(page_url)
    return render_template(f"legal/edit_{kind}.html", kind=kind, title=TITLES[kind], values=values,
                           errors=errors, page_url=page_url), status


_PUBLIC_ENDPOINTS = {ACCESSIBILITY: "accessibility_page", LEGAL_NOTICE: "legal_notice", PRIVACY: "privacy"}


def _suggestions(kind):
    """First values for an empty form: the territory's name where it is the obvious answer."""
    name = current_territory().name
    return {LEGAL_NOTICE: {"publisher": name}, PRIVACY: {"controller": name}}.get(kind, {})


def footer_links():
    """The links every footer carries (the accessibility one says the conformity level, as RGAA asks)."""
    prefix = "legal" if current_territory() is not None else "platform_legal"
    level = _footer_level()
    labels = {"full": _("Accessibility: fully compliant"), "partial": _("Accessibility: partially compliant"),
              "none": _("Accessibility: not compliant")}
    return [
        {"url": url_for(f"{prefix}.accessibility_page"), "label": labels[level]},
        {"url": url_for(f"{prefix}.legal_notice"), "label": _("Legal notice")},
        {"url": url_for(f"{prefix}.privacy"), "label": _("Personal data")},
    ]


def _footer_level():
    """The level from the territory row every page already loaded and the deployed audit: no statement."""
    territory = current_territory()
    fields = {"audit_rate": territory.accessibility_audit_rate} if territory is not None else {}
    return accessibility.conformity(fields, accessibility.automated_audit())[0]
