"""The calendar and rescheduling (being written)."""
