from __future__ import annotations

import pytest

from leakwarden.ignore import inline
from leakwarden.ignore.inline import BARE_MARKER, allow_reason, allow_reasons

SECRET = b"SCWFSJWESQRAQJXM9X4O"


def _span(text: bytes) -> tuple[int, int]:
    start = text.index(SECRET)
    return start, start + len(SECRET)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            b'key = "SCWFSJWESQRAQJXM9X4O"  # leakwarden:allow test fixture, revoked 2026-01',
            "leakwarden:allow: test fixture, revoked 2026-01",
        ),
        (b"key: SCWFSJWESQRAQJXM9X4O # LEAKWARDEN:ALLOW: fixture", "leakwarden:allow: fixture"),
        (
            b'const k = "SCWFSJWESQRAQJXM9X4O"; /* leakwarden:allow: docs sample */',
            "leakwarden:allow: docs sample",
        ),
        (b'k = "SCWFSJWESQRAQJXM9X4O" # gitleaks:allow', "gitleaks:allow"),
        (b'k = "SCWFSJWESQRAQJXM9X4O" # pragma: allowlist secret', "pragma: allowlist secret"),
        (b'k = "SCWFSJWESQRAQJXM9X4O" // ggignore', "ggignore"),
        (b'k = "SCWFSJWESQRAQJXM9X4O" # kingfisher:ignore', "kingfisher:ignore"),
        (
            b"# pragma: allowlist nextline secret\nk = 'SCWFSJWESQRAQJXM9X4O'",
            "pragma: allowlist nextline secret",
        ),
    ],
)
def test_allowed(text: bytes, reason: str) -> None:
    assert allow_reason(text, *_span(text)) == reason


@pytest.mark.parametrize(
    "text",
    [
        b'k = "SCWFSJWESQRAQJXM9X4O"',
        b"# leakwarden:allow\nk = 'SCWFSJWESQRAQJXM9X4O'",  # the comment must be on the line itself
        b"k = 'SCWFSJWESQRAQJXM9X4O'\n# gitleaks:allow",
    ],
)
def test_not_allowed(text: bytes) -> None:
    assert allow_reason(text, *_span(text)) is None


def test_multi_line_key_allowed_on_its_end_line() -> None:
    text = (
        b"-----BEGIN KEY-----\nSCWFSJWESQRAQJXM9X4O\n-----END KEY----- # leakwarden:allow throwaway test key"
    )
    assert allow_reason(text, 0, len(text)) == "leakwarden:allow: throwaway test key"


def test_on_a_very_long_line_only_the_text_near_the_span_is_searched() -> None:
    from leakwarden.ignore import inline

    filler = b"a=1;" * (inline.WINDOW // 2)  # 2 x WINDOW bytes of minified code
    near = filler + b'k="SCWFSJWESQRAQJXM9X4O"; // leakwarden:allow sample\n'
    assert allow_reason(near, *_span(near)) == "leakwarden:allow: sample"
    far = b'k="SCWFSJWESQRAQJXM9X4O";' + filler + b"// leakwarden:allow too far away\n"
    assert allow_reason(far, *_span(far)) is None


def test_the_searched_window_is_bounded_on_a_huge_line() -> None:
    from leakwarden.ignore import inline

    data = b"x" * (20 * inline.WINDOW) + SECRET + b"y" * (20 * inline.WINDOW)
    start, _end = _span(data)
    lo, hi = inline._line_bounds(data, start)
    assert start - lo == inline.WINDOW
    assert hi - start == inline.WINDOW


def test_nextline_pragma_needs_a_real_previous_line() -> None:
    from leakwarden.ignore import inline

    # the pragma sits earlier on the same (very long) line, not on the line before
    data = b"# pragma: allowlist nextline secret " + b"x" * (2 * inline.WINDOW) + SECRET + b"\n"
    assert allow_reason(data, *_span(data)) is None
    data = b"# pragma: allowlist nextline secret\nk = " + SECRET + b"\n"
    assert allow_reason(data, *_span(data)) == "pragma: allowlist nextline secret"


@pytest.mark.parametrize(
    "text",
    [
        b'k = "SCWFSJWESQRAQJXM9X4O"  # leakwarden:allow',
        b'k = "SCWFSJWESQRAQJXM9X4O"  # leakwarden:allow:   ',
        b'const k = "SCWFSJWESQRAQJXM9X4O"; /* leakwarden:allow */',
        b"<!-- leakwarden:allow -->\nSCWFSJWESQRAQJXM9X4O <!-- leakwarden:allow -->",
    ],
)
def test_our_marker_without_a_reason_allows_nothing_and_says_so(text: bytes) -> None:
    (decided,) = allow_reasons(text, [_span(text)])
    assert decided.reason is None
    assert decided.note == BARE_MARKER


def test_a_peer_marker_beside_a_bare_one_still_allows() -> None:
    text = b'k = "SCWFSJWESQRAQJXM9X4O"  # leakwarden:allow gitleaks:allow'
    # the reason of ours is then "gitleaks:allow": it reads as one
    assert allow_reason(text, *_span(text)) == "leakwarden:allow: gitleaks:allow"
    text = b'k = "SCWFSJWESQRAQJXM9X4O"  # leakwarden:allow */ // gitleaks:allow'
    assert allow_reason(text, *_span(text)) is not None


def _line_of_spans(count: int, marker_every: int) -> tuple[bytes, list[tuple[int, int]], list[bool]]:
    """One line: `count` secrets, a reasoned marker after every `marker_every`-th."""
    parts: list[bytes] = []
    spans: list[tuple[int, int]] = []
    marked: list[bool] = []
    offset = 0
    for i in range(count):
        piece = b'k="' + SECRET + b'"; '
        spans.append((offset + 3, offset + 3 + len(SECRET)))
        has = i % marker_every == 0
        if has:
            piece += b"/* leakwarden:allow fixture */ "
        parts.append(piece)
        offset += len(piece)
        marked.append(has)
    return b"".join(parts) + b"\n", spans, marked


def test_spans_decided_together_agree_with_each_alone() -> None:
    data, spans, _ = _line_of_spans(60, marker_every=25)
    data = b"x" * (3 * inline.WINDOW) + data  # far from the first marker too
    spans = [(s + 3 * inline.WINDOW, e + 3 * inline.WINDOW) for s, e in spans]
    together = [d.reason for d in allow_reasons(data, spans)]
    alone = [allow_reason(data, s, e) for s, e in spans]
    assert together == alone
    assert together.count(None) < len(spans)  # some allowed, some not: the test tells them apart


class _Counting:
    """A compiled pattern that counts the bytes it is asked to search."""

    def __init__(self, pattern: object, tally: list[int]) -> None:
        self.pattern = pattern
        self.tally = tally

    def _count(self, data: bytes, pos: int = 0, endpos: int | None = None) -> None:
        self.tally.append((len(data) if endpos is None else min(endpos, len(data))) - pos)

    def search(self, data: bytes, *args: int) -> object:
        self._count(data, *args)
        return self.pattern.search(data, *args)  # type: ignore[attr-defined]

    def finditer(self, data: bytes, *args: int) -> object:
        self._count(data, *args)
        return self.pattern.finditer(data, *args)  # type: ignore[attr-defined]


def test_many_spans_on_one_long_line_search_it_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    data, spans, marked = _line_of_spans(5000, marker_every=1000)
    tally: list[int] = []
    for name in ("_OURS", "_PEERS", "_NEXTLINE"):
        monkeypatch.setattr(inline, name, _Counting(getattr(inline, name), tally))
    decided = allow_reasons(data, spans)
    # once per kind of marker, not a window per span: 5000 spans x 8 KiB would be 40 MB
    assert sum(tally) <= 3 * len(data)
    # the reason stops at the comment's closer, not at the end of the window
    assert all(decided[i].reason == "leakwarden:allow: fixture" for i, m in enumerate(marked) if m)
    assert all(decided[i].reason is None for i in range(500, 5000, 1000))  # 13 KB from any marker
