"""Jobs declared only for the tests: they record what they did."""
from coopserv.jobs import job

done = []


@job(retries=2, retry_delay=10, retry_backoff=3.0)
def record(territory_id, label):
    done.append((territory_id, label))


@job(retries=2, retry_delay=10, retry_backoff=3.0)
def always_fails(territory_id):
    raise RuntimeError("the SMTP server is down")
