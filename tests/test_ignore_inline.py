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
