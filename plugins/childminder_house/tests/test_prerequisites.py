"""Place requests are offered once an open house has a childminder."""
from coopserv_plugins.childminder_house.models import Childminder

from coopserv.plugin_api import db, territory_scope
from coopserv.testing import prerequisite_checklist, service_offered

from .conftest import add_house


def test_childminder_house_waits_for_an_open_house_with_a_childminder(make_client, tarare):
    admin, parent = make_client(), make_client()
    admin.login(tarare.admin)
    parent.login(tarare.parent)
    todo, done, page = prerequisite_checklist(admin, "ouest-rhodanien", "childminder_house")
    assert (todo, done) == (2, 0) and 'href="/t/ouest-rhodanien/childminder-house/manage"' in page
    assert not service_offered(parent, "ouest-rhodanien")

    house = add_house(tarare.territory, childminders=())
    assert prerequisite_checklist(admin, "ouest-rhodanien", "childminder_house")[:2] == (1, 1)
    assert not service_offered(parent, "ouest-rhodanien")

    with territory_scope(tarare.territory):
        db.session.add(Childminder(house_id=house.id, name="Assistante 1", max_children=4, days="01234",
                                   starts_at=8 * 60, ends_at=18 * 60))
        db.session.commit()
    assert prerequisite_checklist(admin, "ouest-rhodanien", "childminder_house")[:2] == (0, 2)
    assert service_offered(parent, "ouest-rhodanien")
