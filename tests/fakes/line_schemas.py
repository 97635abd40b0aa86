"""JSON Schema validators for LINE's published OpenAPI definitions (tests/fixtures/line/openapi/).

OpenAPI 3.0's `discriminator` is only a hint: a plain validator checks a `Message` against the
base schema alone and would accept `{"type": "text"}` without a text, or a misspelt type. Here
each discriminated base schema becomes "the base, plus the mapped schema for this `type`, and
`type` one of the mapped values" (draft 7 `if`/`then`), so a body is checked as LINE reads it.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from bot.core.yaml_io import load as load_yaml

OPENAPI = Path(__file__).parent.parent / "fixtures" / "line" / "openapi"
PREFIX = "#/components/schemas/"


def _with_discriminators(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    schemas: dict[str, Any] = spec["components"]["schemas"]
    for name, schema in list(schemas.items()):
        disc = schema.get("discriminator")
        if not disc or not disc.get("mapping"):
            continue
        prop, mapping = disc["propertyName"], disc["mapping"]
        base = {k: v for k, v in schema.items() if k != "discriminator"}
        schemas[f"{name}__base"] = base
        for ref in mapping.values():  # subtypes extend the base, not the dispatching schema
            for part in schemas[ref.removeprefix(PREFIX)].get("allOf", []):
                if part.get("$ref") == PREFIX + name:
                    part["$ref"] = f"{PREFIX}{name}__base"
        schemas[name] = {
            "allOf": [{"$ref": f"{PREFIX}{name}__base"}]
            + [{"if": {"properties": {prop: {"const": value}}, "required": [prop]}, "then": {"$ref": ref}}
               for value, ref in mapping.items()],
            "required": [prop],
            "properties": {prop: {"enum": list(mapping)}},
        }
    return spec


@cache
def published(name: str) -> dict[str, Any]:
    """The definition as LINE publishes it."""
    return load_yaml((OPENAPI / name).read_text(encoding="utf-8"))


@cache
def spec(name: str) -> dict[str, Any]:
    """The definition with its discriminators made checkable."""
    return _with_discriminators(published(name))


def validator(file: str, component: str) -> jsonschema.Draft7Validator:
    """A validator for one component schema of `file` (e.g. "messaging-api.yml", "PushMessageRequest")."""
    document = spec(file)
    root = {"components": document["components"], "$ref": PREFIX + component}
    return jsonschema.Draft7Validator(root)


def errors(file: str, component: str, instance: Any) -> list[str]:
    found = validator(file, component).iter_errors(instance)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in found]
