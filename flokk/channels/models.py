"""The organization's accounts on the social networks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.channels.choices import AccountStatus
from flokk.channels.networks import Network
from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class AccountQuerySet(models.QuerySet["Account"]):
    def for_org(self, organization: Organization) -> AccountQuerySet:
        return self.filter(organization=organization)

    def usable(self) -> AccountQuerySet:
        """Accounts a new post may target: everything not disconnected."""
        return self.exclude(status=AccountStatus.DISCONNECTED)


class Account(TimeStampedModel):
    """One account on one network that the organization publishes to.

    The sandbox network publishes nothing anywhere, so the whole flow can be tried without credentials;
    real networks are reached through their connector (`flokk.channels.connectors`). Credentials are stored
    encrypted (`flokk.channels.vault`) and never shown again after saving.
    """

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="accounts")
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    handle = models.CharField(_("handle"), max_length=100)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.CONNECTED
    )
    # Where the account lives (a Bluesky PDS or Mastodon instance; blank: the network's one API) and who it
    # is there (a DID, a numeric id): the handle can change, the remote id does not.
    service_url = models.URLField(_("service URL"), max_length=300, blank=True)
    remote_id = models.CharField(_("remote id"), max_length=300, blank=True)
    credentials = models.TextField(blank=True, editable=False)
    credentials_expire_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Set when the network asked us to slow down (HTTP 429): nothing is sent to the account before then.
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    # The account's own crisis switch: while set, nothing is published to it.
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=500, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network", "handle"], name="account_handle_unique_per_org_network"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name or self.handle} ({self.get_network_display()})"

    @property
    def is_sandbox(self) -> bool:
        return self.network == Network.SANDBOX


class NetworkAppQuerySet(models.QuerySet["NetworkApp"]):
    def for_org(self, organization: Organization) -> NetworkAppQuerySet:
        return self.filter(organization=organization)


class NetworkApp(TimeStampedModel):
    """The organization's own app registration on a network (OAuth client id and secret).

    Facebook/Instagram, LinkedIn and X are connected with the organization's own app; Mastodon registers
    an app per instance by itself, so `instance_url` tells its rows apart. The secret is sealed in the vault.
    `options` holds network options such as LinkedIn's `linkedin_version` (YYYYMM).
    """

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="network_apps"
    )
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    instance_url = models.URLField(_("instance URL"), max_length=300, blank=True)
    client_id = models.CharField(_("client id"), max_length=300)
    client_secret = models.TextField(blank=True, editable=False)
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = NetworkAppQuerySet.as_manager()

    class Meta:
        ordering = ["network", "instance_url"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network", "instance_url"], name="network_app_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.instance_url}".strip()


class OAuthState(TimeStampedModel):
    """A pending OAuth authorization: the `state` we sent (hashed), the PKCE verifier, who started it."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey(NetworkApp, on_delete=models.CASCADE, related_name="+")
    state_hash = models.CharField(max_length=64, unique=True)
    code_verifier = models.TextField(editable=False)  # sealed in the vault
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"oauth {self.app_id} by {self.started_by_id}"
