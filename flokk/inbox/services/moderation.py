"""Liking, hiding and deleting what the public wrote, on the network, from the inbox."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.connectors import REGISTRY
from flokk.channels.services.calls import call_network
from flokk.core.audit import record
from flokk.core.errors import Conflict
from flokk.inbox.models import Message
from flokk.inbox.services.ingest import THREAD_KEY
from flokk.teams.permissions import Access

# action -> (capability, connector method, the message's timestamp field, permission)
ACTIONS = {
    "like": ("like", "like", "liked_at", "community.work"),
    "hide": ("hide_comments", "hide", "hidden_at", "community.approve"),
    "delete": ("delete_comments", "delete_comment", "deleted_at", "community.approve"),
}


def can(message: Message, action: str) -> bool:
    capability = ACTIONS[action][0]
    connector = REGISTRY.get(message.account.network)
    return bool(connector is not None and getattr(connector.capabilities, capability) and message.inbound)


def moderate(access: Access, message: Message, action: str) -> Message:
    """Do `action` (like, hide, delete) on the network. Raises Conflict when that cannot be done here, and
    ConnectorError when the network refuses."""
    if action not in ACTIONS:
        raise Conflict(_("Unknown action."), "invalid")
    _capability, method, field, permission = ACTIONS[action]
    access.require(permission)
    if not can(message, action):
        raise Conflict(
            _("%(network)s does not allow this.") % {"network": message.account.get_network_display()},
            "unsupported",
        )
    if getattr(message, field) is not None:
        return message
    ref = {key: value for key, value in message.reply_ref.items() if key != THREAD_KEY}
    call_network(message.account, lambda connector: getattr(connector, method)(message.remote_id, ref))
    setattr(message, field, timezone.now())
    message.save(update_fields=[field])
    record(
        f"inbox.message.{action}",
        organization=message.organization,
        actor=access.user,
        target=message.conversation,
        data={"author": message.author_handle},
    )
    return message
