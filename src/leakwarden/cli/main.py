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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="leakwarden")
def cli() -> None:
    """Find leaked credentials and see each incident through."""


def _register() -> None:
    from leakwarden.cli.policy_cmd import baseline_group, config_group, ignore_command
    from leakwarden.cli.rules_cmd import rules
    from leakwarden.cli.scan_cmd import scan

    cli.add_command(scan)
    cli.add_command(rules)
    cli.add_command(config_group)
    cli.add_command(baseline_group)
    cli.add_command(ignore_command)
    from leakwarden.cli.fix_cmd import fix

    cli.add_command(fix)
    from leakwarden.cli.guide_cmd import guide, remediate

    cli.add_command(guide)
    cli.add_command(remediate)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and map every outcome to the exit-code contract."""
    from leakwarden.errors import LeakwardenError

    _register()
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
        click.echo(f"leakwarden: error: {exc}", err=True)
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


def entry() -> None:
    sys.exit(main())
