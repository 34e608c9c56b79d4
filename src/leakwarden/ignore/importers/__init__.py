"""Reading the peers' ignore files and allowlists (gitleaks, detect-secrets, ggshield) into one
typed import plan, and translating that plan into leakwarden's own ignore entries and allowlists.

Every parser is pure (text in, `ImportPlan` out, `ConfigError` naming the file and the reason when
the text is malformed); `resolve` matches the plan against findings the caller scanned for it.
"""

from __future__ import annotations

from leakwarden.ignore.importers.detect_secrets import parse_secrets_baseline
from leakwarden.ignore.importers.ggshield import parse_gitguardian
from leakwarden.ignore.importers.gitleaks import parse_gitleaks_config, parse_gitleaksignore
from leakwarden.ignore.importers.plan import (
    AllowPath,
    AllowSecret,
    ImportPlan,
    Origin,
    PlaceIgnore,
    SecretIgnore,
    Untranslated,
)

# The files each peer reads from a project's root, in the order they are imported.
PEER_FILES: dict[str, tuple[str, ...]] = {
    "gitleaks": (".gitleaksignore", ".gitleaks.toml"),
    "detect-secrets": (".secrets.baseline",),
    "ggshield": (".gitguardian.yaml", ".gitguardian.yml"),
}

__all__ = [
    "PEER_FILES",
    "AllowPath",
    "AllowSecret",
    "ImportPlan",
    "Origin",
    "PlaceIgnore",
    "SecretIgnore",
    "Untranslated",
    "parse_gitguardian",
    "parse_gitleaks_config",
    "parse_gitleaksignore",
    "parse_secrets_baseline",
]
