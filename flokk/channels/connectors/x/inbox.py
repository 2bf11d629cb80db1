"""Reading an X account's inbox: its mention timeline as `InboundItem`s.

`GET /2/users/{id}/mentions` lists the posts that mention the account, newest first; replies to the
account's posts are among them, since X starts a reply's text with the @usernames it answers. Asked with
`expansions=author_id,referenced_tweets.id`, the answer carries the authors in `includes.users`
(docs.x.com/x-api/posts/user-mention-timeline-by-user-id). A post is a reply when one of its
`referenced_tweets` is `replied_to`; its thread is its `conversation_id` (the id of the post that started
the conversation). X escapes `&`, `<` and `>` in a post's text as HTML entities, and only those.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flokk.channels.connectors.base import InboundAuthor, InboundItem

logger = logging.getLogger(__name__)

MENTION_PARAMS = {
    "expansions": "author_id,referenced_tweets.id",
    "tweet.fields": "conversation_id,created_at,in_reply_to_user_id,referenced_tweets,author_id",
    "user.fields": "username,name",
}


def unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def id_order(remote_id: str) -> tuple[int, str]:
    """X's ids are numbers in strings: a longer one is larger."""
    return len(remote_id), remote_id


def post_url(username: str, tweet_id: str) -> str:
    return f"https://x.com/{username}/status/{tweet_id}"


def item_of(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> InboundItem:
    """The inbox item of one post; `KeyError`, `TypeError` or `ValueError` when it is malformed (an author
    X did not include cannot be named, so such a post is malformed too)."""
    tweet_id = str(tweet["id"])
    user = users[str(tweet["author_id"])]
    username = str(user["username"])
    if not tweet_id or not username:
        raise ValueError("post without an id or an author")
    replied_to = [
        str(ref["id"])
        for ref in tweet.get("referenced_tweets") or []
        if isinstance(ref, dict) and ref.get("type") == "replied_to" and ref.get("id")
    ]
    parent_id = replied_to[0] if replied_to else ""
    created = dt.datetime.fromisoformat(str(tweet["created_at"]).replace("Z", "+00:00"))
    return InboundItem(
        remote_id=tweet_id,
        kind="reply" if parent_id else "mention",
        text=unescaped(str(tweet["text"])),
        author=InboundAuthor(
            remote_id=str(user["id"]), handle=username, display_name=str(user.get("name") or "")
        ),
        created_at=created if created.tzinfo else created.replace(tzinfo=dt.UTC),
        thread_id=str(tweet.get("conversation_id") or tweet_id),
        parent_id=parent_id,
        url=post_url(username, tweet_id),
    )


def items_of(payload: dict[str, Any]) -> list[InboundItem]:
    """Items of one page of the mention timeline; a malformed post is logged and left out."""
    includes = payload.get("includes")
    listed = includes.get("users") if isinstance(includes, dict) else None
    users = {str(user["id"]): user for user in listed or [] if isinstance(user, dict) and user.get("id")}
    data = payload.get("data")
    items = []
    for tweet in data if isinstance(data, list) else []:
        try:
            items.append(item_of(tweet, users))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            remote_id = tweet.get("id") if isinstance(tweet, dict) else None
            logger.warning("skipping malformed X post %r: %r", remote_id, error)
    return items
