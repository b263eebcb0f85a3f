"""Keep the garbage collector away from what a worker process holds for its whole life."""
import gc
import os

#: Requests after which a process freezes what it holds: the first, then once more when the
#: templates and catalogues its pages load lazily are in memory.
FREEZE_AT = (1, 100)


def install_gc_freeze(app):
    """Freeze the collector's view of a worker's long-lived objects at its 1st and 100th request.

    Modules, the app, its routes, compiled templates and catalogues are never garbage, yet each
    full collection walks them all (some 370,000 objects): a page that builds many ORM objects
    paid about 10 ms per view on average in collections. ``gc.freeze()`` moves them out of every
    later collection (per process: gunicorn workers are forked). Tests keep the default collector.
    """
    if app.testing:
        return
    seen = {"pid": None, "count": 0}

    @app.before_request
    def _freeze_long_lived_objects():
        if seen["pid"] != os.getpid():
            seen.update(pid=os.getpid(), count=0)
        seen["count"] += 1
        if seen["count"] in FREEZE_AT:
            gc.collect()
            gc.freeze()
