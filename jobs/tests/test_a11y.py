"""Job pages for people using a screen reader: named players, and a live row's status
change said once in a polite region, not the whole row at every poll."""

from django.urls import reverse

from dashboard.tests.a11y import elements, unnamed_media
from jobs.models import Status
from jobs.tests.factories import JobFactory, JobFileFactory


def _row(client, job, seen):
    url = reverse("job_row", kwargs={"team": job.team.slug, "job_id": job.pk})
    return client.get(url, {"seen": seen}, HTTP_HX_REQUEST="true").content.decode()


def test_every_player_on_the_job_pages_names_what_it_plays(owner_client, team):
    heard = JobFactory(team=team, status=Status.COMPLETED, label="Trailer (de)")
    JobFileFactory(job=heard)
    seen = JobFactory(team=team, status=Status.COMPLETED, label="Trailer (es)")
    JobFileFactory(job=seen, content_type="video/mp4")
    pages = [
        owner_client.get(job.get_absolute_url(), follow=True).content.decode()
        for job in (heard, seen)
    ]
    pages.append(owner_client.get(reverse("job_list", kwargs={"team": team.slug})).content.decode())
    for body, label in zip(pages, ["Trailer (de)", "Trailer (es)", "Trailer (de)"], strict=True):
        players = elements(body, "audio", "video")
        assert players and not unnamed_media(body)
        assert all(label in attrs["aria-label"] for _tag, attrs, _text in players)
    assert elements(pages[1], "video")


def test_a_page_with_live_rows_has_one_polite_region_outside_them(owner_client, team):
    job = JobFactory(team=team, status=Status.PROCESSING)
    body = owner_client.get(reverse("job_list", kwargs={"team": team.slug})).content.decode()
    regions = {
        attrs.get("id"): attrs["aria-live"]
        for _tag, attrs, _text in elements(body, "div", "table", "tbody", "tr", "td", "span")
        if "aria-live" in attrs
    }
    # Rows and tables are never regions: every poll would read them out again.
    assert regions == {"job-live": "polite", "toasts": "polite"}
    assert f'id="job-{job.pk}"' in body and 'hx-trigger="every 2s"' in body


def test_a_polled_row_says_a_new_status_once_and_nothing_when_unchanged(owner_client, team):
    job = JobFactory(team=team, status=Status.PROCESSING, label="Trailer (fr)")
    changed = _row(owner_client, job, seen="queued")
    assert 'hx-swap-oob="innerHTML:#job-live"' in changed
    assert "Trailer (fr): Processing" in changed
    # The next poll carries the status it drew: nothing more is said.
    assert "hx-swap-oob" not in _row(owner_client, job, seen="processing")


def test_a_finished_job_is_said_by_its_toast_not_again_by_the_row(owner_client, team):
    job = JobFactory(team=team, status=Status.FAILED, announced=Status.FAILED)
    assert "hx-swap-oob" not in _row(owner_client, job, seen="processing")
