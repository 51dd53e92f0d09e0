"""Plain text from the notification kinds' templates: the engine (no HTML escaping) and the
tidying every title, body and SMS gets. Used by ``services.render_message`` (writing a notice)
and ``selectors.kind_title`` (showing one)."""

import re

from django.conf import settings
from django.template import Engine
from django.template.backends.django import get_installed_libraries

_text_engine = None


def text_engine() -> Engine:
    """A template engine for plain text: no HTML escaping (pages escape when they display)."""
    global _text_engine
    if _text_engine is None:
        dirs = [d for t in settings.TEMPLATES for d in t.get("DIRS", [])]
        _text_engine = Engine(
            dirs=dirs, app_dirs=True, autoescape=False, libraries=get_installed_libraries()
        )
    return _text_engine


# Full-width punctuation takes no space on either side ("。 请" -> "。请"): Chinese sentences
# put together from several pieces would otherwise show the English joins (issue 15, point 7).
_FULL_WIDTH_BLANKS = re.compile(r"[ \t]*([。，；：！？、）】])[ \t]*|([（【])[ \t]+")


def _full_width(text: str) -> str:
    return _FULL_WIDTH_BLANKS.sub(lambda m: m.group(1) or m.group(2), text)


def tidy(text: str, *, single_line: bool) -> str:
    """Collapse the blanks left by optional variables; SMS and titles become one line."""
    if single_line:
        return _full_width(re.sub(r" ([.,:;])", r"\1", re.sub(r"\s+", " ", text)).strip())
    lines = [
        _full_width(re.sub(r" ([.,:;])", r"\1", re.sub(r"[ \t]+", " ", line)).strip())
        for line in text.strip().splitlines()
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
