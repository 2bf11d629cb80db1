"""What the strategy API's modules share: the router, field types and error statuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from ninja import Router
from pydantic import Field, StringConstraints

from flokk.core.api import Error
from flokk.strategy.choices import MAX_VALUE

router = Router(tags=["strategy"])

TEXT_PATTERN = r"^[^\x00]*$"

# Reading needs strategy.view (403 for members without it); writing also parses a body (400, 422).
FOR_READERS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
FOR_WRITERS: dict[int, Any] = {**FOR_READERS, 400: Error}


def _text(max_length: int, min_length: int = 0) -> Any:
    return StringConstraints(
        max_length=max_length, min_length=min_length, pattern=TEXT_PATTERN, strip_whitespace=True
    )


Name = Annotated[str, _text(100, 1)]
Title = Annotated[str, _text(200, 1)]
Line = Annotated[str, _text(300)]
Note = Annotated[str, _text(500)]
LongText = Annotated[str, _text(5000)]
ShortText = Annotated[str, _text(100)]


Value = Annotated[
    Decimal,
    Field(ge=0, le=MAX_VALUE, max_digits=18, decimal_places=4, allow_inf_nan=False, description="0 or more"),
]
# Targets and measurements: the schema admits negatives, the service refuses them for metrics that cannot
# go below zero (reach, followers...) and keeps them for those that can (ROI, custom metrics).
SignedValue = Annotated[
    Decimal,
    Field(
        ge=-MAX_VALUE,
        le=MAX_VALUE,
        max_digits=18,
        decimal_places=4,
        allow_inf_nan=False,
        description="Below zero only for metrics that can be negative (ROI, custom)",
    ),
]
