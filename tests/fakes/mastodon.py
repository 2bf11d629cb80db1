"""A fake Mastodon instance on loopback, built from the published OpenAPI spec of Mastodon 4.7.

It implements what the Flokk connector uses: app registration, OAuth (authorization code with PKCE S256,
revocation), `verify_credentials`, media upload (`/api/v2/media` answers 202 while "processing"; the
attachment is ready after `media_processing_polls` reads of `/api/v1/media/{id}`, which answer 206 until
then, as Mastodon does), statuses (create with `Idempotency-Key`, read, list an account's, delete).

Every request it receives is checked against the spec's parameters and request body, and every JSON body
it sends against the spec's response schema for that operation and status (`tests/fakes/openapi.py`). A
violation is recorded in `violations` and answered with 400 (request) or 500 (response); the test fixture
fails the test when any were recorded, so neither the connector nor the fake can drift from the spec.

Faults, for error-handling tests and the publishing benchmark:
- scripted: `inject("error" | "rate_limit" | "timeout" | "drop" | "malformed", path=..., method=..., ...)`
  applies to the next matching request(s);
- random: `fail_rate` (500/502/503), `rate_limit_rate` (429 with `Retry-After`), `timeout_rate` (the answer
  never comes in time; for `POST /api/v1/statuses` the status is still created with `lost_answer_rate`).
  The draw for a request depends on `seed`, the route and the request's idempotency key and attempt, not on
  thread timing, so a run repeats.
- `latency` seconds before every answer; `revoke(token)`; `max_characters` (500 by default).

Where the spec and the server differ, the server wins; each correction is in `SPEC_CORRECTIONS` with its
reason. Undeclared error statuses (500 and 502 on most operations) are checked against `Error`.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import email.parser
import email.policy
import functools
import hashlib
import html
import itertools
import json
import random
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from tests.fakes.openapi import OpenAPIValidator, Operation, SpecViolation

SPEC_PATH = Path("/work/shared/apis/mastodon/mastodon-openapi.schema.json")
IDEMPOTENCY_SECONDS = 3600  # Mastodon keeps an Idempotency-Key for one hour (PostStatusService)
MAX_MEDIA = 4
NOT_PROCESSED = "Cannot attach files that have not finished processing. Try again in a moment!"
VAPID_KEY = "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M="
Json = Any
Reply = tuple[int, Json, dict[str, str]]


def _correct_spec(document: dict[str, Any]) -> dict[str, Any]:
    """The spec with the generator's known mistakes corrected (SPEC_CORRECTIONS says why)."""
    document = copy.deepcopy(document)
    create = document["paths"]["/api/v1/statuses"]["post"]
    for param in create.get("parameters", []):
        if param["name"] == "Idempotency-Key":
            param["schema"] = {"type": "string"}
    body = create["requestBody"]["content"]["application/json"]["schema"]
    body["anyOf"] = body.pop("oneOf")
    return document


SPEC_CORRECTIONS = {
    "createStatus Idempotency-Key": "typed `object` by the generator; it is a header, so a string",
    "createStatus body": "oneOf → anyOf: text with media matches both TextStatus and MediaStatus",
    "getMedia 206": "declared without content; Mastodon answers the attachment (url null) while processing",
}
RESPONSE_OVERRIDES: dict[tuple[str, int], Any] = {
    ("getMedia", 206): {"$ref": "#/components/schemas/MediaAttachment"},
}


@functools.cache
def spec_validator() -> OpenAPIValidator:
    return OpenAPIValidator(_correct_spec(json.loads(SPEC_PATH.read_text())))


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int | None = None
    fault: str = ""


@dataclass
class FakeAccount:
    id: str
    username: str
    display_name: str
    token: str = ""
    domain: str = ""  # another instance's host for a remote account; blank for a local one

    @property
    def acct(self) -> str:
        """As Mastodon names the account: `user` when local, `user@domain` when remote."""
        return f"{self.username}@{self.domain}" if self.domain else self.username


@dataclass
class Fault:
    kind: str  # error | rate_limit | timeout | drop | malformed | mangle
    method: str | None = None
    path: str | None = None  # a prefix of the request path
    times: int = 1
    status: int = 503
    retry_after: int = 30
    takes_effect: bool = True  # timeout/drop/malformed: the request is carried out before the answer is lost
    # mangle: the answer's JSON goes through this after it was checked, to send what the spec forbids
    mangle: Callable[[Any], Any] | None = None


@dataclass
class _App:
    id: str
    name: str
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: list[str]
    website: str | None


@dataclass
class _Token:
    token: str
    account_id: str
    scope: str
    client_id: str = ""
    revoked: bool = False
    created_at: int = field(default_factory=lambda: int(time.time()))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    fake: FakeMastodon


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        # Headers and body go out in two writes; without this, Nagle's algorithm and delayed ACKs hold
        # every answer back ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class FakeMastodon:
    """The fake instance; use as a context manager (or `start()`/`stop()`). `url` is its base URL."""

    def __init__(
        self,
        *,
        seed: int = 0,
        latency: float = 0.0,
        fail_rate: float = 0.0,
        rate_limit_rate: float = 0.0,
        timeout_rate: float = 0.0,
        lost_answer_rate: float = 0.5,
        hang_seconds: float = 5.0,
        retry_after: int = 30,
        max_characters: int = 500,
        media_processing_polls: int = 1,
    ) -> None:
        self.seed = seed
        self.latency = latency
        self.fail_rate = fail_rate
        self.rate_limit_rate = rate_limit_rate
        self.timeout_rate = timeout_rate
        self.lost_answer_rate = lost_answer_rate
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self.max_characters = max_characters
        self.media_processing_polls = media_processing_polls
        self.validator = spec_validator()
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.accounts: dict[str, FakeAccount] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self._statuses: dict[str, dict[str, Any]] = {}
        self._notifications: list[dict[str, Any]] = []
        self._notification_ids = itertools.count(1)
        self._favourites: set[tuple[str, str]] = set()  # (account id, status id)
        self._conversation_ids: dict[tuple[str, str, frozenset[str]], str] = {}
        self._apps: dict[str, _App] = {}
        self._tokens: dict[str, _Token] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._faults: list[Fault] = []
        self._attempts: dict[str, int] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._last_status_id = 0
        self._clock_offset = 0.0
        self._stopping = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests it was serving at once
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- life cycle ---------------------------------------------------------------------------------
    def start(self) -> FakeMastodon:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-mastodon", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes requests that hang on purpose
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeMastodon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- helpers for tests ----------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self._clock_offset)

    def advance(self, seconds: float) -> None:
        """Move the instance's clock on (to expire idempotency keys)."""
        self._clock_offset += seconds

    def create_account(self, username: str = "", display_name: str = "", *, domain: str = "") -> FakeAccount:
        """An account with an access token for all scopes, as if connected already. With `domain`, an
        account of another instance as this one knows it (`acct` is `user@domain`)."""
        with self._lock:
            account_id = str(100000 + next(self._ids))
            username = username or f"user{account_id}"
            account = FakeAccount(account_id, username, display_name or username.title(), domain=domain)
            self.accounts[account_id] = account
            account.token = self._issue_token(account_id, "read write", client_id="").token
            return account

    def revoke(self, token: str) -> None:
        with self._lock:
            self._tokens[token].revoked = True

    def approve(self, authorize_url: str, account: FakeAccount) -> str:
        """The person approves the authorization request on the instance: the redirect URL with the code.

        Checks what Mastodon's authorization page checks: the client, its redirect URI and requested scopes.
        """
        query = {key: values[-1] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
        with self._lock:
            app = self._apps.get(query.get("client_id", ""))
            if app is None:
                raise AssertionError("unknown client_id")
            if query.get("redirect_uri") not in app.redirect_uris:
                raise AssertionError("redirect_uri not registered for this app")
            scope = query.get("scope", "read")
            if not set(scope.split()) <= set(app.scopes):
                raise AssertionError("scope outside the app's scopes")
            if query.get("response_type") != "code":
                raise AssertionError("response_type must be code")
            code = secrets.token_urlsafe(24)
            self._codes[code] = {
                "client_id": app.client_id,
                "redirect_uri": query["redirect_uri"],
                "scope": scope,
                "account_id": account.id,
                "code_challenge": query.get("code_challenge"),
                "code_challenge_method": query.get("code_challenge_method"),
            }
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return f"{query['redirect_uri']}?{urlencode(params)}"

    def inject(self, kind: str, **options: Any) -> Fault:
        """A fault for the next matching request(s); see `Fault`."""
        fault = Fault(kind, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    @property
    def statuses(self) -> list[dict[str, Any]]:
        """The statuses that exist (not deleted), oldest first."""
        with self._lock:
            return [dict(s) for s in self._statuses.values() if not s["deleted"]]

    def deliver(
        self,
        author: FakeAccount,
        text: str,
        *,
        in_reply_to_id: str | None = None,
        visibility: str = "public",
        content: str | None = None,
    ) -> dict[str, Any]:
        """A status by `author` arrives (posted here, or federated from the author's instance), with the
        mention notifications Mastodon makes for the local accounts its text mentions. `content` replaces
        the HTML Mastodon would render, as a remote server may send anything."""
        with self._lock:
            status = self._add_status(
                author.id, text, visibility=visibility, in_reply_to_id=in_reply_to_id, content=content
            )
            return dict(status)

    @property
    def favourites(self) -> set[tuple[str, str]]:
        """(account id, status id) of every favourite."""
        with self._lock:
            return set(self._favourites)

    def statuses_of(self, account: FakeAccount) -> list[dict[str, Any]]:
        return [status for status in self.statuses if status["account_id"] == account.id]

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in list(self.requests) if r.method == method and r.path == path]

    # --- the HTTP side ----------------------------------------------------------------------------------
    def _handle(self, handler: _Handler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._serve(handler)
        except Exception as error:  # a bug in the fake: record it; the connection closes without an answer
            with self._lock:
                self.violations.append(f"fake crashed on {handler.command} {handler.path}: {error!r}")
            handler.close_connection = True
        finally:
            with self._lock:
                self.in_flight -= 1

    def _serve(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        headers = {name: value for name, value in handler.headers.items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        record = RecordedRequest(handler.command, path, query, headers, None)
        with self._lock:
            self.requests.append(record)
        if self.latency:
            time.sleep(self.latency)
        try:
            body, form, files = _parse_body(headers.get("Content-Type", ""), raw)
        except ValueError as error:
            self._send(handler, record, 400, {"error": f"Malformed body: {error}"})
            return
        record.body = (
            body if form is None else {**dict(form), **{k: f"<{len(v)} bytes>" for k, v in files.items()}}
        )
        try:
            op, path_params, typed_query, typed_body = self.validator.validate_request(
                handler.command, path, query=query, headers=headers, body=body, form=form
            )
        except SpecViolation as violation:
            with self._lock:
                self.violations.append(str(violation))
            status = 404 if "not an operation" in str(violation) else 400
            self._send(handler, record, status, {"error": str(violation)})
            return

        record.body = typed_body if typed_body is not None else record.body
        if op.operation_id == "getOauthAuthorize":  # the sign-in page, for a person; `approve` stands in
            self._send_html(handler, record, "<html><body>Authorize this app? (fake Mastodon)</body></html>")
            return
        fault = self._fault_for(handler.command, path, headers.get("Idempotency-Key", ""))
        if fault is not None and fault.kind in ("error", "rate_limit"):
            record.fault = fault.kind
            if fault.kind == "rate_limit":
                reset = self.now() + dt.timedelta(seconds=fault.retry_after)
                extra = {
                    "Retry-After": str(fault.retry_after),
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": _iso(reset),
                }
                self._send(handler, record, 429, {"error": "Too many requests"}, extra, op)
            else:
                self._send(
                    handler, record, fault.status, {"error": _REASONS.get(fault.status, "Error")}, op=op
                )
            return
        if fault is not None and not fault.takes_effect:
            self._lose_answer(handler, record, fault)
            return

        try:
            status, reply, extra = self._dispatch(op, path_params, typed_query, typed_body, headers, files)
        except Exception as error:  # a bug in the fake: answer like Rails would, and record it
            with self._lock:
                self.violations.append(f"fake crashed on {handler.command} {path}: {error!r}")
            status, reply, extra = 500, {"error": "We're sorry, but something went wrong"}, {}
        if fault is not None and fault.kind == "mangle" and fault.mangle is not None:
            record.fault = fault.kind
            self._send(handler, record, status, reply, extra, op, mangle=fault.mangle)
            return
        if fault is not None and fault.kind == "malformed":
            record.fault = fault.kind
            data = json.dumps(reply).encode()[: max(len(json.dumps(reply)) // 2, 1)]
            self._write(handler, record, status, data, "application/json; charset=utf-8", {})
            return
        if fault is not None:
            self._lose_answer(handler, record, fault)
            return
        self._send(handler, record, status, reply, extra, op)

    def _lose_answer(self, handler: _Handler, record: RecordedRequest, fault: Fault) -> None:
        """No answer: for "timeout" after longer than the client waits, for "drop" the connection closes."""
        record.fault = fault.kind
        if fault.kind == "timeout":
            self._stopping.wait(self.hang_seconds)
        handler.close_connection = True

    def _send_html(self, handler: _Handler, record: RecordedRequest, text: str) -> None:
        self._write(handler, record, 200, text.encode(), "text/html; charset=utf-8", {})

    def _send(
        self,
        handler: _Handler,
        record: RecordedRequest,
        status: int,
        body: Json,
        extra: dict[str, str] | None = None,
        op: Operation | None = None,
        mangle: Callable[[Any], Any] | None = None,
    ) -> None:
        try:
            if op is not None:
                try:
                    self.validator.validate_response(op, status, body, overrides=RESPONSE_OVERRIDES)
                except SpecViolation:
                    # Error statuses the spec leaves out (500, 502 on most operations) carry Mastodon's Error.
                    if status < 500 or str(status) in op.spec.get("responses", {}):
                        raise
                    self.validator.check({"$ref": "#/components/schemas/Error"}, body, f"{status} error")
        except SpecViolation as violation:
            with self._lock:
                self.violations.append(str(violation))
            status, body, extra = 500, {"error": f"fake sent a response outside the spec: {violation}"}, {}
        if mangle is not None:
            body = mangle(copy.deepcopy(body))
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", **(extra or {})}
        data = b"" if body is None else json.dumps(body).encode()
        self._write(handler, record, status, data, "application/json; charset=utf-8", headers)

    def _write(
        self,
        handler: _Handler,
        record: RecordedRequest,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str],
    ) -> None:
        record.status = status
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _fault_for(self, method: str, path: str, idempotency_key: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if (fault.method is None or fault.method == method) and (
                    fault.path is None or path.startswith(fault.path)
                ):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
            if not (self.fail_rate or self.rate_limit_rate or self.timeout_rate):
                return None
            # The draw depends on the request's identity and attempt, not on which thread came first.
            identity = f"{method} {re.sub(r'/\d+', '/:id', path)} {idempotency_key}"
            attempt = self._attempts.get(identity, 0)
            self._attempts[identity] = attempt + 1
        rng = random.Random(f"{self.seed}|{identity}|{attempt}")
        draw = rng.random()
        if draw < self.fail_rate:
            return Fault("error", status=rng.choice((500, 502, 503)))
        draw -= self.fail_rate
        if draw < self.rate_limit_rate:
            return Fault("rate_limit", retry_after=self.retry_after)
        draw -= self.rate_limit_rate
        if draw < self.timeout_rate:
            posting = method == "POST" and path == "/api/v1/statuses"
            return Fault("timeout", takes_effect=posting and rng.random() < self.lost_answer_rate)
        return None

    # --- operations -------------------------------------------------------------------------------------
    def _dispatch(
        self,
        op: Operation,
        path_params: dict[str, str],
        query: dict[str, Any],
        body: Any,
        headers: dict[str, str],
        files: dict[str, tuple[bytes, str]],
    ) -> Reply:
        handler: Callable[..., Reply] | None = getattr(self, f"_op_{op.operation_id}", None)
        if handler is None:
            return 404, {"error": "Not implemented by the fake"}, {}
        token: _Token | None = None
        if op.secured:
            auth = headers.get("Authorization", "")
            with self._lock:
                token = (
                    self._tokens.get(auth.removeprefix("Bearer ").strip())
                    if auth.startswith("Bearer ")
                    else None
                )
            if token is None:
                return 401, {"error": "The access token is invalid"}, {}
            if token.revoked:
                return 401, {"error": "The access token was revoked"}, {}
        with self._lock:
            return handler(
                token=token, params=path_params, query=query, body=body or {}, headers=headers, files=files
            )

    def _op_createApp(self, *, body: dict[str, Any], **_: Any) -> Reply:
        uris = [uri for value in body["redirect_uris"] for uri in str(value).split()]
        app = _App(
            id=str(next(self._ids)),
            name=body["client_name"],
            client_id=secrets.token_urlsafe(32),
            client_secret=secrets.token_urlsafe(32),
            redirect_uris=uris,
            scopes=str(body.get("scopes") or "read").split(),
            website=body.get("website"),
        )
        self._apps[app.client_id] = app
        return (
            200,
            {
                "id": app.id,
                "name": app.name,
                "website": app.website,
                "scopes": app.scopes,
                "redirect_uri": "\n".join(app.redirect_uris),
                "redirect_uris": app.redirect_uris,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "client_secret_expires_at": 0,
                "vapid_key": VAPID_KEY,
            },
            {},
        )

    def _op_postOauthToken(self, *, body: dict[str, Any], **_: Any) -> Reply:
        def invalid(description: str) -> Reply:
            return 400, {"error": "invalid_grant", "error_description": description}, {}

        app = self._apps.get(body.get("client_id", ""))
        if app is None or not secrets.compare_digest(app.client_secret, body.get("client_secret", "")):
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}, {}
        if body.get("grant_type") != "authorization_code":
            return (
                400,
                {"error": "unsupported_grant_type", "error_description": "Only authorization_code"},
                {},
            )
        grant = self._codes.pop(body.get("code", ""), None)
        if grant is None or grant["client_id"] != app.client_id:
            return invalid("The provided authorization grant is invalid, expired or revoked.")
        if grant["redirect_uri"] != body.get("redirect_uri"):
            return invalid("The redirect URI does not match the one of the authorization request.")
        if grant["code_challenge"]:
            verifier = str(body.get("code_verifier", ""))
            expected = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if grant["code_challenge_method"] != "S256" or not secrets.compare_digest(
                expected, grant["code_challenge"]
            ):
                return invalid("The PKCE code verifier does not match the code challenge.")
        token = self._issue_token(grant["account_id"], grant["scope"], client_id=app.client_id)
        return (
            200,
            {
                "access_token": token.token,
                "token_type": "Bearer",
                "scope": token.scope,
                "created_at": token.created_at,
            },
            {},
        )

    def _op_postOauthRevoke(self, *, body: dict[str, Any], **_: Any) -> Reply:
        app = self._apps.get(body.get("client_id", ""))
        if app is None or app.client_secret != body.get("client_secret"):
            return 403, {"error": "unauthorized_client"}, {}
        token = self._tokens.get(body.get("token", ""))
        if token is not None and token.client_id == app.client_id:
            token.revoked = True
        return 200, {}, {}

    def _op_getAccountsVerifyCredentials(self, *, token: _Token, **_: Any) -> Reply:
        account = self._account_json(self.accounts[token.account_id])
        account["source"] = {
            "privacy": "public",
            "sensitive": False,
            "language": "",
            "note": "",
            "fields": [],
            "follow_requests_count": 0,
            "indexable": True,
        }
        account["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
        return 200, account, {}

    def _op_createMediaV2(
        self, *, token: _Token, body: dict[str, Any], files: dict[str, Any], **_: Any
    ) -> Reply:
        if "file" not in files:
            return 422, {"error": "Validation failed: File can't be blank"}, {}
        data, mime_type = files["file"]
        kind = (
            "image" if mime_type.startswith("image/") else "video" if mime_type.startswith("video/") else ""
        )
        if not kind:
            return 422, {"error": "Validation failed: File content type is invalid"}, {}
        media_id = str(next(self._ids) + 10**9)
        self.media[media_id] = {
            "id": media_id,
            "account_id": token.account_id,
            "type": kind,
            "mime_type": mime_type,
            "size": len(data),
            "description": body.get("description"),
            "polls_left": self.media_processing_polls,
            "status_id": None,
        }
        ready = self.media_processing_polls == 0
        return (200 if ready else 202), self._media_json(self.media[media_id]), {}

    def _own_media(self, token: _Token, media_id: str) -> dict[str, Any] | None:
        media = self.media.get(media_id)
        return media if media is not None and media["account_id"] == token.account_id else None

    def _op_getMedia(self, *, token: _Token, params: dict[str, str], **_: Any) -> Reply:
        media = self._own_media(token, params["id"])
        if media is None:
            return 404, {"error": "Record not found"}, {}
        if media["polls_left"] > 0:
            media["polls_left"] -= 1
            return 206, self._media_json(media, processing=True), {}
        return 200, self._media_json(media), {}

    def _op_updateMedia(
        self, *, token: _Token, params: dict[str, str], body: dict[str, Any], **_: Any
    ) -> Reply:
        media = self._own_media(token, params["id"])
        if media is None or media["status_id"] is not None:
            return 404, {"error": "Record not found"}, {}
        if "description" in body:
            media["description"] = body["description"]
        return 200, self._media_json(media, processing=media["polls_left"] > 0), {}

    def _op_createStatus(
        self, *, token: _Token, body: dict[str, Any], headers: dict[str, str], **_: Any
    ) -> Reply:
        key = headers.get("Idempotency-Key", "")
        now = self.now()
        if key:
            seen = self._idempotency.get((token.account_id, key))
            if seen is not None and now.timestamp() - seen[1] < IDEMPOTENCY_SECONDS:
                existing = self._statuses[seen[0]]
                if existing["deleted"]:
                    return 404, {"error": "Record not found"}, {}
                return 200, self._status_json(existing), {}
        text = str(body.get("status") or "")
        media_ids = [str(m) for m in body.get("media_ids") or []]
        if not text.strip() and not media_ids:
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        if len(text) > self.max_characters:
            return (
                422,
                {"error": f"Validation failed: Text character limit of {self.max_characters} exceeded"},
                {},
            )
        if len(media_ids) > MAX_MEDIA:
            return 422, {"error": f"Validation failed: Media attachments exceed the limit of {MAX_MEDIA}"}, {}
        attachments = []
        for media_id in media_ids:
            media = self._own_media(token, media_id)
            if media is None or media["status_id"] is not None:
                return 422, {"error": "Validation failed: Media attachments are invalid"}, {}
            if media["polls_left"] > 0:
                return (
                    422,
                    {"error": NOT_PROCESSED},
                    {},
                )
            attachments.append(media)
        reply_to = body.get("in_reply_to_id")
        if reply_to and (reply_to not in self._statuses or self._statuses[reply_to]["deleted"]):
            return 404, {"error": "Record not found"}, {}
        status = self._add_status(
            token.account_id,
            text,
            visibility=body.get("visibility") or "public",
            in_reply_to_id=reply_to or None,
            media_ids=media_ids,
            idempotency_key=key,
        )
        for media in attachments:
            media["status_id"] = status["id"]
        if key:
            self._idempotency[(token.account_id, key)] = (status["id"], now.timestamp())
        return 200, self._status_json(status), {}

    def _add_status(
        self,
        account_id: str,
        text: str,
        *,
        visibility: str,
        in_reply_to_id: str | None = None,
        media_ids: list[str] | None = None,
        idempotency_key: str = "",
        content: str | None = None,
    ) -> dict[str, Any]:
        """Store a status and notify the local accounts it mentions (never its author), as Mastodon's
        ProcessMentionsService and NotifyService do: one `mention` notification each."""
        now = self.now()
        status_id = self._next_status_id(now)
        status = self._statuses[status_id] = {
            "id": status_id,
            "account_id": account_id,
            "text": text,
            "content": content,
            "visibility": visibility,
            "media_ids": media_ids or [],
            "in_reply_to_id": in_reply_to_id,
            "mention_ids": [account.id for account in self._mentioned(text)],
            "idempotency_key": idempotency_key,
            "created_at": now,
            "deleted": False,
        }
        for mentioned_id in dict.fromkeys(status["mention_ids"]):
            if mentioned_id != account_id and not self.accounts[mentioned_id].domain:
                self._notifications.append(
                    {
                        "id": str(next(self._notification_ids)),
                        "account_id": mentioned_id,
                        "type": "mention",
                        "from_account_id": account_id,
                        "status_id": status_id,
                        "created_at": now,
                    }
                )
        return status

    def _mentioned(self, text: str) -> list[FakeAccount]:
        """The known accounts that `@user` (local) or `@user@domain` in the text names."""
        found = []
        for match in _MENTION.finditer(text):
            account = self._account_by_acct(match.group(1), match.group(2) or "")
            if account is not None:
                found.append(account)
        return found

    def _account_by_acct(self, username: str, domain: str) -> FakeAccount | None:
        domain = "" if domain.lower() == self.host.lower() else domain.lower()
        for account in self.accounts.values():
            if account.username.lower() == username.lower() and account.domain.lower() == domain:
                return account
        return None

    def _op_getStatus(self, *, params: dict[str, str], **_: Any) -> Reply:
        status = self._statuses.get(params["id"])
        if status is None or status["deleted"]:
            return 404, {"error": "Record not found"}, {}
        return 200, self._status_json(status), {}

    def _op_deleteStatus(self, *, token: _Token, params: dict[str, str], **_: Any) -> Reply:
        status = self._statuses.get(params["id"])
        if status is None or status["deleted"] or status["account_id"] != token.account_id:
            return 404, {"error": "Record not found"}, {}
        status["deleted"] = True
        return 200, {**self._status_json(status), "text": status["text"]}, {}

    def _op_getAccountStatuses(self, *, params: dict[str, str], query: dict[str, Any], **_: Any) -> Reply:
        if params["id"] not in self.accounts:
            return 404, {"error": "Record not found"}, {}
        limit = max(1, min(int(query.get("limit", 20)), 40))
        found = sorted(
            (s for s in self._statuses.values() if s["account_id"] == params["id"] and not s["deleted"]),
            key=lambda s: int(s["id"]),
            reverse=True,
        )
        if query.get("exclude_replies"):
            found = [s for s in found if s["in_reply_to_id"] is None]
        if query.get("only_media"):
            found = [s for s in found if s["media_ids"]]
        if query.get("max_id"):
            found = [s for s in found if int(s["id"]) < int(query["max_id"])]
        if query.get("since_id"):
            found = [s for s in found if int(s["id"]) > int(query["since_id"])]
        if query.get("min_id"):  # the page just above min_id, still newest first
            found = [s for s in found if int(s["id"]) > int(query["min_id"])][-limit:]
        page = found[:limit]
        extra = {}
        if page:
            base = f"{self.url}/api/v1/accounts/{params['id']}/statuses"
            extra["Link"] = (
                f'<{base}?limit={limit}&max_id={page[-1]["id"]}>; rel="next", '
                f'<{base}?limit={limit}&min_id={page[0]["id"]}>; rel="prev"'
            )
        return 200, [self._status_json(s) for s in page], extra

    def _op_postStatusFavourite(self, *, token: _Token, params: dict[str, str], **_: Any) -> Reply:
        status = self._statuses.get(params["id"])
        if status is None or status["deleted"] or not self._visible_to(status, token.account_id):
            return 404, {"error": "Record not found"}, {}
        self._favourites.add((token.account_id, status["id"]))
        return 200, self._status_json(status, viewer_id=token.account_id), {}

    def _visible_to(self, status: dict[str, Any], account_id: str) -> bool:
        if status["visibility"] not in ("direct", "private"):
            return True
        return account_id == status["account_id"] or account_id in status["mention_ids"]

    def _op_getNotifications(self, *, token: _Token, query: dict[str, Any], **_: Any) -> Reply:
        """Newest first; `types`/`exclude_types`, and `max_id`, `since_id`, `min_id` on the notification
        id as Mastodon's `paginate_by_id` applies them (`min_id`: the page just above it)."""
        limit = max(1, min(int(query.get("limit", 40)), 80))
        found = sorted(
            (n for n in self._notifications if n["account_id"] == token.account_id),
            key=lambda n: int(n["id"]),
            reverse=True,
        )
        if query.get("types"):
            found = [n for n in found if n["type"] in query["types"]]
        if query.get("exclude_types"):
            found = [n for n in found if n["type"] not in query["exclude_types"]]
        page = _paginate(found, lambda n: int(n["id"]), query, limit)
        extra = self._links("/api/v1/notifications", page, lambda n: n["id"], limit, query.get("types"))
        return 200, [self._notification_json(n, token.account_id) for n in page], extra

    def _op_getConversations(self, *, token: _Token, query: dict[str, Any], **_: Any) -> Reply:
        """The account's direct conversations, by their latest status; paginated by that status's id as
        Mastodon paginates `AccountConversation` by `last_status_id`."""
        viewer = token.account_id
        groups: dict[str, list[dict[str, Any]]] = {}
        for status in self._statuses.values():
            if status["deleted"] or status["visibility"] != "direct" or not self._visible_to(status, viewer):
                continue
            others = frozenset({status["account_id"], *status["mention_ids"]} - {viewer})
            key = (viewer, self._root_of(status)["id"], others)
            conversation_id = self._conversation_ids.setdefault(key, str(len(self._conversation_ids) + 1))
            groups.setdefault(conversation_id, []).append(status)
        conversations = sorted(
            ((cid, max(statuses, key=lambda s: int(s["id"]))) for cid, statuses in groups.items()),
            key=lambda pair: int(pair[1]["id"]),
            reverse=True,
        )
        limit = max(1, min(int(query.get("limit", 20)), 40))
        page = _paginate(conversations, lambda pair: int(pair[1]["id"]), query, limit)
        extra = self._links("/api/v1/conversations", page, lambda pair: pair[1]["id"], limit, None)
        return 200, [self._conversation_json(cid, last, viewer) for cid, last in page], extra

    def _root_of(self, status: dict[str, Any]) -> dict[str, Any]:
        seen = set()
        while status["in_reply_to_id"] in self._statuses and status["id"] not in seen:
            seen.add(status["id"])
            status = self._statuses[status["in_reply_to_id"]]
        return status

    def _links(
        self,
        path: str,
        page: list[Any],
        id_of: Callable[[Any], str],
        limit: int,
        types: list[str] | None,
    ) -> dict[str, str]:
        """Mastodon's `Link` header: `next` goes to older results (`max_id`), `prev` to newer (`min_id`)."""
        if not page:
            return {}
        extra = "".join(f"&types%5B%5D={kind}" for kind in types or [])
        base = f"{self.url}{path}?limit={limit}{extra}"
        older, newer = f"{base}&max_id={id_of(page[-1])}", f"{base}&min_id={id_of(page[0])}"
        return {"Link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}

    # --- state to JSON ----------------------------------------------------------------------------------
    def _issue_token(self, account_id: str, scope: str, *, client_id: str) -> _Token:
        token = _Token(secrets.token_urlsafe(32), account_id, scope, client_id)
        self._tokens[token.token] = token
        return token

    def _next_status_id(self, now: dt.datetime) -> str:
        # Mastodon's ids: milliseconds since the epoch << 16, plus a sequence; they sort by time.
        candidate = int(now.timestamp() * 1000) << 16
        self._last_status_id = max(candidate, self._last_status_id + 1)
        return str(self._last_status_id)

    def _mention_links(self, accounts: list[FakeAccount]) -> dict[str, str]:
        """How the text may name each mentioned account (`user` only when local), to its profile URL."""
        links = {}
        for account in accounts:
            url = f"{self._account_base(account)}/@{account.username}"
            links[f"{account.username}@{account.domain or self.host}".lower()] = url
            if not account.domain:
                links[account.username.lower()] = url
        return links

    def _account_base(self, account: FakeAccount) -> str:
        return f"https://{account.domain}" if account.domain else self.url

    def _notification_json(self, notification: dict[str, Any], viewer_id: str) -> dict[str, Any]:
        return {
            "id": notification["id"],
            "type": notification["type"],
            "group_key": f"ungrouped-{notification['id']}",
            "created_at": _iso(notification["created_at"]),
            "account": self._account_json(self.accounts[notification["from_account_id"]]),
            "status": self._status_json(self._statuses[notification["status_id"]], viewer_id=viewer_id),
        }

    def _conversation_json(
        self, conversation_id: str, last: dict[str, Any], viewer_id: str
    ) -> dict[str, Any]:
        participants = dict.fromkeys([last["account_id"], *last["mention_ids"]])
        return {
            "id": conversation_id,
            "unread": last["account_id"] != viewer_id,
            "accounts": [self._account_json(self.accounts[a]) for a in participants if a != viewer_id],
            "last_status": self._status_json(last, viewer_id=viewer_id),
        }

    def _account_json(self, account: FakeAccount) -> dict[str, Any]:
        base = self._account_base(account)
        url = f"{base}/@{account.username}"
        statuses = sum(
            1 for s in self._statuses.values() if s["account_id"] == account.id and not s["deleted"]
        )
        return {
            "id": account.id,
            "username": account.username,
            "acct": account.acct,
            "display_name": account.display_name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": "2024-01-01T00:00:00.000Z",
            "note": "",
            "url": url,
            "uri": f"{base}/users/{account.username}",
            "avatar": f"{self.url}/avatars/original/missing.png",
            "avatar_static": f"{self.url}/avatars/original/missing.png",
            "header": f"{self.url}/headers/original/missing.png",
            "header_static": f"{self.url}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": statuses,
            "last_status_at": None,
            "emojis": [],
            "fields": [],
        }

    def _media_json(self, media: dict[str, Any], *, processing: bool | None = None) -> dict[str, Any]:
        if processing is None:
            processing = media["polls_left"] > 0
        name = f"{self.url}/system/media_attachments/files/{media['id']}"
        return {
            "id": media["id"],
            "type": media["type"],
            "url": None if processing else f"{name}/original.bin",
            "preview_url": f"{name}/small.bin",
            "remote_url": None,
            "text_url": None,
            "meta": {"focus": {"x": 0.0, "y": 0.0}},
            "description": media["description"],
            "blurhash": None if processing else "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
        }

    def _status_json(self, status: dict[str, Any], *, viewer_id: str = "") -> dict[str, Any]:
        account = self.accounts[status["account_id"]]
        base = self._account_base(account)
        tags = sorted({tag.lower() for tag in _HASHTAG.findall(status["text"])})
        created = status["created_at"]
        mentioned = [self.accounts[a] for a in dict.fromkeys(status.get("mention_ids", []))]
        favourites = sum(1 for _, status_id in self._favourites if status_id == status["id"])
        return {
            "id": status["id"],
            "created_at": _iso(created),
            "in_reply_to_id": status["in_reply_to_id"],
            "in_reply_to_account_id": (
                self._statuses[status["in_reply_to_id"]]["account_id"] if status["in_reply_to_id"] else None
            ),
            "sensitive": False,
            "spoiler_text": "",
            "visibility": status["visibility"],
            "language": "en",
            "uri": f"{base}/users/{account.username}/statuses/{status['id']}",
            "url": f"{base}/@{account.username}/{status['id']}",
            "replies_count": sum(1 for s in self._statuses.values() if s["in_reply_to_id"] == status["id"]),
            "reblogs_count": 0,
            "favourites_count": favourites,
            "favourited": (viewer_id, status["id"]) in self._favourites,
            "edited_at": None,
            "content": (
                status["content"]
                if status.get("content") is not None
                else render_content(status["text"], self.url, self._mention_links(mentioned))
            ),
            "reblog": None,
            "application": {"name": "Flokk", "website": None},
            "account": self._account_json(account),
            "media_attachments": [self._media_json(self.media[m]) for m in status["media_ids"]],
            "mentions": [
                {
                    "id": m.id,
                    "username": m.username,
                    "acct": m.acct,
                    "url": f"{self._account_base(m)}/@{m.username}",
                }
                for m in mentioned
            ],
            "tags": [{"name": tag, "url": f"{self.url}/tags/{tag}"} for tag in tags],
            "emojis": [],
            "card": None,
            "poll": None,
        }


def _paginate(found: list[Any], id_of: Callable[[Any], int], query: dict[str, Any], limit: int) -> list[Any]:
    """A page of `found` (newest first) as Mastodon's `paginate_by_id` cuts it: below `max_id`, above
    `since_id`, and with `min_id` the `limit` results just above it (still newest first)."""
    if query.get("max_id"):
        found = [item for item in found if id_of(item) < int(query["max_id"])]
    if query.get("since_id"):
        found = [item for item in found if id_of(item) > int(query["since_id"])]
    if query.get("min_id"):
        return [item for item in found if id_of(item) > int(query["min_id"])][-limit:]
    return found[:limit]


_REASONS = {500: "We're sorry, but something went wrong", 502: "Bad Gateway", 503: "Service Unavailable"}
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_HASHTAG = re.compile(r"(?<![\w/#])#(\w+)")
# `@user` or `@user@domain` (a domain may carry a port, as the fake's own host does)
_MENTION = re.compile(r"(?<![\w/@])@(\w+)(?:@([\w.-]*\w(?::\d+)?))?")


def render_content(text: str, base_url: str, mentions: dict[str, str] | None = None) -> str:
    """The status text as Mastodon renders it: paragraphs, line breaks, linked URLs (shortened with hidden
    spans, whose text still spells the whole URL), hashtag links and mentions (`mentions`: each mentioned
    `user` or `user@domain`, lowercased, to its profile URL), shown as `@user` as Mastodon does."""

    def words(raw: str) -> str:
        return _hashtags(_mention_cards(html.escape(raw), mentions or {}), base_url)

    def line(raw: str) -> str:
        out, last = [], 0
        for match in _URL.finditer(raw):
            out.append(words(raw[last : match.start()]))
            url = match.group(0)
            scheme, rest = url.split("://", 1)
            out.append(
                f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener">'
                f'<span class="invisible">{scheme}://</span>'
                f'<span class="ellipsis">{html.escape(rest[:30])}</span>'
                f'<span class="invisible">{html.escape(rest[30:])}</span></a>'
            )
            last = match.end()
        out.append(words(raw[last:]))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
    return "".join("<p>" + "<br />".join(line(raw) for raw in p.split("\n")) + "</p>" for p in paragraphs)


def _mention_cards(escaped: str, mentions: dict[str, str]) -> str:
    def card(match: re.Match[str]) -> str:
        url = mentions.get(match.group(0)[1:].lower()) or mentions.get(match.group(1).lower())
        if url is None or (match.group(2) and match.group(0)[1:].lower() not in mentions):
            return match.group(0)
        return (
            f'<span class="h-card" translate="no"><a href="{html.escape(url)}" class="u-url mention">'
            f"@<span>{match.group(1)}</span></a></span>"
        )

    return _MENTION.sub(card, escaped)


def _hashtags(escaped: str, base_url: str) -> str:
    return _HASHTAG.sub(
        lambda m: (
            f'<a href="{base_url}/tags/{m.group(1).lower()}" class="mention hashtag" rel="tag">'
            f"#<span>{m.group(1)}</span></a>"
        ),
        escaped,
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_body(
    content_type: str, raw: bytes
) -> tuple[Any, list[tuple[str, str]] | None, dict[str, tuple[bytes, str]]]:
    """(JSON body, form fields, files): JSON, urlencoded and multipart bodies, as Rails reads them."""
    if not raw:
        return None, None, {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            return json.loads(raw), None, {}
        except json.JSONDecodeError as error:
            raise ValueError(str(error)) from None
    if kind == "application/x-www-form-urlencoded":
        return None, parse_qsl(raw.decode(), keep_blank_values=True), {}
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        fields: list[tuple[str, str]] = []
        files: dict[str, tuple[bytes, str]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                files[str(name)] = (payload, part.get_content_type())
                fields.append((str(name), f"<{len(payload)} bytes>"))
            else:
                fields.append((str(name), payload.decode()))
        return None, fields, files
    raise ValueError(f"unsupported content type {content_type!r}")


def running(**options: Any) -> Iterator[FakeMastodon]:
    """A started fake for a pytest fixture; fails the test if a request or response broke the spec."""
    with FakeMastodon(**options) as fake:
        yield fake
        if fake.violations:
            raise AssertionError("The fake Mastodon saw spec violations:\n" + "\n".join(fake.violations))
