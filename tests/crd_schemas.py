"""Validate generated objects against the upstream CRD OpenAPI schemas vendored under tests/schemas/.

Kubernetes rejects unknown fields when a client asks for strict validation (kubectl's default since 1.27
is `--validate=strict`), so every object schema that lists its properties and does not say
`x-kubernetes-preserve-unknown-fields` is closed here (additionalProperties: false), as the API server
would treat it.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMAS = Path(__file__).parent / "schemas"
CRD_FILES = (
    "gateway-api/gateway.networking.k8s.io_gateways.yaml",
    "gateway-api/gateway.networking.k8s.io_httproutes.yaml",
    "istio/crd-all.gen.yaml",
    "linkerd/server.yaml",
    "linkerd/httproute.yaml",
    "linkerd/authorization-policy.yaml",
    "linkerd/meshtls-authentication.yaml",
)


def _documents(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.parent.name == "linkerd":
        # Linkerd ships its CRDs as Helm templates: the template lines are metadata (labels,
        # annotations, `{{- if }}` guards), never part of a schema, so they are dropped before parsing.
        text = "\n".join(line for line in text.splitlines() if "{{" not in line)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the Istio file is 1 MB
    return [d for d in yaml.load_all(text, Loader=loader) if isinstance(d, dict)]


def _closed(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if (
            out.get("type") == "object"
            and "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


@functools.cache
def schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the closed JSON schema of that CRD version."""
    out = {}
    for name in CRD_FILES:
        for doc in _documents(SCHEMAS / name):
            if doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                schema = copy.deepcopy(version["schema"]["openAPIV3Schema"])
                # metadata is validated by the API server itself, not the CRD schema
                schema.setdefault("properties", {})["apiVersion"] = {"type": "string"}
                schema["properties"]["kind"] = {"type": "string"}
                schema["properties"]["metadata"] = {"type": "object"}
                out[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = _closed(schema)
    return out


CORE = {
    ("v1", "Service"),
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("policy/v1", "PodDisruptionBudget"),
}


def problems(obj: dict[str, Any]) -> list[str]:
    """Every schema error of one generated object (empty when valid)."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    if key in CORE:
        return []  # Kubernetes' own kinds: checked by the structural tests, no CRD schema
    schema = schemas().get(key)  # type: ignore[arg-type]
    if schema is None:
        return [f"{key}: no vendored CRD schema for this apiVersion and kind"]
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{key} {obj['metadata'].get('name')}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(obj)
    ]
