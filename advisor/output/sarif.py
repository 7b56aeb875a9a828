"""`check --format sarif`: the findings as a SARIF 2.1.0 log, so GitHub code scanning shows them on a pull request.

Each hazard rule is a reportingDescriptor (its fix as help, its source as helpUri); each finding a result
at the file that holds its first object when the check read files, else at the object's logical name.
"""

from __future__ import annotations

import json
from typing import Any

from advisor import __version__

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/"  # replaced by the project's page when it has one


def sarif_log(result: Any) -> dict[str, Any]:
    doc = result.to_document()
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in doc["findings"]:
        if f["rule"] not in rules:
            rules[f["rule"]] = {
                "id": f["rule"],
                "name": "".join(p.capitalize() for p in f["rule"].split("-")),
                "shortDescription": {"text": f["title"]},
                "fullDescription": {"text": f["text"]},
                "help": {"text": f"{f['fix']} ({f['source']})"},
                "helpUri": f["source"],
                "defaultConfiguration": {"level": LEVEL[f["severity"]]},
            }
        names = [
            f"{o['kind']}/{o['namespace']}/{o['name']}" if o["namespace"] else f"{o['kind']}/{o['name']}"
            for o in f["objects"]
        ]
        location: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": n, "kind": "resource"} for n in names]}
        origin = result.origins.get(names[0]) if names and getattr(result, "origins", None) else None
        if origin:
            location["physicalLocation"] = {"artifactLocation": {"uri": origin}}
        results.append(
            {
                "ruleId": f["rule"],
                "ruleIndex": list(rules).index(f["rule"]),
                "level": LEVEL[f["severity"]],
                "message": {
                    "text": f"{f['text']}" + (f" ({f['detail']})" if f["detail"] else "") + f". Fix: {f['fix']}"
                },
                "locations": [location],
            }
        )
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mesh-advisor",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
            }
        ],
    }


def check_sarif(result: Any) -> str:
    return json.dumps(sarif_log(result), indent=2, ensure_ascii=False) + "\n"
