"""Words for people where the system keeps codes: language names for ISO 639-1 codes,
times and numbers. The template filters of the same names (dashboard.templatetags.words,
loaded everywhere) print these; Python code that writes for people calls them here."""

from django.contrib.humanize.templatetags.humanize import intcomma, naturaltime
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

# The languages the providers offer (A2E's dubbing list, Respeecher's and Burki's voices),
# by ISO 639-1 code, in English. A regional code ("es-ES", "pt_BR") reads as its language.
LANGUAGES = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fil": "Filipino",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "ms": "Malay",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sv": "Swedish",
    "ta": "Tamil",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
# The languages as a form offers them: by name, in alphabetical order of the name.
LANGUAGE_CHOICES = sorted(LANGUAGES.items(), key=lambda item: item[1])
# What a source language may be instead of a language.
DETECT = "auto"


def language_name(code: str | None) -> str:
    """The English name of a language code; "Detected language" for A2E's automatic detection,
    "" for an empty code, "English (US)" for a regional one, and the code upper-cased
    for one this table does not know."""
    code = (code or "").strip()
    if not code:
        return ""
    if code.lower() == DETECT:
        return "Detected language"
    base, _, region = code.replace("_", "-").partition("-")
    name = LANGUAGES.get(base.lower())
    if name is None:
        return code.upper()
    return f"{name} ({region.upper()})" if region else name


def when(value):
    """A time as people say it ("just now", "2 minutes ago"), with the exact time in a
    <time> element a pointer or a screen reader can ask for."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    now = timezone.now() if timezone.is_aware(value) else timezone.now().replace(tzinfo=None)
    # Seconds are noise to people; naturaltime would say "now" or "12 seconds ago".
    said = "just now" if 0 <= (now - value).total_seconds() < 60 else naturaltime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        date_format(local, "j M Y, H:i"),
        said,
    )


def number(value):
    """A count or an amount for people: "10,000", "12.5"; whole floats lose their ".0"."""
    if value is None or value == "":
        return ""
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return value
    if amount.is_integer():
        return intcomma(int(amount))
    return intcomma(round(amount, 2))
