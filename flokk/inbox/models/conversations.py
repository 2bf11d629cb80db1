"""Who wrote to the organization, the conversations they started and every message in them.

Inbound rows get ids derived from what the network calls them (`ids.py`), so the same comment arriving
twice, by polling and by webhook, is one row, and ingest can find a conversation or a parent without a query
per item. Text from the public is stored as given and only ever rendered escaped.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel
from flokk.inbox.choices import (
    ConversationStatus,
    Direction,
    MessageKind,
    OutboundStatus,
    Priority,
    Sentiment,
    Team,
)


class Contact(models.Model):
    """A member of the public on one network, as seen by one organization."""

    id = models.UUIDField(primary_key=True, editable=False)
    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=300)
    handle = models.CharField(_("handle"), max_length=300)
    display_name = models.CharField(_("name"), max_length=300, blank=True)
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "network", "remote_id"], name="contact_once")
        ]

    def __str__(self) -> str:
        return self.handle


class Tag(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("tag"), max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="inbox_tag_once")]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """One thread on one account: the comments under a post, a mention and its replies, or a DM thread.

    The SLA fields are set when the conversation arrives (from the policy of its priority, in business
    time) and cleared by the first answer and by resolving.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("channels.Account", on_delete=models.CASCADE, related_name="conversations")
    thread_remote_id = models.CharField(max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    post = models.ForeignKey(
        "content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    team = models.CharField(_("team"), max_length=20, choices=Team.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intent = models.CharField(_("intent"), max_length=10, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=8, choices=Sentiment.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    preview = models.CharField(max_length=200, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    first_message_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # Minutes to the first answer as the SLA policy of the priority counts them (business hours or the
    # clock), worked out when it is sent: reports count them without redoing the calendar per conversation.
    first_response_minutes = models.FloatField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["organization", "status", "-last_message_at"], name="conv_inbox"),
            models.Index(fields=["organization", "-last_message_at"], name="conv_recent"),
            models.Index(fields=["assignee", "status", "-last_message_at"], name="conv_assignee"),
            models.Index(fields=["status", "first_response_due_at"], name="conv_sla_first"),
            models.Index(fields=["status", "resolution_due_at"], name="conv_sla_resolution"),
        ]

    def __str__(self) -> str:
        return self.preview or str(self.id)

    @property
    def is_open(self) -> bool:
        return self.status != ConversationStatus.RESOLVED


class Message(models.Model):
    """One comment, reply, mention or direct message, from the public (inbound) or from the team."""

    id = models.UUIDField(primary_key=True, editable=False)
    # Only the conversation is checked by the database: the organization and account are the
    # conversation's own (ingest writes them from it), and contacts are deleted through Django, which sets
    # NULL itself. Each foreign key the database checks costs PostgreSQL ~10 µs on every inbound message.
    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    account = models.ForeignKey(
        "channels.Account", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    contact = models.ForeignKey(
        Contact, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    remote_id = models.CharField(max_length=500, blank=True)
    parent_remote_id = models.CharField(max_length=500, blank=True)
    text = models.TextField(_("text"))
    author_handle = models.CharField(_("handle"), max_length=300, blank=True)
    author_name = models.CharField(_("name"), max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    reply_ref = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(_("received"))
    created_at = models.DateTimeField()
    sentiment = models.CharField(_("sentiment"), max_length=8, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(default=0.0)
    language = models.CharField(_("language"), max_length=2, blank=True)
    intent = models.CharField(_("intent"), max_length=10, blank=True)
    # Answers from the team.
    status = models.CharField(max_length=20, choices=OutboundStatus.choices, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    # While a worker sends the answer. One still `sending` after its lease belonged to a worker that died; it
    # is sent again with the same idempotency key (the network drops the repeat).
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=1000, blank=True)
    # Moderation done from Flokk: liked, hidden, deleted on the network.
    liked_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at"]
        indexes = [
            models.Index(fields=["conversation", "received_at"], name="msg_thread"),
            models.Index(fields=["account", "-received_at"], name="msg_account"),
            models.Index(fields=["organization", "-received_at"], name="msg_org"),
            models.Index(fields=["contact", "-received_at"], name="msg_contact"),
            # Our own answers by their id on the network: the public replies to them (inbound rows are
            # found by their derived primary key instead, so they need no such index).
            models.Index(
                fields=["account", "remote_id"], condition=models.Q(direction="out"), name="msg_our_answers"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def inbound(self) -> bool:
        return self.direction == Direction.INBOUND


class Note(TimeStampedModel):
    """An internal note on a conversation: seen by the team, never sent."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]
