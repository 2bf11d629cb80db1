"""Account states. Networks themselves live in `flokk.channels.networks`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")
    DISCONNECTED = "disconnected", _("Disconnected")
