"""The officer's single queue, the staff's landing page (``/admin/``, served by
``review.site.PortalAdminSite.index``): its own view and Jinja2 template
(``review/jinja2/review/staff/queue.html`` on the lean ``review/staff/base.html``,
``core.jinja2``), not the admin's index (issue 29). The rows are read by
``review.selectors.LandingQueue`` (one query per kind, values only); a search by ID number goes
through a POST and a session token, never a URL (``permits.admin.id_search``)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.http import urlencode
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


class _QueueCells:
    """The queue's cells for one request, each kind's set-up done once (``core.display``): a
    choice field's labels translated once, a URL pattern reversed once per kind, the words
    of the deadline column translated once. Plain text: the template
    (``review/jinja2/review/staff/queue.html``) puts each value in, autoescaped."""

    def __init__(self):
        self._labels: dict = {}
        self._urls: dict = {}
        self._dates: dict = {}
        self._kinds = {kind: str(label) for kind, label in selectors.KINDS.items()}
        self._flags = {"overdue": gettext("overdue"), "due-soon": gettext("due soon")}

    def label(self, model_field, value):
        if model_field not in self._labels:
            self._labels[model_field] = ChoiceLabels(*model_field)
        return self._labels[model_field](value)

    def url(self, name: str, pk) -> str:
        if name not in self._urls:
            self._urls[name] = pk_url(name)
        return self._urls[name](pk)

    def _date(self, value) -> str:
        if value is None:
            return ""
        if value not in self._dates:
            self._dates[value] = localize(value)  # as the template showed a date
        return self._dates[value]

    def values(self, row: selectors.QueueRow) -> dict:
        """The row of the queue's table as text: the row's page, its second column's label
        (service, basis, relationship or score), its state's label, its deadline and its
        submission time (local)."""
        url_name, detail_field, state_field = QUEUE_CELLS[row.kind]
        due = self._date(row.due)
        if row.urgency in self._flags:
            due = f"{due} · {self._flags[row.urgency]}"
        moment = row.moment
        return {
            "kind": row.kind,
            "kind_label": self._kinds[row.kind],
            "pk": row.pk,
            "urgency": row.urgency,
            "reference": row.reference,
            "url": self.url(url_name, row.pk),
            "detail": self.label(detail_field, row.detail) if row.detail is not None else "",
            "name": row.name,
            "id_number": row.id_number,
            "station": row.station,
            "agency_code": row.agency_code,
            "agency_name": row.agency_name,
            "state": self.label(state_field, row.state) if state_field else "",
            "due": due,
            "submitted": timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "",
        }


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
        "rows": [cells.values(row) for row in page.object_list],
        "page": page,
        "paginator": paginator,
        "params": shown,
        "query_string": query.urlencode(),
        "kinds": list(selectors.KINDS.items()),
        "services": service_types.choices(),
        "states": [(s.value, s.label) for s in selectors.WAITING_STATES],
        "due_choices": selectors.due_choices(),
        "stations": (
            Station.objects.order_by("name").values_list("pk", "name") if supervisor else None
        ),
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
    return TemplateResponse(request, "review/staff/queue.html", context, using="jinja2")
