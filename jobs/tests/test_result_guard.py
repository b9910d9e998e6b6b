"""Attacks on result copying: a provider (or whoever runs the base URL a team set) names
the URL the worker fetches. Real servers on loopback stand in for the provider and for
an internal service the attacker wants read; respx would bypass the connect-time guard."""

import os

import pytest

from dashboard.tests.loopback import Host
from jobs import engine, results
from jobs.models import Job, ResultsState
from jobs.tests.fakes import processing
from providers import config, guard
from teams.tests.factories import ProviderAccountFactory

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 28


def _stream_forever(handler):
    """A body with no declared length that never ends: only a cap stops reading it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "audio/wav")
    handler.end_headers()
    handler.wfile.write(WAV)
    try:
        for _ in range(200):  # 200 x 64 KB = 12.5 MB, far past any cap under test
            handler.wfile.write(b"\x00" * 65536)
    except (BrokenPipeError, ConnectionResetError):
        pass


@pytest.fixture
def internal():
    """The service the attacker wants read: a cloud metadata endpoint, say."""
    server = Host({"/latest/meta-data": (200, {"Content-Type": "text/plain"}, b"SECRET-KEY")})
    yield server
    server.close()


@pytest.fixture
def provider(internal):
    """The provider the team's base URL names; its own files and a redirect inward."""
    server = Host(
        {
            "/a2e/files/result.wav": (200, {"Content-Type": "audio/wav"}, WAV),
            "/a2e/files/moved.wav": (302, {"Location": f"{internal.url}/latest/meta-data"}, b""),
            "/a2e/files/huge.wav": (200, {"Content-Type": "audio/wav"}, WAV + b"\x00" * 2**21),
            "/a2e/files/endless.wav": _stream_forever,
        }
    )
    yield server
    server.close()


@pytest.fixture
def account(team, provider):
    return ProviderAccountFactory(team=team, provider="a2e", base_url=f"{provider.url}/a2e")


def _completed(team, account, upstream, url):
    (job,) = processing(account, 1)
    upstream.set("r1", "completed", results=[("result", url)])
    engine.poll_due()
    assert Job.objects.get(pk=job.pk).results_state == ResultsState.PENDING
    return job


def _leftovers(settings):
    """Every file in the media folder: a copy cut off keeps nothing, partial or not."""
    return [name for _dir, _dirs, names in os.walk(settings.MEDIA_ROOT) for name in names]


def test_a_result_url_pointing_at_loopback_is_never_fetched(
    team, account, upstream, internal, settings
):
    # 127.0.0.1 is a listed private host, but only the base URL's own port is the provider.
    job = _completed(team, account, upstream, f"{internal.url}/latest/meta-data")
    assert results.fetch_results(job.pk) == "failed"
    job.refresh_from_db()
    assert internal.paths == []
    assert job.results_state == ResultsState.FAILED and not job.files.exists()
    assert "loopback address" in job.last_error
    assert "SECRET" not in job.last_error


def test_a_result_redirected_to_loopback_is_never_fetched(
    team, account, upstream, provider, internal
):
    job = _completed(team, account, upstream, f"{provider.url}/a2e/files/moved.wav")
    assert results.fetch_results(job.pk) == "failed"
    job.refresh_from_db()
    assert provider.paths == ["/a2e/files/moved.wav"]  # the first hop is the provider's own
    assert internal.paths == []  # the hop it pointed to was refused before connecting
    assert "loopback address" in job.last_error and not job.files.exists()


def test_a_result_on_the_providers_own_host_and_port_is_fetched(team, account, upstream, provider):
    job = _completed(team, account, upstream, f"{provider.url}/a2e/files/result.wav")
    assert results.fetch_results(job.pk) == "stored"
    (stored,) = Job.objects.get(pk=job.pk).files.all()
    assert stored.file.read() == WAV


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2002:c0a8:101::",  # 6to4 of 192.168.1.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_a_result_host_resolving_to_a_tunnel_into_a_private_address_is_never_fetched(
    team, account, upstream, monkeypatch, address
):
    monkeypatch.setattr(guard, "resolve", lambda host, port: [address])
    job = _completed(team, account, upstream, "http://cdn.attacker.test/result.wav")
    assert results.fetch_results(job.pk) == "failed"
    job.refresh_from_db()
    assert f"{address}, a " in job.last_error and not job.files.exists()


def test_six_to_four_and_teredo_to_public_addresses_pass():
    assert guard.forbidden_reason("2002:808:808::1") is None  # 6to4 of 8.8.8.8
    assert guard.forbidden_reason("2001:0:808:808::f7f7:f7f7") is None  # Teredo, 8.8.8.8


@pytest.mark.parametrize("path", ["/a2e/files/huge.wav", "/a2e/files/endless.wav"])
def test_a_result_larger_than_the_cap_is_cut_off_and_nothing_is_kept(
    team, account, upstream, provider, settings, path
):
    settings.RESULTS_MAX_MB = 1
    job = _completed(team, account, upstream, f"{provider.url}{path}")
    assert results.fetch_results(job.pk) == "failed"
    job.refresh_from_db()
    assert "The result was larger than 1 MB." in job.last_error
    assert not job.files.exists()
    assert _leftovers(settings) == []


@pytest.fixture
def no_private_hosts():
    before = config.current_settings()
    config.configure(
        redis_url=before.redis_url,
        max_in_flight=before.max_in_flight,
        connect_timeout=before.connect_timeout,
        read_timeout=before.read_timeout,
        private_hosts=[],
    )
    yield
    config.configure(
        redis_url=before.redis_url,
        max_in_flight=before.max_in_flight,
        connect_timeout=before.connect_timeout,
        read_timeout=before.read_timeout,
        private_hosts=before.private_hosts,
    )


def test_a_base_url_on_loopback_not_listed_as_private_is_refused_at_connect(
    team, account, upstream, provider, no_private_hosts
):
    # Saved before the setting changed (or straight into the database): the connection
    # itself is still refused, so the provider's own files are not fetched either.
    job = _completed(team, account, upstream, f"{provider.url}/a2e/files/result.wav")
    assert results.fetch_results(job.pk) == "failed"
    assert provider.paths == []
    assert "loopback address" in Job.objects.get(pk=job.pk).last_error


def test_another_hosts_error_body_is_never_kept(team, account, upstream):
    import respx

    # A public CDN (respx stands in for it, past the address check) answers with a page of
    # its own: only its status is kept, never its words.
    url = "https://cdn.example.test/out/result.wav"
    job = _completed(team, account, upstream, url)
    with respx.mock() as mock:
        mock.get(url).respond(403, text="<html>SECRET internal page</html>")
        assert results.fetch_results(job.pk) == "failed"
    job.refresh_from_db()
    assert "SECRET" not in job.last_error
    assert "cdn.example.test answered HTTP 403 for the A2E file." in job.last_error
    assert "credentials" not in job.last_error  # it never saw the key: not the key's fault


# Into a bucket (moto's S3 server) -------------------------------------------------------


@pytest.fixture
def big_provider():
    """A provider whose result is 20 MB: more than two of a multipart upload's parts."""
    body = WAV + bytes(range(256)) * (20 * 2**20 // 256)
    server = Host({"/a2e/files/big.wav": (200, {"Content-Type": "audio/wav"}, body)})
    server.body = body
    yield server
    server.close()


@pytest.fixture
def big_account(team, big_provider):
    return ProviderAccountFactory(team=team, provider="a2e", base_url=f"{big_provider.url}/a2e")


@pytest.mark.s3
def test_a_large_result_is_streamed_into_the_bucket_in_parts(
    team, big_account, upstream, big_provider, bucket, settings
):
    import hashlib

    job = _completed(team, big_account, upstream, f"{big_provider.url}/a2e/files/big.wav")
    assert results.fetch_results(job.pk) == "stored"
    (stored,) = Job.objects.get(pk=job.pk).files.all()
    key = f"vb/{stored.file.name}"
    assert bucket.objects() == {key: len(big_provider.body)} and stored.size == len(
        big_provider.body
    )
    assert stored.sha256 == hashlib.sha256(big_provider.body).hexdigest()
    assert bucket.read(key) == big_provider.body
    # A multipart upload's ETag ends in its number of parts: 8 MB, 8 MB, the rest.
    etag = bucket.client.head_object(Bucket=bucket.name, Key=key)["ETag"]
    assert etag.strip('"').endswith("-3")
    assert _leftovers(settings) == []


@pytest.mark.s3
def test_a_result_cut_off_mid_upload_leaves_nothing_in_the_bucket(
    team, account, upstream, provider, bucket, settings
):
    settings.RESULTS_MAX_MB = 10  # past the first 8 MB part, short of the 12.5 MB sent
    job = _completed(team, account, upstream, f"{provider.url}/a2e/files/endless.wav")
    assert results.fetch_results(job.pk) == "failed"
    job.refresh_from_db()
    assert "The result was larger than 10 MB." in job.last_error and not job.files.exists()
    assert bucket.objects() == {} and bucket.unfinished_uploads() == []
    assert _leftovers(settings) == []
