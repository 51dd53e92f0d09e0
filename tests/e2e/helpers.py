"""Helpers of the browser suite (fixtures are in conftest.py)."""

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BROWSER_LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
TIMEOUT_MS = 15_000


def missing_requirements() -> list[str]:
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(
        CHROMIUM
    ):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[test]')")
    if not AXE_JS.is_file():
        missing.append(f"axe-core at {AXE_JS.relative_to(ROOT)} (npm ci)")
    return missing


# --- screenshots ------------------------------------------------------------------------------


@dataclass
class Screenshots:
    folder: Path
    count: int = 0
    saved: list[Path] = field(default_factory=list)

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        name = re.sub(r"[^\w.-]+", "-", step).strip("-") or "step"
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        return path


# --- accessibility ----------------------------------------------------------------------------

BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page, *, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the page as it is now; return violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the page's
        # Content-Security-Policy does not govern (a <script> tag added to the page would be
        # refused, as it should be: the portal allows no inline script).
        page.evaluate(f"{AXE_JS.read_text()}\n;void 0")
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                                          summary: n.failureSummary})),
            }));
        }"""
    )
    return [v for v in results if v["impact"] in impacts]


def format_violations(violations: list[dict], *, where: str = "") -> str:
    lines = [f"{len(violations)} accessibility violation(s){' on ' + where if where else ''}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'], ensure_ascii=False)}")
            lines.append(f"       {node['html'][:200]}")
            for detail in (node.get("summary") or "").splitlines():
                lines.append(f"       {detail}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """No serious or critical axe-core violations on the current page."""
    violations = axe_violations(page)
    assert not violations, format_violations(violations, where=where or page.url)


# --- SMS and logins ---------------------------------------------------------------------------


def latest_sms(phone: str) -> str | None:
    """Body of the newest SMS recorded for ``phone`` (any format the portal accepts)."""
    from core.phones import normalize_phone
    from notifications.models import SmsMessage

    message = (
        SmsMessage.objects.filter(recipient_phone=normalize_phone(phone))
        .order_by("-created_at", "-pk")
        .first()
    )
    return message.body if message else None


def sms_code(phone: str, *, digits: int = 6, timeout: float = 30.0) -> str:
    """The newest one-time code sent to ``phone`` (the first run of ``digits`` digits). Waits
    for it: a code request only enqueues the SMS work (issue 14), which a real worker does a
    moment later."""
    import time

    deadline = time.monotonic() + timeout
    body = latest_sms(phone)
    while not body and time.monotonic() < deadline:
        time.sleep(0.2)
        body = latest_sms(phone)
    assert body, f"no SMS recorded for {phone}"
    match = re.search(rf"(?<!\d)(\d{{{digits}}})(?!\d)", body)
    assert match, f"no {digits}-digit code in the SMS: {body!r}"
    return match.group(1)


def second_factor_code(user) -> str:
    """A code that passes ``user``'s second factor now: the authenticator's current code (the
    account gets a test device if it has none), or a fresh backup code when this 30-second
    code was already used (a code works once)."""
    import time

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from tests.otp_support import current_code, staff_device

    device = staff_device(user)
    device.refresh_from_db()
    if device.last_t is not None and device.last_t >= int(time.time()) // device.step:
        backup, _created = StaticDevice.objects.get_or_create(
            user=user, name="test backup codes", defaults={"confirmed": True}
        )
        token = StaticToken.random_token()
        StaticToken.objects.create(device=backup, token=token)
        return token
    return current_code(device)


def admin_login(page, user, password: str | None = None) -> None:
    """Log ``user`` (a staff account) into /admin/ through the real login form and the
    second-factor step (issue 14); the account has an authenticator already (enrolment needs
    a supervisor's link, issue 30)."""
    from tests.factories import PASSWORD
    from tests.otp_support import staff_device

    staff_device(user)
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", user.phone)
    page.fill("#id_password", password or PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/second-factor/.*"))
    page.fill("#id_code", second_factor_code(user))
    page.click("button.default[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


def wait_until_all_sms_sent(*, timeout: float = 30.0) -> None:
    """Every recorded SMS handed to the backend (by the worker, when there is one)."""
    from notifications.constants import SmsStatus
    from notifications.models import SmsMessage
    from tests.services.conftest import wait_for

    def done():
        return not SmsMessage.objects.exclude(status=SmsStatus.SENT).exists()

    if not wait_for(done, timeout=timeout):
        pending = list(SmsMessage.objects.exclude(status=SmsStatus.SENT).values("pk", "status"))
        raise AssertionError(f"SMS not sent: {pending}")


# --- target size (issue 27: no target under 48 px on the applicant's and kiosk's pages) --------

SMALL_TARGETS_JS = """(minimum) => [...document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
    .map(e => {
        // a radio button or checkbox is tapped with its label: the row holding both
        const box = (e.type === 'radio' || e.type === 'checkbox')
            ? (e.closest('.choice, li, label') || e).getBoundingClientRect()
            : e.getBoundingClientRect();
        return {e, box};
    })
    .filter(({box}) => box.right > 0 && box.bottom > 0)  // on the page (not a skip link)
    .filter(({box}) => box.height < minimum - 0.5 || box.width < minimum - 0.5)
    .map(({e, box}) => Math.round(box.width) + 'x' + Math.round(box.height) + ' '
         + e.outerHTML.slice(0, 100))"""


def small_targets(page, minimum: int = 48) -> list[str]:
    """Visible links, buttons and fields (a radio with its label) under ``minimum`` CSS px."""
    return page.evaluate(SMALL_TARGETS_JS, minimum)
