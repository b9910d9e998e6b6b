"""Attacks on provider accounts: base URLs aimed inward, keys steered to another host,
and internal bodies echoed back through "Test connection"."""

import os

import pytest
from django.urls import reverse

from activity.models import Activity
from dashboard.tests.loopback import Host
from providers import guard
from teams.models import ProviderAccount
from teams.tests.factories import ProviderAccountFactory

SECRET = "rsp-live-9f8e7d6c5b4a-WXYZ"


def _connect(client, team, base_url, secret=SECRET, provider="respeecher"):
    url = reverse("provider_connect", kwargs={"team": team.slug, "provider": provider})
    return client.post(url, {"secret": secret, "base_url": base_url})


def _test_connection(client, account):
    url = reverse("provider_test", kwargs={"team": account.team.slug, "account_id": account.pk})
    return client.post(url)


@pytest.fixture
def server():
    host = Host({})
    yield host
    host.close()


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        ("http://127.0.0.1:6379", "loopback"),
        ("http://[::1]:8080", "loopback"),
        ("http://169.254.169.254", "link-local"),
        ("http://10.0.0.5", "private"),
        ("http://[2002:7f00:1::1]", "loopback"),
        ("http://metadata.internal.test", "link-local"),
    ],
)
def test_a_base_url_pointing_inward_is_refused_and_nothing_is_saved(
    owner_client, team, settings, monkeypatch, base_url, reason
):
    settings.PROVIDER_PRIVATE_HOSTS = []
    real = guard.resolve
    monkeypatch.setattr(
        guard,
        "resolve",
        lambda host, port: ["169.254.169.254"] if host.endswith(".test") else real(host, port),
    )
    response = _connect(owner_client, team, base_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"a {reason} address" in page and "PROVIDER_PRIVATE_HOSTS" in page
    assert not ProviderAccount.objects.exists()


def test_a_base_url_on_a_host_listed_as_private_is_accepted(owner_client, team, settings):
    settings.PROVIDER_PRIVATE_HOSTS = ["127.0.0.1"]
    assert _connect(owner_client, team, "http://127.0.0.1:8765/respeecher").status_code == 302
    assert ProviderAccount.objects.get().base_url == "http://127.0.0.1:8765/respeecher"


def test_a_private_origin_admits_its_own_port_and_refuses_another_on_the_host(
    owner_client, team, settings
):
    settings.PROVIDER_PRIVATE_HOSTS = ["http://127.0.0.1:8765"]
    response = _connect(owner_client, team, "http://127.0.0.1:8766/respeecher")
    assert response.status_code == 200 and "a loopback address" in response.content.decode()
    assert _connect(owner_client, team, "http://127.0.0.1:8765/respeecher").status_code == 302
    assert ProviderAccount.objects.get().base_url == "http://127.0.0.1:8765/respeecher"


def test_changing_only_the_base_url_to_another_host_needs_the_key_again(owner_client, team):
    _connect(owner_client, team, "https://gateway.respeecher.com")
    response = _connect(owner_client, team, "https://attacker.example.com", secret="")
    assert response.status_code == 200
    assert "enter the key again" in response.content.decode()
    account = ProviderAccount.objects.get()
    assert account.base_url == "https://gateway.respeecher.com"
    # A path on the same host keeps the key; a new host with the key entered takes it.
    assert (
        _connect(owner_client, team, "https://gateway.respeecher.com/v2", secret="").status_code
        == 302
    )
    assert ProviderAccount.objects.get().get_secret() == SECRET
    assert _connect(owner_client, team, "https://eu.respeecher.example").status_code == 302


def test_a_key_is_never_sent_to_a_host_it_was_not_entered_for(owner_client, team, server):
    # The URL changed behind the form's back (a script, an old admin page): the stored
    # key was entered for the real host, so "Test connection" sends nothing anywhere.
    account = ProviderAccountFactory(
        team=team, provider="respeecher", base_url="https://gateway.respeecher.com", secret=SECRET
    )
    ProviderAccount.objects.filter(pk=account.pk).update(base_url=f"{server.url}/respeecher")
    _test_connection(owner_client, ProviderAccount.objects.get(pk=account.pk))
    assert server.paths == []
    account.refresh_from_db()
    assert account.last_check_ok is False
    assert "enter it again" in account.last_check_message


def test_test_connection_keeps_at_most_200_characters_of_the_providers_words(
    owner_client, viewer_client, team, server
):
    # A 400's words are shown ("Respeecher: ..."), so they are the ones to bound.
    server.routes["/respeecher/api/auth"] = (400, {}, b"A" * 180 + b"INTERNAL" * 100)
    account = ProviderAccountFactory(
        team=team, provider="respeecher", base_url=f"{server.url}/respeecher", secret=SECRET
    )
    _test_connection(owner_client, account)
    account.refresh_from_db()
    assert server.paths, "the provider was asked"
    assert account.last_check_ok is False
    assert account.last_check_message.startswith("Respeecher: AAAA")
    assert "INTERNAL" * 3 not in account.last_check_message
    page = viewer_client.get(reverse("providers", kwargs={"team": team.slug})).content.decode()
    assert "INTERNAL" * 3 not in page
    logged = " ".join(Activity.objects.values_list("message", flat=True))
    assert "INTERNAL" * 3 not in logged


def _running_job(team, account, kind="test.fake", status="processing", label="Trailer (de)"):
    from jobs.tests.factories import JobFactory

    return JobFactory(
        team=team, account=account, kind=kind, status=status, remote_id="r9", label=label
    )


def test_disconnecting_with_jobs_running_asks_and_says_which_could_not_be_stopped(
    owner_client, team
):
    from jobs.models import Job, Status

    account = ProviderAccountFactory(team=team, provider="a2e")
    _running_job(team, account, kind="a2e.tts")  # A2E cannot stop a speech request
    sending = _running_job(team, account, "a2e.tts", status="submitting", label="Promo (fr)")
    url = reverse("provider_delete", kwargs={"team": team.slug, "account_id": account.pk})
    page = owner_client.get(url).content.decode()
    assert "Still running on this account" in page and "Trailer (de)" in page
    # Without the confirmation nothing happens.
    asked = owner_client.post(url, follow=True).content.decode()
    assert "Tick the box to confirm" in asked
    assert ProviderAccount.objects.filter(pk=account.pk).exists()
    response = owner_client.post(url, {"stop_running": "1"}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert "The 2 jobs still running at A2E could not be stopped." in said[0]
    assert any("Promo (fr) is being sent" in line for line in said)
    assert any("Trailer (de) canceled here; A2E cannot stop it" in line for line in said)
    assert not ProviderAccount.objects.filter(pk=account.pk).exists()
    assert Job.objects.get(pk=sending.pk).status == Status.SUBMITTING


def test_deleting_a_team_deletes_its_stored_files_and_lists_what_stays(
    owner_client, team, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from jobs.models import InputFile
    from jobs.tests.factories import JobFileFactory

    ProviderAccountFactory(team=team, provider="a2e")
    result = JobFileFactory(job__team=team, job__provider="a2e")
    upload = InputFile.objects.create(
        team=team,
        file=ContentFile(b"RIFF....WAVEfmt ", name="sample.wav"),
        original_name="sample.wav",
        content_type="audio/wav",
        size=16,
        sha256="0" * 64,
    )
    paths = [result.file.path, upload.file.path]
    assert all(os.path.exists(p) for p in paths)
    url = reverse("team_delete", kwargs={"team": team.slug})
    page = owner_client.get(url).content.decode()
    assert "What stays at the providers" in page and "1 job started from Voxboard" in page
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url, {"confirm_name": team.name})
    assert not any(os.path.exists(p) for p in paths)


def test_disconnecting_says_in_words_how_much_running_work_was_stopped():
    from teams.disconnecting import Disconnected

    some = Disconnected(3, ["the avatar room with Lily was not left", "Promo is being sent"])
    assert some.summary("A2E") == (
        "A2E disconnected; its key is gone. "
        "Stopped 1 of the 3 jobs still running at A2E; 2 could not be stopped."
    )
    assert Disconnected(0).summary("Burki") == "Burki disconnected; its key is gone."
