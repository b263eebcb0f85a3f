"""docs/plugin-guide.md is a reference that cannot drift: its reference part is generated from the
docstrings, and its examples marked ``python example`` run here."""
import os
import re
from datetime import datetime

import pytest
from flask_babel import force_locale, format_datetime

from coopserv import guide
from coopserv.plugin_api import _l, gettext, submit_request, territory_scope, utcnow
from coopserv.testing import update_settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _guide():
    with open(os.path.join(ROOT, "docs", "plugin-guide.md"), encoding="utf-8") as handle:
        return handle.read()


def _examples():
    return re.findall(r"```python example\n(.*?)```", _guide(), re.S)


def test_the_reference_part_is_generated_from_the_current_docstrings():
    text = _guide()
    written = text[text.index(guide.BEGIN):text.index(guide.END) + len(guide.END)]
    assert written == guide.render(), "the guide's reference is stale: run `python -m coopserv.guide`"


def test_every_facade_name_and_declaration_field_is_described():
    rendered = guide.render()
    assert "0x" not in rendered  # nothing that changes from one run to the next
    undescribed = [line for line in rendered.splitlines() if line.endswith("— ") or line.endswith("|  |")]
    assert undescribed == []


def test_the_guide_has_examples_to_run():
    assert len(_examples()) >= 3


@pytest.mark.parametrize("example", _examples(), ids=lambda code: code.strip().splitlines()[0][:60])
def test_guide_example_runs(example, app, make_world, make_client, frozen_clock):
    from coopserv_plugins.concierge.tests.conftest import add_catalogue, next_weekday

    world = make_world("concierge")

    def place_order(town, user):
        catalogue = add_catalogue(town.territory)
        with territory_scope(town.territory):
            return submit_request(town.module, user, town.organizations[0], {
                "items": [{"item_id": catalogue.shirt.id, "quantity": 1}], "slot_id": catalogue.tuesday.id,
                "dropoff_date": next_weekday(1).isoformat()})

    namespace = {"app": app, "world": world, "make_client": make_client, "place_order": place_order,
                 "territory_scope": territory_scope, "update_settings": update_settings,
                 "frozen_clock": frozen_clock, "utcnow": utcnow, "datetime": datetime,
                 "format_datetime": format_datetime, "_l": _l, "gettext": gettext, "force_locale": force_locale}
    exec(compile(example, "docs/plugin-guide.md", "exec"), namespace)
