"""HTTPS for the mock (``stytch-mock --tls``): a local certificate authority and a server
certificate, made with ``cryptography`` on first start and kept in a state directory.

The CA is made once and reused, so a machine (or a CI image) trusts it once: point the
clients at ``ca.pem`` (``SSL_CERT_FILE`` and ``REQUESTS_CA_BUNDLE`` for Python,
``NODE_EXTRA_CA_CERTS`` for Node). The server certificate names ``localhost``, ``127.0.0.1``,
``::1`` and the address the mock binds; it is made again when that address is not among its
names or it is about to expire. Private keys are written with mode 0600.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 397  # the longest lifetime browsers accept for a server certificate
RENEW_BEFORE = datetime.timedelta(days=30)
ALWAYS_NAMED = ("localhost", "127.0.0.1", "::1")


def default_directory() -> Path:
    """``$XDG_DATA_HOME/stytch-b2b-mock/tls`` (``~/.local/share/...`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "stytch-b2b-mock" / "tls"


@dataclass(frozen=True)
class TLSFiles:
    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server-key.pem"

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.server_cert, self.server_key)
        return context

    def trust_hint(self) -> str:
        """How to make the usual clients trust the local CA (printed in the banner)."""
        ca = self.ca_cert
        return (
            f"  trust       the local CA {ca}:\n"
            f"              Python: SSL_CERT_FILE={ca} REQUESTS_CA_BUNDLE={ca}\n"
            f"              Node:   NODE_EXTRA_CA_CERTS={ca}\n"
            f"              curl:   --cacert {ca}"
        )


def ensure_certificates(directory: Path, host: str) -> TLSFiles:
    """The CA and a server certificate for ``host`` in ``directory``, made when missing."""
    files = TLSFiles(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if not (files.ca_cert.is_file() and files.ca_key.is_file()):
        _make_ca(files)
    names = _names(host)
    if not _server_cert_fits(files, names):
        _make_server_cert(files, names)
    return files


def _names(host: str) -> list[str]:
    names = list(ALWAYS_NAMED)
    if host not in names and host not in ("0.0.0.0", "::", ""):
        names.append(host)
    return names


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def _make_ca(files: TLSFiles) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "stytch-b2b-mock"),
            x509.NameAttribute(NameOID.COMMON_NAME, "stytch-b2b-mock local CA"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(files.ca_key, key)
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _server_cert_fits(files: TLSFiles, names: list[str]) -> bool:
    if not (files.server_cert.is_file() and files.server_key.is_file()):
        return False
    cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    if cert.issuer != ca.subject or cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(_san(names)) <= set(san)


def _make_server_cert(files: TLSFiles, names: list[str]) -> None:
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(_san(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(files.server_key, key)
    files.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
