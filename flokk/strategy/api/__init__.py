"""Strategy API: the strategy and its versions, goals with KPIs, milestones and measurements, the plan.

Handlers parse (schemas), authorize (`api_access`), call one service and return a schema. Objects are
looked up inside the caller's organization, so another organization's ids answer 404 like unknown ones.
"""

from __future__ import annotations

from flokk.strategy.api.common import router

# Registration order is the order of the paths in the OpenAPI schema.
# isort: off
from flokk.strategy.api import strategy, goals, plan
# isort: on

__all__ = ["goals", "plan", "router", "strategy"]
