"""JUnit XML, for CI systems that show test results: one failing test case per finding (named by
rule and first place, every place listed in the failure), or one passing case when the scan found
nothing, so that a clean scan still shows up as a test that ran."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from leakwarden.model import Finding, ScanResult
from leakwarden.reports.common import decoding_note, display, display_parts, safe, verdict_line
from leakwarden.rules.catalog import Catalog

SUITE = "leakwarden"
# Characters XML 1.0 cannot carry at all, even escaped; `safe` already turns controls, lone
# surrogates and formatting characters into visible escapes, these two are what it leaves.
_XML_INVALID = re.compile("[\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text from scanned content made printable and valid in XML 1.0 (one line, visible escapes)."""
    return _XML_INVALID.sub(lambda m: f"\\u{ord(m.group()):04x}", safe(text))


def _place(finding: Finding, index: int) -> str:
    occ = finding.occurrences[index]
    where = f"{occ.provenance.path}:{occ.location.line}:{occ.location.column}{decoding_note(occ)}"
    commit = getattr(occ.provenance, "commit", None)
    return f"{where} (commit {commit})" if commit else where


def _case(suite: ET.Element, finding: Finding, catalog: Catalog, show: bool) -> None:
    rule = catalog.get(finding.rule_id)
    name = rule.name if rule else finding.rule_id
    case = ET.SubElement(
        suite,
        "testcase",
        classname=xml_text(f"{SUITE}.{finding.rule_id}"),
        name=xml_text(f"{_place(finding, 0)} {finding.fingerprint[:16]}"),
        file=xml_text(finding.occurrences[0].provenance.path),
        line=str(finding.occurrences[0].location.line),
        time="0",
    )
    secret = display(finding.secret, show)
    lines = [
        f"{name} ({finding.rule_id}, {finding.confidence.label} confidence): {secret}",
        *(f"{role}: {value}" for role, value in display_parts(finding.parts, show).items()),
        f"fingerprint {finding.fingerprint}",
        *([f"verdict: {verdict_line(finding.verdict)}"] if finding.verdict is not None else []),
        *(f"found at {_place(finding, i)}" for i in range(len(finding.occurrences))),
        f"Revoke or rotate it first; removing it does not un-leak it (leakwarden guide {finding.rule_id}).",
    ]
    failure = ET.SubElement(
        case, "failure", message=xml_text(f"{name} found: {secret}"), type=xml_text(finding.rule_id)
    )
    failure.text = "\n".join(xml_text(line) for line in lines)


def render_junit(result: ScanResult, catalog: Catalog, show_secrets: bool = False) -> str:
    findings = len(result.findings)
    time = f"{result.summary.duration_s:.3f}"
    suites = ET.Element(
        "testsuites", name=SUITE, tests=str(max(findings, 1)), failures=str(findings), time=time
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=SUITE,
        tests=str(max(findings, 1)),
        failures=str(findings),
        errors="0",
        skipped="0",
        time=time,
    )
    for finding in result.findings:
        _case(suite, finding, catalog, show_secrets)
    if not result.findings:
        target = xml_text(result.target) if result.target else "scan"
        ET.SubElement(
            suite, "testcase", classname=SUITE, name=f"no leaked credentials in {target}", time=time
        )
    if result.summary.notes:
        out = ET.SubElement(suite, "system-out")
        out.text = "\n".join(xml_text(f"note: {note}") for note in result.summary.notes)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
