"""Every page, as the owner of a team with a row of every kind, reads in people's words:
no job kind, activity verb, webhook event or provider state code, no raw id label, in
the visible text. Raw codes are allowed only inside a collapsed <details>. Built on the
URL walker, so a page added later is walked too."""

import re
from datetime import timedelta

import httpx
import pytest
import respx
from django.test import Client
from django.utils import timezone

from activity.models import Activity
from dashboard.tests.factories import team_with_everything
from dashboard.tests.rawwords import our_kinds, raw_words
from dashboard.tests.urlwalk import ROUTES, url_for, walk_urls
from jobs.models import JobEvent, Status
from webhooks.models import EventType


def test_every_code_has_its_own_label():
    for name, kind in our_kinds().items():
        assert kind.verbose_name and kind.verbose_name != name, name
    for choices in (Activity.Verb, EventType, JobEvent.Source, Status):
        assert all(label != value for value, label in choices.choices), choices


def test_the_checker_sees_what_it_should():
    page = (
        "<p>Dub <span>a2e.dubbing</span> <small>postprocessing</small> auto → es</p>"
        "<details><summary>Details</summary><code>respeecher.tts</code> done</details>"
        "<details><summary>webhook.test</summary></details>"
        "<p title='job.created'>Done, and processing continues</p>"
    )
    found = raw_words(page)
    assert "job kind 'a2e.dubbing'" in found
    assert "provider state 'postprocessing'" in found
    assert "language code 'auto'" in found
    assert "webhook event 'webhook.test'" in found  # a summary shows while closed
    assert not any("respeecher.tts" in p or "'done'" in p for p in found)
    assert not any("job.created" in p or "'processing'" in p for p in found)


@pytest.mark.django_db
def test_the_walks_takes_read_like_a_real_teams():
    # Its screenshots are the README's Tour: a conversion names its voice and every row
    # says when it was made, as Respeecher's listing does.
    team, owner, _jobs, seeded, _takes = team_with_everything()
    client = Client()
    client.force_login(owner.user)
    page = client.get(url_for("recordings_folder", team, objects=seeded)).content.decode()
    rows = re.findall(r'(?s)<tr class="conversion">.*?</tr>', page)
    assert rows and all("↳ Daniel, calm explainer" in row for row in rows)
    assert all("<time" in row for row in rows) and "(voice unknown)" not in page


@pytest.mark.django_db
def test_no_page_shows_a_raw_code():
    team, owner, jobs, seeded, takes = team_with_everything()
    client = Client()
    client.force_login(owner.user)
    urls = [url for _name, url in walk_urls(team, jobs, seeded, takes, ROUTES)]
    problems = {}
    pages = 0
    # Nothing leaves the machine: a page that asks a provider meets a polite refusal.
    with respx.mock(assert_all_called=False) as upstream:
        upstream.route().mock(return_value=httpx.Response(403))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            found = raw_words(response.content.decode())
            if found:
                problems[url] = found
    assert pages > 40, "the walk rendered too few pages to mean anything"
    assert not problems, "\n".join(f"{url}: {', '.join(p)}" for url, p in problems.items())


def test_times_numbers_and_languages_read_as_words():
    from dashboard.templatetags.words import language, number, when

    now = timezone.now()
    assert ">just now</time>" in when(now - timedelta(seconds=20))
    assert ">2\xa0minutes ago</time>" in when(now - timedelta(minutes=2, seconds=5))
    assert f'datetime="{timezone.localtime(now).isoformat()}"' in when(now)
    assert number(10000.0) == "10,000" and number(12.5) == "12.5" and number(None) == ""
    assert (language("es"), language("en-US"), language("auto")) == (
        "Spanish",
        "English (US)",
        "Detected language",
    )
    assert language("xx") == "XX" and language("") == ""
