"""Analytics' periodic jobs: counting queued events into the rollups."""

from __future__ import annotations

import datetime as dt
import logging

from flokk.analytics.services import rollups
from flokk.core.periodic import periodic

logger = logging.getLogger(__name__)


@periodic("analytics.refresh_rollups", every=dt.timedelta(minutes=1))
def refresh_rollups() -> None:
    counted = rollups.refresh_all()
    if counted:
        logger.info("analytics: %s events counted into the rollups", counted)
