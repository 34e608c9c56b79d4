"""Incidents from open to closed: the lifecycle rules (pure) that `store` applies."""

from leakwarden.incidents.lifecycle import (
    ACTIONS,
    REASONS,
    STATES,
    Change,
    TransitionError,
    apply,
    reopens_on_live,
    reopens_on_new_place,
)

__all__ = [
    "ACTIONS",
    "REASONS",
    "STATES",
    "Change",
    "TransitionError",
    "apply",
    "reopens_on_live",
    "reopens_on_new_place",
]
