"""Filters that print things for people: times, languages, numbers (loaded everywhere)."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma, naturaltime
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from dashboard.words import language_name

register = template.Library()


@register.filter
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


@register.filter
def language(code):
    """A language code's English name ("es" reads "Spanish")."""
    return language_name(code)


@register.filter
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
