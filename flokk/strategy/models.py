"""The organization's social-media strategy (versioned), its goals, KPIs, milestones and measurements, and
the action plan (resources, timeline, posting frequency per network)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.channels.networks import Network
from flokk.core.models import TimeStampedModel
from flokk.strategy.choices import (
    STRATEGY_SECTIONS,
    Challenge,
    Direction,
    MeasurementSource,
    Metric,
    Purpose,
    ResourceKind,
)
from flokk.teams.choices import Area


class Strategy(TimeStampedModel):
    """The one living strategy of an organization. Every save is kept as a `StrategyVersion`."""

    organization = models.OneToOneField(
        "teams.Organization", on_delete=models.CASCADE, related_name="strategy"
    )
    brand_identity = models.TextField(_("brand identity"), blank=True, max_length=5000)
    tone_of_voice = models.TextField(_("tone of voice"), blank=True, max_length=5000)
    challenges = models.JSONField(_("challenges"), default=list, blank=True)
    # Hashtag rules the post checks warn about; tags are stored without "#", as typed.
    max_hashtags = models.PositiveSmallIntegerField(
        _("most hashtags per post"),
        null=True,
        blank=True,
        help_text=_("Leave empty for each network's usual number."),
    )
    required_hashtags = models.JSONField(_("required hashtags"), default=list, blank=True)
    banned_hashtags = models.JSONField(_("banned hashtags"), default=list, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organization"]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return f"Strategy of {self.organization_id} v{self.version}"

    @property
    def challenge_labels(self) -> list[str]:
        return [str(Challenge(c).label) for c in self.challenges if c in Challenge.values]


class StrategyPurpose(TimeStampedModel):
    """One thing social media is for here, with a short aim."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    aim = models.CharField(_("aim"), max_length=300, blank=True)

    class Meta:
        ordering = ["purpose"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "purpose"], name="strategy_purpose_unique")
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()


class Audience(TimeStampedModel):
    """Who the organization speaks to; a sub-audience has a parent."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="audiences")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="sub_audiences"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class ChannelChoice(TimeStampedModel):
    """A network the strategy chose, with its priority (1 = most important) and the reason."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="channels")
    network = models.CharField(_("network"), max_length=30, choices=Network.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["priority", "network"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "network"], name="strategy_network_unique")
        ]

    def __str__(self) -> str:
        return self.get_network_display()


class StrategyVersion(TimeStampedModel):
    """A saved state of the strategy: who saved it, when, and everything it said (`content`)."""

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="strategy_versions"
    )
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content: models.JSONField[Any, Any] = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="strategy_version_unique")]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def changed_labels(self) -> list[str]:
        """The names of the sections this version changed, in the reader's language."""
        return [
            str(STRATEGY_SECTIONS[key]) for key in self.content.get("changed", []) if key in STRATEGY_SECTIONS
        ]


class GoalQuerySet(models.QuerySet["Goal"]):
    def for_org(self, organization: Any) -> GoalQuerySet:
        return self.filter(organization=organization)

    def with_progress(self) -> GoalQuerySet:
        """With what progress needs (owner, KPIs, measurements, milestones), in a fixed number of queries."""
        return self.select_related("owner__user").prefetch_related("kpis__measurements", "kpis__milestones")


class Goal(TimeStampedModel):
    """A measurable goal with an owner and a deadline, answering some of the strategy's challenges."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    owner = models.ForeignKey(
        "teams.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_goals"
    )
    deadline = models.DateField(_("deadline"))
    challenges = models.JSONField(_("challenges"), default=list, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def challenge_labels(self) -> list[str]:
        return [str(Challenge(c).label) for c in self.challenges if c in Challenge.values]

    def progress(self) -> float:
        """The mean progress of the goal's KPIs (0..1); uses prefetched KPIs and measurements."""
        kpis = list(self.kpis.all())
        if not kpis:
            return 0.0
        return sum(kpi.progress() for kpi in kpis) / len(kpis)

    @property
    def progress_percent(self) -> int:
        return round(self.progress() * 100)


class KPIQuerySet(models.QuerySet["KPI"]):
    def for_org(self, organization: Any) -> KPIQuerySet:
        return self.filter(organization=organization)


class KPI(TimeStampedModel):
    """A key performance indicator of a goal: a metric, a target, a direction and a period."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="kpis")
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    custom_metric = models.CharField(_("custom metric name"), max_length=100, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    baseline_value = models.DecimalField(
        _("starting value"), null=True, blank=True, max_digits=18, decimal_places=4
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    network = models.CharField(_("network"), max_length=30, choices=Network.choices, blank=True)

    objects = KPIQuerySet.as_manager()

    class Meta:
        ordering = ["period_start", "metric"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.metric_name

    @property
    def metric_name(self) -> str:
        if self.metric == Metric.CUSTOM:
            return self.custom_metric
        return str(self.get_metric_display())

    def meets(self, value: Decimal, target: Decimal) -> bool:
        """Whether `value` has reached `target` in this KPI's direction."""
        return value >= target if self.direction == Direction.INCREASE else value <= target

    def ordered_measurements(self) -> list[Measurement]:
        """Oldest first; from the prefetch cache when there is one."""
        return sorted(self.measurements.all(), key=lambda m: (m.measured_at, m.created_at))

    def latest_value(self) -> Decimal | None:
        measurements = self.ordered_measurements()
        return measurements[-1].value if measurements else None

    def progress(self) -> float:
        """How far the latest measurement has come from the start towards the target, 0..1.

        The start is `baseline_value`; without one, 0 for an increase and the first measurement for a
        decrease (there is no natural zero to come down from).
        """
        measurements = self.ordered_measurements()
        if not measurements:
            return 0.0
        latest = measurements[-1].value
        if self.meets(latest, self.target_value):
            return 1.0
        if self.direction == Direction.INCREASE:
            start = self.baseline_value if self.baseline_value is not None else Decimal(0)
            span, done = self.target_value - start, latest - start
        else:
            start = self.baseline_value if self.baseline_value is not None else measurements[0].value
            span, done = start - self.target_value, start - latest
        if span <= 0:
            return 0.0
        return float(max(Decimal(0), min(Decimal(1), done / span)))

    @property
    def progress_percent(self) -> int:
        return round(self.progress() * 100)


class Milestone(TimeStampedModel):
    """An intermediate target (etappmål) of a KPI on the way, marked reached by the first measurement
    that meets it."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    due_on = models.DateField(_("date"))
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "title"]

    def __str__(self) -> str:
        return self.title


class Measurement(TimeStampedModel):
    """One value of a KPI at a time. Entered by hand now; the analytics issue writes here too."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    measured_at = models.DateTimeField(_("measured at"))
    source = models.CharField(
        _("source"), max_length=20, choices=MeasurementSource.choices, default=MeasurementSource.MANUAL
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-measured_at"]
        indexes = [models.Index(fields=["kpi", "measured_at"], name="measurement_kpi_time")]

    def __str__(self) -> str:
        return f"{self.value} @ {self.measured_at:%Y-%m-%d}"


class Resource(TimeStampedModel):
    """Something the action plan adds: a person, a budget, a tool or an agency, and when it arrives."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    arrives_on = models.DateField(_("arrives on"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["arrives_on", "name"]

    def __str__(self) -> str:
        return self.name


class PlanItem(TimeStampedModel):
    """One step on the action plan's timeline, owned by a responsibility area."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    area = models.CharField(_("area"), max_length=30, choices=Area.choices)

    class Meta:
        ordering = ["starts_on", "title"]

    def __str__(self) -> str:
        return self.title


class FrequencyTarget(TimeStampedModel):
    """How many posts a week the plan aims for on one network."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    network = models.CharField(_("network"), max_length=30, choices=Network.choices)
    posts_per_week = models.DecimalField(_("posts per week"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["network"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "network"], name="frequency_network_unique")
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.posts_per_week}/week"
