"""Links stored as endpoint + arguments: built when shown, so notifications made outside a request lead somewhere."""
from coopserv.extensions import db
from coopserv.notifications.services import notify
from coopserv.urls import external_url, target


def test_a_notification_made_by_a_job_or_the_cli_links_to_its_page(client, make_territory, make_user, scoped):
    territory = make_territory(slug="figeac")
    user = make_user(territory, "employee")
    with scoped(territory):  # no request: as in `coopserv tick` or a worker
        notify(user.id, "Your request %(ref)s is now: %(status)s.", link_to=target("requests.detail", request_id=42),
               ref="R-42", status="Ready")
        notify(user.id, "A note without a page.")
        db.session.commit()
    client.login(user)
    page = client.get("/t/figeac/notifications").get_data(as_text=True)
    assert '<a href="/t/figeac/requests/42">' in page
    assert "A note without a page." in page


def test_absolute_links_use_the_public_url_or_the_territory_s_own_host(app, make_territory):
    plain = make_territory(slug="figeac")
    hosted = make_territory(slug="autun", host="portail.autun-morvan.fr")
    assert external_url("portal.home", territory=plain) == "http://portal.test/t/figeac/"
    assert external_url("portal.home", territory=hosted) == "http://portail.autun-morvan.fr/t/autun/"
    app.config["PUBLIC_URL"] = "https://services.example.org/portail"
    assert external_url("needs.detail", territory=plain, need_id=3) == \
        "https://services.example.org/portail/t/figeac/needs/3"
