"""A Graph API stand-in for tests: serves recorded exchanges in order over `httpx.MockTransport`.

A fixture file is a list of exchanges `{"request": {"method", "path"}, "response": {"status", "body",
"headers"}}`; each request must match the next exchange's method and path. The requests are kept so tests
can read the query and the form (urlencoded or multipart) that went out.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

CONNECTORS = Path(__file__).resolve().parents[2]


def load(package: str, name: str) -> list[dict[str, Any]]:
    exchanges: list[dict[str, Any]] = json.loads((CONNECTORS / package / "fixtures" / name).read_text())
    return exchanges


def run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


class FakeGraph:
    def __init__(self, *exchanges: dict[str, Any]) -> None:
        self.pending = list(exchanges)
        self.requests: list[httpx.Request] = []

    @classmethod
    def of(cls, package: str, *names: str) -> FakeGraph:
        return cls(*(exchange for name in names for exchange in load(package, name)))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert self.pending, f"unexpected call {request.method} {request.url}"
        exchange = self.pending.pop(0)
        expected = exchange["request"]
        assert (request.method, request.url.path) == (expected["method"], expected["path"])
        self.requests.append(request)
        answer = exchange["response"]
        body = answer["body"]
        content = body if isinstance(body, str) else json.dumps(body)
        return httpx.Response(answer.get("status", 200), headers=answer.get("headers", {}), content=content)

    def done(self) -> bool:
        return not self.pending

    def token(self, index: int) -> str:
        """The access token the request carried (in its Authorization header)."""
        return self.requests[index].headers.get("authorization", "").removeprefix("Bearer ")

    def query(self, index: int) -> dict[str, str]:
        return {key: value for key, value in self.requests[index].url.params.items()}

    def form(self, index: int) -> dict[str, str]:
        """The fields of a form body, urlencoded or multipart (files as their byte length)."""
        request = self.requests[index]
        content_type = request.headers.get("content-type", "")
        body = request.read()
        if content_type.startswith("multipart/"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body
            )
            fields = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                fields[str(name)] = (
                    f"<{len(payload)} bytes {part.get_content_type()}>"
                    if part.get_filename()
                    else payload.decode()
                )
            return fields
        return {key: values[-1] for key, values in parse_qs(body.decode()).items()}
