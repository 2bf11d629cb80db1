"""What analytics counts, and where each count came from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """One kind of thing that happened to a post or an account. Counts add up (a follower lost is -1)."""

    IMPRESSION = "impression", _("Impressions")
    LIKE = "like", _("Likes")
    COMMENT = "comment", _("Comments")
    SHARE = "share", _("Shares")
    SAVE = "save", _("Saves")
    QUOTE = "quote", _("Quotes")
    LINK_CLICK = "link_click", _("Link clicks (network)")
    VIDEO_VIEW = "video_view", _("Video views")
    FOLLOWER = "follower", _("Followers")
    CLICK = "click", _("Short link clicks")
    VISIT = "visit", _("Landing page visits")
    CONVERSION = "conversion", _("Conversions")
    # What the public wrote to the inbox: messages whose sentiment is known, and the negative ones.
    MESSAGE = "message", _("Messages from the public")
    NEGATIVE_MESSAGE = "negative_message", _("Negative messages")


# What counts as engagement in the engagement rate: what people did with a post, over its impressions.
ENGAGEMENT_KINDS = (
    EventKind.LIKE,
    EventKind.COMMENT,
    EventKind.SHARE,
    EventKind.SAVE,
    EventKind.QUOTE,
    EventKind.LINK_CLICK,
)


class EventSource(models.TextChoices):
    NETWORK = "network", _("Network metrics")
    DEMO = "demo", _("Demo metrics (sandbox)")
    LINK = "link", _("Short link")
    LANDING = "landing", _("Landing page")
    IMPORT = "import", _("Import")
    INBOX = "inbox", _("Inbox")


class TrafficSource(models.TextChoices):
    """Where rows of web-analytics figures came from."""

    GA4 = "ga4", "Google Analytics 4"
    MATOMO = "matomo", "Matomo"
    PLAUSIBLE = "plausible", "Plausible"
