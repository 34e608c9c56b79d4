"""What a developer reads after a blocked commit: where, what, the redacted secret, what next."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from leakwarden.model import (
    Finding,
    ImageConfigProvenance,
    ImageLayerProvenance,
    ScanResult,
    ScanSummary,
    VerdictStatus,
    short_digest,
)
from leakwarden.reports.common import (
    count_of,
    decoding_note,
    decoding_summary,
    display,
    display_parts,
    human_size,
    safe,
    verdict_line,
)
from leakwarden.rules.catalog import Catalog

_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}
_VERDICT_STYLE = {VerdictStatus.LIVE: "bold red", VerdictStatus.DEAD: "green"}
MAX_LISTED_OCCURRENCES = 5


def _finding(finding: Finding, catalog: Catalog, show: bool) -> Text:
    rule = catalog.get(finding.rule_id)
    first = finding.occurrences[0]
    text = Text()
    text.append(safe(f"{first.provenance.path}:{first.location.line}:{first.location.column}"), "bold")
    if first.decoding:
        text.append(safe(decoding_note(first)), "bold")
    text.append("  ")
    text.append(safe(rule.name if rule else finding.rule_id))
    text.append(f"  [{finding.confidence.label}]", _STYLE[finding.confidence.label])
    text.append("\n  secret  ")
    text.append(safe(display(finding.secret, show)), "magenta")
    for role, value in display_parts(finding.parts, show).items():
        text.append(f"  {role}=", "dim")
        text.append(safe(value), "magenta")
    commit = getattr(first.provenance, "commit", None)
    if commit:
        who = getattr(first.provenance, "author_name", "")
        when = getattr(first.provenance, "date", "")
        text.append("\n  commit  " + safe(f"{commit[:12]} {who} {when}".rstrip()))
    _image_lines(text, first.provenance)
    captures = {k: v for o in finding.occurrences[:1] for k, v in o.captures.items()}
    if captures:
        text.append("\n  context " + " ".join(safe(f"{k}={v}") for k, v in captures.items()), "dim")
    if first.note:
        text.append("\n  note    " + safe(first.note), "yellow")
    text.append(f"\n  rule    {safe(finding.rule_id)} · fingerprint {finding.fingerprint[:16]}", "dim")
    verdict = finding.verdict
    if verdict is not None:
        text.append("\n  verdict ")
        text.append(verdict_line(verdict), _VERDICT_STYLE.get(verdict.status, "yellow"))
    revoke = rule.playbook.revoke_at if rule else ""
    text.append("\n  next    ", "green")
    if verdict is not None and verdict.status == VerdictStatus.DEAD:
        text.append(
            "The provider refused it: confirm it was revoked, check its use while it was live, then remove "
            f"it from the code: leakwarden guide {finding.rule_id}"
        )
    else:
        live = verdict is not None and verdict.status == VerdictStatus.LIVE
        text.append(
            ("It is live: rotate it now" if live else "Rotate it now")
            + (f", revoke it {safe(revoke)}" if revoke else "")
            + (
                ", then rebuild the image without it (a build secret mount, not ARG/ENV/COPY): "
                if isinstance(first.provenance, ImageLayerProvenance | ImageConfigProvenance)
                else ", then remove it from the code: "
            )
            + f"leakwarden guide {finding.rule_id}"
        )
    others = finding.occurrences[1:]
    for occ in others[:MAX_LISTED_OCCURRENCES]:
        text.append(
            "\n  also at "
            + safe(f"{occ.provenance.path}:{occ.location.line}:{occ.location.column}{decoding_note(occ)}"),
            "dim",
        )
        if occ.note:
            text.append(safe(f" ({occ.note})"), "yellow")
    if len(others) > MAX_LISTED_OCCURRENCES:
        more = len(others) - MAX_LISTED_OCCURRENCES
        text.append(f"\n  … and {more} more place{'s' if more != 1 else ''}", "dim")
    return text


def _image_lines(text: Text, prov: object) -> None:
    if isinstance(prov, ImageLayerProvenance):
        where = f"{prov.layer_index} {short_digest(prov.layer_digest)}" + (
            f" {prov.platform}" if prov.platform else ""
        )
        text.append("\n  layer   " + safe(where + (f": {prov.history_step}" if prov.history_step else "")))
        if prov.hidden_by_index is not None:
            text.append("\n  hidden  " + safe(prov.note), "bold yellow")
            if prov.hidden_by_step:
                text.append("\n          by step " + safe(prov.hidden_by_step), "yellow")
    elif isinstance(prov, ImageConfigProvenance) and prov.platform:
        text.append("\n  image   " + safe(f"{prov.image} {prov.platform}"))


def summary_line(summary: ScanSummary, findings: int) -> str:
    line = (
        f"scanned {count_of(summary.blobs, 'blob')}, {human_size(summary.bytes)} in {summary.duration_s:.2f}s"
    )
    if summary.bytes and summary.duration_s > 0:
        line += f" ({human_size(summary.bytes / summary.duration_s)}/s)"
    line += f"; {count_of(findings, 'finding')}"
    if summary.verified:
        line += "; verified: " + ", ".join(f"{n} {status}" for status, n in summary.verified.items())
    decoded = decoding_summary(summary)
    if decoded:
        line += "; " + decoded
    skipped = summary.skipped_by_reason()
    if skipped:
        line += "; skipped " + ", ".join(f"{n} {reason}" for reason, n in skipped.items())
    suppressed = {kind: n for kind, n in summary.suppressed_by_kind().items() if kind != "baseline"}
    if suppressed:
        line += "; set aside " + ", ".join(f"{n} by {kind}" for kind, n in suppressed.items())
    hidden = len({item.fingerprint for item in summary.suppressed if item.kind == "baseline"})
    if hidden:
        line += f"; the baseline hid {hidden} finding{'s' if hidden != 1 else ''}"
    problem = summary.untrusted()
    if problem:
        line += f"; {problem}"
    return safe(line)


def render_text(result: ScanResult, catalog: Catalog, show_secrets: bool = False, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,  # the caller decided: rich must not re-read TERM
        highlight=False,
        width=120,
        soft_wrap=True,
    )
    for finding in result.findings:
        console.print(_finding(finding, catalog, show_secrets))
        console.print()
    if result.findings:
        console.print(
            Text(
                "A leaked credential stays leaked after it is removed: revoke or rotate it first. "
                "To accept a finding on purpose, add `leakwarden:allow` with a reason on its line.",
                "bold",
            )
        )
    elif result.summary.incomplete:  # not a clean result: say so where "clean" would be
        problem = result.summary.untrusted()
        console.print(
            Text(safe(f"No leaked credentials found in what could be read, but {problem}."), "bold yellow")
        )
    elif result.summary.nothing_scanned:
        problem = result.summary.untrusted() or ""
        console.print(Text(safe(problem[:1].upper() + problem[1:] + "."), "bold yellow"))
    else:
        console.print(Text("No leaked credentials found.", "green"))
    for note in result.summary.notes:
        console.print(Text(safe(f"note: {note}"), "yellow"))
    return buffer.getvalue()
