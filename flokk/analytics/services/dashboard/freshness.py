"""How fresh the figures are, and what each network does not report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import JSONField, OuterRef, Subquery

from flokk.analytics.choices import EventKind
from flokk.analytics.models import MetricSnapshot, RefreshState
from flokk.analytics.services.dashboard.common import network_label
from flokk.channels.models import Account
from flokk.teams.models import Organization


def data_as_of(organization: Organization) -> dt.datetime | None:
    """When the rollups last took in events for this organization."""
    return (
        RefreshState.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("refreshed_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class NetworkGaps:
    network: str
    label: str
    missing: list[str]  # labels of the kinds the network does not report
    demo: bool  # the figures are made up by the sandbox


def missing_metrics(organization: Organization, network: str = "") -> list[NetworkGaps]:
    """Per network, what its latest metric reading says the network does not report. One query."""
    latest = MetricSnapshot.objects.filter(account=OuterRef("pk")).order_by("-taken_at")
    accounts = Account.objects.filter(organization=organization)
    if network:
        accounts = accounts.filter(network=network)
    rows = accounts.annotate(
        missing=Subquery(latest.values("missing")[:1], output_field=JSONField()),
        demo=Subquery(latest.values("demo")[:1]),
    ).values_list("network", "missing", "demo")
    gaps: dict[str, set[str]] = {}
    demo: dict[str, bool] = {}
    for net, missing, is_demo in rows:
        if missing is None:
            continue  # no reading yet
        gaps.setdefault(net, set()).update(str(kind) for kind in missing or [])
        demo[net] = demo.get(net, False) or bool(is_demo)
    found = []
    for net in sorted(gaps):
        labels = [
            str(EventKind(kind).label) if kind in EventKind.values else kind for kind in sorted(gaps[net])
        ]
        if labels or demo[net]:
            found.append(NetworkGaps(net, network_label(net), labels, demo[net]))
    return found
