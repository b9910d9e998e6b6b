"""The SSRF guard: private, loopback and other non-public targets are refused at send time
(the form's save-time check is tested with the views)."""

import ssl
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from webhooks import delivery, ssrf, tasks
from webhooks.models import DeliveryStatus
from webhooks.tests.conftest import FAKE_DNS, Receiver
from webhooks.tests.factories import DeliveryFactory, EndpointFactory


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.10",
        "127.0.0.1",
        "127.8.9.10",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",  # noqa: S104 - refused here, not bound
        "240.0.0.1",
        "100.64.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert ssrf.forbidden_reason(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert ssrf.forbidden_reason(address) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_the_loopback_setting_opens_loopback_only(address):
    assert ssrf.forbidden_reason(address, allow_loopback=True) is None
    assert ssrf.forbidden_reason("10.0.0.1", allow_loopback=True) == "private"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("http://internal.example.com/", "10.0.0.1, a private address"),
        ("http://sneaky.example.com/", "169.254.169.254, a link-local address"),
        ("http://mapped.example.com/", "::ffff:192.168.1.10, a private address"),
        ("http://127.0.0.1:9/", "loopback"),
        ("http://[::1]:9/", "loopback"),
        ("http://nowhere.example.com/", "cannot be resolved"),
    ],
)
def test_check_url_explains_each_refusal(url, message):
    with pytest.raises(ssrf.UnsafeTarget, match=message.replace("(", r"\(").replace(".", r"\.")):
        ssrf.check_url(url)


def test_check_url_passes_a_public_https_address():
    ssrf.check_url("https://hooks.example.com/voxboard")


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["internal.example.com", "sneaky.example.com"])
def test_a_name_resolving_to_a_private_address_is_refused_at_send(clock, team, host):
    # Saved before its DNS changed (the factory skips the form): connect time still says no.
    d = DeliveryFactory(endpoint=EndpointFactory(team=team, url=f"http://{host}/hook"))
    tasks.send_delivery(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED
    assert d.last_error.startswith("Refused:") and "webhooks only go to public" in d.last_error


@pytest.mark.django_db
def test_loopback_is_refused_at_send_unless_allowed(clock, team, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    d = DeliveryFactory(endpoint=EndpointFactory(team=team, url=receiver.url))
    tasks.send_delivery(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and "loopback" in d.last_error
    assert receiver.requests == []


def _self_signed(host, folder):
    now = datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.django_db
def test_https_goes_to_the_checked_address_with_the_right_sni_and_host(
    clock, team, tmp_path, monkeypatch, allow_loopback
):
    # The guard connects to an address it resolved and checked; TLS must still name the
    # host from the URL (SNI and certificate check), and so must the Host header.
    monkeypatch.setitem(FAKE_DNS, "hooks.test", ["127.0.0.1"])
    cert_path, key_path = _self_signed("hooks.test", tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_path, key_path)
    server_names = []
    server_tls.sni_callback = lambda sock, name, ctx: server_names.append(name)
    receiver = Receiver(tls=server_tls, host="hooks.test")
    trusting = ssl.create_default_context(cafile=str(cert_path))
    real_client = delivery._client
    monkeypatch.setattr(delivery, "_client", lambda: real_client(verify=trusting))
    try:
        d = DeliveryFactory(endpoint=EndpointFactory(team=team, url=receiver.url))
        tasks.send_delivery(d.pk)
    finally:
        receiver.close()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SUCCEEDED, d.last_error
    assert server_names == ["hooks.test"]
    port = receiver.loopback.server.server_address[1]
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.test:{port}"
