from __future__ import annotations

import pytest

from leakwarden.ignore.inline import allow_reason

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
        (b"key: SCWFSJWESQRAQJXM9X4O # LEAKWARDEN:ALLOW", "leakwarden:allow"),
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
