"""The papers a station signs are declared once each, in ``permits.papers`` (issue "A service is
declared once", item 2): every registered kind has a name, a title and a template; and a kind
declared here alone (registered by a fixture, nothing else changed) is issued for an
application, rendered to PDF with its title and facts, and checked on the public verification
page and API when it says it may be (and not when it says it may not)."""

import pytest
from django.db import transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.test import APIClient

from core.errors import NotAllowed
from permits import papers
from permits.constants import DocumentKind
from permits.models import Document
from permits.services import documents as document_services
from permits.services.rendering import document_title, ensure_rendered, render_html
from tests.permits.documents_support import pdf_text, qr_texts
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import staff_for

pytestmark = pytest.mark.django_db

RECEIPT_TEMPLATE = """{% extends "permits/documents/base.html" %}{% load i18n %}
{% block content %}
<p>{{ facts.name }}, {{ facts.reference }}: {{ facts.service_label }}</p>
<table class="facts">
  <tr><th>{% translate "Window" %}</th><td>{{ facts.window }}</td></tr>
  <tr><th>{% translate "Ticket" %}</th><td>{{ facts.ticket }}</td></tr>
</table>
{% endblock %}"""


class SubmissionReceipt(papers.ApplicationPaper):
    """A receipt of the paper material handed in at a window (a kind the project does not have)."""

    code = "submission_receipt"
    label = _("Receipt of submission (test)")
    title = _("Receipt of paper submission")
    template_source = RECEIPT_TEMPLATE

    def facts(self, application, *, note="", from_state=""):
        return {"window": "Window 7", "ticket": f"TICKET-{application.pk}-{note or 'none'}"}


class InternalMemo(papers.ApplicationPaper):
    """A paper for the station's file only: the public cannot check it."""

    code = "internal_memo"
    label = _("Internal memo (test)")
    title = _("Internal memo")
    verifiable = False
    template_source = RECEIPT_TEMPLATE.replace("facts.window", "facts.memo")

    def facts(self, application, *, note="", from_state=""):
        return {"memo": "MEMO-OF-THE-STATION", "ticket": "-"}


class PermitExtract(papers.OnDemandPaper):
    """An extract of the permit, asked for by its holder."""

    code = "permit_extract"
    label = _("Permit extract (test)")
    title = _("Extract of the residence permit")
    template_source = (
        '{% extends "permits/documents/base.html" %}{% block content %}'
        "<p>Permit {{ facts.permit_number }} held since {{ facts.since|date:'Y-m-d' }}</p>"
        "{% endblock %}"
    )

    def check(self, *, user, permit, today):
        if permit.holder.account_id != getattr(user, "pk", None):
            raise NotAllowed()

    def facts(self, permit, *, today):
        return {"permit_number": permit.number, "since": permit.continuous_since.isoformat()}


@pytest.fixture
def registered():
    """Register the kinds of this module for one test, and take them away after it."""
    kinds = (SubmissionReceipt, InternalMemo, PermitExtract)
    for kind in kinds:
        papers.register(kind)
    yield
    for kind in kinds:
        papers.unregister(kind.code)


def download(client, user, document) -> bytes:
    client.force_login(user)
    response = client.get(reverse("permits:document_file", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def stored_pdf(document) -> bytes:
    with ensure_rendered(document).file.open("rb") as handle:
        return handle.read()


def test_every_registered_kind_has_a_name_a_title_and_a_template():
    registered = papers.all()
    assert {paper.code for paper in registered} >= set(DocumentKind)
    for paper in registered:
        assert papers.get(paper.code) is paper
        assert str(paper.label) and str(paper.title), paper
        assert paper.issued in (papers.APPLICATION_ACT, papers.ON_DEMAND), paper
        if paper.template_name:
            get_template(paper.template_name)  # raises TemplateDoesNotExist
        assert paper.get_template() is not None
    # the model's choices are the registry's, in its order
    field = Document._meta.get_field("kind")
    assert [code for code, _label in field.choices] == [paper.code for paper in registered]
    assert papers.choices() == [(paper.code, paper.label) for paper in registered]


def test_the_refusal_title_depends_on_the_stage():
    refusal = papers.get(DocumentKind.REFUSAL)
    before = Document(kind=DocumentKind.REFUSAL, payload={"stage": "not_accepted"})
    after = Document(kind=DocumentKind.REFUSAL, payload={"stage": "not_approved"})
    assert refusal.title_for(before) == "Notice of non-acceptance"
    assert refusal.title_for(after) == document_title(after) == "Notice of refusal"


def test_the_registry_refuses_what_it_cannot_keep(registered):
    with pytest.raises(papers.UnknownPaper):
        papers.get("no_such_paper")
    with pytest.raises(ValueError):  # an unknown kind is a wrong value, as it was
        papers.get("no_such_paper")
    assert papers.label("no_such_paper") == "no_such_paper"

    class Impostor(papers.ApplicationPaper):
        code = DocumentKind.ACCEPTANCE
        label = title = "Not the acceptance"

    with pytest.raises(ValueError, match="already registered"):
        papers.register(Impostor)
    assert isinstance(papers.get(DocumentKind.ACCEPTANCE), papers.ApplicationPaper)
    assert papers.get(DocumentKind.ACCEPTANCE).title != "Not the acceptance"


def test_a_new_kind_is_issued_rendered_and_verified(
    registered, client, django_capture_on_commit_callbacks
):
    app = ApplicationFactory(submitted=True)
    officer = staff_for(app.station)["officer"]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        document = document_services.issue_for_application(
            app, SubmissionReceipt.code, by=officer, event_key="paper-submitted", note="A12"
        )
    document.refresh_from_db()
    assert document.kind == "submission_receipt"
    assert document.is_rendered  # the render task ran after commit
    assert document.payload["window"] == "Window 7"
    assert document.payload["reference"] == app.reference  # the case's facts come with it
    assert document.get_kind_display() == "Receipt of submission (test)"
    document.full_clean()  # the kind is one of the field's choices while it is registered
    again = document_services.issue_for_application(
        app, SubmissionReceipt.code, by=officer, event_key="paper-submitted"
    )
    assert again.pk == document.pk  # the act retried issues nothing new

    data = download(client, app.filed_by, document)
    text = pdf_text(data).replace("\n", " ")
    assert "Receipt of paper submission" in text
    assert f"TICKET-{app.pk}-A12" in text
    assert "Window 7" in text
    assert app.reference in text and document.number in text
    assert document.display_code in text
    assert qr_texts(data) == [document.verification_url()]

    page = client.get(
        reverse("document-verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Genuine" in page
    # named by its own title, as printed on it (issue 25)
    assert "Receipt of paper submission" in page and document.number in page
    answer = APIClient().get(reverse("api:document-verify", args=[document.code])).json()
    assert answer["status"] == "genuine"
    assert answer["kind"] == "submission_receipt"
    assert answer["kind_display"] == "Receipt of paper submission"
    listed = APIClient()
    listed.force_authenticate(app.filed_by)
    rows = listed.get(reverse("api:documents"), {"application": app.pk}).json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    assert [row["verification_url"] for row in rows] == [document.verification_url()]


def test_a_kind_the_public_may_not_check(registered, client):
    app = ApplicationFactory(submitted=True)
    officer = staff_for(app.station)["officer"]
    document = document_services.issue_for_application(
        app, InternalMemo.code, by=officer, event_key="memo"
    )
    assert not document.is_verifiable
    html = render_html(document)
    assert "MEMO-OF-THE-STATION" in html
    assert document.display_code not in html and "data:image/svg+xml" not in html
    data = stored_pdf(document)
    assert "Internal memo" in pdf_text(data)
    assert qr_texts(data) == []

    page = client.get(
        reverse("document-verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Not valid" in page and document.number not in page
    answer = APIClient().get(reverse("api:document-verify", args=[document.code])).json()
    assert answer["status"] == "invalid" and answer["reason"] == "unknown"
    assert answer["number"] == ""
    listed = APIClient()
    listed.force_authenticate(app.filed_by)
    rows = listed.get(reverse("api:documents"), {"application": app.pk}).json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    assert [row["verification_url"] for row in rows] == [""]


def test_a_new_kind_on_demand(registered):
    permit = PermitFactory()
    user = permit.holder.account
    document = document_services.issue_on_demand(PermitExtract.code, user=user, permit=permit)
    assert document.kind == "permit_extract" and document.permit == permit
    assert document.application is None and document.valid_until is None
    assert document_services.issue_on_demand(PermitExtract.code, user=user, permit=permit) == (
        document
    )  # asked twice the same day: the same paper
    text = pdf_text(stored_pdf(document))
    assert "Extract of the residence permit" in text and permit.number in text
    with pytest.raises(NotAllowed):
        document_services.issue_on_demand(
            PermitExtract.code, user=PermitFactory().holder.account, permit=permit
        )


def test_each_kind_is_issued_only_the_way_it_declares(registered):
    app = ApplicationFactory(submitted=True)
    officer = staff_for(app.station)["officer"]
    with pytest.raises(ValueError, match="not a notice of a case"):
        document_services.issue_for_application(
            app, DocumentKind.RESIDENCE_CERTIFICATE, by=officer, event_key="x"
        )
    with pytest.raises(ValueError, match="not a notice of a case"):
        document_services.issue_for_application(app, PermitExtract.code, by=officer, event_key="x")
    with pytest.raises(ValueError):
        document_services.issue_for_application(app, "no_such_paper", by=officer, event_key="x")
    permit = PermitFactory()
    with pytest.raises(ValueError, match="not issued on demand"):
        document_services.issue_on_demand(
            SubmissionReceipt.code, user=permit.holder.account, permit=permit
        )
    assert not Document.objects.exists()


def test_the_kinds_of_a_test_are_gone_after_it():
    codes = {paper.code for paper in papers.all()}
    assert not codes & {"submission_receipt", "internal_memo", "permit_extract"}
