"""RSA keys and self-signed X.509 certificates, by ``cryptography``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


class BadCertificate(ValueError):
    """A PEM that is not one X.509 certificate."""


class BadPrivateKey(ValueError):
    """A PEM that is not an RSA private key."""


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def shared_key() -> rsa.RSAPrivateKey:
    """One key per process for the certificates the mock issues by the dozen (a connection's
    signing certificate): each certificate is new, the 50 ms key generation happens once."""
    return new_rsa_key()


def self_signed(
    key: rsa.RSAPrivateKey, common_name: str, *, issuer: str, now: datetime, years: int = 10
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * years))
        .sign(key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # PKCS#1, as Stytch asks for
        serialization.NoEncryption(),
    ).decode("ascii")


def load_certificate(text: str) -> x509.Certificate:
    """One PEM certificate; :class:`BadCertificate` for anything else."""
    try:
        return x509.load_pem_x509_certificate(text.strip().encode())
    except (ValueError, TypeError) as exc:
        raise BadCertificate(str(exc)) from None


def load_rsa_private_key(text: str) -> rsa.RSAPrivateKey:
    """A PEM RSA private key (Stytch asks for PKCS#1; PKCS#8 is read too)."""
    try:
        key = serialization.load_pem_private_key(text.strip().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise BadPrivateKey(str(exc)) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BadPrivateKey("not an RSA key")
    return key


def issuer_of(cert: x509.Certificate) -> str:
    """The certificate's issuer as Stytch shows it: the organization name, else the common name."""
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        found = cert.issuer.get_attributes_for_oid(oid)
        if found:
            return str(found[0].value)
    return cert.issuer.rfc4514_string()


def validity(cert: x509.Certificate) -> tuple[datetime, datetime]:
    return (
        cert.not_valid_before_utc.astimezone(UTC),
        cert.not_valid_after_utc.astimezone(UTC),
    )
