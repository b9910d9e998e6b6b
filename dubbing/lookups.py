"""What the dubbing pages ask A2E for and keep a while: its dubbing languages."""

from teams.connection import cached, client_for

LANGUAGES_CACHE = 24 * 3600


def _listed(account, lang: str) -> list[tuple[str, str]]:
    languages = cached(
        account,
        f"a2e-languages:{lang}",
        LANGUAGES_CACHE,
        lambda: [
            (item.value, item.label or item.value)
            for item in client_for(account).list_languages(lang=lang)
            if item.value
        ],
    )
    return [tuple(pair) for pair in languages]


def languages_for(account, language: str = "en") -> list[tuple[str, str]]:
    """A2E's dubbing languages (value, label), refreshed daily, labelled in `language`
    (a person's, "de-DE" say) when it is one A2E dubs into, else in English."""
    english = _listed(account, "en")
    base = (language or "en").split("-")[0].lower()
    if base == "en" or base not in {value for value, _ in english}:
        return english
    return _listed(account, base) or english
