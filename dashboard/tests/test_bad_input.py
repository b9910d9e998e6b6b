"""Sends hostile input to every route that takes POST and checks each is refused plainly:
never a 500, no row written, nothing sent upstream. Fields are read from the forms the
pages draw, so a form added later is walked without a line here."""

import copy
import io
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import messages as django_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from dashboard.tests.urlwalk import OBJECT_ARGS, PUBLIC, ROUTES, TEAM_ROUTES, args_of, url_for
from jobs.tests.audio import wav
from teams.models import Provider, Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"  # UserFactory's

# Rows that are not the person's data, so a refused request may write them: the session
# the test client keeps (team_view stores the current team in it, login and logout rotate
# it), and the login throttle's record of attempts (axes logs every failed login, which
# is the point of it).
BOOKKEEPING = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "axes.accessattemptexpiration",
    # A form's one-time key (jobs.once): kept with the answer when that answer is a
    # redirect, which some refusals are ("Choose at least one take"); a repeat of the
    # same key is then sent there too, which is what it is for.
    "jobs.submitkey",
}

# Routes that take POST but no input: the request is the action. Their plain POST is
# the baseline; hostile extras may do what it does (the same tables, the same upstream
# calls) and nothing more. "Sandbox log empty" does not hold for those that call
# upstream by design; "never a 500" and "no rows beyond the action's" still do.
NO_INPUT = {
    "avatars_refresh": "reads A2E's avatar list again: calls upstream by design",
    "avatars_room_leave": "leaves the room at A2E (a beacon sends reason=abandoned)",
    "avatars_room_beat": "the room page's heartbeat; reads no field",
    "dubbing_import": "queues an import of A2E's records; reads no field",
    "job_cancel": "cancels the job at its provider: calls upstream by design",
    "job_retry": "sends a failed job again (this one is running: it says so)",
    "job_results_retry": "copies a result again now (this one has none waiting: it says so)",
    "invitation_revoke": "revokes the invitation; reads no field",
    "member_remove": "removes the member; reads no field",
    "provider_test": "tests the connection: calls upstream by design",
    "inbound_hook_create": "makes the callback address and its secret; reads no field",
    "webhook_roll_secret": "rolls the endpoint's secret; reads no field",
    "webhook_test": "queues a test event to the endpoint (a Delivery row by design)",
    "webhook_redeliver": "queues the delivery again; reads no field",
    "recordings_refresh": "starts a sync of Respeecher's projects (a SyncRun row by design)",
    "recordings_retry": "sends a failed conversion again (this one is not failed: it says so)",
    "recordings_calibration_enable": "makes the calibration the default; reads no field",
    "recordings_calibration_auto": "switches the account to automatic calibration; reads no field",
    "recordings_calibration_refresh": "reads Respeecher's calibrations again; reads no field",
    "recordings_note_delete": "deletes the take's note; reads no field (drawn only on a note)",
    "usage_refresh": "reads Respeecher's usage figures again now; reads no field",
    "voices_refresh": "starts a sync of the provider's voices (a SyncRun row by design)",
    "logout": "ends the session; walked anonymously so the admin's session survives",
    "healthz": "answers any method with the health of the database and broker",
    "root": "sends a person to their team; reads no field",
    "input_file": "serves a file to providers; any method but GET and HEAD is a 404",
    "webhook_inbound": "a signed JSON body, not a form: unsigned posts must be refused",
}
# Routes that do their action on any POST, with fields the pages draw too: hostile values
# may do what the plain form does, and no more. Each with its reason.
ACTIONS = {
    "voice_favorite": "stars or unstars; an unknown value means unstar, like an empty box",
    "recordings_star": "stars or unstars; an unknown value means unstar, like an empty box",
    "recordings_bulk_star": "stars or unstars the ticked takes; other ids are ignored",
    "recordings_bulk_delete": "asks first; ids of other folders or teams are ignored",
    "recordings_bulk_export": "zips the ticked takes; other ids are ignored",
    "voices_bulk": "acts on the ticked voices; other ids are ignored",
    "dubbing_bulk": "acts on the ticked dubbings; other ids are ignored",
    "dubbing_delete": "deletes the dubbing; here_only is a flag, anything else means no",
    "provider_delete": "disconnects the account; stop_running is a flag",
    "voice_delete": "deletes the clone at A2E; reads no field",
    "recordings_project_delete": "deletes the project at Respeecher; reads no field",
    "recordings_folder_delete": "deletes the folder at Respeecher; reads no field",
    "webhook_delete": "deletes the endpoint; reads no field",
    "inbound_hook_delete": "deletes the callback address; reads no field",
}
# Routes that cannot be walked, each with why.
NOT_WALKABLE = {
    "avatars_picture": "relays an avatar's picture; the sandbox's avatars have none, so "
    "every method is a 404 here",
    "recordings_media": "relays a take's audio; the walked take has no audio mirrored, so "
    "every method is a 404 here",
}
# Pages that draw a route's form when the route's own page does not, each with why.
FORM_PAGES = {
    # The order form is drawn for the ticked takes only.
    "recordings_order": lambda w: f"{w.url('recordings_order')}?ids={w.take.pk}",
    # The speech form draws only the fields the chosen voice's provider reads; a
    # Respeecher voice has the most (folder, language, style, semitones, calibration).
    "voices_speech": lambda w: f"{w.url('voices_speech')}?voice={w.objects['voice_id']}",
}
# Routes walked anonymously: the way in, and the public ones.
ANONYMOUS = set(PUBLIC)
# Routes reached with the owner: an admin is refused them (403) before any field is read.
OWNER_ONLY = {"member_role", "team_delete"}
# Values that make a form valid where a plain guess would not (by field name).
GOOD_VALUES = {
    "old_password": PASSWORD,
    "new_password1": "Another-horse-9181",
    "new_password2": "Another-horse-9181",
    "password1": "Another-horse-9181",
    "password2": "Another-horse-9181",
    "email": "someone@example.com",
    "language": "en",
    "country": "en",
    "region": "US",
    "source_lang": "auto",
    "minutes": "1",
    "link": "https://app.respeecher.com/projects/00000000-0000-0000-0000-000000000001",
    "confirm_name": "Acme Voices",
    "url": "https://hooks.example.com/voxboard",
    "secret": "sandbox-key-0000",
    "sample_urls": "https://samples.example.com/voice.wav",
}

HOSTILE_TEXT = {
    "long": "x" * 10_000,
    "nul": "Hel\x00lo",
    # Sent as its UTF-8-like bytes: no valid UTF-8 encodes a lone surrogate.
    "surrogate": "Hel\udc80lo",
    "rtl": "\u202eevil\u200f",
}
HOSTILE_NUMBERS = {"negative": "-1", "huge": "9" * 30, "nan": "NaN", "inf": "1e400"}
# Accepted as ordinary text, so they may do what the plain form does.
BENIGN = {"surrogate", "rtl", "duplicate"}


def _files():
    good = wav(20, rate=2000)
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    return {
        "file-empty": ("empty.wav", b"", "audio/wav"),
        "file-truncated": ("cut.wav", good[:60], "audio/wav"),
        "file-wrong-type": ("notes.txt", b"just some words\n" * 20, "text/plain"),
        "file-renamed": ("page.wav", html, "audio/wav"),
    }


# Reading the forms a page draws ------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    required: bool = False
    values: list = field(default_factory=list)  # options, or each checkbox's value
    value: str = ""
    checked: bool = False
    multiple: bool = False
    maxlength: int | None = None
    min: float | None = None
    max: float | None = None


class FormReader(HTMLParser):
    """Every <form method=post>: its action and its fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None
        self._by_id, self._outside = {}, []  # forms by id; fields naming one (form="...")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = {"action": a.get("action") or "", "fields": []}
                self.forms.append(self._form)
                if a.get("id"):
                    self._by_id[a["id"]] = self._form
            return
        if a.get("form") and tag in ("input", "button", "select", "textarea"):
            # A field outside its form (the bulk boxes beside each row) joins it by id.
            inside, self._form = self._form, {"fields": []}
            self._outside.append((a["form"], self._form))
            self._field(tag, a)
            self._form = inside
            return
        if self._form is None:
            return
        self._field(tag, a)

    def close(self):
        super().close()
        for form_id, holder in self._outside:
            if form_id in self._by_id:
                self._by_id[form_id]["fields"].extend(holder["fields"])

    def _field(self, tag, a):
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = (a.get("type") or "text").lower()
            if kind == "submit":
                kind = "button"
            self._add(name, kind, a, value=a.get("value") or "", checked="checked" in a)
        elif tag == "button" and name:
            self._add(name, "button", a, value=a.get("value") or "")
        elif tag == "textarea" and name:
            self._add(name, "textarea", a)
        elif tag == "select" and name:
            self._select = self._add(name, "select", a, multiple="multiple" in a)
        elif tag == "option" and self._select is not None:
            self._select.values.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def _add(self, name, kind, a, **more):
        def number(key):
            try:
                return float(a[key])
            except (KeyError, ValueError):
                return None

        maxlength = a.get("maxlength")
        found = Field(
            name,
            kind,
            required="required" in a,
            maxlength=int(maxlength) if maxlength and maxlength.isdigit() else None,
            min=number("min"),
            max=number("max"),
            **more,
        )
        self._form["fields"].append(found)
        return found


def merge(fields) -> dict[str, Field]:
    """One Field per name: checkboxes and radios of one name are one choice."""
    merged = {}
    for f in fields:
        known = merged.get(f.name)
        if known is None:
            merged[f.name] = f
            if f.kind in ("checkbox", "radio", "button"):
                f.values = [f.value]
        elif known.kind in ("checkbox", "radio", "button") and f.value not in known.values:
            known.values.append(f.value)
            known.required = known.required or f.required
            known.checked = known.checked or f.checked
    return merged


# The team's world: sandbox accounts and one object per URL argument ------------------


class World:
    def __init__(self, team, other_team, sandbox_url):
        self.team, self.other_team, self.sandbox_url = team, other_team, sandbox_url
        self.admin = MembershipFactory(team=team, role=Role.ADMIN)
        self.owner = MembershipFactory(team=team, role=Role.OWNER)
        for each in (team, other_team):
            for provider in Provider.values:
                ProviderAccountFactory(
                    team=each,
                    provider=provider,
                    base_url=f"{sandbox_url}/{provider}",
                    secret=f"sandbox-{provider}",
                    options={"assistants": [1]} if provider == Provider.BURKI else {},
                )
        self.objects = self._objects(team)
        self.others = self._objects(other_team)
        self.take = self._recording(self.objects["recording_id"])

    def _objects(self, team):
        from avatars import lookups as avatar_lookups
        from avatars.tests.factories import RoomFactory
        from dubbing.forms import source_rules
        from dubbing.models import Dubbing
        from jobs import inputs
        from jobs.models import Status
        from recordings.models import Recording
        from recordings.tests.factories import RecordingFactory
        from teams.models import Invitation, ProviderAccount
        from voices.models import Kind
        from voices.tests.factories import VoiceFactory
        from webhooks.tests.factories import InboundHookFactory

        objects = {arg: make(team) for arg, make in OBJECT_ARGS.items()}
        a2e = ProviderAccount.objects.get(team=team, provider=Provider.A2E)
        respeecher = ProviderAccount.objects.get(team=team, provider=Provider.RESPEECHER)
        hook = InboundHookFactory(account=a2e)
        objects["account_id"] = a2e.pk
        objects["burki_account_id"] = ProviderAccount.objects.get(
            team=team, provider=Provider.BURKI
        ).pk
        objects["hook_token"] = hook.token
        # The opener's room, so Speak, Ask and the context are read, not refused as
        # someone else's.
        objects["room_id"] = RoomFactory(team=team, account=a2e, opened_by=self.admin.user).pk
        # Finished, so its page draws what only a take with audio offers (calibrating).
        take = RecordingFactory(
            project__team=team, project__account=respeecher, state=Status.COMPLETED
        )
        objects["recording_id"] = take.pk
        objects["folder_id"] = take.folder_id or self._folder_for(take)
        objects["conversion_id"] = RecordingFactory(
            project=take.project, original=take, kind=Recording.Kind.CONVERSION
        ).pk
        objects["a2e_clone_id"] = VoiceFactory(team=team, account=a2e, kind=Kind.CLONE).pk
        objects["respeecher_voice_id"] = VoiceFactory(
            team=team,
            account=respeecher,
            kind=Kind.MARKETPLACE if hasattr(Kind, "MARKETPLACE") else Kind.CLONE,
            raw={
                "accents": [{"id": "acc-1", "name": "Neutral"}],
                "narration_styles": [
                    {
                        "id": "style-1",
                        "is_default": True,
                        "name": "Calm",
                        "info": {"name": "Calm"},
                        "tags": [{"name": "calm"}],
                    }
                ],
            },
        ).pk
        objects["voice_id"] = objects["respeecher_voice_id"]
        # The dubbing's uploaded source, so its player and the providers' file link answer.
        source = inputs.store(
            team, SimpleUploadedFile("source.wav", wav(2, rate=2000)), source_rules()
        )
        Dubbing.objects.get(job_id=objects["job_id"]).batch.__class__.objects.filter(
            dubbings__job_id=objects["job_id"]
        ).update(source=source)
        objects["file_token"] = urlsplit(inputs.public_url(source)).path.rstrip("/").split("/")[-1]
        objects["avatar_id"] = avatar_lookups.avatars(a2e)[0]["id"]
        _, objects["invitation_token"] = Invitation.create(
            team=team, role=Role.MEMBER, created_by=self.admin.user
        )
        return objects

    @staticmethod
    def _folder_for(take):
        from recordings.tests.factories import FolderFactory

        folder = FolderFactory(project=take.project)
        type(take).objects.filter(pk=take.pk).update(folder=folder)
        return folder.pk

    @staticmethod
    def _recording(pk):
        from recordings.models import Recording

        return Recording.objects.get(pk=pk)

    def url(self, name):
        objects = dict(self.objects)
        # Some routes act on one kind of the argument's objects.
        if name in ("provider_assistants",):
            objects["account_id"] = objects["burki_account_id"]
        if name == "recordings_retry":
            objects["recording_id"] = objects["conversion_id"]
        if name == "voice_delete":
            objects["voice_id"] = objects["a2e_clone_id"]
        if name in ("invitation_accept",):
            return url_for(name, self.team, objects={"token": objects["invitation_token"]})
        if name == "webhook_inbound":
            return url_for(name, self.team, objects={"token": objects["hook_token"]})
        if name == "input_file":
            return url_for(name, self.team, objects={"token": objects["file_token"]})
        return url_for(name, self.team, objects=objects)


# One request and what it did -----------------------------------------------------------


def snapshot_sql():
    """One query: each table's row count and highest key, so a written or deleted row
    shows. Changed rows do not; what reaches upstream shows in the sandbox's log."""
    quote = connection.ops.quote_name
    parts, labels = [], []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in BOOKKEEPING or not model._meta.managed or model._meta.proxy:
            continue
        pk, table = quote(model._meta.pk.column), quote(model._meta.db_table)
        # Names of our own models' tables, quoted: no input reaches this SQL.
        parts.append(f"SELECT {len(labels)}, COUNT(*), MAX({pk}) FROM {table}")  # noqa: S608
        labels.append(label)
    return " UNION ALL ".join(parts), labels


@dataclass
class Outcome:
    status: int
    crashed: str = ""
    tables: frozenset = frozenset()
    upstream: frozenset = frozenset()
    said_why: bool = False


class Walker:
    def __init__(self, world, control):
        self.world, self.control = world, control
        self.sql, self.labels = snapshot_sql()
        self.clients = {"admin": self._client(world.admin), "owner": self._client(world.owner)}
        self.clients["anonymous"] = Client()
        self.cases = 0

    @staticmethod
    def _client(membership):
        client = Client()
        client.force_login(membership.user)
        return client

    def snapshot(self):
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return {self.labels[i]: (n, top) for i, n, top in cursor.fetchall()}

    def upstream(self) -> frozenset:
        log = self.control.get("/_sandbox/requests").json()
        if log["count"]:
            self.control.delete("/_sandbox/requests").raise_for_status()
        return frozenset((r["method"], r["path"]) for r in log["requests"])

    def get(self, who, url):
        """GET a page; its answer, and the upstream reads it made."""
        response = self.clients[who].get(url)
        return response, self.upstream()

    def send(self, who, url, data, files=None, htmx=False) -> Outcome:
        """POST inside a savepoint rolled back after, so each case starts from the same rows."""
        client = self.clients[who]
        # The rollback below takes back a session a case made (a password change cycles
        # the key): the client goes on with the cookies it came with.
        cookies = copy.deepcopy(client.cookies)
        cookies.pop("messages", None)
        headers = {"HX-Request": "true"} if htmx else {}
        body, content_type = multipart(data, files or {})
        self.cases += 1
        with transaction.atomic():
            before = self.snapshot()
            try:
                response = client.generic(
                    "POST", url, body, content_type=content_type, headers=headers
                )
            except Exception as exc:  # noqa: BLE001 - any exception is the 500 looked for
                transaction.set_rollback(True)
                client.cookies = cookies
                self.upstream()
                return Outcome(500, crashed=f"{type(exc).__name__}: {str(exc)[:160]}{where(exc)}")
            after = self.snapshot()
            transaction.set_rollback(True)
        client.cookies = cookies
        changed = frozenset(t for t in after if after[t] != before.get(t))
        return Outcome(
            response.status_code,
            tables=changed,
            upstream=self.upstream(),
            said_why=said_why(response),
        )


def where(exc) -> str:
    """The last line of our own code the exception passed through."""
    ours = [f for f in traceback.extract_tb(exc.__traceback__) if "site-packages" not in f.filename]
    return f" (at {ours[-1].filename.rsplit('/', 2)[-2:]}:{ours[-1].lineno})" if ours else ""


BOUNDARY = "HostileBoundary7MA4YWxkTrZu0gW"


def multipart(data: list[tuple[str, str]], files: dict) -> tuple[bytes, str]:
    """The body by hand: the test client encodes strictly, and a lone surrogate (or a
    field sent twice in a set order) has to reach the server as a browser could send it."""
    out = io.BytesIO()
    # A browser's form always carries its CSRF token (the test client does not check it),
    # so even "nothing at all" is a body with one field, as it would arrive.
    for name, value in [("csrfmiddlewaretoken", "x" * 64), *data]:
        out.write(f"--{BOUNDARY}\r\n".encode())
        out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode("utf-8", "surrogatepass"))
        out.write(b"\r\n")
    for name, (filename, content, content_type) in files.items():
        out.write(f"--{BOUNDARY}\r\n".encode())
        out.write(
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        out.write(content)
        out.write(b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={BOUNDARY}"


def said_why(response) -> bool:
    """A message on a field (Django's error list) or an error for the person."""
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    if any(m.level >= django_messages.WARNING for m in queued):
        return True
    if response.get("HX-Trigger") and '"error"' in response["HX-Trigger"]:
        return True
    if response.streaming or "html" not in response.get("Content-Type", ""):
        return False
    return b'class="errorlist' in response.content or b'role="alert"' in response.content


# Building the cases ----------------------------------------------------------------------


@dataclass
class Case:
    label: str
    data: list
    files: dict
    must_refuse: bool
    input_class: str


def good_value(f: Field, world) -> str | None:
    bare = f.name.rsplit("-", 1)[-1]  # a form's prefix ("speak-language") left off
    if bare in GOOD_VALUES:
        return GOOD_VALUES[bare]
    if f.kind in ("hidden", "button"):
        return f.value
    if f.kind == "select":
        return f.value or next((v for v in f.values if v), None)
    if f.kind in ("checkbox", "radio"):
        flag = f.values[0] in ("", "on", "1", "true", "yes")
        if len(f.values) == 1 and flag and not f.checked and not f.required:
            return None  # a lone flag left as drawn; a box naming a choice is ticked
        return f.values[0]
    if f.kind == "number":
        return f.value or str(int(f.min) if f.min is not None else 1)
    if f.kind == "url":
        return f.value or None  # a link beside a file field would be "one of the two"
    if f.kind == "password":
        return PASSWORD
    if f.kind == "file":
        return None
    if f.name == "base_url":
        return f.value
    return f.value or "Hello"


def good_form(fields: dict[str, Field], world):
    data, files = [], {}
    for f in fields.values():
        if f.kind == "file":
            files[f.name] = ("sample.wav", wav(20, rate=2000), "audio/wav")
            continue
        value = good_value(f, world)
        if value is not None:
            data.append((f.name, value))
    return data, files


def with_value(data, name, values):
    kept = [(n, v) for n, v in data if n != name]
    return kept + [(name, v) for v in values]


def is_idlike(f: Field, base: str | None) -> bool:
    return bool(base and base.isdigit()) or f.name in ("ids", "voice", "voices")


def cases_for(name, fields: dict[str, Field], world) -> list[Case]:
    data, files = good_form(fields, world)
    base = dict(data)
    cases = []

    def add(label, d, fl, refuse, input_class):
        cases.append(Case(label, d, fl, refuse, input_class))

    for f in fields.values():
        if f.kind == "button":
            continue
        bare = [(n, v) for n, v in data if n != f.name]
        others = {k: v for k, v in files.items() if k != f.name}
        # Missing: refused when the page marks it required.
        add(f"{f.name} missing", bare, others, f.required, "missing")
        if f.kind == "file":
            for label, upload in _files().items():
                add(f"{f.name} {label}", data, {**others, f.name: upload}, True, label)
            add(
                f"{f.name} as text",
                with_value(data, f.name, ["sample.wav"]),
                others,
                f.required,
                "wrong-type",
            )
            continue
        textish = f.kind in ("text", "textarea", "email", "url", "password", "search")
        closed = f.kind in ("select", "radio") or (f.kind == "checkbox" and len(f.values) > 1)
        # Wrong type: a file where text goes, text where a number or a choice goes.
        if textish:
            upload = ("x.wav", b"RIFF", "audio/wav")
            add(f"{f.name} as a file", bare, {**others, f.name: upload}, f.required, "wrong-type")
        else:
            add(
                f"{f.name} not a choice",
                with_value(data, f.name, ["\u00bfqu\u00e9?"]),
                files,
                f.kind == "number" or closed,
                "wrong-type",
            )
        for label, value in HOSTILE_TEXT.items():
            refuse = label not in BENIGN and (textish or closed or f.kind == "number")
            if label == "long" and textish and (f.maxlength is None or f.maxlength >= 10_000):
                refuse = False  # no limit drawn: the form's own limit is tried below
            add(f"{f.name} {label}", with_value(data, f.name, [value]), files, refuse, label)
        if f.kind == "number" or is_idlike(f, base.get(f.name)):
            for label, value in HOSTILE_NUMBERS.items():
                low, high = f.min, f.max
                refuse = closed or label in ("nan", "inf")
                if f.kind == "number" and label == "negative":
                    refuse = low is not None and low > -1
                if f.kind == "number" and label == "huge":
                    refuse = high is not None
                add(f"{f.name} {label}", with_value(data, f.name, [value]), files, refuse, label)
        if is_idlike(f, base.get(f.name)):
            key = ID_KINDS.get((name.split("_")[0], f.name))
            if key:
                theirs = str(world.others[key])
                add(
                    f"{f.name} another team's",
                    with_value(data, f.name, [theirs]),
                    files,
                    closed,
                    "another-team",
                )
            add(
                f"{f.name} not there",
                with_value(data, f.name, ["987654321"]),
                files,
                closed,
                "not-there",
            )
    # The whole form twice over: each field sent twice, the last value different.
    twice = [(n, v) for n, v in data for _ in (0, 1)]
    add("every field twice", twice, files, False, "duplicate")
    # Fields nobody asked for, with every hostile value.
    extras = [(f"zz_{label}", v) for label, v in {**HOSTILE_TEXT, **HOSTILE_NUMBERS}.items()]
    add("unknown fields", data + extras, files, False, "extras")
    add("nothing at all", [], {}, any(f.required for f in fields.values()), "missing")
    return cases


# (route prefix, field name) -> which of the other team's objects its id names.
ID_KINDS = {
    ("voices", "ids"): "voice_id",
    ("voices", "voice"): "voice_id",
    ("recordings", "ids"): "recording_id",
    ("recordings", "voices"): "respeecher_voice_id",
    ("dubbing", "ids"): "job_id",
    ("member", "role"): "member_id",
}


# The walk ------------------------------------------------------------------------------


def page_forms(walker, world) -> tuple[dict[str, list[Field]], dict[str, set]]:
    """Every post form the team's pages draw, by the path it posts to; and the pages
    that draw each."""
    found: dict[str, list[Field]] = {}
    drawn_on: dict[str, set] = {}
    pages = [world.url(n) for n in TEAM_ROUTES if n not in NO_INPUT and n not in FORM_PAGES]
    pages += [world.url(n) for n in ("team_create", "password_change")]
    pages += [make(world) for make in FORM_PAGES.values()]
    # The owner sees the owner's own forms (roles, deleting the team); the admin opened
    # the room, so only the admin's page draws Speak, Ask and the context.
    people = ["admin", "owner"]
    for page, who in [(p, w) for p in pages for w in people] + [(world.url("login"), "anonymous")]:
        response, _ = walker.get(who, page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = FormReader()
        reader.feed(response.content.decode())
        reader.close()
        for form in reader.forms:
            target = urlsplit(urljoin(page, form["action"])).path
            found.setdefault(target, []).extend(form["fields"])
            drawn_on.setdefault(target, set()).add((page, who))
    # The signup on an invitation is drawn for people not logged in.
    invite = world.url("invitation_accept")
    reader = FormReader()
    reader.feed(walker.get("anonymous", invite)[0].content.decode())
    for form in reader.forms:
        found.setdefault(invite, []).extend(form["fields"])
        drawn_on.setdefault(invite, set()).add((invite, "anonymous"))
    return found, drawn_on


def check(outcome: Outcome, case: Case, baseline: Outcome, reads: frozenset) -> str:
    """What is wrong with this answer, or ""."""
    # 502 and 503 are answers (an upstream refused, the broker is down), not crashes.
    if outcome.crashed or outcome.status == 500:
        return f"answered {outcome.status} {outcome.crashed}".strip()
    if case.must_refuse:
        if outcome.tables:
            return f"wrote rows in {sorted(outcome.tables)}"
        sent = outcome.upstream - reads
        if sent:
            return f"reached upstream: {sorted(sent)}"
        refused = 400 <= outcome.status < 500 or outcome.said_why
        if not refused:
            return f"answered {outcome.status} without saying what was wrong"
        return ""
    extra_tables = outcome.tables - baseline.tables
    if extra_tables:
        return f"wrote rows the plain request does not: {sorted(extra_tables)}"
    extra_calls = outcome.upstream - baseline.upstream - reads
    if extra_calls:
        return f"reached upstream beyond the plain request: {sorted(extra_calls)}"
    return ""


def who_walks(name):
    if name in ANONYMOUS:
        return "anonymous"
    return "owner" if name in OWNER_ONLY else "admin"


@pytest.fixture
def world(team, other_team, sandbox_url, control):
    cache.clear()  # lists kept per account (avatars, languages) are read afresh
    yield World(team, other_team, sandbox_url)
    cache.clear()


def test_every_post_route_refuses_hostile_input_plainly(world, control):
    walker = Walker(world, control)
    forms, drawn_on = page_forms(walker, world)
    problems, not_walked, no_post, walked, pages = [], {}, [], [], []
    for name in ROUTES:
        if name in NOT_WALKABLE:
            continue
        url = world.url(name)
        who = who_walks(name)
        fields = merge(forms.get(urlsplit(url).path, []))
        plain = name in NO_INPUT or name in ACTIONS
        if not fields and not plain:
            if walker.send(who, url, []).status == 405:
                no_post.append(name)
                continue
            if walker.get(who, url)[0].status_code in (403, 404, 405):
                not_walked[name] = "no form posts here and no table names it: teach NO_INPUT"
                continue
            # A page that answers a POST as it answers a GET: it reads no field, so the
            # hostile ones may do what a plain POST does, and no more.
            pages.append(name)
            plain = True
        # The reads of the pages that draw the form (the lists its choices come from)
        # may be repeated when it is drawn again.
        reads = set()
        for page, viewer in drawn_on.get(urlsplit(url).path, {(url, who)}):
            reads |= {c for c in walker.get(viewer, page)[1] if c[0] == "GET"}
        data, files = good_form(fields, world)
        baseline = walker.send(who, url, data, files)
        if baseline.crashed or baseline.status == 500:
            problems.append(f"{name}: the plain form answered {baseline.status} {baseline.crashed}")
        if plain:
            # An action may act on an empty POST too (a box left unticked is a flag off).
            empty = walker.send(who, url, [])
            baseline.tables |= empty.tables
            baseline.upstream |= empty.upstream
        walked.append(name)
        for case in cases_for(name, fields, world):
            if plain:
                case.must_refuse = False
            for htmx in (False, True):
                outcome = walker.send(who, url, case.data, case.files, htmx=htmx)
                wrong = check(outcome, case, baseline, frozenset(reads))
                if wrong:
                    tag = " (htmx)" if htmx else ""
                    problems.append(f"{name}: {case.label}{tag}: {wrong}")
    print(
        f"\nbad input: {walker.cases} cases over {len(walked)} routes; "
        f"{len(no_post)} take no POST: {', '.join(no_post)}; "
        f"{len(pages)} pages answer a POST as a GET: {', '.join(pages)}"
    )
    print("Walked as actions (hostile values may do what the plain POST does, no more):")
    for name, reason in sorted({**NO_INPUT, **ACTIONS}.items()):
        print(f"  {name}: {reason}")
    print("Not walked:")
    for name, reason in sorted({**NOT_WALKABLE, **not_walked}.items()):
        print(f"  {name}: {reason}")
    assert not problems, "\n".join(problems)
    assert not not_walked, not_walked


def test_every_exemption_names_a_route_and_a_reason():
    for table in (NO_INPUT, ACTIONS, NOT_WALKABLE):
        for name, reason in table.items():
            assert name in ROUTES, f"{name} is no longer a route"
            assert reason.strip(), f"{name} needs a reason"
    assert set(FORM_PAGES) <= set(ROUTES)
    assert all(args_of(n) for n in OWNER_ONLY)
