"""The catalog's rows and star buttons as HTML, written here rather than in the template:
a page of 50 rows is some 1,000 template variables, and the template engine spent more on
them than the rest of the request together (bench/voices.py)."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from core.words import language_name

register = template.Library()

STAR = """<form id="star-{pk}" class="inline" method="post" action="{url}"
      hx-post="{url}" hx-target="this" hx-swap="outerHTML">
  <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}"><input type="hidden"
    name="next" value="{next}">
  <input type="hidden" name="favorite" value="{wanted}">
  <button type="submit" class="{css}" aria-pressed="{pressed}"
          title="{title}"><span aria-hidden="true">{glyph}</span><span
          class="visually-hidden">Star: {name}</span></button>
</form>"""

PICK = """<input type="checkbox" name="ids" value="{pk}" form="bulk-form"
      aria-label="Select {name}">"""

ROW = """  <tr>
    <td>{pick} {star}</td>
    <td>
      {sample}
    </td>
    <td><a href="{url}">{name}</a></td>
    <td>{provider}{assistant}</td>
    <td>{kind}</td>
    <td>{language}</td>
    <td>{gender}</td>
    <td><span class="pill pill-{pill}">{status}</span></td>
    <td>{quality}
        {uses}</td>
    <td>{speak}</td>
  </tr>
"""


# A viewer cannot star: the star is only shown, on a starred voice.
STARRED = (
    '<span class="star on" title="Starred"><span aria-hidden="true">★</span>'
    '<span class="visually-hidden">Starred</span></span>'
)


def _star(voice, csrf: str, next_path: str, can_change: bool = True) -> str:
    on = voice.favorite
    if not can_change:
        return STARRED if on else ""
    where = " (saved at Respeecher)" if voice.keeps_settings_upstream else ""
    return STAR.format(
        pk=voice.pk,
        url=escape(voice.favorite_url),
        csrf=escape(csrf),
        next=escape(next_path),
        wanted="0" if on else "1",
        css="star on" if on else "star",
        pressed="true" if on else "false",
        title=("Remove the star" if on else "Star this voice") + where,
        glyph="★" if on else "☆",
        name=escape(voice.name),
    )


def _sample(voice, name: str) -> str:
    """One control for every voice with a sample, whatever its provider keeps: pressed, it
    asks for the player (catalog.html#player), which fetches the sample only then."""
    if not (voice.sample_url or voice.has_sample):
        return ""
    url = escape(voice.sample_page_url)
    return (
        f'<a class="button small" href="{url}"\n         hx-get="{url}" hx-swap="outerHTML" '
        f'aria-label="Play a sample of {name}">▶ Sample</a>'
    )


def _speak(voice, name: str) -> str:
    """A way to the speech page with this voice chosen, only for a voice it can use."""
    if not voice.speaks_here:
        return ""
    return (
        f'<a class="button small" href="{escape(voice.speak_url)}" '
        f'aria-label="Speak with {name}">Speak</a>'
    )


def _row(voice, csrf: str, next_path: str, can_change: bool) -> str:
    name = escape(voice.name)
    band = voice.quality_band
    quality = (
        f'<span class="pill quality-{escape(band)}">{escape(voice.quality_said)}</span>'
        if band
        else ""
    )
    uses = voice.synthesis_count
    return ROW.format(
        pk=voice.pk,
        name=name,
        pick=PICK.format(pk=voice.pk, name=name) if can_change else "",
        star=_star(voice, csrf, next_path, can_change),
        sample=_sample(voice, name),
        url=escape(voice.url),
        provider=escape(voice.get_provider_display()),
        assistant=(
            f' <small class="muted" title="Burki assistant">{escape(voice.assistant_name)}</small>'
            if voice.assistant_name
            else ""
        ),
        kind=escape(voice.get_kind_display()),
        language=escape(language_name(voice.language) or "—"),
        gender=escape(voice.gender_label or "—"),
        pill=voice.status_tone,
        status=escape(voice.status_label),
        quality=quality,
        uses=f'<small class="muted">{localize(uses)} uses</small>' if uses is not None else "",
        speak=_speak(voice, name) if can_change else "",
    )


def _csrf_and_next(context) -> tuple[str, str]:
    return str(context.get("csrf_token", "")), context["request"].get_full_path()


def _can_change(context) -> bool:
    membership = context.get("membership")
    return bool(membership and membership.can_change)


@register.simple_tag(takes_context=True)
def voice_rows(context, voices):
    """One <tr> per voice; each voice carries its links (voices.views.with_links)."""
    csrf, next_path = _csrf_and_next(context)
    can_change = _can_change(context)
    return mark_safe("".join(_row(voice, csrf, next_path, can_change) for voice in voices))  # noqa: S308 -- every value above is escaped


@register.simple_tag(takes_context=True)
def voice_star(context, voice):
    """A voice's star button alone: on its page, and as the htmx answer to pressing it."""
    if not hasattr(voice, "favorite_url"):
        kwargs = {"team": context["team"].slug, "voice_id": voice.pk}
        voice.favorite_url = reverse("voice_favorite", kwargs=kwargs)
    return mark_safe(_star(voice, *_csrf_and_next(context), _can_change(context)))  # noqa: S308 -- escaped in _star
