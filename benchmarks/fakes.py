"""Fake credentials for the dense corpus: the shapes of real ones, random values, never real.

Every value comes from a seeded random generator, so the same corpus is planted each time. The
shapes follow the published formats (the built-in catalogue's rules and a few kinds every peer
knows: AWS, GitHub, Slack, Stripe, private keys); none of them was ever issued by a provider.
"""

from __future__ import annotations

import base64
import json
import os
import random
import string
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

VERSION = 2  # bump when the planting changes: the dense corpus is rebuilt
SEED = "leakwarden-benchmarks"

ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
BASE32 = string.ascii_uppercase + "234567"
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"


def rng(purpose: str) -> random.Random:
    return random.Random(f"{SEED}:{purpose}")


def _draw(r: random.Random, alphabet: str, length: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(length))


def _mixed(r: random.Random, length: int) -> str:
    """Letters of both cases and digits (what high-entropy filters expect of a real key)."""
    while True:
        value = _draw(r, ALNUM, length)
        if (
            any(c.islower() for c in value)
            and any(c.isupper() for c in value)
            and any(c.isdigit() for c in value)
        ):
            return value


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _base62(number: int, width: int) -> str:
    digits = string.digits + string.ascii_uppercase + string.ascii_lowercase
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = digits[rest] + out
    return out.rjust(width, "0")


# Each kind returns the variables a developer would write: [(NAME, value), ...].
Assignments = list[tuple[str, str]]


def aws(r: random.Random) -> Assignments:
    return [
        ("AWS_ACCESS_KEY_ID", "AKIA" + _draw(r, BASE32, 16)),
        ("AWS_SECRET_ACCESS_KEY", _draw(r, ALNUM + "+/", 40)),
    ]


def github(r: random.Random) -> Assignments:
    body = _mixed(r, 30)
    return [("GITHUB_TOKEN", "ghp_" + body + _base62(zlib.crc32(body.encode()), 6))]


def slack(r: random.Random) -> Assignments:
    team = _draw(r, string.digits, 11)
    bot = _draw(r, string.digits, 13)
    return [("SLACK_BOT_TOKEN", f"xoxb-{team}-{bot}-{_mixed(r, 24)}")]


def stripe(r: random.Random) -> Assignments:
    return [("STRIPE_SECRET_KEY", "sk_" + "live_" + _mixed(r, 24))]


def google_api_key(r: random.Random) -> Assignments:
    return [("GOOGLE_API_KEY", "AIza" + _mixed(r, 35))]


def google_oauth(r: random.Random) -> Assignments:
    client = _draw(r, string.digits, 12) + "-" + _draw(r, string.ascii_lowercase + string.digits, 32)
    return [
        ("GOOGLE_CLIENT_ID", client + ".apps.googleusercontent.com"),
        ("GOOGLE_CLIENT_SECRET", "GOCSPX-" + _mixed(r, 28)),
    ]


def google_refresh(r: random.Random) -> Assignments:
    return [("GOOGLE_REFRESH_TOKEN", "1//0" + _draw(r, "3469", 1) + _mixed(r, 99))]


def alibaba(r: random.Random) -> Assignments:
    return [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI" + _mixed(r, 20)),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", _mixed(r, 30)),
    ]


def scaleway(r: random.Random) -> Assignments:
    return [
        ("SCW_ACCESS_KEY", "SCW" + _draw(r, UPPER_DIGITS, 17)),
        ("SCW_SECRET_KEY", str(uuid.UUID(int=r.getrandbits(128), version=4))),
    ]


def packagecloud(r: random.Random) -> Assignments:
    return [("PACKAGECLOUD_TOKEN", _draw(r, HEX, 48))]


def scalr(r: random.Random) -> Assignments:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"jti": "at-" + _draw(r, HEX, 15), "iat": 1730000000 + r.randrange(10**7), "iss": "scalr"}
    payload = _b64url(json.dumps(claims).encode())
    signature = _b64url(r.randbytes(32))
    return [("SCALR_TOKEN", f"{header}.{payload}.{signature}")]


KINDS: dict[str, Callable[[random.Random], Assignments]] = {
    "aws": aws,
    "github": github,
    "slack": slack,
    "stripe": stripe,
    "google_api_key": google_api_key,
    "google_oauth": google_oauth,
    "google_refresh_token": google_refresh,
    "alibaba": alibaba,
    "scaleway": scaleway,
    "packagecloud": packagecloud,
    "scalr": scalr,
}

# Client ids are identifiers, not secrets: a plant's secrets are its other values.
NOT_SECRET = {"GOOGLE_CLIENT_ID"}


def pick_kind(r: random.Random) -> str:
    return r.choice(sorted(KINDS))


def render(assignments: Assignments, suffix: str) -> str:
    """The assignments as a developer would write them in a file of that kind."""
    if suffix == ".py":
        return "".join(f'{name} = "{value}"\n' for name, value in assignments)
    if suffix in (".yaml", ".yml"):
        return "".join(f"{name.lower()}: {value}\n" for name, value in assignments)
    if suffix in (".js", ".ts"):
        return "".join(f'const {name} = "{value}";\n' for name, value in assignments)
    if suffix in (".md", ".rst", ".txt"):
        lines = "".join(f"    export {name}={value}\n" for name, value in assignments)
        return "\nExample configuration::\n\n" + lines
    if suffix in (".cfg", ".ini", ".toml"):
        return "".join(f'{name.lower()} = "{value}"\n' for name, value in assignments)
    return "".join(f"{name}={value}\n" for name, value in assignments)


def snippet_for(r: random.Random, suffix: str, kind: str) -> str:
    return render(KINDS[kind](r), suffix)


def env_file(r: random.Random, count: int) -> str:
    parts = ["# deployment settings\n"]
    for _ in range(count):
        parts.append(render(KINDS[pick_kind(r)](r), ".env"))
    return "".join(parts)


# DER headers of real 2048-bit RSA keys: a SEQUENCE of the stated length, the version, and the
# start of the modulus (PKCS#1), or the rsaEncryption algorithm identifier and the OCTET STRING
# holding the PKCS#1 key (PKCS#8). Random bytes follow: the shape of a key, not a key.
RSA_PKCS1_HEAD = bytes.fromhex("308204a40201000282010100")
RSA_PKCS8_HEAD = bytes.fromhex("308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100")


def _pem_body(r: random.Random, size: int, head: bytes) -> str:
    data = head + r.randbytes(size - len(head))
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64))


def private_key(r: random.Random) -> str:
    body = _pem_body(r, 1192, RSA_PKCS1_HEAD)
    return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"


def service_account(r: random.Random) -> str:
    project = "acme-" + _draw(r, string.ascii_lowercase, 6) + "-" + _draw(r, string.digits, 4)
    account = _draw(r, string.ascii_lowercase, 8) + "-runner"
    body = _pem_body(r, 1218, RSA_PKCS8_HEAD)
    key = "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n"
    email = f"{account}@{project}.iam.gserviceaccount.com"
    document = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": _draw(r, HEX, 40),
        "private_key": key,
        "client_email": email,
        "client_id": _draw(r, string.digits, 21),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return json.dumps(document, indent=2) + "\n"


PLANTABLE = (".py", ".yaml", ".yml", ".js", ".md", ".rst", ".txt", ".cfg", ".ini", ".toml")


def _candidates(root: Path) -> list[str]:
    found = []
    for directory, _subdirs, names in os.walk(root):
        for filename in names:
            if filename.endswith(PLANTABLE):
                path = os.path.join(directory, filename)
                if os.path.getsize(path) < 1 << 20:
                    found.append(os.path.relpath(path, root))
    return sorted(found)


def _replace(path: Path, data: bytes) -> None:
    """Write a new file in place of PATH (so a hard link to the original is left untouched)."""
    temporary = path.with_name(path.name + ".plant-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def plant(root: Path, plants: int) -> dict[str, object]:
    """Plant about PLANTS fake credentials under ROOT; return the manifest of what went where."""
    r = rng("dense")
    records: list[dict[str, object]] = []
    new_files = max(1, plants // 40)  # .env files of 4 plants each
    keys = max(1, plants // 100)  # private key files and service account key files, each
    in_place = max(0, plants - new_files * 4 - keys * 2)
    candidates = _candidates(root)
    for relative in sorted(r.sample(candidates, min(in_place, len(candidates)))):
        path = root / relative
        kind = pick_kind(r)
        assignments = KINDS[kind](r)
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            data += b"\n"
        _replace(path, data + render(assignments, path.suffix).encode())
        records.append({"path": relative, "kind": kind, "secrets": _secrets(assignments)})
    for index in range(new_files):
        folder = root / "planted" / f"service-{index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        lines = ["# deployment settings\n"]
        for _ in range(4):
            kind = pick_kind(r)
            assignments = KINDS[kind](r)
            lines.append(render(assignments, ".env"))
            records.append(
                {"path": f"planted/service-{index:03d}/.env", "kind": kind, "secrets": _secrets(assignments)}
            )
        (folder / ".env").write_text("".join(lines))
    for index in range(keys):
        folder = root / "planted" / f"keys-{index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "id_rsa").write_text(private_key(r))
        records.append({"path": f"planted/keys-{index:03d}/id_rsa", "kind": "private_key", "secrets": 1})
        (folder / "service-account.json").write_text(service_account(r))
        records.append(
            {
                "path": f"planted/keys-{index:03d}/service-account.json",
                "kind": "gcp_service_account",
                "secrets": 1,
            }
        )
    by_kind = Counter(str(rec["kind"]) for rec in records)
    summary = {
        "plants": len(records),
        "secrets": sum(int(str(rec["secrets"])) for rec in records),
        "files": len({rec["path"] for rec in records}),
        "by_kind": dict(sorted(by_kind.items())),
    }
    return {"summary": summary, "plants": records}


def _secrets(assignments: Assignments) -> int:
    return sum(1 for name, _value in assignments if name not in NOT_SECRET)
