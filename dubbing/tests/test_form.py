"""The new-dubbing form reads as words, in the person's language where A2E offers it."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _new(member_client, team, **headers):
    return member_client.get(reverse("dubbing_new", kwargs={"team": team.slug}), **headers)


def _asked_langs(control):
    log = control.get("/_sandbox/requests", params={"path": "/anchor/language_list"}).json()
    return [r["query"] for r in log["requests"]]


def test_the_form_labels_read_as_words(member_client, team, a2e):
    body = _new(member_client, team).content.decode()
    for label in ("Link to the source", "Source language", "Speakers", "Dub into"):
        assert f">{label}</label>" in body
    for field_name in ("Source URL", "Source url", "Source lang", "Num speakers"):
        assert f">{field_name}</label>" not in body


def test_languages_are_named_in_the_persons_language_when_a2e_dubs_into_it(
    member_client, team, a2e, control
):
    body = _new(member_client, team, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert "Französisch" in body and ">French<" not in body
    assert _asked_langs(control) == ["lang=en", "lang=de"]


def test_a_language_a2e_does_not_dub_into_gets_english_names(member_client, team, a2e, control):
    body = _new(member_client, team, HTTP_ACCEPT_LANGUAGE="ko-KR").content.decode()
    assert "French" in body and "Französisch" not in body
    assert _asked_langs(control) == ["lang=en"]
