"""The notifications page of a territory."""
from flask import redirect, url_for
from flask_login import current_user

from coopserv.notifications import services
from coopserv.tenancy import current_territory
from coopserv.web import member_required, render_page, territory_blueprint

bp = territory_blueprint("notifications", __name__)


@bp.get("/notifications")
@member_required
def index():
    territory = current_territory()
    notifications = [(n, services.link_of(n, territory)) for n in services.recent(current_user.id)]
    return render_page("notifications/index.html", notifications=notifications)


@bp.post("/notifications/read")
@member_required
def mark_read():
    services.mark_all_read(current_user.id, current_territory().id)
    return redirect(url_for("notifications.index"))
