"""The home page lists the team's latest finished conversions, each linking to its take."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Status
from recordings.models import Recording
from recordings.tests.factories import RecordingFactory

pytestmark = pytest.mark.django_db


def _conversion(team, original_label, voice, state=Status.COMPLETED):
    original = RecordingFactory(
        project__team=team, project__account__team=team, label=original_label
    )
    return RecordingFactory(
        project=original.project,
        kind=Recording.Kind.CONVERSION,
        original=original,
        model_name=voice,
        state=state,
        converted_at=timezone.now(),
    )


def test_home_shows_recent_conversions_linking_to_their_takes(viewer_client, team, other_team):
    done = _conversion(team, "Opening line", "Narrator")
    _conversion(team, "Still going", "Narrator", state=Status.PROCESSING)
    _conversion(other_team, "Their take", "Narrator")
    html = viewer_client.get(reverse("home", kwargs={"team": team.slug})).content.decode()
    assert "Recent conversions" in html
    assert "Opening line → Narrator" in html
    assert done.get_absolute_url() in html
    assert "Still going" not in html
    assert "Their take" not in html


def test_home_without_conversions_has_no_such_section(viewer_client, team):
    html = viewer_client.get(reverse("home", kwargs={"team": team.slug})).content.decode()
    assert "Recent conversions" not in html
