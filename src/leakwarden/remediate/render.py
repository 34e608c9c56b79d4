"""Render guides as Markdown, plain or rich text, and JSON.

Every string that comes from scanned content (paths, variable names, commit subjects, authors)
is defanged before it reaches a terminal: control characters and bidirectional overrides become
visible escapes. Markdown puts such strings in code spans.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from leakwarden.remediate.model import Block, Guide, Place, Related
from leakwarden.remediate.templates import LANGUAGES

GUIDE_SCHEMA_VERSION = "1.0"
WIDTH = 100
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """The same defanging as the reports' `safe` (reports sit above this layer)."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


def _code_span(text: str) -> str:
    text = safe(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _place_line(place: Place) -> str:
    where = f"{place.path}:{place.line}:{place.column}"
    extra = [place.category]
    if place.commit:
        extra.append(
            f"commit {place.commit[:12]}"
            + (f" by {place.author}" if place.author else "")
            + (f" on {place.date}" if place.date else "")
        )
    if place.variables:
        extra.append("bound to " + ", ".join(place.variables))
    return safe(f"{where} ({'; '.join(extra)})")


def _related_line(item: Related) -> str:
    hint = "" if item.certain else " (same redacted prefix: probably the same key)"
    return safe(f"{item.rule_id} {item.fingerprint[:16]} at {', '.join(item.places)}{hint}")


# --- Markdown -------------------------------------------------------------------------------------


def _md_block(block: Block) -> list[str]:
    out: list[str] = []
    if block.title and block.kind != "snippets":
        out += [f"**{block.title}**", ""]
    if block.kind == "paragraph":
        out += [block.text, ""]
    elif block.kind in ("steps", "items"):
        ordered = block.kind == "steps"
        out += [f"{f'{i}.' if ordered else '-'} {item}" for i, item in enumerate(block.items, 1)] + [""]
    elif block.kind == "places":
        out += [
            "| Where | Kind | Commit | Author | Date | Bound to |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for p in block.places:
            row = [
                _code_span(f"{p.path}:{p.line}:{p.column}"),
                _cell(p.category),
                _code_span(p.commit[:12]) if p.commit else "",
                _cell(safe(p.author)),
                _cell(safe(p.date)),
                ", ".join(_code_span(v) for v in p.variables),
            ]
            out.append("| " + " | ".join(_cell(c) for c in row) + " |")
        out.append("")
    elif block.kind == "related":
        out += [f"- {_code_span(_related_line(r))}" for r in block.related] + [""]
    elif block.kind == "snippets":
        out += [f"### {block.title}", ""]
        for snippet in block.snippets:
            out += [f"**{LANGUAGES[snippet.language]}** ({snippet.library})", "", f"```{snippet.language}"]
            out += [snippet.code.rstrip("\n"), "```", ""]
    return out


def render_markdown(guides: Sequence[Guide]) -> str:
    out: list[str] = []
    for guide in guides:
        out += [f"# {guide.title}", ""]
        meta = f"Rule `{guide.rule_id}` · {guide.provider_name} · guide data {guide.completeness.score} items"
        if guide.finding is not None:
            meta += f" · finding `{guide.finding.fingerprint}`"
        out += [f"> {meta}", "", "**First steps**", ""]
        out += [f"{i}. {step}" for i, step in enumerate(guide.first_steps, 1)] + [""]
        for section in guide.sections:
            number = f"{section.number}. " if section.number else ""
            out += [f"## {number}{section.title}", ""]
            for block in section.blocks:
                out += _md_block(block)
        out += ["---", ""]
    return "\n".join(out).rstrip("-\n") + "\n"


# --- plain text -----------------------------------------------------------------------------------


_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def _unbold(text: str) -> str:
    """Markdown emphasis means nothing in plain text; code spans (redacted `SCWF****`) keep theirs."""
    pieces = re.split(r"(`[^`]*`)", text)
    return "".join(piece if piece.startswith("`") else _BOLD.sub(r"\1", piece) for piece in pieces)


def _wrap(text: str, indent: str, first: str = "") -> list[str]:
    text = _unbold(text)
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent + first, subsequent_indent=indent + " " * len(first),
        break_long_words=False, break_on_hyphens=False,
    ) or [indent + first]  # fmt: skip


def _plain_block(block: Block) -> list[str]:
    out: list[str] = []
    if block.title and block.kind != "snippets":
        out.append(f"  {block.title}:")
    if block.kind == "paragraph":
        out += _wrap(safe(block.text), "  ")
    elif block.kind in ("steps", "items"):
        for i, item in enumerate(block.items, 1):
            out += _wrap(safe(item), "  ", f"{i}. " if block.kind == "steps" else "- ")
    elif block.kind == "places":
        out += [line for p in block.places for line in _wrap(_place_line(p), "  ", "- ")]
    elif block.kind == "related":
        out += [line for r in block.related for line in _wrap(_related_line(r), "  ", "- ")]
    elif block.kind == "snippets":
        for snippet in block.snippets:
            out.append(f"  {block.title} · {LANGUAGES[snippet.language]} ({snippet.library})")
            out += [f"    {line}".rstrip() for line in snippet.code.rstrip("\n").split("\n")]
            out.append("")
    return [*out, ""] if block.kind != "snippets" else out


def render_plain(guides: Sequence[Guide]) -> str:
    out: list[str] = []
    for guide in guides:
        out += [guide.title, "=" * min(len(guide.title), WIDTH)]
        meta = f"rule {guide.rule_id} · {guide.provider_name} · guide data {guide.completeness.score} items"
        if guide.finding is not None:
            meta += f" · finding {guide.finding.fingerprint}"
        out += [meta, "", "First steps:"]
        for i, step in enumerate(guide.first_steps, 1):
            out += _wrap(step, "  ", f"{i}. ")
        out.append("")
        for section in guide.sections:
            heading = f"{section.number}. {section.title}" if section.number else section.title
            out += [heading, "-" * len(heading)]
            for block in section.blocks:
                out += _plain_block(block)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render_text(guides: Sequence[Guide], color: bool = False) -> str:
    """Plain text; on a terminal (`color`), the Markdown rendering through rich."""
    if not color:
        return render_plain(guides)
    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    # The caller decided (NO_COLOR, --color): rich must not re-read NO_COLOR or TERM.
    console = Console(
        file=buffer,
        force_terminal=True,
        no_color=False,
        color_system="standard",
        width=WIDTH,
        highlight=False,
    )
    console.print(Markdown(render_markdown(guides), code_theme="ansi_dark", hyperlinks=False))
    return buffer.getvalue()


# --- JSON -----------------------------------------------------------------------------------------


def guide_dict(guide: Guide) -> dict[str, Any]:
    data = asdict(guide)
    data["completeness"] = {
        "score": guide.completeness.score,
        "status": guide.completeness.status,
        "present": list(guide.completeness.present),
        "missing": list(guide.completeness.missing),
        "required_missing": list(guide.completeness.required_missing),
        "missing_fields": list(guide.completeness.missing_fields),
    }
    return data


def render_json(guides: Sequence[Guide]) -> str:
    document = {"schema_version": GUIDE_SCHEMA_VERSION, "guides": [guide_dict(g) for g in guides]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render(guides: Sequence[Guide], fmt: str, color: bool = False) -> str:
    if fmt == "md":
        return render_markdown(guides)
    if fmt == "json":
        return render_json(guides)
    return render_text(guides, color)


# --- the list of guides ---------------------------------------------------------------------------


def render_list(guides: Sequence[Guide], fmt: str) -> str:
    """Which credential types have a guide and how complete each one's data is."""
    rows = [
        {
            "rule_id": g.rule_id,
            "name": g.rule_name,
            "provider": g.provider,
            "score": g.completeness.score,
            "status": g.completeness.status,
            "missing": list(g.completeness.missing),
            "required_missing": list(g.completeness.required_missing),
            "missing_fields": list(g.completeness.missing_fields),
        }
        for g in guides
    ]
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        out = ["| Rule | Provider | Guide data | Status | Missing |", "| --- | --- | --- | --- | --- |"]
        out += [
            f"| `{r['rule_id']}` | {r['provider']} | {r['score']} | {r['status']} | "
            f"{', '.join(f'`{m}`' for m in r['missing_fields'])} |"
            for r in rows
        ]
        return "\n".join(out) + "\n"
    width = max((len(str(r["rule_id"])) for r in rows), default=10)
    out = [
        f"{r['rule_id']:<{width}}  {r['score']:>5}  {r['status']:<10}  "
        + (f"needs {', '.join(r['required_missing'])}; " if r["required_missing"] else "")
        + (("missing: " + ", ".join(r["missing_fields"])) if r["missing_fields"] else "")
        for r in rows
    ]
    return "\n".join(line.rstrip() for line in out) + "\n"
