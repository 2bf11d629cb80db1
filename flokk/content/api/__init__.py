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
# csv_posts comes first: its fixed paths (`posts/export.csv`, `posts/import`) must be matched before the
# untyped `posts/{post_id}` would swallow them.
from flokk.content.api import csv_posts, posts, approval, campaigns, assets, briefs, calendar
# isort: on

__all__ = ["approval", "assets", "briefs", "calendar", "campaigns", "csv_posts", "posts", "router"]
