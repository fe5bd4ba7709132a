"""params.yaml: loading, validation against the JSON schema, and resolution of the scale.

``params.yaml`` is the single source of every hyperparameter. It holds the values once and,
under ``scales:``, per-scale overrides (``smoke``, ``quick``, ``paper``) that are merged over
them for the selected ``scale``. Both the file as written and the merged result are checked
against ``workflow/schemas/params.schema.yaml``; a violation raises :class:`ParamsError`
with a one-line message that names the offending key.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping

import jsonschema
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "workflow" / "schemas" / "params.schema.yaml"
PARAMS_PATH = REPO_ROOT / "params.yaml"


class ParamsError(ValueError):
    """params.yaml (or a --config override) is invalid; the message names the key."""


def load_schema(path: Path = SCHEMA_PATH) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def validate(params: Mapping[str, Any], source: str = "params.yaml", schema: dict | None = None) -> None:
    """Raise :class:`ParamsError` naming the first invalid key (deepest, most specific error)."""
    validator = jsonschema.Draft202012Validator(schema or load_schema())
    errors = sorted(validator.iter_errors(params), key=lambda e: (list(e.path), e.message))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    key = ".".join(str(p) for p in error.path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        bad = ".".join(filter(None, [key, extra[0] if extra else ""]))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        raise ParamsError(f"{source}: unknown key '{bad}' (allowed here: {allowed})")
    if error.validator == "required":
        raise ParamsError(f"{source}: missing key under '{key or '<top>'}': {error.message}")
    raise ParamsError(f"{source}: key '{key or '<top>'}': {error.message}")


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict:
    """Deep merge: mappings merge key by key, anything else in ``override`` replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def resolve(params: Mapping[str, Any], source: str = "params.yaml") -> dict:
    """Validate ``params``, merge the overrides of its ``scale`` and validate the result.

    Every scale's overrides are checked, not only the selected one's. The returned mapping
    has no ``scales`` key: it is the effective configuration of the selected scale.
    """
    validate(params, source)
    schema = load_schema()
    schema = {**schema, "required": [r for r in schema["required"] if r != "scales"]}
    base = {k: v for k, v in params.items() if k != "scales"}
    effective = {}
    for scale, overrides in params["scales"].items():  # every scale, so a typo never waits for its run
        effective[scale] = merge(base, overrides)
        validate({**effective[scale], "scale": scale}, f"{source} (scales.{scale} merged)", schema)
    return effective[params["scale"]]


def load(path: Path = PARAMS_PATH, overrides: Mapping[str, Any] | None = None) -> dict:
    """Read, override (top-level keys, as ``snakemake --config``), validate and resolve."""
    with open(path) as handle:
        try:
            params = yaml.safe_load(handle)
        except yaml.YAMLError as err:
            raise ParamsError(f"{path}: not valid YAML ({err})".replace("\n", " ")) from None
    if not isinstance(params, dict):
        raise ParamsError(f"{path}: expected a mapping at the top level")
    if overrides:
        params = merge(params, overrides)
    return resolve(params, source=str(path))
