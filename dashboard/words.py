"""Words for people where the system keeps codes: language names for ISO 639-1 codes."""

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
