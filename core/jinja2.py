"""The Jinja2 environment of the few pages rendered by Django's Jinja2 backend (``TEMPLATES``'s
second engine, ``jinja2/`` folders of the apps): the officer's queue and the application desk,
the staff's busiest pages (issue 29). Autoescape is on (the backend's default, kept here).

What the templates get, named as Django's tags and filters they replace:
- ``url(name, *args)`` (``reverse``), ``static(path)``;
- ``_("...")`` / ``gettext`` / ``ngettext`` / ``pgettext`` (Django's translation, the i18n
  extension). ``makemessages`` extracts ``{{ _("...") }}`` from these templates as it does from
  Django's (a plain string in the first argument; a value goes in with ``|format(name=...)``);
- ``get_current_language()``, ``get_current_language_bidi()``;
- ``colon()``, ``paren(text)`` (``core.templatetags.punctuation``);
- filters ``capfirst``, ``date`` (a datetime in the current time zone, Django's format
  characters) and ``localize`` (a value as Django's template shows it: dates and numbers in the
  active language's formats, a datetime in the current time zone);
- ``django_include(name, context)``: a Django template's markup for a piece shared with pages
  that stay on Django's engine (``review/history.html``), so it keeps one home.

``csrf_input`` / ``csrf_token`` and ``request`` come from the backend with each request; the
messages from ``django.contrib.messages.context_processors.messages`` (``OPTIONS``)."""

from __future__ import annotations

import datetime

from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import (
    get_language,
    get_language_bidi,
    gettext,
    ngettext,
    npgettext,
    pgettext,
)
from jinja2 import Environment
from markupsafe import Markup

from core.templatetags.punctuation import colon, paren


def capfirst_filter(value):
    """Django's ``|capfirst``: a safe value (a message with a link) stays safe."""
    text = capfirst(value)
    return Markup(text) if hasattr(value, "__html__") else text  # noqa: S704 - safe in, safe out


def url(viewname: str, *args, **kwargs) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def _local(value):
    """A datetime as Django's templates show it: in the current time zone."""
    if isinstance(value, datetime.datetime):
        return timezone.template_localtime(value)
    return value


def date(value, arg: str | None = None) -> str:
    """Django's ``|date`` filter: "" for no value."""
    if value in (None, ""):
        return ""
    return formats.date_format(_local(value), arg)


def localize(value) -> str:
    """A value as ``{{ value }}`` shows it in a Django template (``None`` as "None", as there)."""
    return formats.localize(_local(value))


def django_include(template_name: str, context: dict | None = None) -> Markup:
    """The markup of a Django template (autoescaped by Django's engine)."""
    html = engines["django"].get_template(template_name).render(context or {})
    return Markup(html)  # noqa: S704 - Django's engine escaped every value


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on, whatever the settings say
    extensions = list(options.pop("extensions", []))
    if "jinja2.ext.i18n" not in extensions:
        extensions.append("jinja2.ext.i18n")
    env = Environment(autoescape=True, extensions=extensions, **options)
    env.install_gettext_callables(gettext, ngettext, pgettext=pgettext, npgettext=npgettext)
    env.globals.update(
        url=url,
        static=static,
        get_current_language=get_language,
        get_current_language_bidi=get_language_bidi,
        colon=colon,
        paren=paren,
        django_include=django_include,
    )
    env.filters.update(capfirst=capfirst_filter, date=date, localize=localize)
    return env
