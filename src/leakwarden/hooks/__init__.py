"""Git hooks: installing them beside (never over) a user's own hooks, and what each one does
when git runs it — pre-commit scans the staged changes, pre-push exactly the commits being
pushed, pre-receive (on a server) the objects a push brings, within a time budget.

An entry point like `cli`: the command line parses, this package decides what to scan and
says what to do about a blocked commit or push."""

from __future__ import annotations

PRE_COMMIT = "pre-commit"
PRE_PUSH = "pre-push"
PRE_RECEIVE = "pre-receive"
KINDS = (PRE_COMMIT, PRE_PUSH, PRE_RECEIVE)
