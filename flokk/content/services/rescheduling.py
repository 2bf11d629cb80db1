"""Moving a planned post to another time on the calendar (drag and drop, the "move to" form, the API)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.content.models import Post
from flokk.content.services.calendar import FIXED_STATUSES
from flokk.content.services.scheduling import local_to_utc, require_future
from flokk.core.audit import record
from flokk.core.notifications import notify
from flokk.teams.models import User
from flokk.teams.permissions import resolve_access


class RescheduleConflict(Exception):
    """The post is in a state that cannot be moved (published, failed, rejected); the API answers 409."""

    def __init__(self, message: str, code: str = "not_movable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def new_time(
    post: Post, time_zone: str, *, new_local_date: dt.date | None, new_at: dt.datetime | None
) -> dt.datetime:
    """The UTC instant a move asks for: a date keeps the post's local time of day; `new_at` without an
    offset is a wall time in `time_zone`."""
    if (new_local_date is None) == (new_at is None):
        raise ValueError("give exactly one of new_local_date and new_at")
    try:
        return _new_time(post, time_zone, new_local_date=new_local_date, new_at=new_at)
    except OverflowError:
        # Within hours of year 1 or 9999 there is no UTC equivalent.
        raise ValidationError(_("Choose a date between 1900 and 9000."), code="out_of_range") from None


def _new_time(
    post: Post, time_zone: str, *, new_local_date: dt.date | None, new_at: dt.datetime | None
) -> dt.datetime:
    if new_at is not None:
        return local_to_utc(new_at, time_zone)
    assert new_local_date is not None
    if post.scheduled_at is None:
        raise ValidationError(
            _("This post has no time yet: choose a date and a time."), code="no_time_of_day"
        )
    local = post.scheduled_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    return local_to_utc(dt.datetime.combine(new_local_date, local.time().replace(fold=0)), time_zone)


def reschedule_post(
    post: Post,
    *,
    new_local_date: dt.date | None = None,
    new_at: dt.datetime | None = None,
    actor: User,
) -> Post:
    """Move a post to another time; returns the post as saved. Give exactly one of the two targets.

    Rules:
    - the actor needs `planning.work` in the post's organization (PermissionDenied otherwise);
    - `new_local_date` moves the post to that day in the organization's time zone, keeping its local time
      of day (09:30 stays 09:30 across a daylight-saving change); `new_at` is the new time itself, read in
      the organization's time zone when it has no offset;
    - a wall time that does not exist (the spring change skips it) is refused (ValidationError
      `nonexistent_time`), and so is a time that has passed (`in_the_past`);
    - published, failed and rejected posts cannot be moved (RescheduleConflict);
    - only the time changes: the content is untouched, so an approved or scheduled post keeps its approval
      and status, a post in review stays in review, a draft stays a draft.

    Runs in one transaction with the post locked; writes `content.post.rescheduled` with the old and new
    times, and notifies the post's author when someone else moved it. On any refusal nothing changes.
    """
    organization = post.organization
    access = resolve_access(actor, organization)
    if access is None or not access.has("planning.work"):
        raise PermissionDenied("planning.work")
    time_zone = organization.time_zone
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("organization").get(pk=post.pk)
        if post.status in FIXED_STATUSES:
            raise RescheduleConflict(
                _("A post that is %(status)s cannot be moved.") % {"status": post.get_status_display()}
            )
        target = new_time(post, time_zone, new_local_date=new_local_date, new_at=new_at)
        require_future(target)
        previous = post.scheduled_at
        if previous == target:
            return post
        post.scheduled_at = target
        post.save(update_fields=["scheduled_at", "updated_at"])
        record(
            "content.post.rescheduled",
            organization=organization,
            actor=actor,
            target=post,
            data={
                "from": previous.isoformat() if previous else None,
                "to": target.isoformat(),
                "status": post.status,
            },
        )
        author = post.created_by
        if author is not None and author.pk != actor.pk:
            shown = timezone.localtime(target, zoneinfo.ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")
            notify(
                [author],
                organization=organization,
                action="content.post.rescheduled",
                url=post.get_absolute_url(),
                message=lambda: (
                    _("%(person)s moved your post to %(time)s.")
                    % {"person": actor.display_name, "time": shown}
                ),
            )
    return post
