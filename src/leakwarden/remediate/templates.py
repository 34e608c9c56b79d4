"""The parts of every guide that do not depend on the provider.

Written for leakwarden from common incident-response practice; provider specifics come from the
rules' playbooks. `{name}`, `{revoke_url}` and `{logs}` are filled in by `fill`.
"""

from __future__ import annotations

SECTION_TITLES = {
    "what": "What it is and what it grants",
    "generate": "Generate a replacement",
    "leaks": "How it leaked",
    "risks": "What someone holding it can do",
    "detect": "Was it used by someone else?",
    "revoke": "Revoke and rotate without breaking services",
    "consumers": "What will stop working",
    "keep_out": "Keep it out of source code",
    "practices": "Best practices",
    "references": "References",
}

# In the order they are done: what the logs show decides how fast the next steps go.
FIRST_STEPS = (
    "Check for use by someone else since it leaked{in_logs}.",
    "If the logs show someone else using it, revoke it now and accept the outage: "
    "an attacker's minute costs more than a broken deploy.",
    "Otherwise generate a replacement{at_console}, store it in your secret manager and update "
    "every service that uses the old one.",
    "Then deactivate and delete the leaked credential{at_console}, and keep watching the logs.",
    "Keep it out of the code: read it from the environment or a secret manager.",
)

LEAK_VECTORS = (
    "Committed to git: deleting the file later does not remove it from history, from clones, "
    "forks and mirrors, or from CI caches.",
    "Configuration and `.env` files copied into container images, archives, backups and shared drives.",
    "Printed to CI logs, debug output, error messages or crash reports.",
    "Pasted into tickets, chat, wikis, gists or questions on public forums.",
    "Shipped to browsers or mobile apps inside client code, or published inside a package.",
    "Read from a developer machine by malware that collects dotfiles and CLI profiles.",
)

RISK_NOTE = (
    "Assume it was found: bots scan public repositories, packages and images for credentials "
    "within minutes of publication, and a private repository is only as private as every clone."
)

DETECT_LOOK_FOR = (
    "source IP addresses, networks, regions and user agents your systems never use;",
    "API calls your workloads never make, above all creating credentials, users, roles or "
    "compute, and listing or reading data in bulk;",
    "bursts of permission-denied errors: someone probing what the credential may do;",
    "activity at hours when none of your jobs run, and any activity after you revoked it.",
)

ROTATION_ORDER = (
    "Rotate in this order so that nothing breaks: (1) generate the replacement, (2) put it in "
    "your secret manager and update every consumer, (3) deactivate the old credential, reversibly "
    "where the provider allows it, and watch for failures, (4) delete it, (5) keep monitoring. "
    "Skip straight to revocation when the logs show abuse."
)

GENERIC_GENERATE = (
    "Open the provider's credential page{at_console} and create a new {name} with the same "
    "scope as the leaked one, or a narrower one.",
    "Copy the new value straight into your secret manager: providers usually show a secret only once.",
)

GENERIC_REVOKE = (
    "Update every consumer (see the next section) with the replacement and deploy.",
    "Revoke or delete the leaked {name}{at_console}.",
    "Watch {logs_or_provider} for failed calls with the old credential: a consumer you missed, "
    "or someone else.",
)

GENERIC_DETECT = "Look in {logs} for activity with this credential since it leaked."

CANNOT_SEE = (
    "CI/CD secret stores and variables (GitHub Actions secrets, GitLab CI/CD variables, Jenkins "
    "credentials, CircleCI contexts): they hold values a scan of the code never sees.",
    "Running workloads: container environments, Kubernetes Secrets, task definitions, "
    "serverless function settings, systemd units and cron jobs on servers.",
    "Developer machines: shell profiles, CLI profile files, IDE run configurations, password managers.",
    "Copies outside the scanned sources: other repositories and forks, other branches, build "
    "artefacts, images in registries, backups.",
    "Third-party services configured with it: SaaS integrations, monitoring, webhooks, partners' systems.",
)

KEEP_OUT = (
    "Read the credential at run time, from the environment or a secret manager, never from a "
    "literal in the code. The snippets below use the variable names {names} and the secret "
    "path `{secret_path}`: store the values there, with one key per name (AWS Secrets Manager "
    "and Vault) or one variable per part (Conjur)."
)

SHARED_PRACTICES = (
    "Scan before code leaves the machine and again in CI: run `leakwarden scan` from a "
    "pre-commit hook and in the pipeline.",
    "Keep `.env` and credential files out of git (`.gitignore`) and out of images "
    "(`.dockerignore`); commit an `.env.example` with names only.",
    "Prefer short-lived credentials (workload identity, OIDC federation, STS-style tokens) over "
    "long-lived keys wherever the provider offers them.",
)

PLATFORMS = {
    "env": "Environment variables",
    "aws": "AWS Secrets Manager",
    "vault": "HashiCorp Vault (KV v2)",
    "conjur": "CyberArk Conjur",
}
LANGUAGES = {
    "python": "Python",
    "javascript": "JavaScript",
    "go": "Go",
    "java": "Java",
    "ruby": "Ruby",
}


def fill(text: str, **values: str) -> str:
    return text.format(**values)
