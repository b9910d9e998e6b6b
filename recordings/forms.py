"""Forms of the recordings tree: names of projects and folders, "Open by link", labels,
and originals into a folder (uploads, text to speech), and the order that converts takes
into voices. Every check runs before anything is stored or sent upstream."""

from django import forms

from core.forms import MultipleFileField
from core.words import LANGUAGE_CHOICES
from jobs import inputs
from recordings import calibrating, opening, options, signals, uploading
from recordings.models import Project, Recording


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


class OrderForm(forms.Form):
    """Convert some originals into one or more voices at once. Each voice of the team's
    Respeecher catalog has its own options (recordings/options.py: an accent for uploads,
    a narration style for text to speech, semitones, a label), named `<option>_<voice
    pk>`; only ticked voices are read. Everything is checked here, so a bad value sends
    nothing upstream."""

    voices = forms.MultipleChoiceField(
        label="Convert into",
        error_messages={
            "required": "Choose at least one voice to convert into.",
            "invalid_choice": "That voice is not one of this team's Respeecher voices.",
        },
        widget=forms.CheckboxSelectMultiple,
    )
    calibration = options.calibration_field()

    def __init__(self, *args, account, originals, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.originals = list(originals)
        self.any_tts = any(o.tts for o in self.originals)
        self.any_speech = any(not o.tts for o in self.originals)
        # The voice catalog says which voices (it is built on recordings).
        self.catalog = [
            voice
            for voices in signals.answers(signals.convertible_voices, account=account)
            for voice in voices
        ]
        self.fields["voices"].choices = [(str(v.pk), v.name) for v in self.catalog]
        self.fields["calibration"].choices = options.calibration_choices(account)
        self.rows = []
        for voice in self.catalog:
            fields = options.voice_fields(
                voice, speech=self.any_speech, tts=self.any_tts, named=self._names(voice)
            )
            self.fields.update(fields)
            self.rows.append({"voice": voice, "fields": list(fields)})

    @staticmethod
    def _names(voice) -> dict[str, str]:
        return options.names(f"_{voice.pk}")

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
            if self.any_tts and not options.default_style(voice):
                self.add_error(
                    "voices",
                    f"{voice.name} has no narration style, which text-to-speech takes need.",
                )
        return data

    def targets(self) -> list[options.Target]:
        by_pk = {str(v.pk): v for v in self.catalog}
        return [
            options.target(
                by_pk[pk], self.cleaned_data, tts=self.any_tts, named=self._names(by_pk[pk])
            )
            for pk in self.cleaned_data["voices"]
        ]


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
    # Filled by the recorder (recordings/recorder.html) with the device's name: the file
    # is then a take recorded in the page. Before `files`, which is judged by it.
    microphone = forms.CharField(
        required=False,
        max_length=uploading.MICROPHONE_MAX,
        strip=True,
        widget=forms.HiddenInput,
        error_messages={
            "max_length": (
                f"The microphone's name is longer than {uploading.MICROPHONE_MAX} "
                "characters, more than Voxboard sends. Nothing was sent: rename the "
                "device in your computer's sound settings, or record with another."
            ),
        },
    )
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

    def clean_microphone(self):
        name = self.cleaned_data["microphone"]
        if not name.isprintable():
            raise forms.ValidationError(
                "The microphone's name holds characters that cannot be shown. Nothing was "
                "sent: rename the device in your computer's sound settings, or record "
                "with another."
            )
        return name

    @staticmethod
    def _recorded(files):
        """A take recorded in the page: one WAV of at least a second, read from its
        header (the page refuses a shorter one first; this is for any other sender)."""
        if len(files) != 1:
            raise forms.ValidationError(
                "A recorded take is sent on its own. Nothing was sent: record it again."
            )
        try:
            inputs.inspect(files[0], uploading.recorded_rules())
        except inputs.Refused as exc:
            raise forms.ValidationError(
                [str(exc), "Nothing was sent: record the take again."]
            ) from exc
        return files

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:  # the multiple-file field takes "none chosen" as an empty list
            raise forms.ValidationError(self.fields["files"].error_messages["required"])
        if self.cleaned_data.get("microphone"):
            return self._recorded(files)
        refusals = []
        for upload in files:
            try:
                inputs.inspect(upload, self.rules)
            except inputs.Refused as exc:
                refusals.append(str(exc))
        if refusals:
            raise forms.ValidationError([*refusals, "Nothing was sent: fix or remove these."])
        return files


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
    language = forms.ChoiceField(
        required=False,
        choices=[("", "Let Respeecher tell from the text"), *LANGUAGE_CHOICES],
        help_text="The language the text is in.",
        error_messages={"invalid_choice": "Choose the language from the list."},
    )
    label = _label_field()


class ReplaceForm(forms.Form):
    """A take's label and star, replaced together (Respeecher's PUT needs both)."""

    label = _label_field()
    starred = forms.BooleanField(required=False)


class CalibrationNameForm(forms.Form):
    """A new calibration's name: 1 to NAME_MAX characters, new among the account's
    (Respeecher refuses a second calibration of one name)."""

    prefix = "calibration"

    name = forms.CharField(
        max_length=calibrating.NAME_MAX,
        strip=True,
        help_text=(
            f"Say whose voice or which microphone; at most {calibrating.NAME_MAX} characters."
        ),
        error_messages={
            "required": "Give the calibration a name.",
            "max_length": f"Keep the name to {calibrating.NAME_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-counter": calibrating.NAME_MAX}),
    )

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_name(self):
        name = self.cleaned_data["name"]
        if self.account is not None and calibrating.name_taken(self.account, name):
            raise forms.ValidationError(
                f"A calibration is already called “{name}”: give this one another name."
            )
        return name


class CalibrationForm(CalibrationNameForm):
    """A calibration to make from a recording of the person's voice, judged by its
    bytes like any upload. Nothing is stored or sent until both fields pass."""

    audio = forms.FileField(
        label="Recording of your voice",
        allow_empty_file=True,  # refused below with its name, by inputs.inspect
        error_messages={"required": "Choose a recording, or record one here."},
        widget=forms.ClearableFileInput(attrs={"accept": ".wav,.ogg,.mp3,.flac,audio/*"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = calibrating.upload_rules(uploading.max_upload_bytes())
        self.fields["audio"].widget.attrs["data-max-bytes"] = self.rules.max_bytes
        self.fields["audio"].help_text = (
            f"wav, ogg, mp3 or flac, at most {self.rules.max_bytes // (1024 * 1024)} MB: "
            "a minute of you speaking naturally, into the microphone you convert with."
        )

    def clean_audio(self):
        upload = self.cleaned_data["audio"]
        try:
            inputs.inspect(upload, self.rules)
        except inputs.Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload
