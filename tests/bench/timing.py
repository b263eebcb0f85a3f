"""Time a page or a write in process and count its SQL statements: what every benchmark here measures."""
import statistics
import time

from sqlalchemy import event

from coopserv.extensions import db


def measure(app, client, path, repeat, headers=None):
    """(median ms, p95 ms, statements of one view) over ``repeat`` views after two warm-up views."""
    def view():
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])

    for _ in range(2):
        view()
    return timed(app, view, repeat)


def timed(app, action, repeat):
    """(median ms, p95 ms, most statements of one call) of ``action()`` called ``repeat`` times."""
    with app.app_context():
        engine = db.engine
    counts = []

    def count(*_args):
        counts[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    timings = []
    try:
        for _ in range(repeat):
            counts.append(0)
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    return statistics.median(timings), p95, max(counts)
