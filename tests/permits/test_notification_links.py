import pytest
from django.urls import reverse

from notifications.models import Notification
from permits.services.applications import accept
from tests.factories import StaffFactory
from tests.permits.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_a_result_in_my_affairs_links_to_its_application():
    application = ApplicationFactory(submitted=True)
    officer = StaffFactory(officer=True, station=application.station)

    accept(user=officer, application=application)

    notification = Notification.objects.get(recipient=application.filed_by)
    # issue 16: on the application's page, at the notice of acceptance the act issued
    notice = application.documents.get()
    assert notification.link == (
        reverse("permits:application_detail", args=[application.pk]) + f"#document-{notice.pk}"
    )
    assert application.person.id_number not in notification.link
