"""A served app freezes its long-lived objects out of the garbage collector; a test app does not."""
import gc

from coopserv import create_app
from coopserv.gc_freeze import FREEZE_AT


def _served_app(tmp_path, testing):
    return create_app({"TESTING": testing, "SECRET_KEY": "gc-freeze-test", "REDIS_URL": None,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/gc.sqlite", "MAIL_SERVER": None})


def test_a_served_app_freezes_at_its_first_and_hundredth_request(tmp_path):
    app = _served_app(tmp_path, testing=False)
    client = app.test_client()
    gc.unfreeze()
    try:
        client.get("/healthz")
        after_first = gc.get_freeze_count()
        assert after_first > 10_000  # modules, the app, its routes: what a worker keeps for good
        for _ in range(FREEZE_AT[1] - 2):
            client.get("/healthz")
        assert gc.get_freeze_count() == after_first  # no collection on the requests between
        garbage = [[n] for n in range(5_000)]
        client.get("/healthz")  # the 100th request freezes again, with what is alive by then
        assert gc.get_freeze_count() >= after_first + 5_000
        del garbage
    finally:
        gc.unfreeze()


def test_a_testing_app_keeps_the_default_collector(tmp_path):
    app = _served_app(tmp_path, testing=True)
    gc.unfreeze()
    try:
        for _ in range(3):
            app.test_client().get("/healthz")
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
