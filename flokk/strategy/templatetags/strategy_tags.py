"""Template filters of the strategy pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    """A stored number as people write it: no trailing zeros, no exponent, in the reader's locale."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    plain = Decimal(f"{number.normalize():f}")
    return number_format(plain, force_grouping=True)
