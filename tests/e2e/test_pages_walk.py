"""Issue 15, acceptance 2 and 3.

2. Every applicant page, at 390 px, in both languages: no horizontal overflow, no raw state or
   answer codes, no broken image, no server error; on the Chinese pages no sentence ending with
   an ASCII "." or ":" and no untranslated English.
3. The admin desk pages (officer queue, application desk, window handover): no serious or
   critical axe-core violations.
"""

import re

import pytest
from django.urls import reverse

from tests.e2e.helpers import DESKTOP, PHONE, admin_login, assert_accessible, small_targets
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = [pytest.param("zh-hans", id="zh-hans"), pytest.param("en", id="en")]

# What a page shows, read in the browser (visible text, layout, images).
PAGE_FACTS = r"""(width) => {
    const root = document.documentElement;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
            const cls = typeof el.className === 'string' ? el.className.trim() : '';
            wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                      (cls ? '.' + cls.split(/\s+/).join('.') : '') +
                      ' right=' + Math.round(box.right));
        }
    }
    const broken = [...document.images]
        .filter(img => !img.complete || img.naturalWidth === 0)
        .map(img => img.getAttribute('src'));
    return {
        scrollWidth: root.scrollWidth,
        clientWidth: root.clientWidth,
        wide: wide.slice(-8),
        broken: broken,
        text: document.body.innerText,
    };
}"""

# Codes of the state machines and answers that must never reach a person: snake_case words.
RAW_CODE = re.compile(r"(?<![\w./-])[a-z]+(?:_[a-z]+)+(?![\w./-])")
# A Chinese sentence or label ending with an ASCII full stop or colon.
CJK = "\u3400-\u9fff\u3000-\u303f\uff01-\uff60"
ASCII_END = re.compile(rf"[{CJK}]\s?[.:](?![\d/])")
# English left in a Chinese page: two lowercase English words in a row, or a lone common word.
ENGLISH = re.compile(r"\b[A-Za-z]{2,}[a-z]* [a-z]{2,}\b|\b(?:myself|lost|damaged|window|mail)\b")


# One date format per page (the portal writes 2026-05-16).
DATE_FORMATS = {
    "iso": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "chinese": re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
    "english": re.compile(
        r"\b(?:Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}"
    ),
}


def page_problems(page, path: str, language: str) -> list[str]:
    """Everything wrong with the page now showing, as readable lines (empty: fine)."""
    width = page.viewport_size["width"]
    facts = page.evaluate(PAGE_FACTS, width)
    problems = []
    if max(facts["scrollWidth"], facts["clientWidth"]) > width:
        problems.append(f"{path}: {facts['scrollWidth']} px wide at {width} px: {facts['wide']}")
    if facts["broken"]:
        problems.append(f"{path}: broken images {facts['broken']}")
    text = facts["text"]
    for match in RAW_CODE.finditer(text):
        problems.append(f"{path}: raw code {match.group(0)!r} in …{_around(text, match)}…")
    formats = [name for name, pattern in DATE_FORMATS.items() if pattern.search(text)]
    if len(formats) > 1:
        problems.append(f"{path}: dates in several formats {formats}")
    for target in small_targets(page):
        problems.append(f"{path}: target under 48 px: {target}")
    if language == "zh-hans":
        for match in ASCII_END.finditer(text):
            problems.append(f"{path}: ASCII sentence end in …{_around(text, match)}…")
        for match in ENGLISH.finditer(text):
            problems.append(f"{path}: English {match.group(0)!r} in …{_around(text, match)}…")
    return problems


def _around(text, match, width=30) -> str:
    return text[max(0, match.start() - width) : match.end() + width].replace("\n", " ⏎ ")


def walk(page, shot, paths, language) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(path)
        status = response.status if response else 0
        if status != 200:
            problems.append(f"{path}: HTTP {status}")
            continue
        shot(page, path.strip("/").replace("/", "-") or "home")
        problems += page_problems(page, path, language)
    return problems


def _log_in(page, phone):
    page.goto("/accounts/login/")
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").click()
    assert "/accounts/login/" not in page.url


# --- the data: one account with an application in every state the applicant sees ------------


@pytest.fixture
def account_pages():
    from notifications.models import Notification
    from permits.verification import verification_code
    from tests.factories import IdentityFactory
    from tests.permits.factories import ApplicationFactory, PermitFactory
    from tests.permits.helpers import registered_person, submitted
    from tests.service_codes import Service

    person = registered_person(months=14)
    user = person.account
    registration = person.registrations.get()
    permit = PermitFactory(holder=person, house=registration.house)
    # the account's own application: submitted through the services (notifications, log)
    own = submitted(person, Service.REPLACEMENT, answers={"reason": "damaged"})
    lost_holder = IdentityFactory(dependent_minor=True, verified=True, account=user)
    PermitFactory(holder=lost_holder, lost=True)

    def application(*traits, **fields):
        return ApplicationFactory(
            person=IdentityFactory(dependent_minor=True, verified=True, account=user),
            filed_by=user,
            registration__house=registration.house,
            **dict.fromkeys(traits, True),
            **fields,
        )

    draft = application(answers={"household_region": "110101"})
    # a photo that fails its check: the photo step shows the verdict (issue 31)
    from permits.services.applications import upload_material
    from tests.permits.helpers import png

    upload_material(user=user, application=draft, requirement_code="photo", file=png())
    states = {
        "supplement": application("supplement_requested"),
        "accepted": application("accepted"),
        "rejected": application("rejected"),
        "produced": application("produced"),
        "pickup": application("awaiting_pickup", pickup_code="PK8H3K2M"),
        "collected": application("collected"),
        "old_card": application("awaiting_old_card"),
        "mailed": application("mailed"),
        "delivered": application("delivered"),
        "replacement": application(
            "submitted", service=Service.REPLACEMENT, answers={"reason": "lost"}
        ),
    }
    # the station books pickup times: the booking page shows its days, then a day's times
    import datetime

    from permits.models import PickupWindow
    from permits.selectors.appointments import open_days

    for weekday in range(7):
        PickupWindow.objects.create(
            station=registration.house.station,
            weekday=weekday,
            starts_at=datetime.time(9),
            ends_at=datetime.time(11, 30),
            capacity=3,
        )
    first_day = open_days(registration.house.station)[0]["day"]
    notification = Notification.objects.filter(recipient=user).first()
    produced = states["produced"]
    paths = [
        reverse("home"),
        reverse("applicants:me"),
        reverse("applicants:identity"),
        reverse("applicants:dependent_add"),
        reverse("applicants:password_change"),
        reverse("permits:registration_list"),
        reverse("permits:registration_new"),
        reverse("permits:registration_detail", args=[registration.pk]),
        reverse("permits:application_list"),
        reverse("permits:application_start"),
        reverse("permits:application_step_identity", args=[draft.pk]),
        reverse("permits:application_step_basis", args=[draft.pk]),
        reverse("permits:application_step_details", args=[draft.pk]),
        reverse("permits:application_step_material", args=[draft.pk, "residence_proof"]),
        # the photo step: the studio receipt's form, the photo check's verdict (issue 31)
        reverse("permits:application_step_material", args=[draft.pk, "photo"]),
        reverse("permits:application_check", args=[draft.pk]),
        reverse("permits:application_submit", args=[draft.pk]),
        reverse("permits:application_detail", args=[draft.pk]),
        reverse("permits:application_submitted", args=[own.pk]),
        reverse("permits:application_detail", args=[own.pk]),
        reverse("permits:application_withdraw", args=[own.pk]),
        reverse("permits:application_delivery", args=[produced.pk]),
        reverse("permits:application_delivery_window", args=[produced.pk]),
        reverse("permits:application_delivery_mail", args=[produced.pk]),
        *(reverse("permits:application_detail", args=[a.pk]) for a in states.values()),
        reverse("permits:application_appointment", args=[states["pickup"].pk]),
        reverse("permits:application_appointment", args=[states["pickup"].pk])
        + f"?day={first_day:%Y-%m-%d}",
        reverse("notifications:inbox"),
        reverse("permit-verify", args=[verification_code(permit)]),
    ]
    if notification is not None:
        paths.append(reverse("notifications:detail", args=[notification.pk]))
    return user, paths


PUBLIC_PAGES = [
    "home",
    "login",
    "applicants:signup",
    "applicants:signup_confirm",
    "applicants:password_reset",
    "applicants:password_reset_confirm",
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_at_phone_width(new_page, shot, language):
    page = new_page(viewport=PHONE, language=language)
    problems = walk(page, shot, [reverse(name) for name in PUBLIC_PAGES], language)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_applicant_page_at_phone_width(new_page, shot, language, account_pages):
    user, paths = account_pages
    page = new_page(viewport=PHONE, language=language)
    _log_in(page, user.phone)
    problems = walk(page, shot, paths, language)
    assert not problems, "\n".join(problems)


def test_the_checks_find_what_they_look_for(new_page, live_server):
    """The walk's own checks, on a page made to fail each of them."""
    page = new_page(viewport=PHONE, language="zh-hans")
    page.goto("/healthz")
    page.set_content(
        '<html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        "</head><body>"
        "<p>状态：awaiting_pickup</p><p>请出示领证码:</p><p>王测试 (myself)</p>"
        "<p>2026-05-16 · 2025年10月1日</p><p><a href='/'>x</a></p>"
        '<img src="/nothing.png" alt="x"><p>' + "W" * 120 + "</p></body></html>"
    )
    page.wait_for_load_state("load")
    problems = "\n".join(page_problems(page, "test", "zh-hans"))
    assert "raw code 'awaiting_pickup'" in problems
    assert "ASCII sentence end" in problems
    assert "English 'myself'" in problems
    assert "broken images" in problems
    assert "px wide at 390 px" in problems
    assert "dates in several formats" in problems
    assert "target under 48 px" in problems  # the one-letter link


# --- acceptance 3: the admin desk pages ---------------------------------------------------------


@pytest.fixture
def desk_data():
    from tests.factories import StaffFactory
    from tests.permits.factories import ApplicationFactory

    submitted_app = ApplicationFactory(submitted=True, answers={"household_region": "110101"})
    station = submitted_app.station
    pickup = ApplicationFactory(
        awaiting_pickup=True,
        pickup_code="PK8H3K2M",
        person__account__phone="+8613800000990",
        registration__house__station=station,
    )
    officer = StaffFactory(officer=True, station=station)
    clerk = StaffFactory(clerk=True, station=station)
    return {"application": submitted_app, "pickup": pickup, "officer": officer, "clerk": clerk}


@pytest.fixture
def axe_page(browser, live_server):
    """A phone-sized page where axe-core can be injected: the portal's Content-Security-Policy
    refuses inline scripts, axe's included (the policy itself is tested elsewhere)."""
    from tests.e2e.helpers import BROWSER_LOCALES, TIMEOUT_MS

    contexts = []

    def make(language):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            locale=BROWSER_LOCALES[language],
            is_mobile=True,
            has_touch=True,
            timezone_id="Asia/Shanghai",
            bypass_csp=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_desk_pages_are_accessible(axe_page, shot, language, desk_data):
    page = axe_page(language)
    admin_login(page, desk_data["officer"])
    app = desk_data["application"]
    for name, path in [
        ("officer-queue", "/admin/"),
        ("application-desk", reverse("admin:permits_permitapplication_change", args=[app.pk])),
        ("accept-form", reverse("admin:review_application_act", args=[app.pk, "accept"])),
    ]:
        assert page.goto(path).status == 200, path
        shot(page, name)
        overflow = _overflow(page, name)
        assert not overflow, overflow
        assert_accessible(page, f"{name} ({language})")
    # the officer's screens as they are used, on a desktop
    page.set_viewport_size(DESKTOP)
    page.goto("/admin/")
    # issue 27, point 4: the staff name as written, not upper-cased ("龙华派出所OFFICER")
    assert page.locator("#user-tools").evaluate("e => getComputedStyle(e).textTransform") == "none"
    for name, path in [
        ("officer-queue-1280", "/admin/"),
        ("application-desk-1280", reverse("admin:permits_permitapplication_change", args=[app.pk])),
    ]:
        assert page.goto(path).status == 200, path
        shot(page, name)

    clerk_page = axe_page(language)
    admin_login(clerk_page, desk_data["clerk"])
    handover = reverse("admin:review_handover")
    assert clerk_page.goto(f"{handover}?code={desk_data['pickup'].pickup_code}").status == 200
    shot(clerk_page, "handover")
    assert not _overflow(clerk_page, "handover"), _overflow(clerk_page, "handover")
    assert_accessible(clerk_page, f"handover ({language})")


def _overflow(page, where) -> list[str]:
    """The desk pages too fit a phone's width (issue 15, point 12). (Their targets are Django
    admin's: the 48 px rule is the applicant's and the kiosk's pages'.)"""
    return [p for p in page_problems(page, where, "en") if "px wide" in p]


# --- point 1: a double tap on 提交 ---------------------------------------------------------------


def test_a_double_tap_on_submit_sends_once_and_lands_on_the_confirmation(new_page, shot):
    from permits.constants import ApplicationState
    from tests.permits.helpers import draft_ready, registered_person
    from tests.service_codes import Service

    person = registered_person(months=7)
    application = draft_ready(person, Service.NEW, answers={"household_region": "110101"})
    page = new_page(viewport=PHONE, language="zh-hans")
    _log_in(page, person.account.phone)
    page.goto(reverse("permits:application_submit", args=[application.pk]))
    page.fill("#id_password", PASSWORD)
    button = page.locator("main form[data-submit-once] button[type=submit]")

    with page.expect_navigation():
        button.dblclick()
    page.wait_for_load_state("load")

    shot(page, "after-double-tap")
    assert page.url.endswith(reverse("permits:application_submitted", args=[application.pk]))
    assert "已被他人修改" not in page.inner_text("main")
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.transitions.filter(to_state=ApplicationState.SUBMITTED).count() == 1


# --- points 9 and 12, as a person sees them ----------------------------------------------------


def test_a_file_over_the_limit_is_refused_in_the_page(new_page):
    from tests.factories import UserFactory

    user = UserFactory()
    page = new_page(viewport=PHONE, language="zh-hans")
    _log_in(page, user.phone)
    page.goto(reverse("applicants:identity"))
    field = page.locator("#id_id_card_front")
    limit = int(field.get_attribute("data-max-bytes"))

    field.set_input_files(
        {"name": "huge.png", "mimeType": "image/png", "buffer": b"\0" * (limit + 1)}
    )

    error = page.locator("#id_id_card_front-size-error")
    assert error.is_visible()
    assert "超过" in error.inner_text()
    assert field.evaluate("el => el.files.length") == 0  # nothing is sent


def test_radio_buttons_sit_beside_their_labels(new_page):
    person = _person_with_a_verified_identity()
    page = new_page(viewport=PHONE, language="zh-hans")
    _log_in(page, person.account.phone)
    page.goto(reverse("permits:application_start"))

    radio = page.locator("input[type=radio]").first
    label = page.locator(f"label[for={radio.get_attribute('id')}]")
    radio_box, label_box = radio.bounding_box(), label.bounding_box()

    assert label_box["x"] > radio_box["x"] + radio_box["width"] - 1  # to its right
    assert label_box["y"] < radio_box["y"] + radio_box["height"]  # on the same line


def _person_with_a_verified_identity():
    from tests.permits.helpers import registered_person

    return registered_person(months=7)
