"""The new-dubbing form: every check runs before anything is stored or sent."""

import httpx
from django import forms
from django.conf import settings

from jobs import inputs, media
from providers import guard

SOURCE_FORMATS = ("wav", "mp3", "m4a", "mp4", "ogg", "flac", "webm")
PROBE_TIMEOUT = 10
SOURCES = guard.Policy(purpose="sources must be public")


def source_rules() -> inputs.Rules:
    return inputs.Rules(
        formats=SOURCE_FORMATS, max_bytes=settings.DUBBING_MAX_UPLOAD_MB * 1024 * 1024
    )


def probe(url: str) -> str:
    """Check that a source URL is public and answers with audio or video; returns the
    reason it is not, or "". Reads at most the first bytes, through the address guard."""
    try:
        SOURCES.check_url(url)
    except guard.UnsafeTarget as exc:
        return str(exc)
    try:
        with (
            httpx.Client(
                transport=guard.GuardedTransport(SOURCES),
                timeout=PROBE_TIMEOUT,
                follow_redirects=False,
            ) as client,
            client.stream("GET", url, headers={"Range": "bytes=0-63"}) as response,
        ):
            if response.status_code not in (200, 206):
                return f"It answered HTTP {response.status_code}."
            head = b""
            for chunk in response.iter_bytes():
                head += chunk
                if len(head) >= 64:
                    break
    except guard.UnsafeTarget as exc:
        return str(exc)
    except httpx.HTTPError as exc:
        return f"It could not be reached ({type(exc).__name__})."
    sniffed = media.sniff(head)
    if sniffed is None or sniffed.format not in SOURCE_FORMATS:
        return "It is neither audio nor video (judged by its first bytes)."
    return ""


class DubbingForm(forms.Form):
    name = forms.CharField(max_length=150)
    source = forms.FileField(
        required=False, label="Source file", help_text="An audio or video file."
    )
    source_url = forms.URLField(
        required=False,
        label="Link to the source",
        assume_scheme="https",
        help_text="Or a public http(s) link to one.",
    )
    source_lang = forms.ChoiceField(initial="auto", label="Source language")
    targets = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Dub into")
    num_speakers = forms.IntegerField(
        min_value=1, max_value=10, initial=1, label="Speakers", help_text="How many people speak."
    )
    drop_background_audio = forms.BooleanField(
        required=False, label="Drop background audio", help_text="Keep only the voices."
    )

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_lang"].choices = [("auto", "Detect it"), *languages]
        self.fields["targets"].choices = languages
        source = self.fields["source"]
        source.help_text = f"An audio or video file, at most {settings.DUBBING_MAX_UPLOAD_MB} MB."
        # The page refuses a larger file before sending it (static/js/app.js).
        source.widget.attrs["data-max-bytes"] = source_rules().max_bytes

    def clean_source(self):
        upload = self.cleaned_data["source"]
        if upload:
            try:
                inputs.inspect(upload, source_rules())
            except inputs.Refused as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        upload, url = data.get("source"), data.get("source_url")
        if bool(upload) == bool(url):
            raise forms.ValidationError("Give the source as a file or as a link, one of the two.")
        if url:
            reason = probe(url)
            if reason:
                self.add_error("source_url", f"That link cannot be dubbed: {reason}")
        return data
