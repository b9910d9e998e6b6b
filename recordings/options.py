"""What a conversion into one Respeecher voice may set, as form fields: its accent (for
speech), narration style (for text to speech), semitone correction and label, and the
order's calibration. The recordings order form (one set per voice) and the voices page's
speech form (for its chosen Respeecher voice) both build and read them here, so an order
is offered and checked the same way wherever it is placed."""

from dataclasses import dataclass
from typing import Any

from django import forms

from jobs.models import Status
from providers.respeecher import Accent, NarrationStyle
from recordings.models import Calibration, Recording

SEMITONES = 12
SEMITONES_RANGE = f"Semitones go from -{SEMITONES} to {SEMITONES} in steps of 0.5, such as 1.5."
LABEL_TOO_LONG = f"Keep the label to {Recording.LABEL_MAX} characters or fewer."


@dataclass(frozen=True)
class Target:
    """One voice an order converts into, with the options chosen for it."""

    voice: Any
    accent_id: str = ""
    narration_style_id: str = ""
    semitones: float | None = None
    label: str = ""


def narration_styles(voice) -> list[NarrationStyle]:
    """A Respeecher voice's narration styles, as the client reads them (name and tags)."""
    raw = (voice.raw.get("narration_styles") if voice else None) or []
    return [NarrationStyle.from_raw(style) for style in raw if isinstance(style, dict)]


def style_label(style: NarrationStyle) -> str:
    label = style.name or style.id
    if style.tags:
        label += " · " + ", ".join(style.tags)
    return label + (" (default)" if style.is_default else "")


def default_style(voice) -> str | None:
    """The voice's default narration style (else its first); None when it has none."""
    styles = [s for s in narration_styles(voice) if s.id]
    default = next((s for s in styles if s.is_default), styles[0] if styles else None)
    return default.id if default else None


def accents(voice) -> list[Accent]:
    raw = (voice.raw.get("accents") if voice else None) or []
    return [Accent.from_raw(a) for a in raw if isinstance(a, dict)]


def accent_label(accent: Accent) -> str:
    label = accent.name or accent.short_name or accent.id
    if accent.locale and accent.locale not in label:
        label += f" ({accent.locale})"
    return label + (" · default" if accent.is_default else "")


def names(suffix: str = "") -> dict[str, str]:
    """The field names of one voice's options: `accent`, `style`, `semitones`, `label`."""
    return {key: f"{key}{suffix}" for key in ("accent", "style", "semitones", "label")}


def voice_fields(voice, *, speech: bool, tts: bool, named=None, label=True) -> dict:
    """The fields for converting into `voice`: an accent when speech is converted, a
    narration style when text to speech is, semitones, and (with `label`) a label."""
    named = named or names()
    who = voice.name if voice else "the voice"
    fields = {}
    if speech:
        fields[named["accent"]] = forms.ChoiceField(
            required=False,
            label=f"Accent of {who}",
            choices=[("", "Its default accent")]
            + [(a.id, accent_label(a)) for a in accents(voice) if a.id],
            error_messages={"invalid_choice": f"Choose one of {who}'s accents."},
        )
    if tts:
        fields[named["style"]] = forms.ChoiceField(
            required=False,
            label=f"Narration style of {who}",
            choices=[("", "Its default style")]
            + [(s.id, style_label(s)) for s in narration_styles(voice) if s.id],
            error_messages={"invalid_choice": f"Choose one of {who}'s narration styles."},
            help_text="How the voice reads, with its tags.",
        )
    fields[named["semitones"]] = forms.FloatField(
        required=False,
        min_value=-SEMITONES,
        max_value=SEMITONES,
        # Half steps, as Respeecher's voice settings take them.
        step_size=0.5,
        label=f"Semitones for {who}",
        help_text=f"Shifts the pitch: -{SEMITONES} to {SEMITONES} in half steps; 0 is none.",
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value", "step_size"), SEMITONES_RANGE
        ),
        widget=forms.NumberInput(attrs={"step": 0.5, "placeholder": "0"}),
    )
    if label:
        fields[named["label"]] = forms.CharField(
            required=False,
            max_length=Recording.LABEL_MAX,
            strip=True,
            label=f"Label for {who}",
            error_messages={"max_length": LABEL_TOO_LONG},
        )
    return fields


def target(voice, data: dict, *, tts: bool, named=None) -> Target:
    """The options read back from a valid form's cleaned data; a text-to-speech take
    without a chosen style takes the voice's default."""
    named = named or names()
    style = data.get(named["style"]) or ""
    if tts and not style:
        style = default_style(voice) or ""
    return Target(
        voice=voice,
        accent_id=data.get(named["accent"]) or "",
        narration_style_id=style,
        semitones=data.get(named["semitones"]),
        label=data.get(named["label"]) or "",
    )


def calibration_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False,
        label="Calibration",
        error_messages={"invalid_choice": "Choose one of the account's finished calibrations."},
    )


def calibration_choices(account) -> list[tuple[str, str]]:
    """The account's finished calibrations, after "" for the account's default: the
    enabled one, named when the mirror knows it, or automatic when none is enabled."""
    if account is None:
        return [("", "The account's default")]
    listed = list(
        Calibration.objects.for_team(account.team)
        .filter(account=account)
        .listed()
        .only("pk", "name", "remote_id", "state", "enabled")
        .order_by("name", "pk")
    )
    # The enabled one is the default whatever the mirror last read of its state.
    enabled = next((c for c in listed if c.enabled), None)
    calibrations = [c for c in listed if c.state == Status.COMPLETED]
    default = (
        f"The account's default: “{enabled}”"
        if enabled
        else "Automatic, the account's default (Respeecher chooses for each take)"
    )
    return [("", default), *((c.remote_id, f"“{c}”") for c in calibrations)]
