"""An organization's size band follows its employee count whenever the count is known."""
from coopserv.organizations.models import Organization, size_band_for
from tests.helpers import rows


def test_size_band_of_a_headcount():
    assert [size_band_for(n) for n in (0, 1, 9, 10, 49, 50, 249, 250, 5000)] == [
        None, "1-9", "1-9", "10-49", "10-49", "50-249", "50-249", "250+", "250+"]


def test_the_band_follows_the_count_whatever_was_chosen(make_territory, make_organization):
    territory = make_territory("gourdon", "Gourdon")
    make_organization(territory, "Conserverie", size_band="1-9", employee_count=45)
    make_organization(territory, "Fournil", employee_count=5, size_band="250+")
    make_organization(territory, "Inconnue", size_band="50-249")  # no headcount: the chosen band stays
    bands = {o.name: o.size_band for o in rows(Organization)}
    assert bands == {"Conserverie": "10-49", "Fournil": "1-9", "Inconnue": "50-249"}


def test_the_admin_form_saves_the_band_of_the_count(make_client, figeac):
    admin = make_client()
    admin.login(figeac.admin)
    response = admin.post_form("/t/figeac/admin/organizations",
                               {"name": "Quercy Bois", "kind": "company", "size_band": "1-9", "employee_count": "45"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    [saved] = rows(Organization, name="Quercy Bois")
    assert (saved.employee_count, saved.size_band) == (45, "10-49")
    edited = admin.post_form(f"/t/figeac/admin/organizations/{saved.id}/edit",
                             {"name": "Quercy Bois", "kind": "company", "size_band": "10-49", "employee_count": "300"})
    assert edited.status_code in (302, 303)
    assert rows(Organization, name="Quercy Bois")[0].size_band == "250+"
