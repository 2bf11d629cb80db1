"""A stateful stand-in for the X API v2 inbox endpoints, served over `httpx.MockTransport`.

X publishes no machine-readable spec for these, so the fake follows the documented requests and example
answers (docs.x.com/x-api/..., the pages named below) and checks every request it gets against them: an
unknown or out-of-range parameter, a field or expansion X does not list or a body of the wrong shape is
answered as X answers it (400 "Invalid Request") and recorded in `violations`, which the test fixture
turns into a failure; a token that is not the current one gets X's 401.

- `GET /2/users/{id}/mentions` (posts/timelines/quickstart/user-mention-quickstart and its API reference):
  `since_id`, `until_id`, `max_results` 5..100, `pagination_token`, `expansions`, `tweet.fields`,
  `user.fields`; newest first, at most the latest 800 over all pages;
  `{"data": [...], "includes": {"users": [...], "tweets": [...]}, "meta": {"result_count", "newest_id",
  "oldest_id", "next_token"}}`, and only `{"meta": {"result_count": 0}}` when nothing matches.
- `POST /2/tweets` (posts/create-post) with `reply.in_reply_to_tweet_id`: 201 `{"data": {"id", "text"}}`.
- `POST /2/users/{id}/likes` (posts/likes/quickstart/manage-likes; users/like-post) `{"tweet_id"}`, the id
  matching `^[0-9]{1,19}$` and the path the authenticated user: `{"data": {"liked": true}}`.
- `PUT /2/tweets/{id}/hidden` (posts/hide-replies/quickstart) `{"hidden": true}`: `{"data": {"hidden":
  true}}`; "you can only hide replies to conversations you started", else 403.
- `POST /2/oauth2/token` (authentication/oauth-2-0/user-access-token) with a refresh token: a new access
  token and a new refresh token (the old one stops working).
- Errors as problem JSON (`{"title", "detail", "type", "status"}`); 429 carries `x-rate-limit-reset`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

TWEET_FIELDS = {
    "attachments", "author_id", "context_annotations", "conversation_id", "created_at", "edit_controls",
    "entities", "geo", "id", "in_reply_to_user_id", "lang", "public_metrics", "possibly_sensitive",
    "referenced_tweets", "reply_settings", "source", "text", "withheld", "note_tweet",
}  # fmt: skip
USER_FIELDS = {
    "created_at", "description", "entities", "id", "location", "name", "pinned_tweet_id",
    "profile_image_url", "protected", "public_metrics", "url", "username", "verified", "withheld",
}  # fmt: skip
EXPANSIONS = {
    "attachments.poll_ids", "attachments.media_keys", "author_id", "edit_history_tweet_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "referenced_tweets.id",
    "referenced_tweets.id.author_id",
}  # fmt: skip
MENTION_PARAMS = {
    "since_id", "until_id", "max_results", "pagination_token", "start_time", "end_time", "expansions",
    "tweet.fields", "user.fields", "media.fields", "place.fields", "poll.fields",
}  # fmt: skip
_ID = re.compile(r"^[0-9]{1,19}$")


@dataclass
class Fault:
    status: int
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    after: int = 0  # matching requests to let through first


class FakeX:
    """Users, posts, likes and hidden replies; `transport` answers as X's API does."""

    def __init__(self, me_id: str, me_username: str, *, access_token: str, refresh_token: str) -> None:
        self.me = me_id
        self.users: dict[str, dict[str, str]] = {me_id: {"id": me_id, "username": me_username, "name": "Me"}}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.likes: set[tuple[str, str]] = set()
        self.hidden: set[str] = set()
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.requests: list[httpx.Request] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.mangle: Any = None  # a function applied to the next mentions answer (malformed posts)
        self._ids = itertools.count(1_860_000_000_000_000_000)
        self._tokens = itertools.count(1)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # --- for tests ----------------------------------------------------------------------------------
    def add_user(self, username: str, name: str = "") -> str:
        user_id = str(10_000 + len(self.users))
        self.users[user_id] = {"id": user_id, "username": username, "name": name or username.title()}
        return user_id

    def post(self, author_id: str, text: str, *, reply_to: str | None = None) -> dict[str, Any]:
        """A post by `author_id`; a reply starts with the @username it answers, as X writes it."""
        tweet_id = str(next(self._ids))
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "author_id": author_id,
            "conversation_id": tweet_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "edit_history_tweet_ids": [tweet_id],
        }
        if reply_to is not None:
            parent = self.tweets[reply_to]
            answered = self.users[parent["author_id"]]["username"]
            if f"@{answered}".lower() not in text.lower():
                tweet["text"] = f"@{answered} {text}"
            tweet["conversation_id"] = parent["conversation_id"]
            tweet["in_reply_to_user_id"] = parent["author_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        self.tweets[tweet_id] = tweet
        return tweet

    def fail(
        self,
        status: int,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        after: int = 0,
    ) -> None:
        """The next request whose path starts with `path` (past `after` of them) gets this answer."""
        self.faults.append(Fault(status, path, body, headers or {}, after))

    def bodies(self, method: str, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if (r.method, r.url.path) == (method, path)]

    # --- HTTP ---------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/2/oauth2/token":
            return self._token(request)
        for fault in self.faults:
            if path.startswith(fault.path) and fault.after:
                fault.after -= 1
            elif path.startswith(fault.path):
                self.faults.remove(fault)
                return httpx.Response(fault.status, json=fault.body, headers=fault.headers)
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return _problem(401, "Unauthorized", "Unauthorized")
        try:
            return self._route(request)
        except _Invalid as invalid:
            self.violations.append(f"{request.method} {path}: {invalid}")
            return httpx.Response(
                400,
                json={
                    "errors": [{"message": str(invalid)}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )

    def _route(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        if method == "GET" and (match := re.fullmatch(r"/2/users/(\d+)/mentions", path)):
            return self._mentions(match.group(1), _query(request))
        body = _json_body(request)
        if method == "POST" and path == "/2/tweets":
            return self._create(body)
        if method == "POST" and (match := re.fullmatch(r"/2/users/(\d+)/likes", path)):
            return self._like(match.group(1), body)
        if method == "PUT" and (match := re.fullmatch(r"/2/tweets/(\d+)/hidden", path)):
            return self._hide(match.group(1), body)
        raise _Invalid(f"not an endpoint of the fake: {method} {path}")

    def _mentions(self, user_id: str, query: dict[str, str]) -> httpx.Response:
        unknown = set(query) - MENTION_PARAMS
        if unknown:
            raise _Invalid(f"unknown parameters {sorted(unknown)}")
        limit = int(query.get("max_results", "10"))
        if not 5 <= limit <= 100:
            raise _Invalid(f"The `max_results` query parameter value [{limit}] is not between 5 and 100")
        for name, allowed in (
            ("tweet.fields", TWEET_FIELDS),
            ("user.fields", USER_FIELDS),
            ("expansions", EXPANSIONS),
        ):
            extra = set(filter(None, query.get(name, "").split(","))) - allowed
            if extra:
                raise _Invalid(f"unknown {name} {sorted(extra)}")
        for name in ("since_id", "until_id"):
            if name in query and not _ID.match(query[name]):
                raise _Invalid(f"{name} is not a post id")
        username = self.users[user_id]["username"].lower()
        found = sorted(
            (
                t
                for t in self.tweets.values()
                if f"@{username}" in t["text"].lower() and t["author_id"] != user_id
            ),
            key=lambda t: int(t["id"]),
            reverse=True,
        )
        if "since_id" in query:
            found = [t for t in found if int(t["id"]) > int(query["since_id"])]
        if "pagination_token" in query:  # the fake's tokens: the id to continue below
            found = [t for t in found if int(t["id"]) < int(query["pagination_token"], 16)]
        page, rest = found[:limit], found[limit:]
        if not page:
            return httpx.Response(200, json={"meta": {"result_count": 0}})
        payload = {"data": [self._tweet_json(t, query) for t in page]}
        expansions = set(query.get("expansions", "").split(","))
        includes: dict[str, Any] = {}
        if "author_id" in expansions:
            authors = dict.fromkeys(t["author_id"] for t in page)
            includes["users"] = [self._user_json(self.users[a], query) for a in authors]
        if "referenced_tweets.id" in expansions:
            referenced = [
                self.tweets[ref["id"]]
                for t in page
                for ref in t.get("referenced_tweets", [])
                if ref["id"] in self.tweets
            ]
            if referenced:
                includes["tweets"] = [self._tweet_json(t, query) for t in referenced]
        if includes:
            payload["includes"] = includes
        meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if rest:
            meta["next_token"] = format(int(page[-1]["id"]), "x")
        payload["meta"] = meta
        if self.mangle is not None:
            payload, self.mangle = self.mangle(payload), None
        return httpx.Response(200, json=payload)

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        if set(body) - {"text", "reply", "media", "quote_tweet_id", "reply_settings"} or not body.get("text"):
            raise _Invalid(f"not a post body: {body}")
        reply = body.get("reply")
        if reply is not None:
            if not isinstance(reply, dict) or set(reply) - {"in_reply_to_tweet_id", "exclude_reply_user_ids"}:
                raise _Invalid(f"not a reply: {reply}")
            if reply["in_reply_to_tweet_id"] not in self.tweets:
                return _problem(400, "Invalid Request", "The post you are replying to has been deleted.")
        tweet = self.post(self.me, body["text"], reply_to=reply["in_reply_to_tweet_id"] if reply else None)
        return httpx.Response(201, json={"data": {"id": tweet["id"], "text": tweet["text"]}})

    def _like(self, user_id: str, body: dict[str, Any]) -> httpx.Response:
        if user_id != self.me or set(body) != {"tweet_id"} or not _ID.match(str(body["tweet_id"])):
            raise _Invalid(f"not a like of the account: {user_id} {body}")
        if body["tweet_id"] not in self.tweets:
            return _problem(
                404, "Not Found Error", "Could not find post with id: [{}].".format(body["tweet_id"])
            )
        self.likes.add((user_id, body["tweet_id"]))
        return httpx.Response(200, json={"data": {"liked": True}})

    def _hide(self, tweet_id: str, body: dict[str, Any]) -> httpx.Response:
        if set(body) != {"hidden"} or not isinstance(body["hidden"], bool):
            raise _Invalid(f"not a hide body: {body}")
        tweet = self.tweets.get(tweet_id)
        root = self.tweets.get(tweet["conversation_id"]) if tweet else None
        if tweet is None or root is None or root["author_id"] != self.me or tweet_id == root["id"]:
            return _problem(403, "Forbidden", "You can only hide replies to conversations you started.")
        (self.hidden.add if body["hidden"] else self.hidden.discard)(tweet_id)
        return httpx.Response(200, json={"data": {"hidden": body["hidden"]}})

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {key: values[-1] for key, values in parse_qs(request.content.decode()).items()}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return httpx.Response(
                400,
                json={
                    "error": "invalid_request",
                    "error_description": "Value passed for the token was invalid.",
                },
            )
        number = next(self._tokens)
        self.access_token, self.refresh_token = f"access-{number}", f"refresh-{number}"
        return httpx.Response(
            200,
            json={
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": self.access_token,
                "scope": "tweet.read users.read tweet.write offline.access like.write tweet.moderate.write",
                "refresh_token": self.refresh_token,
            },
        )

    # --- JSON ---------------------------------------------------------------------------------------
    def _tweet_json(self, tweet: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        fields = {"id", "text", "edit_history_tweet_ids"} | set(query.get("tweet.fields", "").split(","))
        return {key: value for key, value in tweet.items() if key in fields}

    def _user_json(self, user: dict[str, str], query: dict[str, str]) -> dict[str, str]:
        fields = {"id", "name", "username"} | set(query.get("user.fields", "").split(","))
        return {key: value for key, value in user.items() if key in fields}


class _Invalid(Exception):
    pass


def _query(request: httpx.Request) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(request.url.query.decode()).items()}


def _json_body(request: httpx.Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0] != "application/json":
        raise _Invalid("the body must be JSON")
    body = json.loads(request.content)
    if not isinstance(body, dict):
        raise _Invalid("the body must be a JSON object")
    return body


def _problem(status: int, title: str, detail: str) -> httpx.Response:
    return httpx.Response(
        status, json={"title": title, "detail": detail, "type": "about:blank", "status": status}
    )


def rate_limited(seconds: int) -> tuple[dict[str, Any], dict[str, str]]:
    """X's 429: problem JSON and the `x-rate-limit-*` headers (reset as a Unix time)."""
    reset = str(int(time.time()) + seconds)
    headers = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}
    return {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }, headers
