"""Replaying recorded HTTP exchanges for connector tests: no network, every request checked.

A fixture file holds `{"exchanges": [{"request": {...}, "response": {...}}, ...]}`, built from the network's
documentation. Requests must arrive in that order and match: method, host, path, and when given the query
(a subset), headers (a subset, names case-insensitive), the JSON body (exactly), the JSON body's keys, or the
form fields (a subset). Responses give status, headers and a JSON body (or raw `text`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx


class Replay:
    """An `httpx.MockTransport` handler that serves recorded exchanges in order and keeps what it got."""

    def __init__(self, exchanges: list[dict[str, Any]]) -> None:
        self.exchanges = list(exchanges)
        self.requests: list[httpx.Request] = []

    @classmethod
    def load(cls, folder: Path, *names: str) -> Replay:
        exchanges: list[dict[str, Any]] = []
        for name in names:
            exchanges += json.loads((folder / f"{name}.json").read_text())["exchanges"]
        return cls(exchanges)

    def add(self, request: dict[str, Any], response: dict[str, Any]) -> Replay:
        self.exchanges.append({"request": request, "response": response})
        return self

    @property
    def done(self) -> bool:
        return len(self.requests) == len(self.exchanges)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        index = len(self.requests)
        self.requests.append(request)
        assert index < len(self.exchanges), f"unexpected extra request {request.method} {request.url}"
        want, answer = self.exchanges[index]["request"], self.exchanges[index]["response"]
        where = f"request {index + 1} ({request.method} {request.url})"
        assert request.method == want["method"], where
        if "host" in want:
            assert request.url.host == want["host"], where
        assert request.url.path == want["path"], where
        query = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        for key, value in want.get("query", {}).items():
            assert query.get(key) == value, f"{where}: query {key}={query.get(key)!r}, want {value!r}"
        for key, value in want.get("headers", {}).items():
            assert request.headers.get(key) == value, f"{where}: header {key}={request.headers.get(key)!r}"
        for key in want.get("absent_headers", []):
            assert key not in request.headers, f"{where}: header {key} must not be sent"
        if "json" in want:
            assert json.loads(request.content) == want["json"], where
        if "json_keys" in want:
            assert sorted(json.loads(request.content)) == sorted(want["json_keys"]), where
        if "form" in want:
            form = dict(parse_qsl(request.content.decode()))
            for key, value in want["form"].items():
                assert form.get(key) == value, f"{where}: form {key}={form.get(key)!r}, want {value!r}"
        if "body" in want:
            assert request.content.decode() == want["body"], where
        if "body_contains" in want:
            for part in want["body_contains"]:
                assert part.encode() in request.content, f"{where}: body lacks {part!r}"
        headers = answer.get("headers", {})
        if "json" in answer:
            return httpx.Response(answer["status"], headers=headers, json=answer["json"])
        return httpx.Response(answer["status"], headers=headers, text=answer.get("text", ""))
