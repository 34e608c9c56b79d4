"""SARIF 2.1.0 as GitHub code scanning accepts it: one reportingDescriptor per rule that has a
result, partialFingerprints keyed by our stable fingerprint, secrets redacted unless asked."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from leakwarden import __version__
from leakwarden.model import Confidence, Finding, Occurrence, ScanResult
from leakwarden.reports.common import display, image_fields, to_json, verdict_fields, verdict_line
from leakwarden.rules.catalog import Catalog
from leakwarden.rules.schema import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/leakwarden/leakwarden"
_PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
# GitHub maps security-severity to critical (≥ 9), high (≥ 7), medium (≥ 4), low.
_SEVERITY = {Confidence.HIGH: "9.0", Confidence.MEDIUM: "7.5", Confidence.LOW: "5.0"}
# Kept as is in a URI path; ":" is not, since "a:b.env" would read as a URI with scheme "a".
_URI_SAFE = "/@!$&'()*+,;=-._~"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def _pascal(rule_id: str) -> str:
    return "".join(word.capitalize() for word in rule_id.replace(".", "_").split("_"))


def _help(rule: Rule) -> dict[str, str]:
    revoke = rule.playbook.revoke_at
    steps = [
        f"{rule.name}: {rule.description.strip() or rule.playbook.what}",
        "1. Treat it as compromised: whoever can read this file or its history has it.",
        f"2. Revoke or rotate it {revoke or 'in the issuing console'}, then update every consumer.",
        f"3. Check for use by others{f': {rule.playbook.logs}' if rule.playbook.logs else ''}.",
        "4. Remove it from the code and read it from the environment or a secret manager "
        f"(leakwarden guide {rule.id}).",
    ]
    refs = "\n".join(f"- {r}" for r in rule.references)
    return {
        "text": "\n".join(steps),
        "markdown": "\n\n".join(steps) + (f"\n\nReferences:\n{refs}" if refs else ""),
    }


def _descriptor(rule: Rule) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": (rule.description or rule.name).strip()},
        "help": _help(rule),
        "defaultConfiguration": {"level": "error"},
        "properties": {
            # SARIF tags are a set: a provider named like its category must not repeat.
            "tags": list(dict.fromkeys(t for t in ("security", "secret", rule.category, rule.provider) if t)),
            "precision": _PRECISION[rule.confidence],
            "security-severity": _SEVERITY[rule.confidence],
        },
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


def _unknown_descriptor(rule_id: str, confidence: Confidence) -> dict[str, Any]:
    """A rule the catalogue given to the reporter does not hold still needs a descriptor: GitHub
    resolves every result's rule through `ruleIndex`."""
    text = f"Rule {rule_id} is not in the rule catalogue this report was written with."
    return {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": rule_id},
        "fullDescription": {"text": text},
        "help": {
            "text": f"{text} Treat the secret as compromised: revoke or rotate it, then remove it.",
            "markdown": f"{text}\n\nTreat the secret as compromised: revoke or rotate it, then remove it.",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "secret"],
            "precision": _PRECISION[confidence],
            "security-severity": _SEVERITY[confidence],
        },
    }


def _uri(path: str) -> str:
    """A relative path stays a relative URI reference (what GitHub resolves against the checkout);
    an absolute one becomes a file: URI. Bytes of a file name that were not UTF-8 (surrogateescape)
    are percent-encoded as the bytes they were."""
    posix = path.replace("\\", "/")
    while posix.startswith("./"):
        posix = posix[2:]
    try:
        raw = posix.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = posix.encode("utf-8", "surrogatepass")
    if _WINDOWS_DRIVE.match(posix):
        return "file:///" + posix[:2] + quote(raw[2:], safe=_URI_SAFE)
    if posix.startswith("/"):
        return "file://" + quote(raw, safe=_URI_SAFE)
    return quote(raw, safe=_URI_SAFE)


def _location(occ: Occurrence) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(occ.provenance.path)},
            "region": {
                "startLine": occ.location.line,
                "startColumn": occ.location.column,
                "endLine": occ.location.end_line,
                "endColumn": occ.location.end_column,
            },
        }
    }
    if occ.decoding:  # the region is the encoded text; the property bag says how it was decoded
        location["properties"] = {"decoding": list(occ.decoding)}
    return location


def _result(finding: Finding, rule_index: int, rule: Rule | None, show: bool) -> dict[str, Any]:
    name = rule.name if rule else finding.rule_id
    locations = [_location(occ) for occ in finding.occurrences]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"{name} found: {display(finding.secret, show)}"},
        "locations": locations[:1],
        "partialFingerprints": {"leakwardenFingerprint/v1": finding.fingerprint},
        "properties": {"confidence": finding.confidence.label, "occurrences": len(finding.occurrences)},
    }
    image = image_fields(finding.occurrences[0].provenance)
    if image:  # where in the image, and whether a later layer only hid it
        result["properties"]["image"] = image
        if image.get("hidden_by"):
            result["message"]["text"] += f" ({image['hidden_by']['note']})"
    if finding.verdict is not None:
        result["properties"]["verdict"] = verdict_fields(finding.verdict)
        result["message"]["text"] += f" ({verdict_line(finding.verdict)})"
    first = finding.occurrences[0]
    if first.decoding:
        result["properties"]["decoding"] = list(first.decoding)
    if len(locations) > 1:
        result["relatedLocations"] = [{"id": i, **loc} for i, loc in enumerate(locations[1:], 1)]
    return result


def render_sarif(result: ScanResult, catalog: Catalog, show_secrets: bool = False) -> str:
    used = sorted({f.rule_id for f in result.findings})
    index = {rule_id: i for i, rule_id in enumerate(used)}
    descriptors = []
    for rule_id in used:
        rule = catalog.get(rule_id)
        if rule is None:
            confidence = max(f.confidence for f in result.findings if f.rule_id == rule_id)
            descriptors.append(_unknown_descriptor(rule_id, confidence))
        else:
            descriptors.append(_descriptor(rule))
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "leakwarden",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(f, index[f.rule_id], catalog.get(f.rule_id), show_secrets)
                    for f in result.findings
                ],
            }
        ],
    }
    return to_json(document, indent=2) + "\n"
