"""Content API: posts with their variants and checks, approvals, campaigns, and the asset library.

Handlers parse (schemas), authorize (`api_access`), call one service and return a schema. Objects are looked
up inside the caller's organization, so another organization's ids answer 404 like unknown ones.

The handlers live in one module per sub-domain, all on the one `router` from `common`; importing a module
registers its handlers.
"""

from __future__ import annotations

from flokk.content.api.common import router

# Registration order is the order of the paths in the OpenAPI schema, so these stay in this order.
# isort: off
from flokk.content.api import posts, approval, campaigns, assets, briefs, calendar
# isort: on

__all__ = ["approval", "assets", "briefs", "calendar", "campaigns", "posts", "router"]
