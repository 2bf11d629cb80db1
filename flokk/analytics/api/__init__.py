"""Analytics API under /api/v1/orgs/{org}/: metrics and rollups, links and conversions, reports."""

from ninja import Router

from flokk.analytics.api import links, metrics, reports

router = Router(tags=["analytics"])
router.add_router("/", metrics.router)
router.add_router("/", links.router)
router.add_router("/", reports.router)
