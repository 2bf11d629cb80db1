"""Posts as CSV: export the organization's posts for a spreadsheet, import rows as new draft posts.

The file is UTF-8 (a BOM is written for Excel and accepted on import), comma-separated on export and comma-
or semicolon-separated on import (Nordic Excel writes semicolons). One row is one post; its text, link,
hashtags and first comment go to the variant of every network of its accounts.

Cells a spreadsheet would run as a formula (`= + - @`, tab, carriage return first) are written with a
leading `'`, and that `'` is taken off again on import so a round trip keeps the text as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.models import Campaign, Post
from flokk.content.services.checks import VariantDraft, check_variant, clean_hashtags
from flokk.content.services.posts import PostInput, VariantInput, create_post, local_time
from flokk.core.audit import record
from flokk.teams.models import Organization, User

COLUMNS = (
    "id",
    "status",
    "scheduled_local",
    "time_zone",
    "accounts",
    "campaign",
    "objective",
    "text",
    "link",
    "hashtags",
    "first_comment",
)
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
TIME_FORMAT = "%Y-%m-%d %H:%M"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
EARLIEST_DAY, LATEST_DAY = dt.date(1, 1, 2), dt.date(9999, 12, 30)
# Import refuses a row for the checks' errors about its text; media cannot come in a CSV and are added to
# the drafts later, so "this network needs an image" does not refuse a row.
NOT_BLOCKING_ON_IMPORT = frozenset({"media_required"})


class CsvFileError(Exception):
    """The file as a whole cannot be read (size, encoding, header, too many rows); nothing was imported."""


@dataclass
class ImportReport:
    """What an import did: the posts it created (with the line of each) and the lines it refused, with why."""

    created: list[tuple[int, Post]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def created_count(self) -> int:
        return len(self.created)


# --- export -----------------------------------------------------------------------------------------
def escape_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _unescape_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def posts_for_export(
    organization: Organization,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    status: str = "",
    campaign: Campaign | None = None,
) -> Iterable[Post]:
    """The organization's posts, optionally scheduled between two local dates (inclusive), in one status, of
    one campaign; oldest scheduled first, unscheduled last."""
    posts = Post.objects.for_org(organization).with_details()
    zone = _zone(organization.time_zone) or dt.UTC
    # Days at the very ends of the calendar would overflow once moved to UTC; nothing is scheduled there.
    if since is not None:
        since = min(max(since, EARLIEST_DAY), LATEST_DAY)
    if until is not None:
        until = min(max(until, EARLIEST_DAY), LATEST_DAY)
    if since is not None:
        posts = posts.filter(scheduled_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=zone))
    if until is not None:
        posts = posts.filter(
            scheduled_at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        )
    if status:
        posts = posts.filter(status=status)
    if campaign is not None:
        posts = posts.filter(campaign=campaign)
    return posts.order_by("scheduled_at", "created_at")


def export_posts(organization: Organization, posts: Iterable[Post]) -> bytes:
    """The posts as CSV bytes (UTF-8 with BOM, header row). With several variants, the first network's text,
    link, hashtags and first comment stand for the post."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for post in posts:
        variant = next(iter(post.variants.all()), None)
        scheduled = (
            local_time(organization, post.scheduled_at).strftime(TIME_FORMAT) if post.scheduled_at else ""
        )
        row = [
            str(post.pk),
            post.status,
            scheduled,
            organization.time_zone,
            " ".join(f"{a.network}:{a.handle}" for a in post.accounts.all()),
            post.campaign.name if post.campaign else "",
            post.objective,
            variant.text if variant else "",
            variant.link if variant else "",
            " ".join(f"#{tag}" for tag in variant.hashtags) if variant else "",
            variant.first_comment if variant else "",
        ]
        writer.writerow([escape_cell(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


# --- import -----------------------------------------------------------------------------------------
class RowError(Exception):
    """One row cannot become a post; the message says why."""


def _read_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows (with the line each starts on) of a CSV file, or CsvFileError."""
    if len(content) > MAX_BYTES:
        raise CsvFileError(_("The file is larger than 2 MB; split it into smaller files."))
    if b"\x00" in content:
        raise CsvFileError(_("This is not a CSV text file. Save it as “CSV UTF-8” and try again."))
    # Undecodable bytes stay in the text as surrogates, so only the rows holding them are refused.
    text = content.decode("utf-8", errors="surrogateescape").removeprefix(BOM)
    if not text.strip():
        raise CsvFileError(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
        rows: list[tuple[int, list[str]]] = []
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, row))
                if len(rows) > MAX_ROWS:
                    raise CsvFileError(
                        _("The file has more than %(max)s rows; split it into smaller files.")
                        % {"max": MAX_ROWS}
                    )
            line = reader.line_num + 1
    except csv.Error as error:
        raise CsvFileError(_("The file is not valid CSV: %(error)s") % {"error": error}) from None
    names = [_unescape_cell(name.strip()).casefold() for name in header]
    if any("\udc80" <= ch <= "\udcff" for name in names for ch in name):
        raise CsvFileError(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise CsvFileError(
            _("Unknown columns: %(names)s. The columns are: %(columns)s.")
            % {"names": ", ".join(unknown), "columns": ", ".join(COLUMNS)}
        )
    if len(set(names)) != len(names):
        raise CsvFileError(_("A column appears twice in the header."))
    if "accounts" not in names or "text" not in names:
        raise CsvFileError(_("The header needs at least the columns “accounts” and “text”."))
    return names, rows


def _scheduled_at(value: str, zone_name: str, organization: Organization) -> dt.datetime | None:
    if not value.strip():
        return None
    zone = _zone(zone_name.strip()) if zone_name.strip() else _zone(organization.time_zone)
    if zone is None:
        raise RowError(_("Unknown time zone “%(zone)s”.") % {"zone": zone_name.strip()})
    try:
        naive = dt.datetime.strptime(value.strip(), TIME_FORMAT)
    except ValueError:
        raise RowError(
            _("“%(value)s” is not a real date and time in the form YYYY-MM-DD HH:MM.")
            % {"value": value.strip()}
        ) from None
    aware = naive.replace(tzinfo=zone)
    # A wall time skipped when the clocks go forward does not survive the round trip through UTC.
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise RowError(
            _("%(value)s does not exist in %(zone)s: the clocks skip that hour.")
            % {"value": value.strip(), "zone": zone.key}
        )
    if aware <= timezone.now():
        raise RowError(_("The scheduled time has already passed. Choose a time in the future."))
    return aware


def _row_input(
    cells: dict[str, str],
    organization: Organization,
    accounts: dict[tuple[str, str], Account],
    campaigns: list[Campaign],
) -> PostInput:
    text = cells.get("text", "")
    if not text.strip():
        raise RowError(_("The text is missing."))
    chosen: list[Account] = []
    for item in cells.get("accounts", "").split():
        network, _sep, handle = item.partition(":")
        account = accounts.get((network.strip().casefold(), handle.strip().lstrip("@").casefold()))
        if account is None:
            raise RowError(_("Unknown account “%(account)s” (write network:handle).") % {"account": item})
        if account not in chosen:
            chosen.append(account)
    if not chosen:
        raise RowError(_("No account: name at least one as network:handle."))
    campaign_name = cells.get("campaign", "").strip()
    campaign = None
    if campaign_name:
        matches = [
            c
            for c in campaigns
            if c.name.casefold() == campaign_name.casefold() or str(c.pk) == campaign_name
        ]
        if not matches:
            raise RowError(_("Unknown campaign “%(name)s”.") % {"name": campaign_name})
        if len(matches) > 1:
            raise RowError(
                _("Several campaigns are called “%(name)s”; use its id.") % {"name": campaign_name}
            )
        campaign = matches[0]
    scheduled_at = _scheduled_at(cells.get("scheduled_local", ""), cells.get("time_zone", ""), organization)
    variant = VariantInput(
        link=cells.get("link", "").strip(),
        first_comment=cells.get("first_comment", ""),
        hashtags=clean_hashtags(cells.get("hashtags", "")),
    )
    networks = sorted({a.network for a in chosen})
    for network in networks:
        draft = VariantDraft(
            network=network,
            text=text,
            link=variant.link,
            first_comment=variant.first_comment,
            hashtags=variant.hashtags,
        )
        for check in check_variant(draft, require_alt_text=False):
            if check.level == "error" and check.code not in NOT_BLOCKING_ON_IMPORT:
                raise RowError(f"{Network(network).label}: {check.message}")
    return PostInput(
        account_ids=[a.pk for a in chosen],
        text=text,
        objective=cells.get("objective", ""),
        campaign_id=campaign.pk if campaign else None,
        scheduled_at=scheduled_at,
        variants=dict.fromkeys(networks, variant),
    )


def import_posts(organization: Organization, content: bytes, *, actor: User) -> ImportReport:
    """Create a draft post for every good row of a CSV file; refuse the others with their line and why.

    Each row is written in its own savepoint, so a refused row stores nothing and does not stop the others.
    Raises CsvFileError (nothing imported) for a file that is too large, has more than MAX_ROWS rows, is no
    UTF-8 text or lacks a usable header. Writes one audit entry, `content.posts.imported`, with the counts.
    """
    names, rows = _read_rows(content)
    accounts = {
        (a.network.casefold(), a.handle.casefold()): a for a in Account.objects.for_org(organization).usable()
    }
    campaigns = list(Campaign.objects.for_org(organization))
    report = ImportReport()
    with transaction.atomic():
        for line, row in rows:
            try:
                if len(row) > len(names):
                    raise RowError(
                        ngettext(
                            "%(found)s columns, but the header has %(expected)s.",
                            "%(found)s columns, but the header has %(expected)s.",
                            len(row),
                        )
                        % {"found": len(row), "expected": len(names)}
                    )
                if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
                    raise RowError(_("The row holds bytes that are not UTF-8 text."))
                cells = {name: _unescape_cell(value) for name, value in zip(names, row, strict=False)}
                data = _row_input(cells, organization, accounts, campaigns)
                with transaction.atomic():
                    post = create_post(organization, data, actor=actor)
            except RowError as error:
                report.rejected.append((line, str(error)))
            except ValidationError as error:
                report.rejected.append((line, " ".join(error.messages)))
            else:
                report.created.append((line, post))
        record(
            "content.posts.imported",
            organization=organization,
            actor=actor,
            data={"created": len(report.created), "rejected": len(report.rejected), "rows": len(rows)},
        )
    return report
