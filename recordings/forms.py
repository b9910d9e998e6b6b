"""Forms of the recordings tree: names of projects and folders, "Open by link", labels,
and originals into a folder (uploads, text to speech), and the order that converts takes
into voices. Every check runs before anything is stored or sent upstream."""

from dataclasses import dataclass
from typing import Any

from django import forms

from jobs import inputs
from jobs.models import Status
from providers.respeecher import Accent
from recordings import opening, uploading
from recordings.models import Calibration, Project, Recording
from voices.forms import MultipleFileField, narration_styles, style_label


class NameForm(forms.Form):
    """A project's or folder's name. Respeecher publishes no limit; ours is 1 to
    Project.NAME_MAX characters, checked before anything is sent."""

    name = forms.CharField(
        max_length=Project.NAME_MAX,
        strip=True,
        error_messages={
            "required": "Give it a name.",
            "max_length": f"Keep the name to {Project.NAME_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LabelForm(forms.Form):
    """A take's or conversion's label: empty clears it; Respeecher keeps at most
    Recording.LABEL_MAX characters, so a longer one is refused before anything is sent."""

    label = forms.CharField(
        required=False,
        max_length=Recording.LABEL_MAX,
        strip=True,
        error_messages={
            "max_length": f"Keep the label to {Recording.LABEL_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LinkForm(forms.Form):
    link = forms.CharField(
        max_length=2000,
        label="Respeecher project link",
        error_messages={"required": "Paste a Respeecher project link."},
        widget=forms.URLInput(attrs={"placeholder": "https://…/projects/…"}),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.token = None

    def clean_link(self):
        try:
            self.token = opening.project_token(self.account, self.cleaned_data["link"])
        except opening.BadLink as exc:
            raise forms.ValidationError(str(exc)) from exc
        return self.cleaned_data["link"]


SEMITONES = 12
SEMITONES_RANGE = f"Semitones are a whole number from -{SEMITONES} to {SEMITONES}."


@dataclass(frozen=True)
class Target:
    """One voice an order converts into, with the options chosen for it."""

    voice: Any
    accent_id: str = ""
    narration_style_id: str = ""
    semitones: float | None = None
    label: str = ""


def _accents(voice) -> list[Accent]:
    return [Accent.from_raw(a) for a in voice.raw.get("accents") or [] if isinstance(a, dict)]


def _accent_label(accent: Accent) -> str:
    label = accent.name or accent.short_name or accent.id
    if accent.locale and accent.locale not in label:
        label += f" ({accent.locale})"
    return label + (" · default" if accent.is_default else "")


class OrderForm(forms.Form):
    """Convert some originals into one or more voices at once. Each voice of the team's
    Respeecher catalog has its own accent, narration style (only when a chosen take is
    text to speech, which Respeecher converts with a style, not an accent), semitone
    correction and label, named `<option>_<voice pk>`; only ticked voices are read.
    Everything is checked here, so a bad value sends nothing upstream."""

    voices = forms.MultipleChoiceField(
        label="Convert into",
        error_messages={
            "required": "Choose at least one voice to convert into.",
            "invalid_choice": "That voice is not one of this team's Respeecher voices.",
        },
        widget=forms.CheckboxSelectMultiple,
    )
    calibration = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Choose one of the account's finished calibrations."},
    )

    def __init__(self, *args, account, originals, **kwargs):
        super().__init__(*args, **kwargs)
        from voices.models import Voice

        self.account = account
        self.originals = list(originals)
        self.any_tts = any(o.tts for o in self.originals)
        self.any_speech = any(not o.tts for o in self.originals)
        self.catalog = list(
            Voice.objects.for_team(account.team)
            .filter(account=account)
            .listed()
            .convertible()
            .only("name", "remote_id", "raw", "account_id", "provider")
            .order_by("name", "pk")
        )
        self.fields["voices"].choices = [(str(v.pk), v.name) for v in self.catalog]
        calibrations = (
            Calibration.objects.for_team(account.team)
            .filter(account=account, state=Status.COMPLETED)
            .listed()
            .order_by("name", "pk")
        )
        enabled = next((c for c in calibrations if c.enabled), None)
        default = f"The enabled calibration ({enabled})" if enabled else "Respeecher's default"
        self.fields["calibration"].choices = [
            ("", default),
            *((c.remote_id, str(c)) for c in calibrations),
        ]
        self.rows = []
        for voice in self.catalog:
            row = {"voice": voice, "fields": []}
            if self.any_speech:
                name = f"accent_{voice.pk}"
                self.fields[name] = forms.ChoiceField(
                    required=False,
                    label=f"Accent of {voice.name}",
                    choices=[("", "Its default accent")]
                    + [(a.id, _accent_label(a)) for a in _accents(voice) if a.id],
                    error_messages={"invalid_choice": f"Choose one of {voice.name}'s accents."},
                )
                row["fields"].append(name)
            if self.any_tts:
                name = f"style_{voice.pk}"
                self.fields[name] = forms.ChoiceField(
                    required=False,
                    label=f"Narration style of {voice.name}",
                    choices=[("", "Its default style")]
                    + [(s.id, style_label(s)) for s in narration_styles(voice) if s.id],
                    error_messages={
                        "invalid_choice": f"Choose one of {voice.name}'s narration styles."
                    },
                )
                row["fields"].append(name)
            self.fields[f"semitones_{voice.pk}"] = forms.IntegerField(
                required=False,
                min_value=-SEMITONES,
                max_value=SEMITONES,
                label=f"Semitones for {voice.name}",
                error_messages=dict.fromkeys(
                    ("invalid", "min_value", "max_value"), SEMITONES_RANGE
                ),
                widget=forms.NumberInput(attrs={"step": 1, "placeholder": "0"}),
            )
            self.fields[f"label_{voice.pk}"] = forms.CharField(
                required=False,
                max_length=Recording.LABEL_MAX,
                strip=True,
                label=f"Label for {voice.name}",
                error_messages={
                    "max_length": f"Keep the label to {Recording.LABEL_MAX} characters or fewer."
                },
            )
            row["fields"] += [f"semitones_{voice.pk}", f"label_{voice.pk}"]
            self.rows.append(row)

    def voice_rows(self):
        """Per voice: its tick box state and its option fields, for the template."""
        chosen = set(self["voices"].value() or [])
        for row in self.rows:
            voice = row["voice"]
            yield {
                "voice": voice,
                "checked": str(voice.pk) in chosen,
                "fields": [self[name] for name in row["fields"]],
            }

    def clean(self):
        data = super().clean()
        if not self.originals:
            raise forms.ValidationError("Choose at least one take to convert.")
        by_pk = {str(v.pk): v for v in self.catalog}
        for pk in data.get("voices") or []:
            voice = by_pk[pk]
            if self.any_tts and not narration_styles(voice):
                self.add_error(
                    "voices",
                    f"{voice.name} has no narration style, which text-to-speech takes need.",
                )
        return data

    def targets(self) -> list[Target]:
        by_pk = {str(v.pk): v for v in self.catalog}
        data = self.cleaned_data
        found = []
        for pk in data["voices"]:
            voice = by_pk[pk]
            style = data.get(f"style_{pk}") or ""
            if self.any_tts and not style:
                styles = narration_styles(voice)
                default = next((s for s in styles if s.is_default), styles[0])
                style = default.id
            found.append(
                Target(
                    voice=voice,
                    accent_id=data.get(f"accent_{pk}") or "",
                    narration_style_id=style,
                    semitones=data.get(f"semitones_{pk}"),
                    label=data.get(f"label_{pk}") or "",
                )
            )
        return found


def _label_field():
    return forms.CharField(
        required=False,
        max_length=Recording.LABEL_MAX,
        strip=True,
        help_text=f"Optional; at most {Recording.LABEL_MAX} characters (Respeecher's limit).",
        error_messages={
            "max_length": f"Keep the label to {Recording.LABEL_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-counter": Recording.LABEL_MAX}),
    )


class UploadForm(forms.Form):
    """One or many audio files into a folder, judged by their bytes; each file that
    passes becomes its own upload job, and one refusal stops them all (nothing stored)."""

    prefix = "upload"

    # The label first: a capped upload stops reading the body at the file that is too
    # big, and what came before it is kept for the form shown again.
    label = _label_field()
    files = MultipleFileField(
        required=True,
        allow_empty_file=True,  # refused below with its name, by inputs.inspect
        label="Audio files",
        error_messages={"required": "Choose at least one audio file."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = uploading.upload_rules()
        self.fields["files"].widget.attrs.update(
            {"accept": ".wav,.ogg,.mp3,.flac,audio/*", "data-max-bytes": self.rules.max_bytes}
        )
        self.fields["files"].help_text = f"wav, ogg, mp3 or flac; at most {self.max_mb} MB each."

    @property
    def max_mb(self) -> int:
        return self.rules.max_bytes // (1024 * 1024)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:  # the multiple-file field takes "none chosen" as an empty list
            raise forms.ValidationError(self.fields["files"].error_messages["required"])
        refusals = []
        for upload in files:
            try:
                inputs.inspect(upload, self.rules)
            except inputs.Refused as exc:
                refusals.append(str(exc))
        if refusals:
            raise forms.ValidationError([*refusals, "Nothing was sent: fix or remove these."])
        return files


LANGUAGE = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$"


class SpeakForm(forms.Form):
    """Text Respeecher speaks into the folder (v2 text to speech)."""

    prefix = "speak"

    text = forms.CharField(
        max_length=uploading.SPEECH_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Type the text to speak.",
            "max_length": f"Keep the text to {uploading.SPEECH_MAX_CHARS} characters or fewer.",
        },
    )
    language = forms.RegexField(
        regex=LANGUAGE,
        required=False,
        max_length=20,
        help_text="Optional ISO 639 code, e.g. en or de; Respeecher detects it when empty.",
        error_messages={"invalid": "Give the language as an ISO 639 code, e.g. en or pt-BR."},
    )
    label = _label_field()


class ReplaceForm(forms.Form):
    """A take's label and star, replaced together (Respeecher's PUT needs both)."""

    label = _label_field()
    starred = forms.BooleanField(required=False)
