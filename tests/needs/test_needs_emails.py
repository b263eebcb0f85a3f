"""Needs e-mails read back from a real SMTP server: status changes to author and supporters, threshold to the committee."""
from coopserv.emails.services import set_preference
from tests.needs.test_needs_intake import _category, _client, _submit, quercy  # noqa: F401


def test_threshold_mails_the_committee_and_status_changes_reach_author_and_supporters(
        make_client, make_user, quercy, scoped, smtp_server):  # noqa: F811
    member = make_user(quercy.territory, "governance_member", name="Élue du comité", email="elue@example.org")
    childcare = _category(quercy.territory, "quality_of_life", scoped)
    admin = _client(make_client, quercy.admin)
    admin.post_form("/t/grand-quercy/needs/settings", {"form": "thresholds", "threshold_companies": "2",
                                                      "threshold_employees": "500"})
    need = _submit(_client(make_client, quercy.emp_conserverie), childcare, title="Garde le samedi")
    _client(make_client, quercy.emp_batiment).post_form(f"/t/grand-quercy/needs/{need}/support", {})
    set_preference(quercy.emp_boulangerie.id, "needs", "never")
    _client(make_client, quercy.emp_boulangerie).post_form(f"/t/grand-quercy/needs/{need}/support", {})
    smtp_server.clear()

    created = admin.post_json("/t/grand-quercy/needs/collective", {"title": "Garde d'enfants", "need_ids": [need]})
    assert created.status_code == 201 and created.get_json()["flagged"] is True

    [threshold] = smtp_server.to(member.email)
    assert threshold["Subject"] == "Besoin collectif au-delà du seuil : Garde d'enfants"
    text = smtp_server.text(threshold)
    assert "3 entreprises" in text and f"/t/grand-quercy/needs/collective/{created.get_json()['id']}" in text
    [author] = smtp_server.to(quercy.emp_conserverie.email)
    assert author["Subject"] == "Besoin « Garde le samedi » : À l’étude"
    assert "Votre besoin « Garde le samedi » est maintenant : À l’étude." in smtp_server.text(author)
    [supporter] = smtp_server.to(quercy.emp_batiment.email)
    assert "Un besoin que vous soutenez, « Garde le samedi », est maintenant : À l’étude." in smtp_server.text(supporter)
    assert smtp_server.to(quercy.emp_boulangerie.email) == []  # chose "never"
    assert len(smtp_server.messages) == 3
