"""Filters that print things for people: times, languages, numbers (loaded everywhere).
What they say is worded in core.words."""

from django import template

from core import words

register = template.Library()

when = register.filter("when", words.when)
language = register.filter("language", words.language_name)
number = register.filter("number", words.number)
