# ruff: noqa: F811 - the recorder tests' fixtures, imported, are the tests' arguments
"""In a real browser, as a new user would: record a take with Chromium's fake microphone,
calibrate from it, make the calibration the default, and order a conversion that names
it (the sandbox's log shows its calibration_id); and a calibration recorded on the
calibrations page itself."""

from dashboard import processes
from dashboard.tests.browser import MARKS
from recordings.models import Calibration, Recording
from recordings.tests.test_recorder_browser import (  # noqa: F401 - fixtures
    STOP_AT,
    browser_args,
    folder_page,
    microphone_prompt,
)
from voices import sync as voices_sync

pytestmark = MARKS


def _record(page, scope, seconds: int):
    from playwright.sync_api import expect

    scope.get_by_role("button", name="Record", exact=True).click()
    timer = scope.get_by_role("timer")
    expect(timer).to_have_text("0:01")
    timer.evaluate(STOP_AT, f"0:{seconds:02d}")
    expect(scope.locator("audio")).to_be_visible()
    scope.get_by_role("button", name="Keep", exact=True).click()


def _orders(control) -> list[dict]:
    log = control.get(
        "/_sandbox/requests", params={"provider": "respeecher", "method": "POST"}
    ).json()
    return [r for r in log["requests"] if r["path"] == "/respeecher/api/v2/orders"]


def test_record_calibrate_from_the_take_make_it_default_and_order_with_it(
    folder_page, live_workers, live_server, control
):
    from playwright.sync_api import expect

    page, folder = folder_page, folder_page.folder
    control.post(
        "/_sandbox/seed", json={"kind": "respeecher.voice", "count": 1, "name_prefix": "Narrator"}
    ).raise_for_status()
    voices_sync.sync_account(folder.account)

    # 1. A 3-second take, kept, in the folder.
    card = page.locator("form", has=page.get_by_role("heading", name="Record a take"))
    card.get_by_label("Label").fill("Ada, booth 2")
    _record(page, card, 3)
    expect(page.locator("#originals")).to_contain_text("Ada, booth 2")

    # 2. Calibrate from it, wait for Respeecher, make it the default.
    page.locator("#originals").get_by_role("link", name="Ada, booth 2").first.click()
    page.get_by_text("Calibrate from this take…").click()
    page.get_by_label("Name of the calibration").fill("Ada's booth")
    page.get_by_role("button", name="Calibrate", exact=True).click()
    expect(page.get_by_role("heading", name="Calibrations", exact=True)).to_be_visible()
    row = page.locator("#calibration-list tr", has_text="Ada's booth")
    expect(row).to_contain_text("Ready")  # the list reloads once the job has finished
    row.get_by_role("button", name="Make default").click()
    expect(page.locator("#calibration-default")).to_contain_text(
        "Conversions use “Ada's booth”, the default"
    )

    # 3. Order a conversion that names it.
    calibration = Calibration.objects.get(name="Ada's booth")
    assert calibration.enabled
    take = Recording.objects.get(folder=folder, label="Ada, booth 2")
    page.goto(f"{live_server.url}{take.get_absolute_url()}")
    page.get_by_role("link", name="Convert into voices…").click()
    page.get_by_label("Narrator", exact=False).first.check()
    page.get_by_label("Calibration").select_option(label="“Ada's booth”")
    page.get_by_role("button", name="Convert").click()
    expect(page.get_by_role("heading", name="Being converted")).to_be_visible()
    processes.wait_until(lambda: _orders(control), 30, interval=0.2, what="the order sent")
    [order] = _orders(control)
    assert order["json"]["calibration_id"] == calibration.remote_id
    assert order["json"]["use_calibration"] is True


def test_a_calibration_recorded_on_its_own_page(folder_page, live_workers, live_server):
    from playwright.sync_api import expect

    page = folder_page
    page.goto(f"{live_server.url}/t/{folder_page.folder.team.slug}/recordings/calibrations/")
    form = page.locator("#calibration-form")
    form.get_by_label("Name").fill("Kitchen mic")
    _record(page, form, 2)
    form.get_by_role("button", name="Calibrate", exact=True).click()
    row = page.locator("#calibration-list tr", has_text="Kitchen mic")
    expect(row).to_contain_text("Ready")
    assert Calibration.objects.get(name="Kitchen mic").is_ready
