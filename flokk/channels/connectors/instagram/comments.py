"""Instagram comments as inbox items, from the Graph API and from the `comments` webhook.

IG Comment fields (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment):
`id`, `text`, `timestamp`, `username`, `from {id, username}`, `parent_id` (on replies), `replies`.
Instagram threads one level deep (`POST /{ig-comment-id}/replies` answers a top-level comment), so each
item's `reply_ref["answer_under"]` names the top-level comment an answer goes under. The author's handle
is their username; their Instagram-scoped id (`from.id`) is the remote id when given. Comments the
account itself wrote are not inbox items.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from flokk.channels.connectors.base import InboundAuthor, InboundItem, WebhookRejected
from flokk.channels.connectors.facebook.graph import parse_time
from flokk.channels.connectors.facebook.inbox import id_of, text_of, webhook_time

COMMENT_FIELDS = "id,text,username,timestamp,from,parent_id"


def _author(comment: dict[str, Any]) -> InboundAuthor | None:
    sender: dict[str, Any] = comment["from"] if isinstance(comment.get("from"), dict) else {}
    username = text_of(comment.get("username")) or text_of(sender.get("username"))
    if not username:
        return None
    return InboundAuthor(remote_id=id_of(sender.get("id")) or username, handle=username)


def _is_own(author: InboundAuthor, *, ig_user_id: str, handle: str) -> bool:
    return author.remote_id == ig_user_id or author.handle.casefold() == handle.casefold()


def polled_comment(
    comment: dict[str, Any], *, media_id: str, url: str, top_level_id: str, ig_user_id: str, handle: str
) -> InboundItem | None:
    """One comment (`top_level_id` blank) or reply under `top_level_id`, as read from the media's
    `comments` edge; None when it lacks an id, time or author, or is the account's own."""
    comment_id = id_of(comment.get("id"))
    created_at = parse_time(comment.get("timestamp"))
    author = _author(comment)
    if not comment_id or created_at is None or author is None:
        return None
    if _is_own(author, ig_user_id=ig_user_id, handle=handle):
        return None
    parent_id = top_level_id or media_id
    return InboundItem(
        remote_id=comment_id,
        kind="reply" if top_level_id else "comment",
        text=text_of(comment.get("text")),
        author=author,
        created_at=created_at,
        thread_id=media_id,
        parent_id=parent_id,
        url=url,
        reply_ref={"answer_under": top_level_id or comment_id},
    )


def polled_comments(
    comments: list[dict[str, Any]], *, media_id: str, url: str, ig_user_id: str, handle: str
) -> list[InboundItem]:
    """The items among a media's comments and the replies expanded under each (their first page)."""
    items = []
    for comment in comments:
        top_level_id = id_of(comment.get("id"))
        replies: dict[str, Any] = comment["replies"] if isinstance(comment.get("replies"), dict) else {}
        thread = [(comment, "")] + [
            (reply, top_level_id)
            for reply in replies.get("data") or []
            if isinstance(reply, dict) and top_level_id
        ]
        for listed, under in thread:
            item = polled_comment(
                listed, media_id=media_id, url=url, top_level_id=under, ig_user_id=ig_user_id, handle=handle
            )
            items += [item] if item is not None else []
    return items


def webhook_comment(value: dict[str, Any], *, ig_user_id: str, sent_at: Any) -> InboundItem | None:
    """The item of a `comments` change; None for the account's own comment. Raises `WebhookRejected`
    when the change lacks what the reference says it carries.

    Value (https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram/#comments): `id`,
    `text`, `from {id, username}`, `media {id, media_product_type}`, `parent_id` on a reply. It has no
    time of its own, so the entry's `time` (when Meta sent it) stands in.
    """
    comment_id = id_of(value.get("id"))
    media = value.get("media")
    media_id = id_of(media.get("id")) if isinstance(media, dict) else ""
    author = _author(value)
    created_at = webhook_time(sent_at)
    if not comment_id or not media_id or author is None or created_at is None:
        raise WebhookRejected(_("An Instagram comment change lacks its id, media, author or time."))
    if author.remote_id == ig_user_id:
        return None
    parent_id = id_of(value.get("parent_id"))
    return InboundItem(
        remote_id=comment_id,
        kind="reply" if parent_id else "comment",
        text=text_of(value.get("text")),
        author=author,
        created_at=created_at,
        thread_id=media_id,
        parent_id=parent_id or media_id,
        reply_ref={"answer_under": parent_id or comment_id},
    )
