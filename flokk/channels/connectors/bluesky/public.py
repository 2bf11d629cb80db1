"""Members of the public on the local network: people who reply to, mention and quote an account.

Test helpers for the inbox (mixed into `Devnet`). They write records over plain XRPC, the way any Bluesky app
does, without Flokk's connector in between, so a test of the connector cannot pass by agreeing with itself.
The AppView indexes what the PDS stores a moment later (it is eventually consistent): `reply` and `quote`
first wait until the post they point at is indexed, or the AppView may drop the notification (trap 7 in
/work/shared/notes/bluesky-local-network.md).
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx

POST = "app.bsky.feed.post"
PASSWORD_BYTES = 12


@dataclass(frozen=True)
class PublicMember:
    """An account of someone from the public, logged in (`access_jwt`) on the network's PDS."""

    did: str
    handle: str
    password: str
    access_jwt: str


@dataclass(frozen=True)
class Written:
    """A record the member wrote: its AT-URI and CID (what a strong reference to it needs)."""

    uri: str
    cid: str

    def ref(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PublicMembers:
    """What a `Devnet` offers to act as the public (mixed in: needs `service_url` and `appview_url`)."""

    service_url: str
    appview_url: str

    def create_member(self, prefix: str = "fan") -> PublicMember:
        """A new account with a fresh handle (`<prefix><random>.test`), logged in."""
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        handle = f"{prefix}{secrets.token_hex(5)}.test"
        data = self._member_call(
            None,
            "com.atproto.server.createAccount",
            handle=handle,
            password=password,
            email=f"{handle.split('.')[0]}@example.com",
        )
        return PublicMember(data["did"], data["handle"], password, data["accessJwt"])

    def post(self, member: PublicMember, text: str, **fields: Any) -> Written:
        """A post by the member; `fields` go into the record as they are (reply, facets, embed...)."""
        record = {"$type": POST, "text": text, "createdAt": now_iso(), **fields}
        data = self._member_call(
            member, "com.atproto.repo.createRecord", repo=member.did, collection=POST, record=record
        )
        return Written(data["uri"], data["cid"])

    def reply(self, member: PublicMember, parent_uri: str, text: str) -> Written:
        """A reply to the post at `parent_uri` in its thread (root and parent refs as the apps set them)."""
        parent = self.wait_indexed(parent_uri)
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root_ref = parent["record"].get("reply", {}).get("root") or parent_ref
        return self.post(member, text, reply={"root": root_ref, "parent": parent_ref})

    def mention(self, member: PublicMember, handle: str, text: str = "") -> Written:
        """A new post (not a reply) that mentions `handle`, with the mention facet apps add."""
        resolve = f"{self.service_url}/xrpc/com.atproto.identity.resolveHandle"
        resolved = httpx.get(resolve, params={"handle": handle}, timeout=30)
        did = resolved.raise_for_status().json()["did"]
        tag = f"@{handle}"
        text = f"{text} {tag}".strip() if text else f"Hello {tag}!"
        start = len(text[: text.index(tag)].encode())
        facet = {
            "index": {"byteStart": start, "byteEnd": start + len(tag.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
        }
        return self.post(member, text, facets=[facet])

    def quote(self, member: PublicMember, uri: str, text: str) -> Written:
        """A new post that quotes (embeds) the post at `uri`."""
        quoted = self.wait_indexed(uri)
        embed = {"$type": "app.bsky.embed.record", "record": {"uri": quoted["uri"], "cid": quoted["cid"]}}
        return self.post(member, text, embed=embed)

    def like(self, member: PublicMember, uri: str) -> Written:
        """The member likes the post at `uri` (a metric: the inbox leaves it out)."""
        post = self.wait_indexed(uri)
        record = {
            "$type": "app.bsky.feed.like",
            "subject": {"uri": uri, "cid": post["cid"]},
            "createdAt": now_iso(),
        }
        data = self._member_call(
            member,
            "com.atproto.repo.createRecord",
            repo=member.did,
            collection="app.bsky.feed.like",
            record=record,
        )
        return Written(data["uri"], data["cid"])

    def wait_indexed(self, uri: str, timeout: float = 15.0) -> dict[str, Any]:
        """The AppView's view of the post (`app.bsky.feed.getPosts`) once it has indexed it."""
        deadline = time.monotonic() + timeout
        while True:
            posts = self.appview("app.bsky.feed.getPosts", uris=[uri])["posts"]
            if posts:
                post: dict[str, Any] = posts[0]
                return post
            if time.monotonic() > deadline:
                raise TimeoutError(f"the AppView has not indexed {uri} within {timeout:.0f} s")
            time.sleep(0.1)

    def appview(self, method: str, **params: Any) -> dict[str, Any]:
        """A public `app.bsky.*` query straight to the AppView, as any reader of the network would ask."""
        response = httpx.get(f"{self.appview_url}/xrpc/{method}", params=params, timeout=30)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def _member_call(self, member: PublicMember | None, method: str, **body: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {member.access_jwt}"} if member else {}
        response = httpx.post(f"{self.service_url}/xrpc/{method}", json=body, headers=headers, timeout=30)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data
