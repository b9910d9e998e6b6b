"""Forms of the voice pages: cloning a voice and text-to-speech. Every check runs before
anything is stored or sent upstream."""

from itertools import groupby

from django import forms
from django.core.validators import URLValidator

from core.forms import MultipleFileField
from core.words import LANGUAGE_CHOICES, language_name
from jobs import inputs
from recordings import options
from teams.models import Provider
from voices.models import Generation, Kind, Voice

# A2E's documented sample rules: mp3, wav or m4a, roughly 15-60 seconds.
A2E_SAMPLE_RULES = inputs.Rules(
    formats=("wav", "mp3", "m4a"), max_bytes=20 * 1024 * 1024, min_seconds=15, max_seconds=60
)
A2E_TTS_MAX_CHARS = 1000
A2E_MODELS = [
    ("", "A2E's default"),
    ("a2e", "a2e"),
    ("cartesia", "Cartesia"),
    ("minimax", "MiniMax"),
    ("elevenlabs", "ElevenLabs"),
]


class CloneForm(forms.Form):
    name = forms.CharField(max_length=100)
    gender = forms.ChoiceField(choices=[("female", "Female"), ("male", "Male")])
    language = forms.ChoiceField(
        choices=LANGUAGE_CHOICES,
        initial="en",
        help_text="The language the samples are spoken in.",
        error_messages={"invalid_choice": "Choose the language from the list."},
    )
    model = forms.ChoiceField(
        choices=A2E_MODELS, required=False, help_text="The engine A2E trains the clone with."
    )
    denoise = forms.BooleanField(
        required=False,
        label="Remove background noise",
        help_text="A2E cleans the samples before training.",
    )
    samples = MultipleFileField(
        required=False,
        accept=".wav,.mp3,.m4a,audio/*",
        help_text=f"Recordings of the voice: {A2E_SAMPLE_RULES.describe()} each.",
    )
    sample_urls = forms.CharField(
        required=False,
        label="Sample URLs",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Or links to samples A2E can download, one per line (http or https).",
    )

    def clean_sample_urls(self):
        urls = [line.strip() for line in self.cleaned_data["sample_urls"].splitlines()]
        urls = [u for u in urls if u]
        check = URLValidator(schemes=["http", "https"])
        for url in urls:
            try:
                check(url)
            except forms.ValidationError:
                raise forms.ValidationError(f"{url[:80]} is not an http or https link.") from None
            if " " in url:
                raise forms.ValidationError("Links must not contain spaces.")
        return urls

    def clean_samples(self):
        files = self.cleaned_data["samples"]
        for upload in files:
            try:
                inputs.inspect(upload, A2E_SAMPLE_RULES)
            except inputs.Refused as exc:
                raise forms.ValidationError(str(exc)) from None
        return files

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("samples") and not data.get("sample_urls"):
            raise forms.ValidationError("Add at least one sample: upload a file or give a link.")
        return data


class VoicesByProvider(forms.models.ModelChoiceIterator):
    """The voices in one group per provider, named as people know it (the queryset is
    ordered by provider first)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        voices = self.queryset
        if not voices._prefetch_related_lookups:
            voices = voices.iterator()
        for provider, group in groupby(voices, key=lambda voice: voice.provider):
            yield (Provider(provider).label, [self.choice(voice) for voice in group])


class VoiceSelect(forms.Select):
    """Each option says its provider, so the page can show that provider's fields at once
    (static/js/speech.js)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-shows-provider": "", **(attrs or {})}, choices)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        voice = getattr(value, "instance", None)
        if voice is not None:
            option["attrs"]["data-provider"] = voice.provider
        return option


class VoiceChoiceField(forms.ModelChoiceField):
    iterator = VoicesByProvider
    widget = VoiceSelect

    def label_from_instance(self, voice):
        parts = [voice.name, voice.get_kind_display()]
        if voice.language:
            parts.append(language_name(voice.language))
        return " · ".join(parts)


# A team with more speakable voices than this finds them by name on the speech form: a
# list of 100,000 would be megabytes of page and no use to a person. The list then holds
# the chosen voice, the ones spoken with last, the team's clones and what the name finds.
VOICES_LISTED = 200
VOICES_RECENT = 20
CLONES_LISTED = 50
VOICES_FOUND = 50

CHOOSE_FOLDER = "Choose the folder to make the speech in."
NO_FOLDER = "Respeecher has no folder to make the speech in yet: add one under Recordings."


class SpeechForm(forms.Form):
    voice = VoiceChoiceField(
        queryset=Voice.objects.none(),
        empty_label="Choose a voice",
        error_messages={"required": "Choose the voice to speak with."},
    )
    text = forms.CharField(
        max_length=A2E_TTS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "data-counter": A2E_TTS_MAX_CHARS}),
        error_messages={"required": "Type the text to speak."},
    )
    speech_rate = forms.FloatField(
        label="Speed",
        min_value=0.5,
        max_value=2.0,
        initial=1.0,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        help_text="From 0.5 (slow) to 2 (fast); 1 is normal.",
    )
    country = forms.ChoiceField(
        label="Language",
        required=False,
        choices=[("", "Choose a language"), *LANGUAGE_CHOICES],
        help_text="The language the text is in.",
    )
    region = forms.CharField(
        label="Accent",
        max_length=20,
        required=False,
        help_text="The country whose accent the voice speaks with, such as US, GB or AU.",
    )
    folder = forms.ChoiceField(
        required=False,
        help_text="Where Respeecher keeps the speech, beside that project's takes.",
    )
    language = forms.ChoiceField(
        label="Language",
        required=False,
        choices=[("", "Not said: Respeecher's default"), *LANGUAGE_CHOICES],
        help_text="The language the text is in.",
    )
    # Respeecher speaks by converting a text-to-speech take: the same options as an
    # order in the recordings app (recordings/options.py), for the chosen voice.
    narration_style = forms.ChoiceField(required=False, label="Narration style")
    semitones = forms.IntegerField(required=False, label="Pitch (semitones)")
    calibration = options.calibration_field()

    # Fields only one provider reads; the others are left out once a voice is chosen.
    A2E_FIELDS = ("speech_rate", "country", "region")
    A2E_CLONE_FIELDS = ("country", "region")
    RESPEECHER_FIELDS = ("folder", "language", "narration_style", "semitones", "calibration")
    PROVIDER_FIELDS = {Provider.A2E: A2E_FIELDS, Provider.RESPEECHER: RESPEECHER_FIELDS}
    # The order options' names on this form (the order form suffixes them per voice).
    ORDER_NAMES = {**options.names(), "style": "narration_style"}

    def __init__(self, *args, team, folders=(), voice_query="", **kwargs):
        super().__init__(*args, **kwargs)
        speakable = Voice.objects.for_team(team).listed().speakable()
        ordering = ("provider", "kind", "language", "name")
        self.fields["voice"].queryset = speakable.order_by(*ordering)
        self.voice_query = voice_query.strip()[:100]
        self.voices_found = None
        self.voices_searched = speakable.order_by()[VOICES_LISTED : VOICES_LISTED + 1].exists()
        self.fields["folder"].choices = [("", "Choose a folder"), *folders]
        # The page asks again (htmx, ?voice=) when another voice is picked, so only the
        # chosen voice's fields and narration styles are drawn (a catalog may hold
        # 100,000 voices: styles are never listed for all of them).
        chosen = str(self.data.get("voice") or self.initial.get("voice") or "")
        voice = None
        if chosen.isdigit():
            voices = self.fields["voice"].queryset.only("name", "raw", "provider", "kind")
            voice = voices.filter(pk=chosen).first()
        self.chosen_voice = voice
        if self.voices_searched:
            self._list_some_voices(team, speakable, ordering)
        if voice is not None:
            if voice.provider == Provider.RESPEECHER:
                unused = self.A2E_FIELDS
            elif voice.kind == Kind.CLONE:
                unused = self.RESPEECHER_FIELDS
            else:
                unused = self.RESPEECHER_FIELDS + self.A2E_CLONE_FIELDS
            for name in unused:
                del self.fields[name]
        if "narration_style" in self.fields:
            order_fields = options.voice_fields(
                voice, speech=False, tts=True, named=self.ORDER_NAMES, label=False
            )
            for name, field in order_fields.items():
                field.label = self.fields[name].label
                self.fields[name] = field
            self.fields["semitones"].help_text = (
                f"Raise or lower the voice, from -{options.SEMITONES} to {options.SEMITONES}"
                " in half steps; 0 leaves it as it is."
            )
            self.fields["calibration"].choices = options.calibration_choices(
                voice.account if voice is not None else None
            )
            self.fields["calibration"].help_text = (
                "Which of the account's calibrations the voice uses; leave it to use the"
                " enabled one."
            )
        self.no_folder_message = CHOOSE_FOLDER if folders else NO_FOLDER
        if "folder" in self.fields:
            # Respeecher alone needs a folder: marked so in its group, and required by the
            # browser too once a Respeecher voice is chosen (not before: an A2E voice
            # picked without JavaScript must still be sendable).
            self.fields["folder"].label = "Folder (required)"
            if voice is not None:
                self.fields["folder"].required = True
                self.fields["folder"].error_messages["required"] = self.no_folder_message

    def _list_some_voices(self, team, speakable, ordering):
        """The voice list of a large catalog: the chosen voice, the voices spoken with
        last, the team's clones and the first VOICES_FOUND the query's words find (as the
        catalog's search does). Any speakable voice is still accepted when sent."""
        field = self.fields["voice"]
        shown = {self.chosen_voice.pk} if self.chosen_voice is not None else set()
        recent = Generation.objects.for_team(team).exclude(voice=None)
        shown.update(recent.values_list("voice_id", flat=True)[:VOICES_RECENT])
        clones = speakable.filter(kind=Kind.CLONE).order_by("sort_key")
        shown.update(clones.values_list("pk", flat=True)[:CLONES_LISTED])
        if self.voice_query:
            found = speakable.search(self.voice_query).only("pk")
            rows = found.keyset_rows(("sort_key", "pk"), None, VOICES_FOUND)
            self.voices_found = len(rows)
            shown.update(voice.pk for voice in rows)
        listing = VoicesByProvider(field)
        listing.queryset = speakable.filter(pk__in=shown).order_by(*ordering)
        field.widget.choices = listing

    @property
    def voice_find_help(self) -> str:
        """What the list of a large catalog holds, in words, under it."""
        if self.voices_found is None:
            return (
                "The list holds your clones and the voices you spoke with last: type part"
                " of a name to find any other."
            )
        if not self.voices_found:
            return f"No voice's name has “{self.voice_query}”: try the start of another word."
        found = f"Found {self.voices_found}"
        if self.voices_found >= VOICES_FOUND:
            found += " or more: type more of the name to narrow them"
        return f"{found}. They are in the list with your clones and recent voices."

    @property
    def provider_groups(self):
        """(provider code, its name, its fields) for each provider whose fields are drawn:
        the chosen voice's alone, else each provider the team has a voice of (the page
        hides all but the chosen voice's group as soon as one is picked)."""
        if self.chosen_voice is not None:
            providers = [self.chosen_voice.provider]
        else:
            # One short look per provider: a distinct over a large catalog reads it all.
            listed = self.fields["voice"].queryset.order_by()
            providers = {p for p in self.PROVIDER_FIELDS if listed.filter(provider=p).exists()}
        return [
            (provider, Provider(provider).label, [self[n] for n in names if n in self.fields])
            for provider, names in self.PROVIDER_FIELDS.items()
            if provider in providers
        ]

    def clean(self):
        data = super().clean()
        voice = data.get("voice")
        if voice is None:
            return data
        if voice.provider == Provider.A2E and voice.kind == Kind.CLONE:
            for field in self.A2E_CLONE_FIELDS:
                if field in self.fields and not data.get(field):
                    self.add_error(field, "A cloned voice needs a language and an accent.")
        if voice.provider == Provider.RESPEECHER:
            if not data.get("folder") and "folder" not in self.errors:
                self.add_error("folder", self.no_folder_message)
            # A chosen style was checked by its field; without one the default speaks.
            if not options.default_style(voice):
                self.add_error(
                    "voice", "This Respeecher voice has no narration style to speak with."
                )
        return data

    def settings(self) -> dict[str, str]:
        """The chosen voice and its provider's settings (not the text), as a query."""
        data = self.cleaned_data
        kept = {"voice": str(data["voice"].pk)}
        for name in self.fields:
            if name not in ("voice", "text") and data.get(name) not in (None, ""):
                kept[name] = str(data[name])
        return kept


# Burki's documented overall limits, used where a provider states none of its own.
BURKI_FORMATS = ("mp3", "wav", "flac", "m4a", "ogg")
BURKI_MAX_BYTES = 50 * 1024 * 1024


def burki_rules(provider) -> inputs.Rules:
    formats = tuple(f for f in provider.formats if f in BURKI_FORMATS) or BURKI_FORMATS
    return inputs.Rules(
        formats=formats,
        max_bytes=provider.max_size or BURKI_MAX_BYTES,
        min_seconds=provider.min_duration if provider.min_duration is not None else 10,
        max_seconds=provider.max_duration if provider.max_duration is not None else 600,
    )


# Burki documents no limits for these; ours keep a voice's page readable.
BURKI_DESCRIPTION_MAX = 500
BURKI_TAGS_MAX, BURKI_TAG_MAX_CHARS = 10, 40


# What a person reads when the form cannot tell which recording to clone.
CHOOSE_SAMPLE = "Choose one of the assistant's samples, or upload a new recording."
SAMPLE_OR_UPLOAD = "Choose one of the assistant's samples or upload a new recording, not both."
ONE_HOST_FOR_UPLOADS = (
    "A new recording is cloned at one host first. Start it at one host; then clone the"
    " same sample at the others from the assistant's samples, without uploading it again."
)


class BurkiCloneForm(forms.Form):
    """One clone per chosen host, from a new recording or from one of the assistant's
    samples at Burki (`samples`: VoiceSamples), which is then not uploaded again."""

    assistant = forms.TypedChoiceField(coerce=int)
    provider = forms.MultipleChoiceField(
        label="Hosts",
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Where Burki hosts the cloned voice. Choose several to clone one sample at"
            " each and compare them."
        ),
        error_messages={
            "required": "Choose at least one host.",
            "invalid_choice": "Choose the hosts from the list.",
        },
    )
    name = forms.CharField(max_length=100)
    voice_sample = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Sample",
        help_text="One of the assistant's samples at Burki: it is not uploaded again.",
        error_messages={"invalid_choice": "Choose one of the assistant's samples from the list."},
    )
    sample = forms.FileField(
        required=False,
        label="Or a new recording",
        help_text="One recording of the voice; the hosts' limits are listed beside.",
    )
    language = forms.ChoiceField(
        choices=[("", "Not said"), *LANGUAGE_CHOICES],
        required=False,
        initial="en",
        help_text="The language the samples are spoken in.",
        error_messages={"invalid_choice": "Choose the language from the list."},
    )
    description = forms.CharField(
        max_length=BURKI_DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tags = forms.CharField(
        required=False,
        help_text=f"Comma-separated, at most {BURKI_TAGS_MAX} of {BURKI_TAG_MAX_CHARS} characters.",
    )
    enhance_quality = forms.BooleanField(
        required=False,
        initial=True,
        label="Enhance quality",
        help_text="Burki cleans the sample up before cloning (its default).",
    )

    def __init__(self, *args, assistants, providers, samples=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = {p.provider: p for p in providers if p.provider}
        self.samples = {s.id: s for s in samples if s.id is not None}
        # `assistants`: {id: name} of the followed assistants.
        self.fields["assistant"].choices = list(assistants.items())
        self.fields["provider"].choices = [
            (key, p.name or key) for key, p in self.providers.items()
        ]
        first = "Upload a new recording" if self.samples else "None yet: upload a recording"
        self.fields["voice_sample"].choices = [
            ("", first),
            *((sid, sample_label(s)) for sid, s in self.samples.items()),
        ]

    def clean_tags(self):
        tags = [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]
        if len(tags) > BURKI_TAGS_MAX:
            raise forms.ValidationError(f"At most {BURKI_TAGS_MAX} tags.")
        if any(len(t) > BURKI_TAG_MAX_CHARS for t in tags):
            raise forms.ValidationError(f"A tag has at most {BURKI_TAG_MAX_CHARS} characters.")
        return list(dict.fromkeys(tags))

    def clean(self):
        data = super().clean()
        hosts = [self.providers[p] for p in data.get("provider") or () if p in self.providers]
        chosen, upload = data.get("voice_sample"), data.get("sample")
        if "voice_sample" in self.errors or "sample" in self.errors:
            return data
        if chosen is None and upload is None:
            self.add_error("voice_sample", CHOOSE_SAMPLE)
        elif chosen is not None and upload is not None:
            self.add_error("sample", SAMPLE_OR_UPLOAD)
        elif upload is not None:
            if len(hosts) > 1:
                self.add_error("provider", ONE_HOST_FOR_UPLOADS)
            for host in hosts[:1]:
                try:
                    inputs.inspect(upload, burki_rules(host))
                except inputs.Refused as exc:
                    self.add_error("sample", str(exc))
        else:
            for host in hosts:
                refusal = sample_refusal(self.samples[chosen], host)
                if refusal:
                    self.add_error("voice_sample", refusal)
        return data


def sample_label(sample) -> str:
    """A Burki voice sample as the form lists it: "Greeting (42 s)"."""
    name = sample.name or sample.filename or "A sample"
    if sample.duration_seconds is None:
        return name
    return f"{name} ({sample.duration_seconds:.0f} s)"


def sample_refusal(sample, host) -> str:
    """Why a host would refuse to clone one of the assistant's samples, read from the
    sample's length and size against the host's limits; "" when it fits."""
    rules = burki_rules(host)
    name, where = sample.name or "The sample", host.name or host.provider
    seconds, size = sample.duration_seconds, sample.file_size
    if seconds is not None and rules.min_seconds is not None and seconds < rules.min_seconds:
        return f"“{name}” lasts {seconds:.0f} s; {where} needs at least {rules.min_seconds:g} s."
    if seconds is not None and rules.max_seconds is not None and seconds > rules.max_seconds:
        return f"“{name}” lasts {seconds:.0f} s; {where} takes at most {rules.max_seconds:g} s."
    if size is not None and size > rules.max_bytes:
        megabytes = rules.max_bytes // (1024 * 1024)
        return f"“{name}” is larger than the {megabytes} MB {where} takes."
    return ""


SEMITONES = 12
CHOOSE_ACCENT = "Choose one of this voice's accents."
SEMITONES_RANGE = "The correction is a number of semitones from -12 to 12."


class VoiceSettingsForm(forms.Form):
    """An accent's semitone correction, which Respeecher keeps per voice and accent."""

    accent_id = forms.ChoiceField(
        error_messages=dict.fromkeys(("required", "invalid_choice"), CHOOSE_ACCENT)
    )
    semitones = forms.FloatField(
        min_value=-SEMITONES,
        max_value=SEMITONES,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), SEMITONES_RANGE
        ),
    )

    def __init__(self, *args, voice, **kwargs):
        super().__init__(*args, **kwargs)
        self.voice = voice
        accents = voice.raw.get("accents") or [] if voice.provider == Provider.RESPEECHER else []
        self.fields["accent_id"].choices = [
            (str(a.get("id")), a.get("name") or str(a.get("id")))
            for a in accents
            if isinstance(a, dict)
        ]

    def save(self) -> str | None:
        """Save it at Respeecher, then here from its answer. Returns Respeecher's reason
        when it refuses, and then nothing changes here."""
        from providers import UpstreamError
        from teams.connection import client_for

        data = self.cleaned_data
        try:
            answer = client_for(self.voice.account).save_voice_settings(
                self.voice.remote_id,
                accent_id=data["accent_id"],
                semitones_correction=data["semitones"],
            )
        except UpstreamError as exc:
            return exc.message
        Voice.objects.filter(pk=self.voice.pk).update(raw=answer.raw)
        return None


CHOOSE_FAVOURITE = {
    "narration_style_id": "Choose one of this voice's narration styles.",
    "accent_id": "Choose one of this voice's accents.",
}
# The voice's record's list each kind of favourite is chosen from.
FAVOURITE_LISTS = {"narration_style_id": "narration_styles", "accent_id": "accents"}


class VoiceFavouriteForm(forms.Form):
    """Mark one narration style or one accent (`what`: its field's name) as the voice's
    favourite, which Respeecher keeps per voice (`POST /api/v2/voices/settings`; it
    offers no way to unmark one)."""

    def __init__(self, *args, voice, what, **kwargs):
        super().__init__(*args, **kwargs)
        self.voice, self.what = voice, what
        raw = voice.raw if voice.keeps_settings_upstream else {}
        items = [i for i in raw.get(FAVOURITE_LISTS[what]) or [] if isinstance(i, dict)]
        self.fields[what] = forms.ChoiceField(
            choices=[(str(i["id"]), str(i["id"])) for i in items if i.get("id")],
            error_messages=dict.fromkeys(("required", "invalid_choice"), CHOOSE_FAVOURITE[what]),
        )

    def save(self) -> str | None:
        """Mark it at Respeecher, then keep its answer here. Returns Respeecher's reason
        when it refuses, and then nothing changes here."""
        from providers import UpstreamError
        from teams.connection import client_for

        try:
            answer = client_for(self.voice.account).save_voice_settings(
                self.voice.remote_id, **{self.what: self.cleaned_data[self.what]}
            )
        except UpstreamError as exc:
            return exc.message
        Voice.objects.filter(pk=self.voice.pk).update(raw=answer.raw)
        return None
