"""Issue 16 in the browser: the applicant downloads the acceptance notice from the case page and
asks for a residence certificate in the personal center and downloads it; the first page of each
PDF, rendered with pdftoppm, is saved as an artifact beside the screenshots; the paper's
verification page says it is genuine."""

import pytest
from django.urls import reverse

from permits.models import Document
from tests.e2e.helpers import PHONE
from tests.factories import PASSWORD
from tests.permits.documents_support import first_page_png, pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, phone):
    page.goto("/accounts/login/")
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").click()
    assert "/accounts/login/" not in page.url


def _download(page, link, folder, name) -> bytes:
    with page.expect_download() as info:
        link.click()
    download = info.value
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.pdf"
    download.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    (folder / f"{name}-page1.png").write_bytes(first_page_png(data, dpi=80))
    return data


def test_applicant_downloads_notice_and_certificate(new_page, shot):
    from permits.services import applications as svc
    from tests.permits.factories import ApplicationFactory, PermitFactory
    from tests.permits.helpers import staff_for

    application = ApplicationFactory(submitted=True)
    svc.accept(user=staff_for(application.station)["officer"], application=application)
    notice = Document.objects.get(application=application)

    page = new_page(viewport=PHONE)
    _log_in(page, application.filed_by.phone)
    page.goto(reverse("permits:application_detail", args=[application.pk]))
    shot(page, "case-page-with-papers")
    data = _download(
        page, page.locator(f"#document-{notice.pk} a"), shot.folder, "pdf-acceptance-notice"
    )
    assert application.reference in pdf_text(data)

    permit = PermitFactory()
    page = new_page(viewport=PHONE)
    _log_in(page, permit.holder.account.phone)
    page.goto(reverse("applicants:me"))
    with page.expect_navigation():
        page.locator("form[action$='/residence-certificate/'] [type=submit]").first.click()
    shot(page, "certificate-issued")
    certificate = Document.objects.get(permit=permit)
    data = _download(
        page,
        page.locator(f"#document-{certificate.pk} a"),
        shot.folder,
        "pdf-residence-certificate",
    )
    assert permit.number in pdf_text(data)

    page.goto(certificate.verification_path())
    assert page.locator(".verify-genuine").count() == 1
    shot(page, "certificate-verified")
