def test_portal_lists_territories(client, figeac, autun):
    page = client.get("/").get_data(as_text=True)
    assert "Figeac" in page and "Autun Morvan" in page


def test_unknown_territory_is_404(client):
    assert client.get("/t/nowhere/").status_code == 404
