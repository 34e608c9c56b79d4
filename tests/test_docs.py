"""Documentation that cannot drift: every CLI command and option, and every rule field, is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

from leakwarden.cli.main import _register, cli
from leakwarden.rules.schema import Nearby, Pair, Playbook, Rule
from leakwarden.rules.verify_schema import Condition, HttpRequest, Signer, VerifySpec

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


def test_every_command_and_option_is_in_the_readme() -> None:
    _register()
    readme = (ROOT / "README.md").read_text()
    missing = []
    for path, command in _commands(cli, "leakwarden"):
        if path not in readme:
            missing.append(path)
        for param in command.params:
            if isinstance(param, click.Option):
                longest = max(param.opts, key=len)
                if longest not in readme and longest not in ("--help",):
                    missing.append(f"{path} {longest}")
    assert missing == []


def test_every_rule_field_is_in_the_rule_guide() -> None:
    guide = (ROOT / "docs" / "rules.md").read_text()
    internal = {"provider", "provider_name", "source"}  # set from the file, not by the author
    classes = (Rule, Pair, Nearby, Playbook, VerifySpec, HttpRequest, Signer, Condition)
    fields = {f for cls in classes for f in cls.__dataclass_fields__} - internal
    fields -= {"spec", "name"}  # Nearby.name is the mapping key
    missing = sorted(f for f in fields if not re.search(rf"\b{f}\b", guide))
    assert missing == []


def test_readme_states_the_catalogue_size() -> None:
    from leakwarden.rules.catalog import load_catalog

    catalog = load_catalog()
    readme = (ROOT / "README.md").read_text()
    assert f"{len(catalog)} rules across {len(catalog.providers)} providers" in readme


def test_detectors_page_is_generated_from_the_catalogue() -> None:
    """docs/detectors.md is `leakwarden rules list --format markdown`: regenerate it when rules change."""
    from leakwarden.rules.catalog import load_catalog
    from leakwarden.rules.detectors import detectors_markdown

    catalog = load_catalog()
    page = (ROOT / "docs" / "detectors.md").read_text()
    assert page == detectors_markdown(catalog.rules), (
        "docs/detectors.md is stale: run `leakwarden rules list --format markdown > docs/detectors.md`"
    )
    for rule in catalog.rules:
        assert f"`{rule.id}`" in page


def test_every_option_has_help_text() -> None:
    _register()
    missing = [
        f"{path} {max(param.opts, key=len)}"
        for path, command in [("leakwarden", cli), *_commands(cli, "leakwarden")]
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert missing == []


def test_command_lists_show_whole_descriptions() -> None:
    """`leakwarden [GROUP] --help` lists each command with its first sentence, never cut."""
    _register()
    groups = [
        ("leakwarden", cli),
        *((p, c) for p, c in _commands(cli, "leakwarden") if isinstance(c, click.Group)),
    ]
    for path, group in groups:
        ctx = click.Context(group, info_name=path)
        listing = group.get_help(ctx).split("Commands:", 1)[1]
        assert "..." not in listing, path
        for name, command in group.commands.items():
            first = " ".join((command.help or "").split("\n\n")[0].split())
            assert name in listing, (path, name)
            assert first[:20] in " ".join(listing.split()), (path, name)


def test_the_package_description_claims_only_what_ships() -> None:
    import tomllib

    description = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["description"]
    _register()
    # each capability the description names, and the command that delivers it
    claims = {"live": "verify", "guides": "guide", "fixes": "fix", "hooks": "hook", "git history": "scan"}
    named = [claim for claim in claims if claim in description]
    assert named == list(claims), description
    assert all(claims[claim] in cli.commands for claim in named)
    # "live" is claimed of scans too: every scan command must be able to ask
    scan_options = [{o for p in c.params for o in p.opts} for c in cli.commands["scan"].commands.values()]
    assert all("--verify" in options for options in scan_options)
