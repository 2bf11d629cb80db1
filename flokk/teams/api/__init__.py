"""Teams API: the signed-in person, and members, invitations, roles, matrix, agencies, audit per org.

Handlers parse (schemas), authorize (`api_access`), call one service and return a schema. Objects are
looked up inside the caller's organization, so another organization's ids answer 404 like unknown ones.

The handlers live in one module per sub-domain (`members`, `roles`, `matrix`, `agencies`, `audit`), all on
the one `router` from `common`; importing a module registers its handlers.
"""

from __future__ import annotations

from flokk.teams.api.common import LEVEL_OF_NAME, router

# Registration order is the order of the paths in the OpenAPI schema, so these stay in this order.
# isort: off
from flokk.teams.api import members, roles, matrix, agencies, audit
# isort: on

__all__ = ["LEVEL_OF_NAME", "agencies", "audit", "matrix", "members", "roles", "router"]
