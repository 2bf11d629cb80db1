"""What analytics shows on other apps' pages: the planner's insights beside the post editor, and the trend
of a KPI on its goal's page. Those pages only include a partial; the partial asks these tags for its data,
so the content and strategy views stay as they are."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from flokk.analytics.models import Learning
from flokk.analytics.services import best_time, learnings
from flokk.channels.networks import Network
from flokk.strategy.models import KPI

register = template.Library()

TOP_LEARNINGS = 5
TREND_WIDTH, TREND_HEIGHT, TREND_PAD = 240, 60, 4


def weekday_name(weekday: int) -> str:
    days = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
    return days[weekday]


def hours_label(start: int, end: int) -> str:
    return f"{start:02d}\N{EN DASH}{end:02d}"


def describe_best_time(result: best_time.BestTime) -> str:
    """The network's best time in plain words, with its uncertainty, or the default and why."""
    hours = ", ".join(hours_label(start, end) for start, end in result.default_hours)
    best = result.best
    if best is not None and best.estimate is not None and best.low is not None and best.high is not None:
        return _(
            "%(weekday)s %(hours)s: %(effect)s times your typical post (95 %% interval %(low)s to %(high)s; "
            "%(posts)s posts there, %(total)s in all)."
        ) % {
            "weekday": weekday_name(best.weekday),
            "hours": hours_label(best.block, best.block_end),
            "effect": number_format(best.estimate, 1),
            "low": number_format(best.low, 1),
            "high": number_format(best.high, 1),
            "posts": best.posts,
            "total": result.posts,
        }
    if result.is_default:
        return _(
            "%(hours)s on weekdays, the usual good hours on this network: a default, as there are too few of "
            "your own posts to tell yet (%(posts)s of the %(needed)s needed)."
        ) % {"hours": hours, "posts": result.posts, "needed": best_time.MIN_POSTS}
    return _(
        "No time stands out clearly in your %(posts)s posts yet; the usual good hours here are %(hours)s on "
        "weekdays."
    ) % {"posts": result.posts, "hours": hours}


def selected_networks(form: Any) -> list[str]:
    """The networks of the accounts the post form has selected; all the form offers if none are."""
    if form is None or "accounts" not in getattr(form, "fields", {}):
        return []
    offered = list(form.fields["accounts"].queryset)
    by_id = {str(account.pk): account.network for account in offered}
    chosen = form["accounts"].value() or []
    found = [getattr(item, "network", None) or by_id.get(str(item)) for item in chosen]
    networks: list[str] = [str(network) for network in found if network]
    return list(dict.fromkeys(networks or [account.network for account in offered]))


@dataclass(frozen=True)
class NetworkTime:
    network: str
    label: str
    text: str
    is_default: bool


@register.simple_tag(takes_context=True)
def planner_insights(context: template.Context) -> dict[str, Any] | None:
    """Learnings and the best time per selected network for the post editor; None for people who may not
    see analysis."""
    request = context.get("request")
    perms = getattr(request, "perms", None)
    organization = getattr(request, "org", None)
    if perms is None or organization is None or not perms.has("analysis.view"):
        return None
    top = Learning.objects.filter(organization=organization).order_by("-confidence", "-effect")[
        :TOP_LEARNINGS
    ]
    results = best_time.best_times_for(organization)
    labels = dict(Network.choices)
    times = []
    for network in selected_networks(context.get("form")):
        result = best_time.for_network(results, network)
        times.append(
            NetworkTime(
                network, str(labels.get(network, network)), describe_best_time(result), result.is_default
            )
        )
    return {"learnings": [learnings.describe(item) for item in top], "times": times}


@dataclass(frozen=True)
class Trend:
    """A sparkline's coordinates, as strings: templates would print floats with the reader's decimal comma."""

    points: str
    last_x: str
    last_y: str
    target_y: str
    first: Decimal
    latest: Decimal
    target: Decimal
    count: int
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT


@register.simple_tag
def goal_trend(kpi: KPI) -> Trend | None:
    """The KPI's measurements over time and its target, as coordinates of an SVG sparkline (oldest left).

    Uses the measurements the goal page has prefetched.
    """
    measurements = kpi.ordered_measurements()
    if not measurements:
        return None
    values = [float(m.value) for m in measurements]
    target = float(kpi.target_value)
    low, high = min([*values, target]), max([*values, target])
    span = (high - low) or 1.0
    first_at = measurements[0].measured_at
    seconds = (measurements[-1].measured_at - first_at).total_seconds() or 1.0
    inner_w, inner_h = TREND_WIDTH - 2 * TREND_PAD, TREND_HEIGHT - 2 * TREND_PAD

    def y_of(value: float) -> float:
        return round(TREND_PAD + inner_h * (1 - (value - low) / span), 1)

    coordinates = []
    for measurement, value in zip(measurements, values, strict=True):
        x = TREND_PAD + inner_w * ((measurement.measured_at - first_at).total_seconds() / seconds)
        if len(measurements) == 1:
            x = TREND_PAD + inner_w
        coordinates.append((round(x, 1), y_of(value)))
    return Trend(
        points=" ".join(f"{x},{y}" for x, y in coordinates),
        last_x=str(coordinates[-1][0]),
        last_y=str(coordinates[-1][1]),
        target_y=str(y_of(target)),
        first=measurements[0].value,
        latest=measurements[-1].value,
        target=kpi.target_value,
        count=len(measurements),
    )
