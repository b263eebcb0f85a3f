"""The open_data_links hook: plugins list their published feeds on the territory's public open-data page."""
from coopserv.hookspecs import hookimpl

from tests.helpers import text_of


class FeedPlugin:
    """A plugin publishing one feed, plus an entry the page must leave out (no url)."""

    asked = []

    @staticmethod
    @hookimpl
    def open_data_links(territory):
        FeedPlugin.asked.append(territory.slug)
        return [{"label": "Plots available now", "url": f"/t/{territory.slug}/plots.csv", "format": "CSV"},
                {"label": "Broken entry"}]


class BrokenPlugin:
    @staticmethod
    @hookimpl
    def open_data_links(territory):
        raise RuntimeError("feed store unreachable")


def test_hook_open_data_links(app, make_client, make_territory):
    territory = make_territory("grand-quercy", "Grand Quercy")
    client = make_client()
    manager = app.extensions["coopserv"].pm
    quiet = text_of(client.get("/t/grand-quercy/open-data/"))
    assert "Plots available now" not in quiet
    manager.register(FeedPlugin, name="feed_plugin")
    manager.register(BrokenPlugin, name="broken_plugin")
    try:
        response = client.get("/t/grand-quercy/open-data/")
    finally:
        manager.unregister(name="feed_plugin")
        manager.unregister(name="broken_plugin")
    page = text_of(response)
    assert response.status_code == 200  # a plugin raising in the hook does not take the page down
    assert FeedPlugin.asked[-1] == territory.slug
    assert 'href="/t/grand-quercy/plots.csv"' in page and "Plots available now" in page and ">CSV<" in page
    assert "Broken entry" not in page
