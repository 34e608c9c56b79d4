"""The one place that decides whether output is coloured, for every command that can colour it.

`--color always|never` wins. With `auto` (the default) the environment speaks next: `NO_COLOR`
set to anything but the empty string turns colour off (https://no-color.org/), then `FORCE_COLOR`
set to anything but the empty string turns it on even through a pipe (https://force-color.org/);
NO_COLOR is asked first so that a user's standing "no colour" is never overridden by a variable a
CI system happened to export. Otherwise colour goes only to a terminal that is not `TERM=dumb`,
and never into a file written with --output."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import IO, Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
CHOICES = ("auto", "always", "never")


def use_color(
    choice: str, stream: IO[str], *, to_file: bool = False, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether text written to `stream` (or to a file, `to_file`) should carry colour."""
    if to_file or choice == "never":
        return False
    if choice == "always":
        return True
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM", "") != "dumb"


def color_option(func: F) -> F:
    return click.option(
        "--color",
        "color",
        type=click.Choice(CHOICES),
        default="auto",
        show_default=True,
        help="Colour the text output: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces "
        "it), always or never. Never into a file (--output).",
    )(func)
