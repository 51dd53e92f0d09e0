"""Demo data for the embedded default: two stations with staff, a community service agency with
its staff (issue 31), a supervisor, an applicant.

Run by ``manage.py seed_demo`` (core), which finds this module by its name; idempotent."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import translation

from core import clock
from core.demo import DEMO_PASSWORD, register
from core.fsm import run_transition
from permits.constants import StaffGroup
from permits.models import Agency, House, StaffAssignment, Station

STATIONS = [
    {
        "code": "longhua",
        "name": "龙华派出所",
        "address": "海口市龙华区龙华路 1 号",
        "phone": "0898-66500001",
        "window_hours": "周一至周五 9:00-12:00, 14:30-17:30",
        "houses": [("海口市龙华区滨海大道 100 号 3 栋 201", "LH0000000001")],
        "staff": {"officer": "+8613800000101", "clerk": "+8613800000102"},
        # issue 31: a community service agency the station entrusted (Art. 9), with one staff
        "agencies": [
            {
                "code": "longhua-jinmao",
                "name": "龙华区金贸社区服务站",
                "address": "海口市龙华区金贸西路 8 号",
                "phone": "0898-66500011",
                "window_hours": "周一至周五 9:00-12:00, 14:30-17:30",
                "hands_over_cards": True,
                "staff": "+8613800000103",
            }
        ],
    },
    {
        "code": "meilan",
        "name": "美兰派出所",
        "address": "海口市美兰区海甸五西路 2 号",
        "phone": "0898-66500002",
        "window_hours": "周一至周五 9:00-12:00, 14:30-17:30; 周六 9:00-12:00",
        "houses": [("海口市美兰区人民大道 58 号 1 栋 1202", "ML0000000001")],
        "staff": {"officer": "+8613800000201", "clerk": "+8613800000202"},
    },
]
SUPERVISOR_PHONE = "+8613800000001"
APPLICANT_PHONE = "+8613900000001"
APPLICANT_ID_NUMBER = "460100199001011230"  # a valid demo number (Haikou, 1990-01-01)
# Issue 14: every demo staff account has this authenticator secret (base32, documented in
# README.md) so the demo and the browser suite can pass the second factor; the current code:
# `.venv/bin/python manage.py demo_totp`. Never used outside the embedded demo.
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 (RFC 6238 test key, demo only)


@register(order=10)
def seed_stations_staff_and_applicant() -> list[tuple[str, str]]:
    return _Seeder().run()


class _Seeder:
    def run(self) -> list[tuple[str, str]]:
        logins = []
        supervisor = self._user(SUPERVISOR_PHONE, "演示督导", staff=True)
        supervisor.groups.add(Group.objects.get(name=StaffGroup.SUPERVISOR))
        logins.append(("supervisor (all stations)", supervisor.phone))
        for spec in STATIONS:
            station, _ = Station.objects.update_or_create(
                code=spec["code"],
                defaults={k: spec[k] for k in ("name", "address", "phone", "window_hours")},
            )
            for address, code in spec["houses"]:
                House.objects.update_or_create(
                    code=code, defaults={"address": address, "station": station}
                )
            for role, phone in spec["staff"].items():
                with translation.override(settings.LANGUAGE_CODE):
                    name = f"{station.name} {StaffGroup(role).label}"  # not the group's code
                user = self._user(phone, name, staff=True)
                user.groups.add(Group.objects.get(name=role))
                StaffAssignment.objects.update_or_create(user=user, defaults={"station": station})
                logins.append((f"{role} @ {station.name}", user.phone))
            for agency_spec in spec.get("agencies", []):
                logins.append(self._agency(station, agency_spec))
        applicant = self._user(APPLICANT_PHONE, "演示申请人", staff=False)
        logins.append(("applicant", applicant.phone))
        self._verified_and_registered(applicant, supervisor)
        self._permit_due_for_renewal(applicant, supervisor)
        return logins

    def _agency(self, station, spec) -> tuple[str, str]:
        """Issue 31: a community service agency of ``station`` that receives applications and
        hands over cards, and its staff account (assigned to it). Idempotent."""
        fields = ("name", "address", "phone", "window_hours", "hands_over_cards")
        agency, _ = Agency.objects.update_or_create(
            code=spec["code"],
            defaults={"station": station, **{k: spec[k] for k in fields}},
        )
        with translation.override(settings.LANGUAGE_CODE):
            name = f"{agency.name} {StaffGroup.AGENCY.label}"
        user = self._user(spec["staff"], name, staff=True)
        user.groups.add(Group.objects.get(name=StaffGroup.AGENCY))
        StaffAssignment.objects.update_or_create(
            user=user, defaults={"station": station, "agency": agency}
        )
        return (f"{StaffGroup.AGENCY.value} @ {agency.name}", user.phone)

    def _verified_and_registered(self, applicant, supervisor):
        """Issue 4: the demo applicant has a verified identity and a residence registered
        since a year ago at the first demo house. Idempotent."""
        import datetime
        import io

        from django.core.files.base import ContentFile
        from django.utils import timezone
        from PIL import Image

        from applicants.id_numbers import parse_id_number
        from applicants.models import Identity
        from applicants.services import verify_identity
        from permits.constants import RegistrationState
        from permits.services.registrations import register_residence, submit_registration

        def png(color):
            buffer = io.BytesIO()
            Image.new("RGB", (320, 200), color).save(buffer, format="PNG")
            return ContentFile(buffer.getvalue(), name="demo.png")

        identity = applicant.own_identity
        if identity is None:
            facts = parse_id_number(APPLICANT_ID_NUMBER)
            identity = Identity(
                account=applicant,
                full_name="林演示",
                id_number=facts.number,
                birth_date=facts.birth_date,
                sex=facts.sex,
                id_card_front=png((200, 220, 240)),
                id_card_back=png((240, 230, 200)),
                face_photo=png((230, 200, 200)),
            )
            identity.save()
        if identity.state in ("unverified", "rejected"):
            run_transition(identity, "submit", user=applicant)
        if identity.state == "pending":
            verify_identity(identity=identity, by=supervisor, note="demo")
        if not identity.registrations.filter(state=RegistrationState.REGISTERED).exists():
            registration = identity.registrations.filter(state=RegistrationState.SUBMITTED).first()
            if registration is None:
                registration = submit_registration(
                    account=applicant,
                    person=identity,
                    house_code=STATIONS[0]["houses"][0][1],
                    since=clock.today() - datetime.timedelta(days=365),
                    basis="residence",
                    proof=png((220, 240, 220)),
                )
            register_residence(registration=registration, by=supervisor, note="demo")
            # demo history: recorded by the station on the move-in day a year ago (residence
            # counts from the recording, permits.selectors.registrations.residence_period)
            type(registration).objects.filter(pk=registration.pk).update(
                registered_at=timezone.make_aware(
                    datetime.datetime.combine(registration.since, datetime.time(10))
                )
            )

    def _permit_due_for_renewal(self, applicant, supervisor):
        """Issue 6 (web flow demo): the demo applicant holds a permit expiring in 20 days, so a
        renewal can be filed on the web straight away. Issued through the permit service;
        idempotent (nothing when a permit is already held)."""
        import datetime

        from dateutil.relativedelta import relativedelta

        from permits.selectors.applicant import current_permit, current_registration
        from permits.services import permits as permit_services

        identity = applicant.own_identity
        registration = current_registration(identity) if identity else None
        if registration is None or current_permit(identity) is not None:
            return
        valid_until = clock.today() + datetime.timedelta(days=20)
        permit_services.issue_permit(
            by=supervisor,
            holder=identity,
            house=registration.house,
            basis=registration.basis,
            issued_on=valid_until - relativedelta(years=1),
            card_serial=permit_services.next_card_serial(),
        )

    def _user(self, phone, name, *, staff):
        User = get_user_model()
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = User.objects.create_user(phone, DEMO_PASSWORD, display_name=name)
        user.is_staff = staff
        user.display_name = name
        user.save()
        if staff:
            self._demo_second_factor(user)
        return user

    def _demo_second_factor(self, user):
        import base64

        from django_otp.plugins.otp_totp.models import TOTPDevice

        key = base64.b32decode(DEMO_TOTP_SECRET).hex()
        TOTPDevice.objects.update_or_create(
            user=user, name="demo authenticator", defaults={"key": key, "confirmed": True}
        )
