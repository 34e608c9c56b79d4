"""`kind: private_key`: what a found private key says of itself, sending nothing.

A private key has no issuer to ask: it is live wherever its public key is trusted (an
`authorized_keys` line, a deploy key, a certificate), which only the owner can see. The verdict
says so and names the public key the way `ssh-keygen -l` does (`SHA256:` + unpadded base64 of
the SHA-256 of the SSH public key blob), so that the owner can find where it is trusted.

The key is read as it was found: with `\\n` escapes, string quotes, concatenation and comment
leaders around its lines (the catalogue's patterns accept them). OpenSSH and PuTTY files store
the public key in clear, so even an encrypted one has a fingerprint; an encrypted PEM key does
not (the public key is inside the ciphertext).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import warnings
from dataclasses import dataclass

from leakwarden.model import Verdict, VerdictStatus

_LINE_ESCAPES = re.compile(r"\\r\\n|\\n|\\r")
_PEM_RE = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


@dataclass(frozen=True, slots=True)
class KeyFacts:
    kind: str  # RSA, ECDSA, Ed25519, DSA, PGP…
    bits: int = 0
    fingerprint: str = ""  # SHA256:… as ssh-keygen shows it
    encrypted: bool = False
    note: str = ""  # why there is no fingerprint


def ssh_fingerprint(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _clean_lines(text: str) -> list[str]:
    """The key's lines without what code and configuration wrap them in."""
    unquoted = []
    for raw in text.splitlines():
        quoted = [q for q in re.findall(r"[\"']([^\"']*)[\"']", raw) if q]
        # `"MIIC…\\n" +` in a concatenation: the literal's content is the line
        unquoted.append("".join(quoted) if quoted else raw)
    lines = []
    for raw in _LINE_ESCAPES.sub("\n", "\n".join(unquoted)).splitlines():
        line = re.sub(r"^(?:[#;*]+|//(?=\s))\s*", "", raw.strip()).strip().rstrip(",").strip("\"'").strip()
        if line:
            lines.append(line)
    return lines


def _ssh_strings(data: bytes, count: int) -> tuple[list[bytes], bytes]:
    """`count` SSH wire-format strings (uint32 length + bytes) from the front of `data`."""
    out = []
    for _ in range(count):
        if len(data) < 4:
            raise ValueError("truncated")
        (length,) = struct.unpack(">I", data[:4])
        if length > len(data) - 4:
            raise ValueError("truncated")
        out.append(data[4 : 4 + length])
        data = data[4 + length :]
    return out, data


def _from_public_blob(blob: bytes, encrypted: bool) -> KeyFacts:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    (algorithm,), _ = _ssh_strings(blob, 1)
    name = algorithm.decode("ascii", "replace")
    try:
        key = load_ssh_public_key(name.encode() + b" " + base64.b64encode(blob))
    except (ValueError, TypeError):  # an algorithm cryptography does not read (sk-…): still named
        return KeyFacts(name, 0, ssh_fingerprint(blob), encrypted)
    if isinstance(key, rsa.RSAPublicKey):
        return KeyFacts("RSA", key.key_size, ssh_fingerprint(blob), encrypted)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return KeyFacts("ECDSA", key.curve.key_size, ssh_fingerprint(blob), encrypted)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyFacts("Ed25519", 256, ssh_fingerprint(blob), encrypted)
    if isinstance(key, dsa.DSAPublicKey):
        return KeyFacts("DSA", key.key_size, ssh_fingerprint(blob), encrypted)
    return KeyFacts(name, 0, ssh_fingerprint(blob), encrypted)


def _openssh(body: bytes) -> KeyFacts:
    magic = b"openssh-key-v1\0"
    if not body.startswith(magic):
        raise ValueError("not an openssh-key-v1 file")
    (cipher, _kdf, _options), rest = _ssh_strings(body[len(magic) :], 3)
    if len(rest) < 4 or struct.unpack(">I", rest[:4])[0] < 1:
        raise ValueError("holds no key")
    (public,), _ = _ssh_strings(rest[4:], 1)
    return _from_public_blob(public, encrypted=cipher != b"none")


def _pem(label: str, headers: list[str], body: bytes) -> KeyFacts:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_private_key

    kind = {"RSA PRIVATE KEY": "RSA", "EC PRIVATE KEY": "ECDSA", "DSA PRIVATE KEY": "DSA"}.get(label, "")
    if label == "ENCRYPTED PRIVATE KEY" or any(
        h.replace(" ", "") == "Proc-Type:4,ENCRYPTED" for h in headers
    ):
        return KeyFacts(kind or "PKCS#8", encrypted=True, note="encrypted: fingerprint needs the passphrase")
    key = load_der_private_key(body, password=None)
    public = key.public_key()
    try:
        line = public.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    except ValueError:  # a curve SSH has no name for: the fingerprint of the DER public key instead
        der = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        size = key.curve.key_size if isinstance(key, ec.EllipticCurvePrivateKey) else 0
        return KeyFacts(kind or type(key).__name__, size, "SPKI-" + ssh_fingerprint(der))
    facts = _from_public_blob(base64.b64decode(line.split()[1]), encrypted=False)
    if isinstance(key, ed448.Ed448PrivateKey):
        return KeyFacts("Ed448", 456, facts.fingerprint)
    return facts


def _putty(lines: list[str]) -> KeyFacts:
    headers = dict(line.split(": ", 1) for line in lines if ": " in line)
    count = int(headers.get("Public-Lines", "0"))
    start = next(i for i, line in enumerate(lines) if line.startswith("Public-Lines:")) + 1
    blob = base64.b64decode("".join(lines[start : start + count]))
    return _from_public_blob(blob, encrypted=headers.get("Encryption", "none") != "none")


def key_facts(secret: str) -> KeyFacts:
    """What `secret` (a private key as found) says of itself; ValueError when it cannot be read."""
    lines = _clean_lines(secret)
    if lines and lines[0].startswith("PuTTY-User-Key-File-"):
        return _putty(lines)
    match = _PEM_RE.search("\n".join(lines))
    if match is None:
        raise ValueError("no BEGIN/END block")
    label = match.group(1)
    inner = [line for line in match.group(2).splitlines() if line.strip()]
    if "PGP" in label:
        return KeyFacts("PGP", note="an OpenPGP key: its fingerprint is not computed here (gpg --show-keys)")
    headers = [line for line in inner if ": " in line]
    text = "".join(line for line in inner if ": " not in line and _B64.fullmatch(line))
    try:
        body = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("its body is not base64") from exc
    if label == "OPENSSH PRIVATE KEY":
        return _openssh(body)
    return _pem(label, headers, body)


def private_key_verdict(secret: str, checked_at: str) -> Verdict:
    """NOT_CHECKABLE, always: the reason says why and what to look for instead."""
    from cryptography.utils import CryptographyDeprecationWarning

    remote = "a private key cannot be checked remotely (nothing was sent)"
    try:
        with warnings.catch_warnings():  # cryptography deprecates DSA keys; leaks still hold them
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            facts = key_facts(secret)
    except (ValueError, TypeError, StopIteration) as exc:
        reason = f"{remote}; it could not be read for a fingerprint ({exc or type(exc).__name__})"
        return Verdict(VerdictStatus.NOT_CHECKABLE, reason, checked_at)
    identity = {"key_type": facts.kind}
    if facts.bits:
        identity["bits"] = str(facts.bits)
    if facts.encrypted:
        identity["encrypted"] = "yes"
    if facts.fingerprint:
        identity["fingerprint"] = facts.fingerprint
        size = f" {facts.bits}-bit" if facts.bits else ""
        reason = (
            f"{remote}; its public key is {facts.kind}{size} {facts.fingerprint}: look for it in "
            "authorized_keys, deploy keys and certificates"
        )
    else:
        reason = f"{remote}; {facts.note}"
    return Verdict(VerdictStatus.NOT_CHECKABLE, reason, checked_at, identity=identity)
