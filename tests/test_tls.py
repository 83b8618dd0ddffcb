"""``stytch-mock --tls``: HTTPS from a local CA, and the official SDKs over it.

The SDKs' ``custom_base_url`` only takes HTTPS URLs; with the local CA trusted through the
usual environment variables (``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE`` for Python,
``NODE_EXTRA_CA_CERTS`` for Node) they work against the mock unchanged. Each client runs in its
own process, so the variables touch nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from mockserver import tls

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PROJECT_ID = "project-test-7e57c0de-0000-4000-8000-000000000443"
SECRET = "secret-test-tls"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STYTCH_", "SSL_CERT"))}
    env.pop("REQUESTS_CA_BUNDLE", None)
    env.pop("NODE_EXTRA_CA_CERTS", None)
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    """(URL, CA file, banner) of ``stytch-mock --tls`` on a free port."""
    directory = tmp_path_factory.mktemp("tls")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--tls", "--tls-dir", str(directory / "state")]
        + ["--port", "0", "--jwt-signer", "inline", "--project-id", PROJECT_ID]
        + ["--secret", SECRET],
        cwd=directory,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    banner = ""
    for line in proc.stdout:
        banner += line
        if "Ctrl-C stops it." in line:
            break
    try:
        match = re.search(r"listening on (https://127\.0\.0\.1:\d+/)", banner)
        assert match, banner
        yield match.group(1), directory / "state" / "ca.pem", banner
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        proc.stdout.close()


def test_the_banner_says_how_to_trust_the_local_ca(tls_mock: tuple[str, Path, str]) -> None:
    url, ca, banner = tls_mock
    assert f"SSL_CERT_FILE={ca} REQUESTS_CA_BUNDLE={ca}" in banner
    assert f"NODE_EXTRA_CA_CERTS={ca}" in banner
    assert f'custom_base_url="{url}"' in banner


def test_the_certificate_is_the_local_cas_and_names_localhost(
    tls_mock: tuple[str, Path, str],
) -> None:
    url, ca, _ = tls_mock
    host, port = url.removeprefix("https://").rstrip("/").split(":")
    context = ssl.create_default_context(cafile=str(ca))
    with context.wrap_socket(
        __import__("socket").create_connection((host, int(port))), server_hostname=host
    ) as sock:
        der = sock.getpeercert(binary_form=True)
    assert der is not None
    cert = x509.load_der_x509_certificate(der)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert cert.issuer == x509.load_pem_x509_certificate(ca.read_bytes()).subject
    # Without the CA the same server is refused: the encryption is real.
    with pytest.raises(ssl.SSLCertVerificationError):
        ssl.create_default_context().wrap_socket(
            __import__("socket").create_connection((host, int(port))), server_hostname=host
        )


PYTHON_CLIENT = """
import asyncio, sys
from stytch import B2BClient
url, project_id, secret = sys.argv[1:4]
client = B2BClient(project_id=project_id, secret=secret, custom_base_url=url)
made = client.organizations.create(organization_name="TLS Co", organization_slug=sys.argv[4])
org_id = made.organization.organization_id
found = asyncio.run(client.organizations.get_async(organization_id=org_id))
print("ok", found.organization.organization_slug)
"""


def test_the_python_sdk_works_over_https_with_the_ca_trusted(
    tls_mock: tuple[str, Path, str],
) -> None:
    url, ca, _ = tls_mock
    args = [sys.executable, "-c", PYTHON_CLIENT, url, PROJECT_ID, SECRET]
    done = subprocess.run(
        [*args, "tls-python"],
        env=_env(SSL_CERT_FILE=str(ca), REQUESTS_CA_BUNDLE=str(ca)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok tls-python"  # sync create, async get
    untrusted = subprocess.run(
        [*args, "tls-untrusted"], env=_env(), capture_output=True, text=True, timeout=120
    )
    assert untrusted.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr


NODE_CLIENT = """
const stytch = require("stytch");
const [url, project_id, secret, slug] = process.argv.slice(1);  // node -e: no script path
const client = new stytch.B2BClient({ project_id, secret, custom_base_url: url });
client.organizations
  .create({ organization_name: "TLS Co", organization_slug: slug })
  .then((r) => client.organizations.get({ organization_id: r.organization.organization_id }))
  .then((r) => console.log("ok", r.organization.organization_slug))
  .catch((e) => { console.error(String(e)); process.exit(1); });
"""


def test_the_node_sdk_works_over_https_with_the_ca_trusted(
    tls_mock: tuple[str, Path, str],
) -> None:
    node = shutil.which("node")
    modules = ROOT / "contracts" / "node" / "node_modules"
    if node is None or not (modules / "stytch").is_dir():
        pytest.skip("needs Node.js and the Node SDK in contracts/node (npm ci there)")
    url, ca, _ = tls_mock
    done = subprocess.run(
        [node, "-e", textwrap.dedent(NODE_CLIENT), url, PROJECT_ID, SECRET, "tls-node"],
        env=_env(NODE_EXTRA_CA_CERTS=str(ca), NODE_PATH=str(modules)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok tls-node"


def test_the_ca_is_kept_and_the_server_certificate_follows_the_host(tmp_path: Path) -> None:
    first = tls.ensure_certificates(tmp_path, "127.0.0.1")
    ca_before = first.ca_cert.read_bytes()
    server_before = first.server_cert.read_bytes()
    again = tls.ensure_certificates(tmp_path, "127.0.0.1")
    assert again.ca_cert.read_bytes() == ca_before  # trusted once, kept
    assert again.server_cert.read_bytes() == server_before
    other = tls.ensure_certificates(tmp_path, "mock.internal")
    assert other.ca_cert.read_bytes() == ca_before
    cert = x509.load_pem_x509_certificate(other.server_cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "mock.internal" in names.get_values_for_type(x509.DNSName)
    assert oct(first.ca_key.stat().st_mode & 0o777) == "0o600"
    assert oct(first.server_key.stat().st_mode & 0o777) == "0o600"
