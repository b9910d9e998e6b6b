"""The checker of words on the page: what a page shows that reads as a code (a job kind,
an activity verb, a webhook event, a provider state, a bare language code or number)."""

import re
from html.parser import HTMLParser

from activity.models import Activity
from jobs import kinds
from providers import a2e, burki, respeecher
from webhooks.models import EventType

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
