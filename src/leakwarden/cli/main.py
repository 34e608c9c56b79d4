"""The `leakwarden` command. Exit codes are a contract: 0 clean, 1 findings (or problems found),
2 usage or input error (one line on stderr saying what and where), 128 a bug."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from leakwarden import __version__

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BUG = 128


# Command name -> "module:attribute". Commands are imported when they are invoked (or listed),
# so `leakwarden rules list` or a hook does not pay for the reporters and guides it never uses.
_LAZY_COMMANDS = {
    "scan": "leakwarden.cli.scan_cmd:scan",
    "rules": "leakwarden.cli.rules_cmd:rules",
    "config": "leakwarden.cli.policy_cmd:config_group",
    "baseline": "leakwarden.cli.policy_cmd:baseline_group",
    "ignore": "leakwarden.cli.policy_cmd:ignore_command",
    "import": "leakwarden.cli.import_cmd:import_command",
    "fix": "leakwarden.cli.fix_cmd:fix",
    "guide": "leakwarden.cli.guide_cmd:guide",
    "remediate": "leakwarden.cli.guide_cmd:remediate",
    "hook": "leakwarden.cli.hook_cmd:hook_group",
    "verify": "leakwarden.cli.verify_cmd:verify",
    "revoke": "leakwarden.cli.verify_cmd:revoke",
    "incidents": "leakwarden.cli.incidents_cmd:incidents_group",
    "store": "leakwarden.cli.incidents_cmd:store_group",
    "inventory": "leakwarden.cli.inventory_cmd:inventory",
}


class FullHelpGroup(click.Group):
    """A group whose command list shows each command's first sentence whole, wrapped to the
    width, where click would cut it at 45 characters or so and end it with "..."."""

    SHORT_HELP_LIMIT = 300

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(self.SHORT_HELP_LIMIT)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _LazyGroup(FullHelpGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        _register()
        return sorted(self.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            if cmd_name in _LAZY_COMMANDS:
                _load(cmd_name)
            else:
                _register()
        return self.commands.get(cmd_name)


@click.group(
    cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="leakwarden")
def cli() -> None:
    """Find leaked credentials and see each incident through."""


def _load(name: str) -> None:
    from importlib import import_module

    module, attribute = _LAZY_COMMANDS[name].split(":")
    command = getattr(import_module(module), attribute)
    cli.add_command(command, name)


def _register() -> None:
    """Every command, loaded now (for help listings and the documentation test)."""
    for name in _LAZY_COMMANDS:
        if name not in cli.commands:
            _load(name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and map every outcome to the exit-code contract."""
    from leakwarden.errors import LeakwardenError

    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="leakwarden", standalone_mode=False
        )
    except click.exceptions.UsageError as exc:
        click.echo(f"leakwarden: error: {exc.format_message()}", err=True)
        if exc.ctx is not None:
            click.echo(f"Try '{exc.ctx.command_path} --help' for help.", err=True)
        return EXIT_USAGE
    except click.exceptions.ClickException as exc:
        click.echo(f"leakwarden: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except LeakwardenError as exc:
        click.echo(f"leakwarden: error: {_one_line(str(exc))}", err=True)
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("leakwarden: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception:
        import traceback

        traceback.print_exc()
        click.echo(
            f"leakwarden {__version__}: internal error (a bug). Please report it with the traceback above.",
            err=True,
        )
        return EXIT_BUG
    return int(result) if isinstance(result, int) else EXIT_CLEAN


def _one_line(message: str) -> str:
    """An error is one line on stderr, whatever a library put in its message (YAML's errors
    span three)."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


def entry() -> None:
    sys.exit(main())
