"""`{% once_key %}`: the one-time key of a form that spends the team's money (jobs.once)."""

from django import template

from jobs import once

register = template.Library()


@register.simple_tag
def once_key():
    return once.field()
