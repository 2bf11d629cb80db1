"""What the teams API's sub-domain modules share: the router they register on, the path and field types,
the level names, and the error statuses per kind of handler.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import P, PathEx, Router
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from flokk.core.api import Error
from flokk.teams.choices import Level

# One router for the whole teams API; each sub-domain module registers its handlers on it. Operation ids
# are part of the public schema (client generators name methods after them) and ninja derives them from
# the handler's module, so every handler pins the id it had when the API was the one module
# `flokk.teams.api`: `flokk_teams_api_<handler>`.
router = Router(tags=["teams"])

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# Text fields refuse NUL: PostgreSQL cannot store it, and no person types it.
TEXT_PATTERN = r"^[^\x00]*$"
MAX_ROLES = 100

OrgSlug = PathEx[str, P(pattern=SLUG_PATTERN, max_length=60, description="The organization's short name")]
RoleKey = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=60)]
LevelName = Literal["none", "view", "work", "approve", "manage"]
LEVEL_OF_NAME: dict[LevelName, Level] = {
    "none": Level.NONE,
    "view": Level.VIEW,
    "work": Level.WORK,
    "approve": Level.APPROVE,
    "manage": Level.MANAGE,
}
NAME_OF_LEVEL: dict[int, LevelName] = {int(level): name for name, level in LEVEL_OF_NAME.items()}

# Error statuses by what a handler does. Every handler needs a token (401) and has an org slug in its path
# (422 when malformed, 404 when unknown or not the caller's); services reject input with 422. 403 only
# where a member may lack the permission (org.admin), 400 (malformed JSON) only where a body is parsed.
FOR_MEMBERS: dict[int, Any] = {401: Error, 404: Error, 422: Error}
FOR_ADMINS: dict[int, Any] = {**FOR_MEMBERS, 403: Error}
FOR_ADMINS_WITH_BODY: dict[int, Any] = {**FOR_ADMINS, 400: Error}


def _valid_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_("Enter a valid e-mail address.")) from None
    return value


Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_valid_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
