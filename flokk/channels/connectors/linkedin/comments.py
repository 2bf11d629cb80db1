"""LinkedIn comments on an organization's posts, as inbox items (Comments API).

A comment as `GET /rest/socialActions/{target}/comments` lists it
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api):
`$URN`/`commentUrn` (`urn:li:comment:(urn:li:activity:A,ID)`), `id`, `actor`, `created {actor, time}`
(epoch milliseconds), `message {text, attributes}`, `object` (the activity it hangs on), `parentComment` on
a nested comment, and `commentsSummary {totalFirstLevelComments, aggregatedTotalComments}`.

The answer gives no names, only the actor's URN (a member or an organization), so the author's handle is
that URN: resolving names would need member profile lookups, which Flokk's organization scopes do not
cover.
LinkedIn nests one level: an answer to a nested comment names the top-level comment as `parentComment`,
so `reply_ref["answer_under"]` is always a top-level comment. `reply_ref` also keeps what `reply` and
`delete_comment` must send: the post (`post`), what the comment hangs on (`object`), the comment's id
(`comment_id`) and the entity it was made on (`target`: its parent comment, or the post).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flokk.channels.connectors.base import InboundAuthor, InboundItem

COMMENT_URN = re.compile(r"^urn:li:comment:\((?P<on>.+),(?P<id>[^,()]+)\)$")


def comment_id_of(urn: str) -> str:
    """The comment's own id, the last part of its URN (blank when `urn` is not a comment URN)."""
    match = COMMENT_URN.match(urn)
    return match.group("id") if match else ""


def comment_urn(on_urn: str, comment_id: str) -> str:
    """The URN of comment `comment_id` made on the activity of `on_urn` (itself a comment URN or not)."""
    match = COMMENT_URN.match(on_urn)
    activity = match.group("on") if match else on_urn
    return f"urn:li:comment:({activity},{comment_id})"


def created_ms(element: dict[str, Any]) -> int | None:
    created = element.get("created")
    time = created.get("time") if isinstance(created, dict) else None
    return int(time) if isinstance(time, int | float) and not isinstance(time, bool) else None


def reply_count(element: dict[str, Any]) -> int:
    summary = element.get("commentsSummary")
    count = summary.get("totalFirstLevelComments") if isinstance(summary, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else 0


def urn_of(element: dict[str, Any]) -> str:
    for key in ("$URN", "commentUrn"):
        value = element.get(key)
        if isinstance(value, str) and COMMENT_URN.match(value):
            return value
    return ""


def comment_item(
    element: dict[str, Any], *, post_urn: str, organization: str, url: str
) -> InboundItem | None:
    """The item for one listed comment; None when it lacks its URN, actor or time, or is the
    organization's own."""
    urn = urn_of(element)
    actor = element.get("actor")
    time = created_ms(element)
    if not urn or not isinstance(actor, str) or not actor.startswith("urn:li:") or time is None:
        return None
    if actor == organization:
        return None
    message = element.get("message")
    text = message.get("text") if isinstance(message, dict) else ""
    parent = element.get("parentComment")
    parent = parent if isinstance(parent, str) and COMMENT_URN.match(parent) else ""
    target = element.get("object")
    return InboundItem(
        remote_id=urn,
        kind="reply" if parent else "comment",
        text=text if isinstance(text, str) else "",
        author=InboundAuthor(remote_id=actor, handle=actor),
        created_at=dt.datetime.fromtimestamp(time / 1000, dt.UTC),
        thread_id=post_urn,
        parent_id=parent or post_urn,
        url=url,
        reply_ref={
            "post": post_urn,
            "object": target if isinstance(target, str) and target else post_urn,
            "comment_id": comment_id_of(urn),
            "target": parent or post_urn,
            "answer_under": parent or urn,
        },
    )
