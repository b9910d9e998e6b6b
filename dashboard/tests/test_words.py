"""Every page, as the owner of a team with a row of every kind, reads in people's words:
no job kind, activity verb, webhook event or provider state code, no raw id label, in
the visible text. Raw codes are allowed only inside a collapsed <details>. Built on the
URL walker, so a page added later is walked too."""

import itertools
import re
from datetime import timedelta
from html.parser import HTMLParser

import httpx
import pytest
import respx
from django.test import Client
from django.utils import timezone

from activity.models import Activity
from avatars.models import Utterance
from avatars.tests.factories import RoomFactory
from dashboard.tests.urlwalk import PUBLIC, ROUTES, args_of, url_for
from dubbing.models import Batch, Dubbing
from jobs import kinds
from jobs.models import JobEvent, Status
from jobs.tests.factories import JobFactory, JobFileFactory
from providers import a2e, burki, respeecher
from recordings.models import Recording
from recordings.tests.factories import FolderFactory, ProjectFactory, RecordingFactory
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, TeamFactory
from voices.tests.factories import VoiceFactory
from webhooks.models import EventType
from webhooks.tests.factories import DeliveryFactory, EndpointFactory, InboundEventFactory

# Every raw state the providers report, as providers/ maps them.
PROVIDER_STATES = sorted(
    {
        *a2e.VOICE_STATES,
        *a2e.DUBBING_STATES,
        *burki.CLONED_VOICE_STATES,
        *burki.SAMPLE_STATES,
        *respeecher.RECORDING_STATES,
        *respeecher.ORDER_STATES,
    }
)
# Words of the pages of old that show a code's place rather than its meaning.
PHRASES = [
    "sha256",
    "Provider id",
    "A2E id",
    "raw record",
    "via polling",
    "via submission",
    "via person",
    "via system",
    "Source URL",
    "ISO 639",
    "Base URL",
]
LANGUAGE_CODES = ["auto", "de", "es", "en", "fr", "ja", "pt-BR"]
PATTERNS = [
    (re.compile(r"\btrace [0-9a-f-]{6,}"), "a trace id"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"), "a machine timestamp"),
    (re.compile(r"(?<![\d,.])\d+\.0(?![\d.])"), "an unformatted number"),
    (re.compile(r"(?<![\d,.\w])[1-9]\d{4,}(?![\d\w])"), "a number without separators"),
]


def our_kinds():
    """The registered kinds of the apps (tests register fakes of their own)."""
    return {
        name: kind
        for name, kind in kinds.registered().items()
        if ".tests" not in type(kind).__module__
    }


def all_verbs():
    return Activity.Verb.values


def codes():
    """(code, why) of every code that must never be printed bare."""
    found = [(name, "job kind") for name in our_kinds()]
    found += [(verb, "activity verb") for verb in all_verbs()]
    found += [(event, "webhook event") for event in EventType.values]
    found += [(state, "provider state") for state in PROVIDER_STATES if "_" in state]
    return found


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts, styles, nor the inside of a
    <details> (where raw codes are allowed). Keeps each run of text apart as well."""

    HIDDEN = {"script", "style", "details", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        # Inside the <summary> of an outermost <details>: shown even while it is closed.
        self.summary = False
        self.runs = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1
        elif tag == "summary" and self.depth == 1:
            self.summary = True

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1
        elif tag == "summary":
            self.summary = False

    def handle_data(self, data):
        if (not self.depth or self.summary) and data.strip():
            self.runs.append(" ".join(data.split()))


def visible_runs(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.runs


def raw_words(html: str) -> list[str]:
    """What a page shows that reads as a code, each with why."""
    runs = visible_runs(html)
    text = " ".join(runs)
    problems = []
    for code, why in codes():
        if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text):
            problems.append(f"{why} {code!r}")
    for phrase in PHRASES:
        if phrase.lower() in text.lower():
            problems.append(f"phrase {phrase!r}")
    for pattern, why in PATTERNS:
        for match in pattern.findall(text):
            problems.append(f"{why} {match!r}")
    # A status word (or a language code) alone in its element: a provider's raw state
    # beside ours, or a code where a language name belongs. Ordinary prose is not matched.
    for run in runs:
        if run in PROVIDER_STATES:
            problems.append(f"provider state {run!r}")
        if run in LANGUAGE_CODES:
            problems.append(f"language code {run!r}")
    for code in LANGUAGE_CODES:
        bare = re.escape(code)
        if re.search(rf"(?:→|·) {bare}(?![\w-])|(?<![\w-]){bare} (?:→|·)", text):
            problems.append(f"language code {code!r}")
    return sorted(set(problems))


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


# What a team would call its work: the walk's rows read like a real team's, so its
# screenshots (docs/screenshots/, the README's Tour) show what a producer would see.
TITLES = [
    "Spring launch teaser",
    "Northwind audiobook, chapter 3",
    "Product tour for Germany",
    "Podcast intro, episode 12",
    "Support line greeting",
    "Onboarding video, part 2",
    "Summer recipe short",
    "Museum audio guide, room 4",
    "Investor update voice-over",
    "Kids' story: The Lighthouse",
    "Conference opening speech",
    "Safety briefing, warehouse",
]


def _team_with_everything():
    team = TeamFactory(name="Northwind Studio")
    owner = MembershipFactory(team=team, role=Role.OWNER, user__username="maya.lindqvist")
    editor = MembershipFactory(team=team, role=Role.MEMBER, user__username="sam.okafor")
    now = timezone.now()
    accounts = {}
    for provider, credits in (
        ("a2e", {"coins": 10000.0, "diamonds": 12.0}),
        ("respeecher", {"credits": 25000.0}),
        ("burki", {}),
    ):
        accounts[provider] = ProviderAccountFactory(
            team=team,
            provider=provider,
            credits=credits,
            last_check_ok=True,
            last_checked_at=now - timedelta(minutes=2),
        )
    states = iter(PROVIDER_STATES * 20)
    titles = itertools.cycle(TITLES)
    jobs = []
    batches = []
    for name, kind in our_kinds().items():
        for status in Status.values:
            remote_status = next(states)
            title = next(titles)
            job = JobFactory(
                team=team,
                account=accounts[kind.provider],
                provider=kind.provider,
                kind=name,
                label=title,
                status=status,
                remote_status=remote_status,
                remote={"status": remote_status, "id": "r-1"},
                created_by=owner.user,
                finished_at=now if status in ("completed", "failed", "canceled") else None,
                announced=status,
            )
            for source in JobEvent.Source.values:
                JobEvent.objects.create(
                    job=job, status=status, remote_status=remote_status, source=source
                )
            if status == Status.COMPLETED:
                result = JobFileFactory(job=job)
            if name == "a2e.dubbing":
                batch = Batch.objects.create(team=team, name=title, source_lang="auto")
                batches.append(batch)
                Dubbing.objects.create(
                    team=team, batch=batch, job=job, name=title, target_lang="es"
                )
            jobs.append(job)
    for verb in all_verbs():
        Activity.objects.create(team=team, actor=owner.user, verb=verb, target_label=next(titles))
    Activity.objects.create(
        team=team,
        verb=Activity.Verb.JOB_FAILED,
        target_label="Spring launch teaser",
        outcome=Activity.Outcome.FAILED,
        message="A2E could not read the source video.",
    )
    endpoint = EndpointFactory(
        team=team, event_types=EventType.values, description="Our release tracker"
    )
    for event in EventType.values:
        delivery = DeliveryFactory(endpoint=endpoint, event_type=event)
    InboundEventFactory(hook__account=accounts["a2e"], event_type="job.updated")
    voice = VoiceFactory(
        team=team,
        account=accounts["a2e"],
        name="Maya, warm narrator",
        language="en",
        raw={"status": "completed"},
    )
    for provider, name, language in (
        ("respeecher", "Daniel, calm explainer", "en"),
        ("a2e", "Lucía, bright and quick", "es"),
        ("burki", "Support line, friendly", "de"),
    ):
        VoiceFactory(team=team, account=accounts[provider], name=name, language=language)
    project = ProjectFactory(team=team, account=accounts["respeecher"], name="Northwind audiobook")
    folder = FolderFactory(project=project, name="Chapter 1")
    # A take in every state, each with a raw Respeecher state, and a conversion of each.
    takes = []
    for n, (state, raw) in enumerate(
        zip(Status.values, iter(PROVIDER_STATES * 3), strict=False), start=1
    ):
        made = now - timedelta(hours=len(Status.values) - n, minutes=12)
        take = RecordingFactory(
            project=project,
            folder=folder,
            state=state,
            status=raw,
            label=f"Chapter 1, take {n}",
            created_at=made,
        )
        takes.append(take)
        RecordingFactory(
            project=project,
            folder=folder,
            kind=Recording.Kind.CONVERSION,
            original=take,
            state=state,
            status=raw,
            label=f"Chapter 1, take {n}, new voice",
            model_name="Daniel, calm explainer",
            created_at=made + timedelta(minutes=5),
        )
    room = RoomFactory(team=team, account=accounts["a2e"], avatar_name="Ava at the front desk")
    Utterance.objects.create(
        room=room,
        kind="speak",
        text="Welcome to Northwind. How can I help?",
        trace_id="0f3c9a2b-77aa",
    )
    # The pages of these objects are walked, not the walker's own empty ones.
    seeded = {
        "project_id": project.pk,
        "folder_id": folder.pk,
        "room_id": room.pk,
        "voice_id": voice.pk,
        "batch_id": batches[0].pk,
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "member_id": editor.pk,
        "file_id": result.pk,
    }
    return team, owner, jobs, seeded, takes


@pytest.mark.django_db
def test_the_walks_takes_read_like_a_real_teams():
    # Its screenshots are the README's Tour: a conversion names its voice and every row
    # says when it was made, as Respeecher's listing does.
    team, owner, _jobs, seeded, _takes = _team_with_everything()
    client = Client()
    client.force_login(owner.user)
    page = client.get(url_for("recordings_folder", team, objects=seeded)).content.decode()
    rows = re.findall(r'(?s)<tr class="conversion">.*?</tr>', page)
    assert rows and all("↳ Daniel, calm explainer" in row for row in rows)
    assert all("<time" in row for row in rows) and "(voice unknown)" not in page


@pytest.mark.django_db
def test_no_page_shows_a_raw_code():
    team, owner, jobs, seeded, takes = _team_with_everything()
    client = Client()
    client.force_login(owner.user)
    urls = []
    for name in ROUTES:
        if name in PUBLIC:
            continue
        if "job_id" in args_of(name):
            urls += [url_for(name, team, objects={"job_id": job.pk}) for job in jobs]
        elif "recording_id" in args_of(name):
            urls += [url_for(name, team, objects={"recording_id": t.pk}) for t in takes]
        else:
            urls.append(url_for(name, team, objects=seeded))
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
