"""The avatar room page's script and the vendored Agora SDK are static files we serve."""

import httpx
import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

SCRIPTS = ["js/avatar-room.js", "vendor/agora/AgoraRTC_N-production.js"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_script_is_found_by_staticfiles(name):
    assert finders.find(name)


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_script_is_served_as_javascript(live_server, name):
    answer = httpx.get(live_server.url + static(name), timeout=30)

    assert answer.status_code == 200
    assert "javascript" in answer.headers["content-type"]


def test_the_room_script_reads_the_stage_the_room_page_renders(live_server):
    source = httpx.get(live_server.url + static("js/avatar-room.js"), timeout=30).text

    assert 'getElementById("avatar-stage")' in source
    assert "sendBeacon" in source and "AgoraRTC" in source
