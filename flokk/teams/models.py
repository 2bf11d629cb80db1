"""Organizations, people, roles, the responsibility matrix, agency access, invitations and API tokens."""

from __future__ import annotations

import hashlib
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel
from flokk.teams.choices import BUILTIN_ROLES, Area, Level, Raci

TIME_ZONE_CHOICES = sorted((name, name) for name in zoneinfo.available_timezones() if "/" in name)


def hash_secret(value: str) -> str:
    """Tokens are stored only as SHA-256 digests; the clear value is shown once."""
    return hashlib.sha256(value.encode()).hexdigest()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("users need an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with e-mail; may belong to several organizations."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("two-factor sign-in"), default=False)
    totp_last_step = models.PositiveBigIntegerField(default=0)  # the newest code spent; no code works twice
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def for_user(self, user: User) -> OrganizationQuerySet:
        """Organizations the user belongs to, or reaches through an agency they belong to."""
        return self.filter(
            Q(memberships__user=user, memberships__is_active=True)
            | Q(
                agency_grants__agency__memberships__user=user,
                agency_grants__agency__memberships__is_active=True,
                agency_grants__revoked_at__isnull=True,
            )
        ).distinct()


class Organization(TimeStampedModel):
    """A tenant: a company, a public body, or an agency that serves others."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default=settings.DEFAULT_ORGANIZATION_TIME_ZONE,
    )
    language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES, default="en")
    require_two_factor = models.BooleanField(_("require two-factor sign-in"), default=False)
    is_demo = models.BooleanField(default=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(TimeStampedModel):
    """A named set of permission levels per responsibility area. Built-in roles have a stable key."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    key = models.SlugField(_("key"), max_length=60)
    custom_name = models.CharField(_("name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_builtin = models.BooleanField(default=False)
    grants = models.JSONField(_("permissions"), default=dict)

    class Meta:
        ordering = ["-is_builtin", "key"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="role_key_unique_per_org")
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> str:
        # Built-in names are translated at display time, so they follow the reader's language.
        if self.is_builtin and self.key in BUILTIN_ROLES:
            return str(BUILTIN_ROLES[self.key][0])
        return self.custom_name

    @property
    def summary(self) -> str:
        if self.is_builtin and self.key in BUILTIN_ROLES:
            return str(BUILTIN_ROLES[self.key][1])
        return self.description

    def level(self, area: str) -> int:
        return int(self.grants.get(area, Level.NONE))


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True)

    def for_org(self, organization: Organization) -> MembershipQuerySet:
        return self.filter(organization=organization)


class Membership(TimeStampedModel):
    """A person's place in one organization: their roles and whether they administer it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    roles = models.ManyToManyField(Role, blank=True, related_name="memberships")
    is_admin = models.BooleanField(_("organization admin"), default=False)
    is_active = models.BooleanField(default=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class AgencyAccessQuerySet(models.QuerySet["AgencyAccess"]):
    def active(self) -> AgencyAccessQuerySet:
        return self.filter(revoked_at__isnull=True)


class AgencyAccess(TimeStampedModel):
    """A client organization lets an agency organization work in chosen responsibility areas.

    Agency members act in the client with their agency roles, cut down to these areas. The client can
    withdraw it at any time (`revoked_at`); the row stays for the history.
    """

    client = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agency_grants")
    agency = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="client_grants")
    areas = models.JSONField(_("areas"), default=list)
    granted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = AgencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "agency"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_agency_access",
            ),
            models.CheckConstraint(condition=~Q(client=models.F("agency")), name="agency_is_not_client"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} → {self.client}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def area_labels(self) -> list[str]:
        return [str(Area(area).label) for area in self.areas if area in Area.values]


class ResponsibilityAssignment(TimeStampedModel):
    """One cell of the responsibility matrix: a member (or an agency) is R, A, C or I for an area."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="responsibilities")
    area = models.CharField(_("area"), max_length=32, choices=Area.choices)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="responsibilities"
    )
    agency_access = models.ForeignKey(
        AgencyAccess, null=True, blank=True, on_delete=models.CASCADE, related_name="responsibilities"
    )
    part = models.CharField(_("part"), max_length=1, choices=Raci.choices)

    class Meta:
        ordering = ["area"]
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False, agency_access__isnull=True)
                | Q(membership__isnull=True, agency_access__isnull=False),
                name="responsibility_has_one_party",
            ),
            models.UniqueConstraint(fields=["area", "membership"], name="one_part_per_member_area"),
            models.UniqueConstraint(fields=["area", "agency_access"], name="one_part_per_agency_area"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.part}"


class Invitation(TimeStampedModel):
    """An e-mailed link that lets a person join an organization with the given roles."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    roles = models.ManyToManyField(Role, blank=True, related_name="+")
    is_admin = models.BooleanField(_("organization admin"), default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    email_failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "pending" if self.expires_at > timezone.now() else "expired"


class ApiToken(TimeStampedModel):
    """A personal API token: acts with its user's permissions. Only its digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
