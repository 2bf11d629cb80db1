"""Learnings worked out from the organization's history, and the monthly report's schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel


class Learning(TimeStampedModel):
    """What worked: posts with `feature` = `value` against the others, with the effect and its certainty."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=20, blank=True)  # empty: all networks together
    feature = models.CharField(max_length=30)  # content_type, tag, campaign, weekday, hour, has_link, ...
    value = models.CharField(max_length=200)
    metric = models.CharField(max_length=30, default="engagement_rate")
    effect = models.FloatField()  # ratio of the group's median to the others' (1.5 = half as good again)
    low = models.FloatField()  # 95 % interval of the effect
    high = models.FloatField()
    posts = models.PositiveIntegerField()
    others = models.PositiveIntegerField()
    confidence = models.FloatField()  # share of bootstrap samples on the effect's side of 1

    class Meta:
        ordering = ["-confidence", "-effect"]
        indexes = [models.Index(fields=["organization", "network"], name="learning_org")]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: x{self.effect:.2f}"


class ReportSchedule(TimeStampedModel):
    """Who gets the monthly management report by e-mail, in which language, on which day of the month."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), default=1)
    last_sent_for = models.DateField(null=True, blank=True)  # the first day of the month last reported

    class Meta:
        ordering = ["organization", "day_of_month"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "recipient"], name="one_report_schedule_a_person")
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} on day {self.day_of_month}"
