"""In a real browser: a job's page, open while the job runs, changes whole when it ends
(state, actions, result, timeline and the header badge) without a reload, and leads to
what the job made. The job is moved by the test, not by a worker."""

from django.utils import timezone

from dashboard.tests.browser import MARKS
from jobs.models import JobEvent, Status
from jobs.tests.factories import JobFactory
from teams.models import Role
from teams.tests.factories import MembershipFactory, UserFactory
from voices.tests.factories import VoiceFactory

PASSWORD = "a long pass phrase 42"

pytestmark = MARKS


def test_a_job_page_follows_its_job_to_the_end_and_to_its_voice(
    transactional_db, live_server, browser_page
):
    from playwright.sync_api import expect

    user = UserFactory(username="ada", password=PASSWORD)
    team = MembershipFactory(user=user, role=Role.MEMBER).team
    job = JobFactory(
        team=team, kind="a2e.voice_clone", label="Clone “Ada”", status=Status.PROCESSING
    )
    JobEvent.objects.create(job=job, status=Status.PROCESSING, source="poll")
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/t/{team.slug}/jobs/{job.pk}/")
    expect(page.get_by_role("button", name="Cancel")).to_be_visible()
    expect(page.locator("#jobs-badge")).to_have_text("1 job running")
    # At a desktop's width the page uses it: About and Result side by side, not in a
    # form's narrow column one under the other.
    page.set_viewport_size({"width": 1280, "height": 800})
    about, result = (page.locator(".card").nth(i).bounding_box() for i in (0, 1))
    assert about["y"] == result["y"] and result["x"] > about["x"] + about["width"]
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    voice = VoiceFactory(team=team, account=job.account, remote_id=job.remote_id, name="Ada")
    JobEvent.objects.create(job=job, status=Status.COMPLETED, source="poll")
    type(job).objects.filter(pk=job.pk).update(
        status=Status.COMPLETED, announced=Status.COMPLETED, finished_at=timezone.now()
    )

    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    expect(page.locator(".job-state .pill-completed")).to_have_text("Completed")
    expect(page.locator(".timeline li").last).to_contain_text("Done at A2E")
    expect(page.locator("#jobs-badge")).to_have_text("Nothing running")
    link = page.get_by_role("link", name="Open the voice")
    expect(link).to_have_attribute("href", voice.get_absolute_url())
    assert page.evaluate("() => window.sameDocument") is True
