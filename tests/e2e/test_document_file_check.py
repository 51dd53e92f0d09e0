"""Issue 25 in the browser: a paper downloaded by its holder is checked on the public
verification page by uploading the PDF itself. The page's referrer policy lets the browser send
its real Origin (with "no-referrer" it posted "Origin: null" and Django's CSRF check answered
403); a genuine file answers "exactly the one the station issued", an altered one "altered"."""

import pytest
from django.urls import reverse

from permits.models import Document
from tests.e2e.helpers import PHONE
from tests.e2e.test_documents import _download, _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_downloaded_paper_is_checked_on_the_public_page(new_page, shot):
    from tests.permits.factories import PermitFactory

    permit = PermitFactory()
    page = new_page(viewport=PHONE, language="en")
    _log_in(page, permit.holder.account.phone)
    page.goto(reverse("applicants:me"))
    with page.expect_navigation():
        page.locator("form[action$='/residence-certificate/'] [type=submit]").first.click()
    certificate = Document.objects.get(permit=permit)
    data = _download(
        page, page.locator(f"#document-{certificate.pk} a"), shot.folder, "pdf-certificate"
    )
    genuine = shot.folder / "pdf-certificate.pdf"

    # a visitor without an account (a school, an employer) opens the page the QR code names
    visitor = new_page(viewport=PHONE, language="en")
    visitor.goto(certificate.verification_path())
    visitor.set_input_files("#id_file", str(genuine))
    with visitor.expect_navigation() as navigation:
        visitor.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    assert navigation.value.status == 200  # not Django's CSRF 403
    body = visitor.locator("main").inner_text()
    assert "Genuine" in body and "exactly the one the station issued" in body
    assert permit.station.name in body
    shot(visitor, "file-checked-genuine")

    altered = shot.folder / "pdf-certificate-altered.pdf"
    altered.write_bytes(data + b"%altered")
    visitor.set_input_files("#id_file", str(altered))
    with visitor.expect_navigation() as navigation:
        visitor.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    assert navigation.value.status == 200
    assert "altered" in visitor.locator("main").inner_text()
    shot(visitor, "file-checked-altered")
