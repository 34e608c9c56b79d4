"""The vocabulary every layer shares: blobs, where they were seen, matches and findings.

Standard library only. Everything here is immutable data; behaviour lives in the layers above.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FINGERPRINT_VERSION = "v1"
FINGERPRINT_LENGTH = 40  # hex digits of a finding's fingerprint; reports may show a prefix
# How many decodings of encoded content a scan stacks by default (base64 in JSON escapes...),
# and at most; 0 turns decoding off. Here so that configuration and `expand` share them.
DEFAULT_DECODE_DEPTH = 2
MAX_DECODE_DEPTH = 8


class Confidence(enum.IntEnum):
    """How sure a rule is that a match is a real credential (ordered: low < medium < high)."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, value: str) -> Confidence:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown confidence {value!r} (expected low, medium or high)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class FileProvenance:
    """The blob is the content of a file on disk."""

    path: str
    kind: str = "file"


@dataclass(frozen=True, slots=True)
class StdinProvenance:
    """The blob was read from standard input; `label` is what reports show as its path."""

    label: str = "<stdin>"
    kind: str = "stdin"

    @property
    def path(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class CommitProvenance:
    """The blob is the version of `path` that `commit` introduced: the first such commit in
    topological order. `other_commits` lists (up to a limit) the other commits that introduced
    the same blob at the same path, on other branches say; `other_commit_count` counts them all."""

    path: str
    commit: str
    author_name: str = ""
    author_email: str = ""
    date: str = ""
    subject: str = ""
    kind: str = "commit"
    other_commits: tuple[str, ...] = ()
    other_commit_count: int = 0


@dataclass(frozen=True, slots=True)
class StagedProvenance:
    """The blob is the index (staged) version of `path`."""

    path: str
    kind: str = "staged"


@dataclass(frozen=True, slots=True)
class GitObjectProvenance:
    """A blob of a repository's object database that no scanned commit introduces: a dangling
    blob, or one a tag names directly. `path` is the name git listed it under, when it had one."""

    path: str
    kind: str = "git-object"


def short_digest(digest: str) -> str:
    """`sha256:` and the first 12 hex digits: enough to tell layers apart in a display path."""
    algorithm, _, hexdigits = digest.partition(":")
    return f"{algorithm}:{hexdigits[:12]}" if hexdigits else digest[:19]


@dataclass(frozen=True, slots=True)
class ImageLayerProvenance:
    """A file inside one layer of a container image (OCI layout or `docker save` archive).

    `layer_index` counts from 0, the base layer; `history_step` is the `created_by` of the
    Dockerfile step that made the layer. When a later layer deleted the file (a whiteout) or
    replaced it, `hidden_by_index` and the fields after it say which layer and step did, and
    how: the file is no longer in the container's filesystem but still ships in the image,
    and anyone who pulls the image can read it from the layer that added it."""

    image: str  # the reference as given (a tag when the image names one, else the file name)
    digest: str  # of the manifest
    platform: str  # os/architecture[/variant], "" when the image does not say
    layer_digest: str
    layer_index: int
    layer_path: str
    history_step: str = ""
    hidden_by_index: int | None = None
    hidden_by_digest: str = ""
    hidden_by_step: str = ""
    hidden_how: str = ""  # "deleted by a whiteout", "deleted by an opaque whiteout of DIR/", "overwritten"
    kind: str = "image-layer"

    @property
    def path(self) -> str:
        return f"{self.image}@{short_digest(self.digest)}!layer {self.layer_index}!{self.layer_path}"

    @property
    def deleted_but_shipped(self) -> bool:
        return self.hidden_by_index is not None

    @property
    def note(self) -> str:
        """What a reader must be told about a hidden file, in one sentence ("" when not hidden)."""
        if self.hidden_by_index is None:
            return ""
        return (
            f"{self.hidden_how} in layer {self.hidden_by_index}, but still shipped in layer "
            f"{self.layer_index}: deleting a file in a later step does not remove it from the image"
        )


@dataclass(frozen=True, slots=True)
class ImageConfigProvenance:
    """Text from an image's metadata: the config (`Env`, `Labels`, `Cmd`, `Entrypoint`,
    `history[].created_by`, where Dockerfile ARG and ENV values end up) or the annotations
    of a manifest or index. `field` names the value, e.g. `Env[2]` or `history[4].created_by`."""

    image: str
    digest: str  # of the manifest (of the index, for index annotations)
    platform: str
    document: str  # "config", "manifest" or "index"
    field: str
    history_step: str = ""  # for history fields: the step's created_by
    kind: str = "image-config"

    @property
    def path(self) -> str:
        return f"{self.image}@{short_digest(self.digest)}!{self.document}!{self.field}"


Provenance = (
    FileProvenance
    | StdinProvenance
    | CommitProvenance
    | StagedProvenance
    | GitObjectProvenance
    | ImageLayerProvenance
    | ImageConfigProvenance
)


def git_blob_id(data: bytes) -> str:
    """The id git gives this content (`git hash-object`), so that sources can share one key."""
    digest = hashlib.sha1(b"blob %d\x00" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Blob:
    """Bytes to scan, with every place they were seen.

    `id` is git's blob id when the source knows it (git sources get it for free) and None when
    computing it would cost more than it saves (plain files); the scanner scans each distinct
    non-None id once.
    """

    data: bytes
    provenance: tuple[Provenance, ...]
    id: str | None = None
    # A piece of a stream too long to hold at once: the lines before it, and the byte range
    # whose matches it reports (the rest overlaps the next piece, which reports them).
    line_base: int = 0
    owned: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One hit of one rule in one blob: byte span of the whole match and of the secret."""

    rule_id: str
    secret: str
    start: int
    end: int
    secret_start: int
    secret_end: int
    captures: Mapping[str, str] = field(default_factory=dict)
    # Paired credentials: every half by its role name, e.g. {"access_key_id": ..., "secret": ...}.
    parts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Location:
    """Line and column (1-based, columns in characters) of a span within a blob."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a finding's secret was seen."""

    provenance: Provenance
    location: Location
    blob_id: str | None
    captures: Mapping[str, str] = field(default_factory=dict)
    # The decodings the secret was found under, outermost first (("base64", "gzip")); the
    # location is always that of the encoded text in the provenance's file.
    decoding: tuple[str, ...] = ()
    # Why a marker on this line did not allow it (e.g. our allow marker without a reason).
    note: str = ""


def fingerprint(rule_id: str, secret: str, parts: Mapping[str, str] | None = None) -> str:
    """Stable id of a finding: depends on the rule and the secret only, never on where it is."""
    material = secret if not parts else "\x1f".join(f"{k}={parts[k]}" for k in sorted(parts))
    digest = hashlib.sha256(f"leakwarden:{FINGERPRINT_VERSION}\x00{rule_id}\x00{material}".encode())
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


@dataclass(slots=True)
class Finding:
    """A distinct (rule, secret) pair with every place it occurs."""

    rule_id: str
    secret: str
    confidence: Confidence
    parts: Mapping[str, str]
    occurrences: list[Occurrence]
    verdict: Verdict | None = None  # set by `scan --verify`: what the issuing provider said

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule_id, self.secret, self.parts)


class VerdictStatus:
    LIVE = "live"  # the provider accepted it (perhaps without the right to read what was asked)
    DEAD = "dead"  # the provider refused it as unknown, revoked or expired
    UNKNOWN = "unknown"  # an answer that says neither (rate limited, provider error, unexpected)
    NOT_CHECKABLE = "not checkable"  # no check for this type, or a value the check needs is missing
    ERROR = "error"  # no answer at all (network, timeout, TLS)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the issuing provider said of a credential when asked, never the credential itself."""

    status: str  # one of VerdictStatus
    reason: str = ""
    checked_at: str = ""  # ISO 8601, UTC
    host: str = ""  # who was asked
    http_status: int = 0
    identity: Mapping[str, str] = field(default_factory=dict)  # account, user, key name, scopes, expiry


# Skips that are a setting doing its job, not a failure to read what was asked: with nothing
# else to scan, a commit or push made only of these has nothing to scan (exit 0), while a
# command aimed at them scanned nothing (exit 2).
CHOSEN_SKIPS = frozenset({"binary", "symlink", "not a regular file"})
# Skips that mean part of a repository could not be read: no clean result can be claimed.
_UNREADABLE = frozenset({"corrupt object", "unreadable object", "missing object", "unreadable history"})
# The same for a container image: a layer that could not be read in full.
_UNREADABLE_IMAGE = frozenset({"corrupt layer", "missing layer", "unreadable image"})


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something a source could not or would not scan, with the reason users see."""

    path: str
    reason: str
    detail: str = ""

    @property
    def lost(self) -> bool:
        """Part of a repository that could not be read (an object a partial clone never
        fetched is absent by design, not lost)."""
        if self.reason in _UNREADABLE_IMAGE:
            return True
        return self.reason in _UNREADABLE and "partial clone" not in self.detail


@dataclass(frozen=True, slots=True)
class SuppressedItem:
    """A finding (or one place of it) deliberately not reported, and why: an inline allow
    comment, the ignore file, the baseline or an allowlist."""

    rule_id: str
    fingerprint: str
    path: str
    line: int
    kind: str  # inline, ignore file, baseline, allow_paths, allow_secrets
    reason: str = ""


@dataclass(slots=True)
class ScanSummary:
    """What a scan covered: counts users need to trust a clean result."""

    blobs: int = 0
    bytes: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    duration_s: float = 0.0
    engine: str = ""
    rules: int = 0
    notes: list[str] = field(default_factory=list)
    suppressed: list[SuppressedItem] = field(default_factory=list)
    # `scan --verify`: findings by verdict status, before `--only-live` set any aside; empty when
    # nothing was verified.
    verified: dict[str, int] = field(default_factory=dict)
    decode_depth: int = 0  # how deep encoded content was decoded (0: not at all)
    decoded_pieces: int = 0  # derived pieces scanned (decoded runs, decompressed streams...)
    decoded_bytes: int = 0
    decoded_findings: int = 0  # findings seen only in decoded content

    def skipped_by_reason(self) -> dict[str, int]:
        return _count(item.reason for item in self.skipped)

    @property
    def nothing_scanned(self) -> bool:
        """Every input was skipped: no result can be claimed (an empty input is not this)."""
        return self.blobs == 0 and bool(self.skipped)

    @property
    def incomplete(self) -> bool:
        """Part of a repository could not be read (see `Skipped.lost`)."""
        return any(item.lost for item in self.skipped)

    def untrusted(self, chosen_skips_count: bool = True) -> str | None:
        """Why a scan without findings is not a clean result, in one line; None when it is.
        `chosen_skips_count=False` (commits and pushes): binaries, symlinks and special files
        are nothing to scan, not a failure to scan."""
        if self.incomplete:
            lost = _count(item.reason for item in self.skipped if item.lost)
            what = "the image" if all(reason in _UNREADABLE_IMAGE for reason in lost) else "the history"
            return f"part of {what} could not be read (" + _counts(lost) + ")"
        skipped = [s for s in self.skipped if chosen_skips_count or s.reason not in CHOSEN_SKIPS]
        if self.blobs == 0 and skipped:
            return (
                "nothing was scanned: every input was skipped ("
                + _counts(_count(s.reason for s in skipped))
                + ")"
            )
        return None

    def suppressed_by_kind(self) -> dict[str, int]:
        return _count(item.kind for item in self.suppressed)


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in counts.items())


def _count(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


@dataclass(slots=True)
class ScanResult:
    findings: list[Finding]
    summary: ScanSummary
    target: str = ""
