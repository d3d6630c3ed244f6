"""Development mode may trust one more certificate: a local TLS proxy's self-signed one.

The W3C suites call implementations over https and read status lists from https URLs only, so
conformance/run.sh puts a TLS proxy with a self-signed certificate in front of the issuer; the
verifier must then fetch those status lists through it. Only development mode may add a trust
anchor; production trusts the usual certificate authorities alone.
"""

from __future__ import annotations

import datetime
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from shared.errors import VcError
from shared.net.fetch import HttpFetcher
from verifier.settings import VerifierSettings


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "proxy.crt", folder / "proxy.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class _Json(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"type": ["BitstringStatusListCredential"]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https server on loopback with a self-signed certificate: (base URL, its cert file)."""
    cert_file, key_file = _self_signed(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Json)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}", cert_file
    finally:
        server.shutdown()
        server.server_close()


def _loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def test_dev_ca_file_lets_the_fetcher_trust_a_local_proxy(
    tls_server: tuple[str, Path],
) -> None:
    base, cert_file = tls_server
    fetcher = HttpFetcher(allow_loopback=True, resolve=_loopback, extra_ca_file=str(cert_file))
    assert fetcher.fetch_json(f"{base}/status/1") == {"type": ["BitstringStatusListCredential"]}


def test_without_the_dev_ca_file_the_self_signed_certificate_is_refused(
    tls_server: tuple[str, Path],
) -> None:
    base, _ = tls_server
    fetcher = HttpFetcher(allow_loopback=True, resolve=_loopback)
    with pytest.raises(VcError):
        fetcher.fetch_json(f"{base}/status/1")


def test_a_dev_ca_file_needs_development_mode(tmp_path: Path) -> None:
    cert_file, _ = _self_signed(tmp_path)
    with pytest.raises(ValueError, match="development mode"):
        HttpFetcher(extra_ca_file=str(cert_file))
    with pytest.raises(ValidationError, match="development mode only"):
        VerifierSettings(base_url="https://verifier.example", dev_ca_file=str(cert_file))


@pytest.mark.parametrize(
    "content", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\n!!\n", b"\x00\xff" * 64]
)
def test_a_dev_ca_file_without_a_certificate_is_refused_at_start(
    tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_bytes(content)
    with pytest.raises(ValueError, match="holds no PEM certificate"):
        HttpFetcher(allow_loopback=True, extra_ca_file=str(bad))


def test_a_missing_dev_ca_file_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no PEM certificate"):
        HttpFetcher(allow_loopback=True, extra_ca_file=str(tmp_path / "absent.pem"))
