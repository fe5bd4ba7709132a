"""params.yaml: loading, validation against the JSON schema, and resolution of the scale.

``params.yaml`` is the single source of every hyperparameter. It holds the values once and,
under ``scales:``, per-scale overrides (``smoke``, ``quick``, ``paper``) that are merged over
them for the selected ``scale``. Both the file as written and the merged result are checked
against ``workflow/schemas/params.schema.yaml``; a violation raises :class:`ParamsError`
with a one-line message that names the offending key.

Nested values can be overridden for one run from a YAML file of the same shape
(``snakemake --config overrides=my.yaml``): it is merged last, over the selected scale's values,
and the result is validated again (:func:`load_overrides`).
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


def load_overrides(path: Path | str) -> dict:
    """A run's nested overrides: a YAML mapping shaped like params.yaml (without ``scales``)."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"overrides file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML ({err})".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping at the top level")
    if "scales" in data or "scale" in data:
        raise ParamsError(f"{path}: overrides apply to the selected scale; select it with --config scale=..., "
                          "and do not set 'scales' here")
    return data


def resolve(params: Mapping[str, Any], source: str = "params.yaml", overrides: Mapping[str, Any] | None = None,
            overrides_source: str = "overrides") -> dict:
    """Validate ``params``, merge the overrides of its ``scale`` and validate the result.

    Every scale's overrides are checked, not only the selected one's. The returned mapping
    has no ``scales`` key: it is the effective configuration of the selected scale.
    ``overrides`` (see :func:`load_overrides`) are merged last and validated with the rest.
    """
    validate(params, source)
    schema = load_schema()
    schema = {**schema, "required": [r for r in schema["required"] if r != "scales"]}
    base = {k: v for k, v in params.items() if k != "scales"}
    effective = {}
    for scale, scale_values in params["scales"].items():  # every scale, so a typo never waits for its run
        effective[scale] = merge(base, scale_values)
        validate({**effective[scale], "scale": scale}, f"{source} (scales.{scale} merged)", schema)
    chosen = effective[params["scale"]]
    if overrides:
        chosen = merge(chosen, overrides)
        validate({**chosen, "scale": params["scale"]}, f"{source} with {overrides_source}", schema)
    return chosen


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
