"""The home page, section empty states, the health check and toasts on htmx responses."""

import io
import json

import pytest
from django.contrib import messages
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from dashboard.celery import app as celery_app
from dashboard.middleware import htmx_messages
from teams.models import Membership, ProviderAccount, Role, Team
from teams.tests.factories import ProviderAccountFactory


def test_a_new_team_home_says_what_to_do_next(owner_client, team):
    body = owner_client.get(reverse("home", kwargs={"team": team.slug})).content.decode()
    assert "Connect A2E" in body
    assert reverse("providers", kwargs={"team": team.slug}) in body


def test_a_viewer_is_told_to_ask_an_admin(viewer_client, team):
    body = viewer_client.get(reverse("avatars", kwargs={"team": team.slug})).content.decode()
    assert "Connect A2E to see your avatars" in body
    assert "Only a team admin can connect providers" in body


def test_home_shows_credits_of_a_connected_provider(owner_client, team):
    ProviderAccountFactory(team=team, provider="a2e", last_check_ok=True, credits={"coins": 1234})
    body = owner_client.get(reverse("home", kwargs={"team": team.slug})).content.decode()
    assert "1,234" in body
    assert "Connect A2E" not in body


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_healthz_names_the_database_when_it_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def _with_message(request):
    messages.success(request, "Saved.")
    response = HttpResponse("<tr></tr>")
    response["HX-Trigger"] = json.dumps({"voiceCreated": None})
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("is_htmx", [True, False])
def test_messages_reach_htmx_requests_as_toast_events(is_htmx):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().post("/")
    request.htmx = is_htmx
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    response = htmx_messages(_with_message)(request)
    if is_htmx:
        triggers = json.loads(response["HX-Trigger"])
        assert triggers["toasts"] == [{"message": "Saved.", "level": "success"}]
        assert "voiceCreated" in triggers
    else:
        assert "toasts" not in response["HX-Trigger"]


@pytest.mark.django_db
def test_admin_lists_every_model_without_revealing_secrets(team):
    from django.contrib.auth import get_user_model

    account = ProviderAccountFactory(team=team, secret="do-not-show-me-9876")
    admin_user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw-ops-12345")
    client = Client()
    client.force_login(admin_user)
    for model in ("team", "membership", "invitation", "provideraccount"):
        response = client.get(reverse(f"admin:teams_{model}_changelist") + "?q=a")
        assert response.status_code == 200, model
    page = client.get(reverse("admin:teams_provideraccount_change", args=[account.pk]))
    assert page.status_code == 200
    assert "do-not-show-me-9876" not in page.content.decode()
    assert account.secret_encrypted not in page.content.decode()
    assert "9876" in page.content.decode()


@pytest.mark.django_db
def test_demo_command_is_idempotent_and_prints_a_working_login(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()
    call_command("demo", "--sandbox-url", "http://127.0.0.1:9999/", stdout=first)
    call_command("demo", "--sandbox-url", "http://127.0.0.1:9999", stdout=second)
    assert Team.objects.filter(slug="demo").count() == 1
    team = Team.objects.get(slug="demo")
    assert Membership.objects.get(team=team).role == Role.OWNER
    urls = dict(ProviderAccount.objects.for_team(team).values_list("provider", "base_url"))
    assert urls == {
        "a2e": "http://127.0.0.1:9999/a2e",
        "respeecher": "http://127.0.0.1:9999/respeecher",
        "burki": "http://127.0.0.1:9999/burki",
    }
    line = next(x for x in second.getvalue().splitlines() if x.startswith("Log in as"))
    assert line in first.getvalue()
    username, password = line.removeprefix("Log in as: ").split(" / ")
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200


def test_home_shows_live_work_results_failures_and_the_feed(owner_client, team):
    from activity.log import record
    from jobs.tests.factories import JobFactory, JobFileFactory

    running = JobFactory(team=team, label="Trailer (fr)", status="processing")
    done = JobFactory(
        team=team, label="Trailer (de)", status="completed", finished_at=timezone.now()
    )
    JobFileFactory(job=done)
    failed = JobFactory(
        team=team,
        label="Trailer (ja)",
        status="failed",
        finished_at=timezone.now(),
        remote_message="source has no speech",
    )
    record(team, "job.completed", target=done, label=done.label)
    body = owner_client.get(reverse("home", kwargs={"team": team.slug})).content.decode()
    assert f'hx-get="{reverse("job_row", kwargs={"team": team.slug, "job_id": running.pk})}' in body
    assert "<audio controls" in body
    assert "source has no speech" in body
    assert reverse("job_retry", kwargs={"team": team.slug, "job_id": failed.pk}) in body
    assert "Job finished" in body and "job.completed" not in body


def test_list_pages_cost_the_same_queries_at_5_and_500_jobs(owner_client, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jobs.models import Job
    from jobs.tests.factories import JobFactory, JobFileFactory

    def count(n):
        Job.objects.all().delete()
        for i in range(n):
            job = JobFactory(team=team, status="completed" if i % 2 else "processing")
            if i % 2:
                JobFileFactory(job=job)
        counts = []
        owner_client.get(reverse("home", kwargs={"team": team.slug}))  # session settles first
        for name in ("home", "job_list"):
            with CaptureQueriesContext(connection) as queries:
                assert (
                    owner_client.get(reverse(name, kwargs={"team": team.slug})).status_code == 200
                )
            counts.append(len(queries))
        return counts

    assert count(5) == count(500)


@pytest.mark.django_db
@pytest.mark.parametrize("empty", [False, True])
def test_demo_hands_the_team_to_a_worker_once_committed_unless_empty(
    settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks, empty
):
    from dashboard import tasks

    settings.VAR_DIR = tmp_path
    sent = []
    monkeypatch.setattr(tasks.liven_demo, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "demo",
            "--sandbox-url",
            "http://127.0.0.1:9",
            *(["--empty"] if empty else []),
            stdout=io.StringIO(),
        )
    team = Team.objects.get(slug="demo")
    user = team.memberships.get().user
    assert sent == ([] if empty else [(team.pk, user.pk)])


@pytest.mark.django_db
def test_the_demo_worker_asks_again_while_the_sandbox_is_starting(team, owner, monkeypatch):
    from dashboard import demo, tasks

    answers = iter([demo.NotReady("A2E: refused"), demo.NotReady("A2E: refused"), ["done"]])

    def liven(team_, user_):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(demo, "liven", liven)
    result = tasks.liven_demo.apply(args=(team.pk, owner.user.pk))
    assert result.get() == "done"
    assert next(answers, "spent") == "spent"  # asked three times: twice too early
