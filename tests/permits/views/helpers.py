"""Steps shared by the web-flow tests: walk the pages like a person with a phone would."""

import re

from django.urls import reverse

from permits.models import PermitApplication
from tests.factories import PASSWORD
from tests.permits.helpers import pdf, png, registered_person  # noqa: F401 - re-exported


def url(name, *args):
    return reverse(f"permits:{name}", args=args)


def login(client, person_or_user):
    user = getattr(person_or_user, "account", person_or_user)
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


def follow_steps(client, application, *, basis=None, details=None, files=None):
    """From the resume link to the check page, answering each step as it comes.
    ``files``: requirement code -> upload (default a PNG for every step)."""
    files = files or {}
    response = client.get(url("application_resume", application.pk))
    seen = 0
    while response.status_code == 302 and "/step/" in response.url:
        seen += 1
        assert seen < 20, "the steps never end"
        target = response.url
        page = client.get(target)
        assert page.status_code == 200, target
        if target.endswith("/step/identity/"):
            data = {"confirmed": "on"}
        elif target.endswith("/step/basis/"):
            data = {"basis": basis or "residence"}
        elif target.endswith("/step/details/"):
            # a new permit asks the place of household registration (outside the city)
            data = details if details is not None else {"household_region": "110105"}
        else:
            code = re.search(r"/step/material/([\w-]+)/", target).group(1)
            if code in files and files[code] is None:
                data = {}  # an optional material, skipped
            else:
                data = {"file": files.get(code) or png(f"{code}.png")}
        response = client.post(target, data)
        assert response.status_code == 302, (target, text(response)[:3000])
        if response.url == target:  # the photo check stopped on the photo: continue with it
            assert 'id="photo-check"' in text(client.get(target))
            response = client.get(url("application_resume", application.pk))
    assert response.url == url("application_check", application.pk), response.url
    return response


def submit_via_pages(client, application, password=PASSWORD):
    page = client.get(url("application_submit", application.pk))
    assert page.status_code == 200
    return client.post(
        url("application_submit", application.pk),
        {"password": password, "seen_state": "draft"},
    )


def start_via_pages(client, person, service):
    response = client.post(url("application_start"), {"service": service, "person": person.pk})
    assert response.status_code == 302, text(response)[:3000]
    return PermitApplication.objects.get(person=person, service=service, state="draft")
