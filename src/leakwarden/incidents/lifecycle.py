"""An incident's life, as pure rules: which action moves which state where.

One incident per distinct credential (its fingerprint; a pair is one). `open` → `assigned` →
`resolved` (with a reason) or `ignored`; `reopen` brings a closed one back. A resolved incident
reopens by itself when the credential shows up in a place it was not seen before, or when a
check finds it live after it was marked revoked — the two ways "closed" turns out not to be.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN, ASSIGNED, RESOLVED, IGNORED = "open", "assigned", "resolved", "ignored"
STATES = (OPEN, ASSIGNED, RESOLVED, IGNORED)
REASONS = ("revoked", "rotated", "false_positive", "test_credential", "accepted_risk")
ACTIONS = ("assign", "resolve", "ignore", "reopen", "note")

_MOVES = {
    "assign": ({OPEN, ASSIGNED}, ASSIGNED),
    "resolve": ({OPEN, ASSIGNED}, RESOLVED),
    "ignore": ({OPEN, ASSIGNED}, IGNORED),
    "reopen": ({RESOLVED, IGNORED}, OPEN),
}


class TransitionError(ValueError):
    """An action the incident's state does not allow (e.g. resolving what is already resolved)."""


@dataclass(frozen=True, slots=True)
class Change:
    """What an action does: the state after it and the event that records it."""

    state: str
    kind: str
    resolution: str | None
    assignee: str | None
    note: str


def apply(
    state: str,
    action: str,
    *,
    resolution: str | None = None,
    assignee: str | None = None,
    current_resolution: str | None = None,
    current_assignee: str | None = None,
    note: str = "",
) -> Change:
    if action == "note":
        if not note.strip():
            raise TransitionError("a note needs text")
        return Change(state, "note", current_resolution, current_assignee, note)
    if action not in _MOVES:
        raise TransitionError(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    allowed, after = _MOVES[action]
    if state not in allowed:
        raise TransitionError(f"cannot {action} an incident that is {state}")
    if action == "resolve":
        if resolution not in REASONS:
            raise TransitionError(f"resolve needs a reason: {', '.join(REASONS)}")
        return Change(after, "resolved", resolution, current_assignee, note)
    if action == "assign":
        if not assignee or not assignee.strip():
            raise TransitionError("assign needs someone to assign it to")
        return Change(after, "assigned", None, assignee.strip(), note)
    if action == "ignore":
        return Change(after, "ignored", None, current_assignee, note)
    return Change(after, "reopened", None, current_assignee, note)


def reopens_on_new_place(state: str) -> bool:
    return state == RESOLVED


def reopens_on_live(state: str, resolution: str | None) -> bool:
    return state == RESOLVED and resolution == "revoked"
