"""Punctuation that follows the page's language: a label and its value, the end of a sentence
assembled from pieces. Chinese uses full-width marks ("原因：不清晰", "……身份证。"), English the
ASCII ones with their spaces ("Reason: unclear")."""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    """Between a label and its value: ": " in English, "：" in Chinese."""
    return pgettext("punctuation", ": ")


@register.simple_tag
def full_stop() -> str:
    """The end of a sentence put together from several translated pieces."""
    return pgettext("punctuation", ".")


@register.simple_tag
def paren(text) -> str:
    """An aside after a word: " (10.9 KB)" in English, "（10.9 KB）" in Chinese."""
    return pgettext("punctuation", " (%(text)s)") % {"text": text}
