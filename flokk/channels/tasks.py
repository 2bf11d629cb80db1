"""Periodic jobs of the channels app."""

from __future__ import annotations

import datetime as dt
import logging

from flokk.channels.services.health import check_account_health
from flokk.core.periodic import periodic

logger = logging.getLogger(__name__)


@periodic("channels.account_health", every=dt.timedelta(hours=6))
def account_health() -> None:
    """Catch expired or revoked credentials before a scheduled post runs into them."""
    logger.info("account health: %s", check_account_health())
