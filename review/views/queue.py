"""The officer's single queue, the staff's landing page (``/admin/``, served by
``review.site.PortalAdminSite.index``): its own view and template (``review/staff/queue.html``
on the lean ``review/staff/base.html``), not the admin's index (issue 29). The rows are read by
``review.selectors.LandingQueue`` (one query per kind, values only); a search by ID number goes
through a POST and a session token, never a URL (``permits.admin.id_search``)."""

from __future__ import annotations

from html import escape as escape_html

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from applicants.models import Identity
from core import clock
from core.display import ChoiceLabels, pk_url
from permits import service_types
from permits.admin.id_search import (
    TOKEN_VAR,
    carries_id_number,
    mask_term,
    recall_term,
    remember_term,
)
from permits.models import (
    PermitApplication,
    Rating,
    ResidenceRegistration,
    Station,
)
from permits.scoping import is_supervisor

from .. import selectors
from .staff import staff_context

QUEUE_PAGE_SIZE = 50
MAX_QUEUE_PAGE = 10_000
# Who sees the queue (everyone else lands on the admin's list of records).
QUEUE_PERMISSION = "permits.view_permitapplication"


def shows_queue(user) -> bool:
    return user.has_perm(QUEUE_PERMISSION)


def queue_search_terms(request):
    """The queue's filters with the search term resolved: a term carrying an ID number comes
    only from the session (``q_token``, set by ``queue_search_view``), never from the URL."""
    params = request.GET.copy()
    token = params.pop(TOKEN_VAR, [None])[0]
    term = (params.get("q") or "").strip()
    if carries_id_number(term):
        term = ""
    if token:
        term = recall_term(request, token) or ""
    params["q"] = term
    return params, token


def queue_search_view(model_admin, request):
    """POST of the queue's filter form: the search term goes to the session, the redirect to
    the queue carries only a token (an ID number never stands in a URL or an access log)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm(QUEUE_PERMISSION):
        raise PermissionDenied
    params = [
        (key, value)
        for key in ("kind", "service", "state", "due", "station")
        if (value := request.POST.get(key, ""))
    ]
    term = request.POST.get("q", "").strip()[:60]
    if term:
        params.append((TOKEN_VAR, remember_term(request, term)))
    url = reverse("admin:index", current_app=model_admin.admin_site.name)
    return HttpResponseRedirect(f"{url}?{urlencode(params)}" if params else url)


# Each kind's page, and the model and fields of its "Service" and "State" columns.
QUEUE_CELLS = {
    selectors.KIND_APPLICATION: (
        "admin:permits_permitapplication_change",
        (PermitApplication, "service"),
        (PermitApplication, "state"),
    ),
    selectors.KIND_REGISTRATION: (
        "admin:permits_residenceregistration_change",
        (ResidenceRegistration, "basis"),
        (ResidenceRegistration, "state"),
    ),
    selectors.KIND_IDENTITY: (
        "admin:applicants_identity_change",
        (Identity, "relationship"),
        (Identity, "state"),
    ),
    selectors.KIND_FOLLOW_UP: ("admin:permits_ratingfollowup_change", (Rating, "score"), None),
}


# Each kind's row of the queue's table. The rows are written here, not in the template: 50 rows
# of a dozen cells each cost ~700 template variable lookups and as many escapes (about half of
# the queue's time in Django's template engine, issue 29). ``_QueueCells.html`` escapes each
# value it puts in.
ROW_HTML = {
    selectors.KIND_APPLICATION: (
        '<tr class="{urgency}" data-reference="{reference}"><td>{kind}</td>'
        '<th scope="row"><a href="{url}">{reference}</a></th><td>{detail}</td><td>{name}</td>'
        "<td>{id_number}</td><td>{station}{agency}</td><td>{state}</td>"
        '<td class="deadline">{due}</td><td>{submitted}</td></tr>'
    ),
    selectors.KIND_REGISTRATION: (
        '<tr class="" data-kind="registration" data-pk="{pk}"><td>{kind}</td>'
        '<th scope="row"><a href="{url}">{reference}</a></th><td>{detail}</td><td>{name}</td>'
        "<td>{id_number}</td><td>{station}</td><td>{state}</td>"
        '<td class="deadline"></td><td>{submitted}</td></tr>'
    ),
    selectors.KIND_FOLLOW_UP: (
        '<tr class="{urgency}" data-kind="follow_up" data-pk="{pk}"><td>{kind}</td>'
        '<th scope="row"><a href="{url}">{reference}</a></th><td>{detail}</td><td>{name}</td>'
        "<td>{id_number}</td><td>{station}</td><td>{to_answer}</td>"
        '<td class="deadline">{due}</td><td>{submitted}</td></tr>'
    ),
    selectors.KIND_IDENTITY: (
        '<tr class="" data-kind="identity" data-pk="{pk}"><td>{kind}</td><td></td><td></td>'
        '<th scope="row"><a href="{url}">{name}</a>{detail}</th><td>{id_number}</td><td></td>'
        '<td>{state}</td><td class="deadline"></td><td>{submitted}</td></tr>'
    ),
}
AGENCY_HTML = '<br><span class="agency" data-agency="{}">{}</span>'
RELATIONSHIP_HTML = ' <span class="quiet">{}</span>'


class _QueueCells:
    """The queue's cells for one request, each kind's set-up done once (``core.display``): a
    choice field's labels translated once, a URL pattern reversed once per kind, the words
    of the deadline column translated once."""

    def __init__(self):
        self._labels: dict = {}
        self._urls: dict = {}
        self._dates: dict = {}
        self._kinds = {kind: escape_html(str(label)) for kind, label in selectors.KINDS.items()}
        self._flags = {"overdue": gettext("overdue"), "due-soon": gettext("due soon")}
        self._to_answer = escape_html(gettext("to answer"))

    def label(self, model_field, value):
        if model_field not in self._labels:
            self._labels[model_field] = ChoiceLabels(*model_field)
        return self._labels[model_field](value)

    def url(self, name: str, pk) -> str:
        if name not in self._urls:
            self._urls[name] = pk_url(name)
        return self._urls[name](pk)

    def _text(self, value) -> str:
        """A cell's text, escaped as Django escapes (``html.escape``, quotes too), without its
        lazy-string checks (once per cell: ~600 per page)."""
        return escape_html(value) if value else ""

    def _date(self, value) -> str:
        if value is None:
            return ""
        if value not in self._dates:
            self._dates[value] = localize(value)  # as the template showed a date
        return self._dates[value]

    def html(self, row: selectors.QueueRow) -> SafeString:
        """The row of the queue's table (``ROW_HTML``): the row's page, its second column's
        label (service, basis, relationship or score), its state's label, its deadline and its
        submission time (local), every value escaped."""
        url_name, detail_field, state_field = QUEUE_CELLS[row.kind]
        text = self._text
        detail = text(self.label(detail_field, row.detail) if row.detail is not None else "")
        if row.kind == selectors.KIND_IDENTITY and detail:
            detail = RELATIONSHIP_HTML.format(detail)
        due = self._date(row.due)
        if row.urgency in self._flags:
            due = f"{due} · {self._flags[row.urgency]}"
        moment = row.moment
        return mark_safe(  # noqa: S308 - every value above is escaped
            ROW_HTML[row.kind].format(
                urgency=row.urgency,
                reference=text(row.reference),
                pk=int(row.pk),
                kind=self._kinds[row.kind],
                url=self.url(url_name, row.pk),
                detail=detail,
                name=text(row.name),
                id_number=text(row.id_number),
                station=text(row.station),
                agency=(
                    AGENCY_HTML.format(text(row.agency_code), text(row.agency_name))
                    if row.agency_code
                    else ""
                ),
                state=text(self.label(state_field, row.state) if state_field else ""),
                to_answer=self._to_answer,
                due=text(due),
                submitted=(timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""),
            )
        )


def _page_number(value) -> int:
    """The page asked for, as ``Paginator.get_page`` reads it (anything else: the first), up
    to ``MAX_QUEUE_PAGE``: only a hint of how many rows to read with the count."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_QUEUE_PAGE)


def queue_context(request) -> dict:
    """Everything waiting for this user, one list (``selectors.LandingQueue``)."""
    user = request.user
    today = clock.today()
    params, token = queue_search_terms(request)
    # The count reads the requested page's rows with it (one query per kind).
    stop = _page_number(params.get("page")) * QUEUE_PAGE_SIZE
    queue = selectors.LandingQueue(user, params, today=today, stop_hint=stop)
    paginator = Paginator(queue, QUEUE_PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    cells = _QueueCells()
    supervisor = is_supervisor(user)
    query = params.copy()
    query.pop("page", None)
    query.pop("q", None)
    if token:
        query[TOKEN_VAR] = token
    hides_term = carries_id_number(params["q"])
    shown = params.copy()
    shown["q"] = "" if hides_term else params["q"]
    return {
        "masked_q": mask_term(params["q"]) if hides_term else "",
        "rows": [cells.html(row) for row in page.object_list],
        "page": page,
        "paginator": paginator,
        "params": shown,
        "query_string": query.urlencode(),
        "kinds": list(selectors.KINDS.items()),
        "services": service_types.choices(),
        "states": [(s.value, s.label) for s in selectors.WAITING_STATES],
        "stations": Station.objects.order_by("name") if supervisor else None,
        "is_supervisor": supervisor,
        "can_hand_over": user.has_perm("permits.hand_over_certificate"),
        "can_produce": user.has_perm("permits.produce_certificate"),
        "today": today,
    }


def landing(request):
    """The landing page of a member of staff who works the queue (``shows_queue``), None for
    anyone else; the admin site's ``index`` calls it (``PortalAdminSite.landing_view``), so
    ``admin_view``'s checks come first: an active member of staff, and the second factor
    (``StaffSecondFactorMiddleware``)."""
    if not shows_queue(request.user):
        return None
    context = {
        **staff_context(request, title=admin.site.index_title),  # "Police desk", as before
        **queue_context(request),
    }
    return TemplateResponse(request, "review/staff/queue.html", context)
