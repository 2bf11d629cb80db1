"""Facebook Page comments as inbox items, from the Graph API and from the Page's `feed` webhook.

Facebook threads one level deep: an answer to a reply goes under the top-level comment, so each item's
`reply_ref["answer_under"]` names the comment an answer to it is posted under.

Pages expose no usernames for people, so an author's handle is their name (`from.name`), and their
app-scoped id (`from.id`) is the stable remote id. Comments the Page itself wrote are not inbox items.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from flokk.channels.connectors.base import InboundAuthor, InboundItem, WebhookRejected
from flokk.channels.connectors.facebook.graph import parse_time
from flokk.channels.connectors.facebook.inbox import id_of, text_of, webhook_time

# What a poll asks of each comment (https://developers.facebook.com/docs/graph-api/reference/comment/).
COMMENT_FIELDS = "id,message,from,created_time,parent{id},permalink_url"


def _author(sender: Any) -> InboundAuthor | None:
    if not isinstance(sender, dict) or not id_of(sender.get("id")):
        return None
    name = text_of(sender.get("name"))
    return InboundAuthor(remote_id=id_of(sender["id"]), handle=name or id_of(sender["id"]), display_name=name)


def _kind(parent_id: str, post_id: str) -> str:
    return "reply" if parent_id and parent_id != post_id else "comment"


def polled_comments(post_id: str, comments: list[dict[str, Any]], *, page_id: str) -> list[InboundItem]:
    """The items among one post's comments (read with `filter=stream`, so replies come flat, each with
    its `parent`). A comment without an id, a time or an author is skipped, as are the Page's own."""
    parents = {
        id_of(comment.get("id")): id_of((comment.get("parent") or {}).get("id"))
        for comment in comments
        if isinstance(comment.get("parent"), dict)
    }
    items = []
    for comment in comments:
        comment_id = id_of(comment.get("id"))
        created_at = parse_time(comment.get("created_time"))
        author = _author(comment.get("from"))
        if not comment_id or created_at is None or author is None or author.remote_id == page_id:
            continue
        parent_id = parents.get(comment_id, "") or post_id
        items.append(
            InboundItem(
                remote_id=comment_id,
                kind=_kind(parent_id, post_id),
                text=text_of(comment.get("message")),
                author=author,
                created_at=created_at,
                thread_id=post_id,
                parent_id=parent_id,
                url=text_of(comment.get("permalink_url")),
                reply_ref={"answer_under": _top_level(comment_id, parents, post_id)},
            )
        )
    return items


def _top_level(comment_id: str, parents: dict[str, str], post_id: str) -> str:
    """The top-level comment above `comment_id`, as far as this read shows (bounded against loops)."""
    current = comment_id
    for _step in range(10):
        parent = parents.get(current, "")
        if not parent or parent == post_id:
            return current
        current = parent
    return current


def webhook_comment(value: dict[str, Any], *, page_id: str, sent_at: Any) -> InboundItem | None:
    """The item of an added-comment `feed` change; None for the Page's own comment. Raises
    `WebhookRejected` when the change lacks what the Webhooks reference says it carries.

    Value (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed): `item: comment`,
    `verb: add`, `comment_id`, `post_id`, `parent_id` (the post for a top-level comment), `message`,
    `from {id, name}`, `created_time` (Unix seconds).
    """
    comment_id = id_of(value.get("comment_id"))
    post_id = id_of(value.get("post_id"))
    author = _author(value.get("from"))
    created_at = webhook_time(value.get("created_time")) or webhook_time(sent_at)
    if not comment_id or not post_id or author is None or created_at is None:
        raise WebhookRejected(_("A Facebook comment change lacks its id, post, author or time."))
    if author.remote_id == page_id:
        return None
    parent_id = id_of(value.get("parent_id")) or post_id
    kind = _kind(parent_id, post_id)
    return InboundItem(
        remote_id=comment_id,
        kind=kind,
        text=text_of(value.get("message")),
        author=author,
        created_at=created_at,
        thread_id=post_id,
        parent_id=parent_id,
        url=_post_permalink(value.get("post")),
        reply_ref={"answer_under": parent_id if kind == "reply" else comment_id},
    )


def _post_permalink(post: Any) -> str:
    """The change's `post.permalink_url` when given: the comment's own link is not in the payload."""
    return text_of(post.get("permalink_url")) if isinstance(post, dict) else ""
