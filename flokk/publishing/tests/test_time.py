"""Posts go out at the wall-clock time chosen in the organization's zone, across daylight-saving changes."""

from __future__ import annotations

import datetime as dt

import pytest

from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.content.services.scheduling import local_to_utc
from flokk.publishing.engine import run_jobs_sync
from flokk.publishing.services.claiming import claim_jobs
from flokk.publishing.services.outcomes import record_results
from flokk.publishing.services.planning import plan_due_deliveries

pytestmark = pytest.mark.django_db(transaction=True)
LEASE = dt.timedelta(minutes=2)


@pytest.mark.parametrize(
    ("wall_time", "utc_time"),
    [
        # The morning after the clocks went forward (CET → CEST): 09:00 local is 07:00 UTC.
        (dt.datetime(2026, 3, 29, 9, 0), dt.datetime(2026, 3, 29, 7, 0, tzinfo=dt.UTC)),
        # The day before: still winter time, 09:00 local is 08:00 UTC.
        (dt.datetime(2026, 3, 28, 9, 0), dt.datetime(2026, 3, 28, 8, 0, tzinfo=dt.UTC)),
        # The night the clocks go back, the first 02:30 (summer time) is taken: 00:30 UTC.
        (dt.datetime(2026, 10, 25, 2, 30), dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)),
    ],
)
def test_a_post_goes_out_at_its_wall_clock_time(network, due_post, demo, wall_time, utc_time):
    assert demo.time_zone == "Europe/Stockholm"
    post = due_post()
    at = local_to_utc(wall_time, demo.time_zone)
    assert at == utc_time
    Post.objects.filter(pk=post.pk).update(scheduled_at=at)
    one_second_early = at - dt.timedelta(seconds=1)
    assert plan_due_deliveries(one_second_early) == 0
    assert claim_jobs(one_second_early, worker="w", limit=10, lease=LEASE) == []
    assert plan_due_deliveries(at) == 1
    jobs = claim_jobs(at, worker="w", limit=10, lease=LEASE)
    record_results(run_jobs_sync(jobs), at)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
