"""Background work of the content app: the production board's due-date reminders."""

from __future__ import annotations

import datetime as dt

from flokk.content.services.production import send_due_reminders
from flokk.core.periodic import periodic


@periodic("content.task_due_reminders", every=dt.timedelta(minutes=15))
def task_due_reminders() -> int:
    """Remind people of open tasks due tomorrow, today or overdue; each task at most once a local day."""
    return send_due_reminders()
