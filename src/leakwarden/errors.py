"""Errors users can act on. Each maps to exit code 2 at the CLI; anything else is a bug (128)."""

from __future__ import annotations


class LeakwardenError(Exception):
    """Base of every error caused by the user's input rather than by a bug."""


class RuleError(LeakwardenError):
    """A rule file is malformed: names the file, the rule id and the field."""

    def __init__(self, source: str, rule_id: str | None, field: str | None, reason: str) -> None:
        self.source = source
        self.rule_id = rule_id
        self.field = field
        self.reason = reason
        where = source
        if rule_id:
            where += f": rule {rule_id}"
        if field:
            where += f": field {field}"
        super().__init__(f"{where}: {reason}")


class ConfigError(LeakwardenError):
    """A configuration value is invalid: names the file, the key and the reason."""


class InputError(LeakwardenError):
    """A scan target cannot be used at all (missing path, not a repository, bad range...)."""
