"""One-time keys on the forms that spend money: a repeat goes where the first went and
runs nothing; a form sent back with errors can be sent again; keys are per team."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.shortcuts import redirect
from django.test import RequestFactory
from django.urls import reverse

from jobs import once
from jobs.models import SubmitKey

pytestmark = pytest.mark.django_db


class Spend:
    """A view that counts its runs and answers as told."""

    def __init__(self):
        self.runs = 0
        self.answer = lambda: redirect(f"/done/{self.runs}/")

    def __call__(self, request, team):
        self.runs += 1
        return self.answer()


def _post(view, team, data):
    request = RequestFactory().post("/t/x/spend/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request, view(request, team)


def test_a_repeated_key_goes_where_the_first_went_and_runs_nothing(team):
    spend = Spend()
    view = once.per_submit(spend)
    key = once.new_key()
    _, first = _post(view, team, {"once": key})
    request, second = _post(view, team, {"once": key})
    assert spend.runs == 1
    assert first["Location"] == second["Location"] == "/done/1/"
    assert [str(m) for m in get_messages(request)] == [
        "That was already sent once; here is what it started."
    ]


def test_a_form_sent_back_with_errors_can_be_sent_again(team):
    spend = Spend()
    spend.answer = lambda: HttpResponse("the form, with errors", status=400)
    view = once.per_submit(spend)
    key = once.new_key()
    _post(view, team, {"once": key})
    spend.answer = lambda: redirect("/done/")
    _, response = _post(view, team, {"once": key})
    assert spend.runs == 2 and response["Location"] == "/done/"


def test_a_view_that_fails_gives_its_key_back(team):
    spend = Spend()

    def boom():
        raise RuntimeError("upstream fell over")

    spend.answer = boom
    view = once.per_submit(spend)
    key = once.new_key()
    with pytest.raises(RuntimeError):
        _post(view, team, {"once": key})
    assert not SubmitKey.objects.exists()


def test_keys_are_per_team(team, other_team):
    spend = Spend()
    view = once.per_submit(spend)
    key = once.new_key()
    _post(view, team, {"once": key})
    _post(view, other_team, {"once": key})
    assert spend.runs == 2


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "<script>alert(1)</script>0000000"])
def test_a_missing_or_malformed_key_runs_the_view_as_before(team, key):
    spend = Spend()
    view = once.per_submit(spend)
    _post(view, team, {"once": key})
    _post(view, team, {"once": key})
    assert spend.runs == 2 and not SubmitKey.objects.exists()


def test_a_repeat_whose_first_never_answers_says_so_and_sends_nothing(team, settings):
    settings.ONCE_WAIT_SECONDS = 1
    key = once.new_key()
    SubmitKey.objects.create(team=team, key=key, path="/t/x/spend/")  # still being handled
    spend = Spend()
    request, response = _post(once.per_submit(spend), team, {"once": key})
    assert spend.runs == 0
    assert response["Location"] == reverse("home", kwargs={"team": team.slug})
    assert "still being handled; it was not sent twice" in str(list(get_messages(request))[0])


def test_keys_older_than_a_day_are_forgotten(team):
    from datetime import timedelta

    from django.utils import timezone

    old = SubmitKey.objects.create(team=team, key=once.new_key(), path="/")
    SubmitKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    fresh = SubmitKey.objects.create(team=team, key=once.new_key(), path="/")
    assert once.purge() == 1
    assert list(SubmitKey.objects.all()) == [fresh]


def test_the_forms_that_spend_money_carry_a_fresh_key(member_client, team, a2e_account):
    pages = [
        reverse(name, kwargs={"team": team.slug}) for name in ("voices_speech", "voices_clone")
    ]
    keys = set()
    for url in pages * 2:
        html = member_client.get(url).content.decode()
        assert 'name="once"' in html, url
        keys.add(html.split('name="once" value="')[1].split('"')[0])
    assert len(keys) == 2 * len(pages)  # every page load gets its own


def test_a_redirect_that_says_what_was_wrong_gives_the_key_back(team):
    from django.contrib import messages

    spend = Spend()

    def refuse():
        messages.error(spend.request, "Choose at least one take of this folder to convert.")
        return redirect("/folder/")

    spend.answer = refuse
    real = spend.__call__

    def remember(request, team):
        spend.request = request
        return real(request, team)

    view = once.per_submit(remember)
    key = once.new_key()
    _post(view, team, {"once": key})
    _post(view, team, {"once": key})
    assert spend.runs == 2 and not SubmitKey.objects.exists()
