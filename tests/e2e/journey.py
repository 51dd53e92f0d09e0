"""Steps of the applicant's and the staff's journeys, in a real browser: each step drives the
pages a person would use (applicant pages at phone size, the police desk in the admin), takes a
screenshot, and checks applicant pages with axe-core."""

import datetime
import re

from django.utils import timezone

from tests.e2e.helpers import admin_login, assert_accessible, sms_code
from tests.factories import PASSWORD, tiny_png


def png_file(name="photo.png") -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": tiny_png()}


def submit_main_form(page) -> None:
    """Press the submit button of the page's main form (not the header's language/logout)."""
    form = page.locator("main form[method=post]").first
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


def check_page(page, shot, step: str) -> None:
    """Screenshot the step and check the page for serious accessibility violations."""
    shot(page, step)
    assert_accessible(page, f"{step} ({page.url})")


def sign_up(page, shot, *, phone: str, display_name: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/signup/")
    check_page(page, shot, "signup")
    page.fill("#id_phone", phone)
    submit_main_form(page)
    assert "/accounts/signup/confirm/" in page.url
    page.fill("#id_code", sms_code(phone))
    if page.locator("#id_phone").count() and not page.input_value("#id_phone"):
        page.fill("#id_phone", phone)
    page.fill("#id_display_name", display_name)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    check_page(page, shot, "signup-confirm")
    submit_main_form(page)
    assert "/accounts/identity/" in page.url, page.url


def submit_identity(page, shot, *, full_name: str, id_number: str) -> None:
    page.goto("/accounts/identity/")
    check_page(page, shot, "identity-form")
    page.fill("#id_full_name", full_name)
    page.fill("#id_id_number", id_number)
    page.set_input_files("#id_id_card_front", png_file("front.png"))
    page.set_input_files("#id_id_card_back", png_file("back.png"))
    page.set_input_files("#id_face_photo", png_file("face.png"))
    submit_main_form(page)
    assert "/accounts/me/" in page.url, page.url
    check_page(page, shot, "identity-submitted")


def officer_verifies_identity(page, shot, officer, identity) -> None:
    if "/admin/" not in page.url or "/admin/login/" in page.url:
        admin_login(page, officer)
    page.goto(f"/admin/applicants/identity/{identity.pk}/change/")
    shot(page, "officer-identity")
    with page.expect_navigation():
        page.locator("#identity-decision input[name=_verify]").click()
    shot(page, "officer-identity-verified")


def register_residence(page, shot, *, house_code: str, months_ago: int) -> None:
    since = timezone.localdate() - datetime.timedelta(days=int(months_ago * 30.5))
    page.goto("/permits/registrations/new/")
    check_page(page, shot, "registration-form")
    if page.locator("select#id_person").count():
        page.select_option("#id_person", index=1 if _has_blank(page, "#id_person") else 0)
    page.fill("#id_house_code", house_code)
    page.fill("#id_since", since.isoformat())
    if page.locator("select#id_basis").count():
        page.select_option("#id_basis", "residence")
    else:
        page.check("input[name=basis][value=residence]")
    page.set_input_files("#id_proof", png_file("lease.png"))
    submit_main_form(page)
    assert re.search(r"/permits/registrations/\d+/", page.url), page.url
    check_page(page, shot, "registration-submitted")


def _has_blank(page, selector) -> bool:
    return page.locator(f"{selector} option").first.get_attribute("value") in ("", None)


def officer_registers_residence(page, shot, officer, registration) -> None:
    if "/admin/" not in page.url or "/admin/login/" in page.url:
        admin_login(page, officer)
    page.goto(f"/admin/permits/residenceregistration/{registration.pk}/change/")
    shot(page, "officer-registration")
    with page.expect_navigation():
        page.locator("#registration-decision input[name=_register]").click()
    shot(page, "officer-registration-registered")


def choose(page, name: str, value: str) -> None:
    """Pick ``value`` for a choice field, whether it renders as a select or radio buttons."""
    select = page.locator(f"main select[name={name}]")
    if select.count():
        select.select_option(value)
    else:
        page.locator(f"main input[name={name}][value='{value}']").check()


def start_application(page, shot, *, service: str, person_pk: int) -> int:
    page.goto("/permits/applications/new/")
    check_page(page, shot, f"start-{service}")
    choose(page, "service", service)
    if page.locator("main [name=person]").count():
        choose(page, "person", str(person_pk))
    submit_main_form(page)
    match = re.search(r"/permits/applications/(\d+)/", page.url)
    assert match, page.url
    return int(match.group(1))


def walk_steps(page, shot, *, basis: str = "residence", details: dict | None = None) -> None:
    """Answer each step as it comes, uploading a photo for every material, up to the check
    page."""
    for _ in range(20):
        url = page.url
        if url.rstrip("/").endswith("/check"):
            check_page(page, shot, "check-answers")
            return
        step = re.search(r"/step/(identity|basis|details|material/[\w-]+)/", url)
        assert step, f"not a step page: {url}"
        name = step.group(1).replace("/", "-")
        check_page(page, shot, f"step-{name}")
        if name == "identity":
            page.locator("main input[name=confirmed]").check()
        elif name == "basis":
            choose(page, "basis", basis)
        elif name == "details":
            if not details and page.locator("#id_household_region").count():
                details = {"household_region": "110105"}  # a new permit: registered elsewhere
            for field, value in (details or {}).items():
                page.fill(f"#id_{field}", value)
        elif page.locator("#photo-check a").count():  # the photo check stopped: continue
            page.locator("#photo-check a").click()
            continue
        else:
            page.set_input_files("main input[type=file]", png_file(f"{name}.png"))
            # the upload's own form (the photo step also has the studio receipt's form)
            form = page.locator("main form[method=post]:has(input[type=file])")
            with page.expect_navigation():
                form.locator("[type=submit]").first.click()
            continue
        submit_main_form(page)
    raise AssertionError("the steps never end")


def submit_application(page, shot, application_pk: int, password: str = PASSWORD) -> None:
    page.goto(f"/permits/applications/{application_pk}/submit/")
    check_page(page, shot, "submit")
    page.fill("#id_password", password)
    submit_main_form(page)
    assert f"/permits/applications/{application_pk}/submitted/" in page.url, page.url
    check_page(page, shot, "submitted")


def supply_requested_material(page, shot, application_pk: int, password: str = PASSWORD) -> None:
    page.goto(f"/permits/applications/{application_pk}/")
    section = page.locator("#supplement")
    assert section.is_visible()
    check_page(page, shot, "supplement-requested")
    for file_input in section.locator("input[type=file]").all():
        file_input.set_input_files(png_file("again.png"))
    with page.expect_navigation():
        section.locator("form[action$='/supplement/'] [type=submit]").click()
    check_page(page, shot, "supplement-uploaded")
    section = page.locator("#supplement")
    resubmit = section.locator("form[action$='/resubmit/']")
    if resubmit.locator("input[name=password]").count():
        resubmit.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        resubmit.locator("[type=submit]").click()
    check_page(page, shot, "supplement-sent")


def choose_mail(page, shot, application_pk: int, *, name: str, address: str, phone: str) -> None:
    page.goto(f"/permits/applications/{application_pk}/")
    check_page(page, shot, "produced")
    page.goto(f"/permits/applications/{application_pk}/delivery/")
    check_page(page, shot, "delivery-choice")
    choose(page, "method", "mail")
    submit_main_form(page)
    assert page.url.rstrip("/").endswith("/delivery/mail"), page.url
    page.fill("#id_recipient_name", name)
    page.fill("#id_address", address)
    page.fill("#id_phone", phone)
    check_page(page, shot, "delivery-mail")
    submit_main_form(page)
    check_page(page, shot, "mail-chosen")


def choose_window(page, shot, application_pk: int) -> None:
    page.goto(f"/permits/applications/{application_pk}/delivery/")
    check_page(page, shot, "delivery-choice")
    choose(page, "method", "window")
    submit_main_form(page)
    assert page.url.rstrip("/").endswith("/delivery/window"), page.url
    check_page(page, shot, "delivery-window")
    submit_main_form(page)
    check_page(page, shot, "window-chosen")


def log_in(page, shot, *, phone: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    check_page(page, shot, "login")
    page.fill("#id_username", phone)
    page.fill("#id_password", password)
    submit_main_form(page)
    assert "/accounts/login/" not in page.url, page.url


def pickup_code_is_shown(page, shot, application_pk: int) -> None:
    page.goto(f"/permits/applications/{application_pk}/")
    qr = page.locator("#pickup img")
    assert qr.is_visible()
    # The QR image really loaded (a PNG, not a broken image).
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    check_page(page, shot, "pickup-code")


# --- the police desk (admin) ------------------------------------------------------------------

APPLICATION_URL = "/admin/permits/permitapplication/{pk}/change/"


def ensure_admin_login(page, user) -> None:
    page.goto("/admin/")
    if "/admin/login/" in page.url:
        admin_login(page, user)


def desk_act(page, shot, user, application_pk: int, act: str, *, fields=None, supplement=None):
    """On the application's admin page, press the act's button, fill its small form, confirm.
    ``fields``: field name -> value; ``supplement``: requirement code -> (reason, note)."""
    ensure_admin_login(page, user)
    page.goto(APPLICATION_URL.format(pk=application_pk))
    button = page.locator(f"#act-{act}")
    assert button.count() == 1, f"no “{act}” button for {user} on {page.url}"
    with page.expect_navigation():
        button.click()
    for name, value in (fields or {}).items():
        page.fill(f"#act-form [name={name}]", value)
    for code, (reason, note) in (supplement or {}).items():
        page.check(f"#act-form [name=flag_{code}]")
        page.select_option(f"#act-form [name=reason_{code}]", reason)
        page.fill(f"#act-form [name=note_{code}]", note)
    shot(page, f"desk-{act}")
    with page.expect_navigation():
        page.locator("#act-form input[name=_confirm]").click()
    assert page.locator(".errornote, .errorlist").count() == 0, page.content()[:3000]
    assert page.locator(".messagelist .success").count() == 1, page.url
    shot(page, f"desk-{act}-done")


def clerk_marks_produced_in_bulk(page, shot, clerk, serials: dict[int, str]) -> None:
    """The changelist's bulk action: select the approved applications, then enter (or scan)
    each card's serial on the intermediate page."""
    ensure_admin_login(page, clerk)
    page.goto("/admin/permits/permitapplication/?desk=to_produce")
    for pk in serials:
        page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", "mark_produced_selected")
    with page.expect_navigation():
        page.locator("button[name=index], input[name=index]").first.click()
    for pk, serial in serials.items():
        page.fill(f"#serial-{pk}", serial)
    shot(page, "desk-mark-produced-serials")
    with page.expect_navigation():
        page.locator("#mark-produced-form [type=submit]").click()
    assert page.locator(".messagelist .success").count() == 1, page.content()[:3000]
    shot(page, "desk-marked-produced")


def clerk_hands_over_at_window(page, shot, clerk, *, scanned_code: str, collector_id: str):
    """Window handover: the pickup QR is scanned into the search box (a scanner types it),
    the collector's ID number is checked, the card handed over."""
    ensure_admin_login(page, clerk)
    page.goto("/admin/permits/permitapplication/handover/")
    page.fill("#handover-find input[name=code]", scanned_code)
    with page.expect_navigation():
        page.locator("#handover-find [type=submit]").click()
    assert page.locator("#handover-application").is_visible()
    page.fill("#handover-collect input[name=collector_id_number]", collector_id)
    shot(page, "desk-handover")
    with page.expect_navigation():
        page.locator("#handover-collect input[name=_collect]").click()
    assert page.locator(".messagelist .success").count() == 1, page.content()[:3000]
    shot(page, "desk-handed-over")
