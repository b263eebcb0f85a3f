"""What a family tells its welcome referent stays between them: the territory admin (and a platform
admin) sees how many cases stand at each stage, never a case, in pages, queues or the API."""
import pytest

from coopserv.testing import create_token

SECRETS = ("Thomas", "Menuisier agenceur", "Maison à louer", "camille@aero.example")


@pytest.fixture
def case(open_case):
    return open_case()


@pytest.fixture
def platform_admin(make_user):
    return make_user(platform_admin=True, email="ops@coopserv.example")


def _text(response):
    import html

    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("who", ["admin", "platform_admin"])
def test_admins_see_counts_per_stage_not_the_cases(login, figeac, case, platform_admin, who):
    admin = login(platform_admin if who == "platform_admin" else figeac.admin)
    queue = admin.get("/t/figeac/operator/spouse_welcome")
    assert queue.status_code == 200
    page = _text(queue)
    assert "Accueil des conjoints" in page and "confidentiel" in page
    assert ">1<" in page.replace(" ", "")  # one case, opened
    for secret in SECRETS:
        assert secret not in page
    for url in (f"/t/figeac/requests/{case.request_id}", f"/t/figeac/spouse-welcome/cases/{case.id}",
                "/t/figeac/spouse-welcome/cases"):
        response = admin.get(url)
        assert response.status_code == 403, url
        assert not any(secret in _text(response) for secret in SECRETS)
    moved = admin.post_form(f"/t/figeac/requests/{case.request_id}/transition", {"transition": "start"})
    assert moved.status_code == 403


def test_admins_api_lists_no_confidential_request(app, client, figeac, case, scoped):
    with scoped(figeac.territory):
        _token, secret = create_token(figeac.admin, figeac.territory, "admin")
    headers = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/territories/figeac/requests/", headers=headers)
    assert listed.status_code == 200 and listed.get_json() == []
    one = client.get(f"/api/v1/territories/figeac/requests/{case.request_id}", headers=headers)
    assert one.status_code == 403
    assert not any(secret in _text(listed) + _text(one) for secret in SECRETS)


def test_the_family_and_the_welcome_operator_still_read_the_case(login, figeac, case):
    for person in (figeac.employee, figeac.operator):
        page = login(person).get(f"/t/figeac/requests/{case.request_id}")
        assert page.status_code == 200 and "Thomas" in _text(page)
    queue = login(figeac.operator).get("/t/figeac/operator/spouse_welcome")
    assert queue.status_code == 200 and "Thomas" in _text(queue) or "camille" in _text(queue).lower()


def test_an_admin_who_is_also_the_welcome_operator_reads_the_case(login, figeac, case, make_user, scoped):
    from coopserv.testing import grant_role

    with scoped(figeac.territory):
        grant_role(figeac.admin, "service_operator", module_id=figeac.module.id)
    page = login(figeac.admin).get(f"/t/figeac/spouse-welcome/cases/{case.id}")
    assert page.status_code == 200 and "Thomas" in _text(page)
