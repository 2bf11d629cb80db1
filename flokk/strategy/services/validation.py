"""Checks the strategy services share: numbers in range, dates in order, text without NUL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from flokk.strategy.choices import MAX_VALUE


def clean_value(value: Decimal | float | int | str, field: str, *, allow_negative: bool = False) -> Decimal:
    """A finite number no larger than MAX_VALUE (in size), with at most four decimals; below zero only when
    `allow_negative` (metrics such as ROI can honestly be negative, counts cannot)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}, code="invalid_number") from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")}, code="invalid_number")
    if number < 0 and not allow_negative:
        raise ValidationError({field: _("Enter zero or more.")}, code="negative")
    if abs(number) > MAX_VALUE:
        raise ValidationError(
            {field: _("Enter at most %(max)s.") % {"max": f"{MAX_VALUE:,}"}}, code="too_large"
        )
    return number.quantize(Decimal("0.0001"))


def clean_period(start: date, end: date, end_field: str) -> None:
    if end < start:
        raise ValidationError({end_field: _("The end cannot be before the start.")}, code="end_before_start")


def clean_text(value: str, field: str, max_length: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("This text contains a character that is not allowed.")}, code="nul")
    if required and not text:
        raise ValidationError({field: _("This field is required.")}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {field: _("Keep this to %(max)s characters.") % {"max": max_length}}, code="too_long"
        )
    return text
