"""``bulkops serve --tls``: HTTPS with a certificate for ``*.myshopify.com``, ``localhost`` and 127.0.0.1, issued by
a local certificate authority that bulkops makes once in its data dir and reuses on every start, so a client
trusts it once (``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``, ``NODE_EXTRA_CA_CERTS``) and keeps trusting it.

Many clients hard-code ``https://{shop}.myshopify.com``: with a hosts-file line pointing the shop's domain at this
server, they reach it unmodified."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVER_NAMES = ("*.myshopify.com", "myshopify.com", "localhost")
SERVER_ADDRESSES = ("127.0.0.1", "::1")
CA_LIFETIME = timedelta(days=3650)
SERVER_LIFETIME = timedelta(days=397)
"""The longest a server certificate may live and still be trusted by Apple's and browsers' rules."""


@dataclass(frozen=True)
class TlsFiles:
    """Where the CA and the server's certificate live (``ca_bundle``: the public roots plus this CA, for
    variables that replace a client's roots rather than add to them)."""

    ca_cert: Path
    ca_key: Path
    ca_bundle: Path
    server_cert: Path
    server_key: Path


def tls_files(data_dir: Path) -> TlsFiles:
    folder = data_dir / "tls"
    return TlsFiles(folder / "ca.pem", folder / "ca-key.pem", folder / "ca-bundle.pem", folder / "server.pem",
                    folder / "server-key.pem")


def prepare_tls(data_dir: Path, now: datetime) -> TlsFiles:
    """The CA (made on first use, then reused) and a server certificate it issues, fresh on every start."""
    files = tls_files(data_dir)
    files.ca_cert.parent.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _load_or_make_ca(files, now)
    key = ec.generate_private_key(ec.SECP256R1())
    _write_private(files.server_key, key)
    files.server_cert.write_bytes(_server_certificate(key, ca_key, ca_cert, now).public_bytes(
        serialization.Encoding.PEM))
    files.ca_bundle.write_bytes(Path(certifi.where()).read_bytes().rstrip(b"\n") + b"\n"
                                + files.ca_cert.read_bytes())
    return files


def _load_or_make_ca(files: TlsFiles, now: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    if files.ca_cert.exists() and files.ca_key.exists():
        key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey), f"{files.ca_key} is not the key bulkops made"
        return key, x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bulkops"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"bulkops local CA ({os.uname().nodename})")])
    public = key.public_key()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + CA_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(files.ca_key, key)
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _server_certificate(key: ec.EllipticCurvePrivateKey, ca_key: ec.EllipticCurvePrivateKey,
                        ca_cert: x509.Certificate, now: datetime) -> x509.Certificate:
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in SERVER_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in SERVER_ADDRESSES]
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bulkops")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + SERVER_LIFETIME)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """A private key, readable by its owner only."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def trust_instructions(files: TlsFiles, shop_domain: str, listen_host: str, port: int) -> list[str]:
    """What a user runs to have clients trust this server and reach it by a shop's domain."""
    address = "127.0.0.1" if listen_host in ("0.0.0.0", "::", "", "localhost") else listen_host
    suffix = "" if port == 443 else f":{port}"
    return [
        f"HTTPS with a certificate from the local CA {files.ca_cert.resolve()}",
        "  trust it in clients (the bundle is the public roots plus this CA):",
        f"    export SSL_CERT_FILE={files.ca_bundle.resolve()}",
        f"    export REQUESTS_CA_BUNDLE={files.ca_bundle.resolve()}",
        f"    export NODE_EXTRA_CA_CERTS={files.ca_cert.resolve()}",
        f"  reach the shop by its domain: add to /etc/hosts:  {address} {shop_domain}",
        f"    then: https://{shop_domain}{suffix}/admin/api/2026-01/graphql.json",
    ]
