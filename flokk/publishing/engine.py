"""The network side of publishing: run a batch of jobs concurrently, bounded per account and overall.

No database here: jobs come in with everything they need, results go out as plain values, so the event
loop never blocks on the ORM. Each connector instance serves one account for the batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from flokk.channels.connectors import connector_for
from flokk.channels.connectors.base import Connector, ConnectorError, Published
from flokk.publishing.services.claiming import Job

logger = logging.getLogger(__name__)
MAX_CONCURRENT_CALLS = 256
CALL_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Result:
    job: Job
    published: Published | None  # set when published, or found by reconciliation
    error: ConnectorError | None
    finished_at: dt.datetime
    # Credentials the connector refreshed during the call, to store for the account.
    updated_credentials: dict[str, Any] | None = None


async def _run_one(
    job: Job, connector: Connector, account_slots: asyncio.Semaphore, slots: asyncio.Semaphore
) -> Result:
    async with slots, account_slots:
        try:
            async with asyncio.timeout(CALL_TIMEOUT_SECONDS):
                if job.reconcile:
                    published = await connector.find_published(job.publication, job.since)
                else:
                    published = await connector.publish(job.publication)
            error = None
        except ConnectorError as failure:
            published, error = None, failure
        except TimeoutError:
            published = None
            error = ConnectorError("The network did not answer in time.", outcome_unknown=not job.reconcile)
        except Exception as failure:  # a connector bug or a malformed response must not stop the batch
            logger.exception("connector %s failed on delivery %s", job.account.network, job.delivery_id)
            published = None
            error = ConnectorError(
                f"Unexpected error from the network: {type(failure).__name__}.",
                raw=repr(failure)[:2000],
                outcome_unknown=not job.reconcile,
            )
    return Result(
        job=job,
        published=published,
        error=error,
        finished_at=dt.datetime.now(dt.UTC),
        updated_credentials=connector.updated_credentials,
    )


async def run_jobs(jobs: list[Job]) -> list[Result]:
    """Run every job; one result per job, in any order. Never raises for a job's failure."""
    slots = asyncio.Semaphore(MAX_CONCURRENT_CALLS)
    connectors: dict[str, Connector] = {}
    account_slots: dict[str, asyncio.Semaphore] = {}
    tasks = []
    failed: list[Result] = []
    for job in jobs:
        key = job.account.id
        if key not in connectors:
            try:
                connectors[key] = connector_for(job.account, job.credentials, job.app)
            except ConnectorError as error:
                failed.append(
                    Result(job=job, published=None, error=error, finished_at=dt.datetime.now(dt.UTC))
                )
                continue
            account_slots[key] = asyncio.Semaphore(connectors[key].max_concurrency_per_account)
        tasks.append(_run_one(job, connectors[key], account_slots[key], slots))
    try:
        return failed + list(await asyncio.gather(*tasks))
    finally:
        for connector in connectors.values():
            try:
                await connector.aclose()
            except Exception:  # closing is best effort
                logger.warning("closing connector for %s failed", connector.account.id, exc_info=True)


def run_jobs_sync(jobs: list[Job]) -> list[Result]:
    return asyncio.run(run_jobs(jobs)) if jobs else []
