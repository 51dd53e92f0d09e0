"""Searching a changelist by ID number without ever putting the number in a URL (issue 11).

Access logs, browser history and Referer headers keep URLs, so a resident ID number (or a
longer piece of one than a masked number shows) must never be in one. Every admin whose search
reaches ``id_number`` mixes in ``IdNumberSearchMixin``:

* the changelist's search box POSTs (CSRF-protected) to ``<changelist>/search/``, which keeps
  the term in the session under a short random token and redirects to the changelist with
  ``?q_token=<token>``; the changelist resolves the token to the term and searches. The token
  works only in the session that made it (a leaked link finds nothing);
* a ``?q=`` carrying an ID number is not searched: the answer redirects to the changelist
  without it, with a message pointing to the search box (the number is not echoed);
* the page shows such a term masked, never in full.

Other ``?q=`` searches (a reference, a name) keep working by GET. Station scoping is untouched:
the search runs on the admin's (already scoped) queryset.
"""

import re
import secrets

from django.contrib import messages
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from core.masking import mask_id_number

TOKEN_VAR = "q_token"  # noqa: S105 (the query-string name, not a secret)
SESSION_KEY = "admin_search_terms"
KEEP_TERMS = 20  # the latest searches of the session; older tokens expire
MAX_TERM = 60

# More of an ID number than a masked number shows (its last 4 digits): a run of 5 to 18
# digits (the last may be X) standing on its own, or 15 or more digits anywhere. A reference
# (HK2026-000123), permit number (HK2026P0000123) or card serial is not one.
ID_LIKE = re.compile(r"(?<![\w-])\d{4,17}[\dXx](?![\w-])|\d{15,}")


def carries_id_number(term: str) -> bool:
    return bool(ID_LIKE.search(term or ""))


def mask_term(term: str) -> str:
    """The term with every ID-number-like run masked (first 6 and last 4 of a long one)."""

    def mask(match):
        digits = match.group(0)
        if len(digits) > 10:
            return mask_id_number(digits)
        return "*" * (len(digits) - 4) + digits[-4:]

    return ID_LIKE.sub(mask, term or "")


def remember_term(request, term: str) -> str:
    terms = dict(request.session.get(SESSION_KEY) or {})
    token = secrets.token_urlsafe(8)
    terms[token] = term
    while len(terms) > KEEP_TERMS:
        terms.pop(next(iter(terms)))
    request.session[SESSION_KEY] = terms
    return token


def recall_term(request, token: str) -> str | None:
    term = (request.session.get(SESSION_KEY) or {}).get(token)
    return term if isinstance(term, str) else None


class TokenSearchChangeList(ChangeList):
    """Searches the term the view resolved from ``q_token``; ``q_token`` is no filter, but
    stays in the sorting, filter and page links (so they keep the search)."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(TOKEN_VAR, None)
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        term = getattr(request, "_token_search_term", None)
        if term is not None:
            self.query = term
        return super().get_queryset(request, exclude_parameters)


class IdNumberSearchMixin:
    """For a ModelAdmin whose search reaches ``id_number``: see the module docstring."""

    change_list_template = "admin/id_search/change_list.html"

    def get_changelist(self, request, **kwargs):
        return TokenSearchChangeList

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        return [
            path(
                "search/",
                self.admin_site.admin_view(self.id_search_view),
                name="{}_{}_search".format(*info),
            ),
        ] + super().get_urls()

    def _changelist_url(self, params) -> str:
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
            current_app=self.admin_site.name,
        )
        return f"{url}?{urlencode(params)}" if params else url

    @staticmethod
    def _kept_params(query_dict, *drop) -> list:
        drop = {*drop, "csrfmiddlewaretoken", PAGE_VAR, ERROR_FLAG}
        return [
            (key, value)
            for key, values in query_dict.lists()
            if key not in drop
            for value in values
        ]

    def id_search_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        params = self._kept_params(request.POST, SEARCH_VAR, TOKEN_VAR)
        term = request.POST.get(SEARCH_VAR, "").strip()[:MAX_TERM]
        if term:
            params.append((TOKEN_VAR, remember_term(request, term)))
        return HttpResponseRedirect(self._changelist_url(params))

    def changelist_view(self, request, extra_context=None):
        if carries_id_number(request.GET.get(SEARCH_VAR, "")):
            self.message_user(
                request,
                gettext(
                    "Search by ID number with the search box: ID numbers are never put in a link."
                ),
                messages.WARNING,
            )
            return HttpResponseRedirect(
                self._changelist_url(self._kept_params(request.GET, SEARCH_VAR))
            )
        query = request.GET.get(SEARCH_VAR, "")
        token = request.GET.get(TOKEN_VAR)
        if token is not None:
            term = recall_term(request, token)
            if term is None:
                self.message_user(
                    request, gettext("This search has expired. Search again."), messages.WARNING
                )
                return HttpResponseRedirect(
                    self._changelist_url(self._kept_params(request.GET, TOKEN_VAR))
                )
            request._token_search_term = query = term
        hides_term = carries_id_number(query)
        extra_context = {
            **(extra_context or {}),
            "id_search": {
                "url": reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_search",
                    current_app=self.admin_site.name,
                ),
                "value": "" if hides_term else query,
                "masked": mask_term(query) if hides_term else "",
            },
        }
        return super().changelist_view(request, extra_context)
