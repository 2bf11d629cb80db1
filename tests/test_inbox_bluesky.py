"""End to end on the full local Bluesky network (PLC, PDS, AppView): the public writes, the inbox answers.

Flokk runs in child processes (`flokk up`: web server and worker) on a throwaway database. The organization
publishes a post through Flokk; one member of the public replies to it and another mentions the account.
Both must reach the inbox within 60 s with a sentiment, the reply linked to the post. An answer written in
the inbox must appear on the network as a reply to the right message, in the right thread.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import Flokk, database_url, schedule_post

pytestmark = pytest.mark.e2e
ADMIN = "social-media-manager@demo.example"
WRITER = "copywriter@demo.example"
CARE = "community-manager@demo.example"


def wait_for(check: Any, *, timeout: float, what: str, flokk: Flokk) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s\n" + flokk.output())


def test_replies_and_mentions_reach_the_inbox_and_answers_thread_on_the_network(
    bluesky_network, tmp_path: Path
):
    network = bluesky_network
    password = uuid.uuid4().hex
    _did, brand = network.create_account(f"brand{uuid.uuid4().hex[:8]}.test", password)
    app_password = network.create_app_password(brand, password)
    fan, critic = network.create_member("fan"), network.create_member("critic")

    with database_url(tmp_path) as database:
        flokk = Flokk(tmp_path, database, FLOKK_INBOX_POLL_SECONDS="2")
        flokk.prepare()
        flokk.up()
        try:
            admin, writer, care = flokk.api(ADMIN), flokk.api(WRITER), flokk.api(CARE)
            connected = admin.post(
                "accounts",
                json={
                    "network": "bluesky",
                    "handle": brand,
                    "app_password": app_password,
                    "service_url": network.service_url,
                },
            )
            assert connected.status_code == 201, connected.text
            account_id = connected.json()["id"]

            at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=8)
            post_id = schedule_post(
                writer, admin, text="Nu öppnar vi vår nya butik i Karlstad! #flokk", account_ids=[account_id],
                at=at.isoformat(),
            )  # fmt: skip

            def published() -> str:
                deliveries = writer.get(f"posts/{post_id}/deliveries").json()  # made when the post is due
                done = [d for d in deliveries if d["status"] == "published"]
                return str(done[0]["remote_id"]) if done else ""

            post_uri = wait_for(published, timeout=60, what="publishing the post", flokk=flokk)

            # The public writes: a happy reply to the post, and an angry mention of the account.
            sent_at = time.monotonic()
            reply = network.reply(fan, post_uri, "Så himla fint, grattis! Vi kommer på invigningen 😍")
            mention = network.mention(
                critic, brand, "Min beställning har inte kommit på tre veckor, helt oacceptabelt 😡"
            )

            def both_arrived() -> list[dict[str, Any]]:
                items = care.get("inbox/messages", params={"account_id": account_id}).json()["items"]
                return items if len(items) >= 2 else []

            items = wait_for(
                both_arrived, timeout=60, what="the reply and the mention reaching the inbox", flokk=flokk
            )
            assert time.monotonic() - sent_at <= 60
            by_author = {item["author_handle"]: item for item in items}
            assert set(by_author) == {fan.handle, critic.handle}
            happy, angry = by_author[fan.handle], by_author[critic.handle]
            assert happy["text"].startswith("Så himla fint") and happy["sentiment"]["label"] == "positive"
            assert angry["sentiment"]["label"] == "negative" and angry["sentiment"]["score"] < 0
            assert happy["conversation_id"] != angry["conversation_id"]
            conversation = care.get(f"conversations/{happy['conversation_id']}").json()
            assert conversation["post_id"] == post_id and conversation["kind"] == "reply"

            # Answer the fan from the inbox: it must land as a reply to their reply, in the post's thread.
            answer = care.post(
                f"conversations/{happy['conversation_id']}/reply",
                json={"text": "Tack! Välkommen på lördag 🎉"},
            )
            assert answer.status_code == 202, answer.text

            def answered() -> dict[str, Any] | None:
                messages = care.get(f"conversations/{happy['conversation_id']}").json()["messages"]
                ours = [m for m in messages if m["direction"] == "out"]
                return ours[0] if ours and ours[0]["status"] == "sent" else None

            wait_for(answered, timeout=60, what="the answer being sent", flokk=flokk)

            def answer_in_thread() -> dict[str, Any] | None:
                thread = network.appview("app.bsky.feed.getPostThread", uri=reply.uri, depth=2)["thread"]
                children = [child["post"] for child in thread.get("replies", [])]
                return next(
                    (p for p in children if p["record"]["text"] == "Tack! Välkommen på lördag 🎉"), None
                )

            ours = wait_for(
                answer_in_thread, timeout=30, what="the answer showing on the network", flokk=flokk
            )
            assert ours["author"]["handle"] == brand
            assert ours["record"]["reply"]["parent"]["uri"] == reply.uri
            assert ours["record"]["reply"]["root"]["uri"] == post_uri
            # Exactly once, however often the worker looked.
            thread = network.appview("app.bsky.feed.getPostThread", uri=reply.uri, depth=2)["thread"]
            assert (
                sum(1 for child in thread.get("replies", []) if child["post"]["author"]["handle"] == brand)
                == 1
            )
            assert "@" + brand in angry["text"] and mention.uri
        finally:
            flokk.stop()
