"""Check the requests a fake receives and the responses it sends against an OpenAPI 3.1 document.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so `jsonschema` validates them as they are; `$ref`s point into
the document's `#/components/schemas`, so each schema is checked with the document's `components` beside
it. Query strings and form bodies carry only strings: values are turned into the types the spec's schema
asks for (`"1"` → true, `"20"` → 20, `key[]=a&key[]=b` → a list) before they are checked, as the server
itself would read them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - optional speed-up
    jsonschema_rs = None

METHODS = ("get", "post", "put", "patch", "delete")


class SpecViolation(AssertionError):
    """A request or response that the spec does not allow."""


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    spec: dict[str, Any] = field(repr=False)
    pattern: re.Pattern[str] = field(repr=False)

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """A query or form string as the type the schema expects; left alone when it does not convert."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "boolean" in types and value.lower() in ("1", "0", "true", "false"):
        return value.lower() in ("1", "true")
    if "integer" in types:
        try:
            return int(value)
        except ValueError:
            return value
    if "number" in types:
        try:
            return float(value)
        except ValueError:
            return value
    return value


class OpenAPIValidator:
    """The operations of one OpenAPI document, and checks of messages against them."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components = document.get("components", {})
        self.operations: list[Operation] = []
        for template, item in document["paths"].items():
            parts = re.split(r"(\{[^}]+\})", template)
            regex = (
                "^" + "".join("([^/]+)" if part.startswith("{") else re.escape(part) for part in parts) + "$"
            )
            for method in METHODS:
                if method in item:
                    op = item[method]
                    self.operations.append(
                        Operation(method.upper(), template, op.get("operationId", ""), op, re.compile(regex))
                    )
        # Literal paths first, so /accounts/verify_credentials wins over /accounts/{id}.
        self.operations.sort(key=lambda op: (op.template.count("{"), -len(op.template)))
        self._validators: dict[str, tuple[Draft202012Validator, Any]] = {}

    # --- finding the operation --------------------------------------------------------------------
    def operation(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        for op in self.operations:
            if op.method != method.upper():
                continue
            match = op.pattern.match(path)
            if match:
                names = re.findall(r"\{([^}]+)\}", op.template)
                return op, dict(zip(names, match.groups(), strict=True))
        raise SpecViolation(f"{method} {path} is not an operation of the spec")

    # --- schemas ------------------------------------------------------------------------------------
    def resolve(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """One level of `$ref` followed (to `#/components/...`)."""
        ref = schema.get("$ref")
        if not ref:
            return dict(schema)
        if not ref.startswith("#/"):
            raise SpecViolation(f"cannot follow $ref {ref!r}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return {**node, **{k: v for k, v in schema.items() if k != "$ref"}}

    def properties(self, schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Every property a schema may have, through `$ref`, `allOf`, `oneOf` and `anyOf` (first wins)."""
        schema = self.resolve(schema)
        found: dict[str, dict[str, Any]] = {}
        for name, sub in schema.get("properties", {}).items():
            found.setdefault(name, self.resolve(sub))
        for keyword in ("allOf", "oneOf", "anyOf"):
            for sub in schema.get(keyword, []):
                for name, prop in self.properties(sub).items():
                    found.setdefault(name, prop)
        return found

    def check(self, schema: Mapping[str, Any], instance: Any, where: str, *, key: str | None = None) -> None:
        """Raise `SpecViolation` naming `where` when `instance` does not match `schema`.

        `jsonschema` is the reference. `jsonschema_rs` (installed with schemathesis) answers first when it
        is there: it is ~300 times faster, which the publishing benchmark's 10,000 statuses need; a
        failure is always explained by `jsonschema`, or by `jsonschema_rs` for what only it checks (formats
        such as date-time, which `jsonschema` checks only with optional packages).
        """
        cache_key = key or json.dumps(schema, sort_keys=True)
        pair = self._validators.get(cache_key)
        if pair is None:  # built once per schema; a race only builds it twice
            document = {**schema, "components": self.components}
            reference = Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)
            fast = (
                jsonschema_rs.Draft202012Validator(document, validate_formats=True) if jsonschema_rs else None
            )
            pair = self._validators[cache_key] = (reference, fast)
        reference, fast = pair
        if fast is not None and fast.is_valid(instance):
            return
        try:
            reference.validate(instance)
        except ValidationError as error:
            path = "/".join(str(part) for part in error.absolute_path) or "(root)"
            raise SpecViolation(f"{where}: {path}: {error.message}") from None
        if fast is not None:
            first = next(iter(fast.iter_errors(instance)))
            path = "/".join(str(part) for part in first.instance_path) or "(root)"
            raise SpecViolation(f"{where}: {path}: {first.message}")

    # --- requests -------------------------------------------------------------------------------------
    def form_object(self, schema: Mapping[str, Any], fields: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """Form or multipart fields as the JSON object the schema describes (`a[]`, repeated keys: lists)."""
        props = self.properties(schema)
        collected: dict[str, list[str]] = {}
        for name, value in fields:
            collected.setdefault(name.removesuffix("[]") if name not in props else name, []).append(value)
        result: dict[str, Any] = {}
        for name, values in collected.items():
            prop = props.get(name, {})
            types = prop.get("type")
            if types == "array" or (isinstance(types, list) and "array" in types):
                items = self.resolve(prop.get("items", {}))
                result[name] = [_coerce(value, items) for value in values]
            else:
                result[name] = _coerce(values[-1], prop)
        return result

    def validate_request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: Any = None,
        form: list[tuple[str, str]] | None = None,
    ) -> tuple[Operation, dict[str, str], dict[str, Any], Any]:
        """Check a request; return its operation, path parameters, typed query and typed body."""
        op, path_params = self.operation(method, path)
        where = f"request {op.method} {op.template}"
        typed_query: dict[str, Any] = {}
        declared = {(p["in"], p["name"]): p for p in op.spec.get("parameters", [])}
        lowered_headers = {name.lower(): value for name, value in headers.items()}
        for name in query:
            if ("query", name) not in declared and ("query", name.removesuffix("[]")) not in declared:
                raise SpecViolation(f"{where}: unknown query parameter {name!r}")
        for (place, name), param in declared.items():
            schema = self.resolve(param.get("schema", {}))
            if place == "query":
                values = query.get(name) or query.get(f"{name}[]")
                if values is None:
                    if param.get("required"):
                        raise SpecViolation(f"{where}: query parameter {name!r} is required")
                    continue
                value: Any = (
                    [_coerce(v, self.resolve(schema.get("items", {}))) for v in values]
                    if schema.get("type") == "array"
                    else _coerce(values[-1], schema)
                )
                self.check(schema, value, f"{where} query {name}", key=f"{op.operation_id}:q:{name}")
                typed_query[name] = value
            elif place == "path":
                self.check(
                    schema, path_params[name], f"{where} path {name}", key=f"{op.operation_id}:p:{name}"
                )
            elif place == "header":
                header = lowered_headers.get(name.lower())
                if header is None:
                    if param.get("required"):
                        raise SpecViolation(f"{where}: header {name!r} is required")
                    continue
                self.check(schema, header, f"{where} header {name}", key=f"{op.operation_id}:h:{name}")
        typed_body: Any = body
        request_body = op.spec.get("requestBody")
        if request_body:
            # Mastodon reads JSON, form and multipart bodies alike (Rails params), whichever one content type
            # the spec names; the body is checked against that schema in any encoding.
            content = next(iter(request_body.get("content", {}).values()), {})
            schema = content.get("schema", {})
            if form is not None:
                typed_body = self.form_object(schema, form)
            if typed_body is None:
                if request_body.get("required"):
                    raise SpecViolation(f"{where}: a body is required")
            else:
                self.check(schema, typed_body, f"{where} body", key=f"{op.operation_id}:body")
        return op, path_params, typed_query, typed_body

    # --- responses ------------------------------------------------------------------------------------
    def response_schema(self, op: Operation, status: int) -> dict[str, Any] | None:
        """The JSON schema of the response, None when the spec declares the status without content."""
        declared = op.spec.get("responses", {}).get(str(status))
        if declared is None:
            raise KeyError(status)
        content = declared.get("content", {}).get("application/json")
        return None if content is None else dict(content.get("schema", {}))

    def validate_response(
        self, op: Operation, status: int, body: Any, *, overrides: Mapping[tuple[str, int], Any] | None = None
    ) -> None:
        where = f"response {status} of {op.method} {op.template}"
        if overrides and (op.operation_id, status) in overrides:
            schema = overrides[(op.operation_id, status)]
        else:
            try:
                schema = self.response_schema(op, status)
            except KeyError:
                raise SpecViolation(f"{where}: the spec does not declare status {status}") from None
        if schema is None:
            if body not in (None, {}, ""):
                raise SpecViolation(f"{where}: the spec declares no content, got {str(body)[:200]}")
            return
        self.check(schema, body, where, key=f"{op.operation_id}:{status}")
