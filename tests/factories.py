"""Shared factory_boy factories; one Trait per state. App-specific factories live beside the
app's tests and may build on these."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum.cn import ric

from applicants.constants import IdentityState, Relationship
from applicants.models import Identity, User
from permits.constants import Basis, RegistrationState, StaffGroup
from permits.models import Agency, House, ResidenceRegistration, StaffAssignment, Station

PASSWORD = "Test-Pass-2026!"

# A valid GB 11643 number (check digit correct); make_id_number() builds more.
VALID_ID_NUMBERS = ["110101199003074477"]


def gb11643_check_digit(first17: str) -> str:
    """The GB 11643 check digit, from python-stdnum (what the portal validates with)."""
    return ric.calc_check_digit(first17 + "0")  # stdnum drops the last character


def make_id_number(n: int, *, birth: datetime.date = datetime.date(1990, 3, 7)) -> str:
    """A valid 18-digit resident ID number, unique per ``n`` (sequence 000-999)."""
    first17 = f"110101{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + gb11643_check_digit(first17)


def tiny_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["phone"]

    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(PASSWORD)


class StationFactory(DjangoModelFactory):
    class Meta:
        model = Station
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"station{n}")
    name = factory.Sequence(lambda n: f"第{n}派出所")
    address = factory.Sequence(lambda n: f"海口市龙华区派出所路 {n} 号")
    phone = "0898-66500000"
    window_hours = "周一至周五 9:00-12:00, 14:30-17:30"


class HouseFactory(DjangoModelFactory):
    class Meta:
        model = House

    code = factory.Sequence(lambda n: f"H{n:011d}")
    address = factory.Sequence(lambda n: f"海口市龙华区滨海大道 {n} 号")
    station = factory.SubFactory(StationFactory)


class AgencyFactory(DjangoModelFactory):
    """A community service agency a station entrusted (issue 31)."""

    class Meta:
        model = Agency

    station = factory.SubFactory(StationFactory)
    code = factory.Sequence(lambda n: f"agency{n}")
    name = factory.Sequence(lambda n: f"第{n}社区服务站")
    address = factory.Sequence(lambda n: f"海口市龙华区社区路 {n} 号")
    phone = "0898-66510000"
    window_hours = "周一至周五 9:00-17:00"


class StaffFactory(UserFactory):
    """A staff account. Traits: officer, clerk (both assigned to ``station``), supervisor,
    agency_staff (assigned to ``agency``, issue 31)."""

    is_staff = True
    station = None
    agency = None
    role = None

    class Params:
        officer = factory.Trait(role=StaffGroup.OFFICER)
        clerk = factory.Trait(role=StaffGroup.CLERK)
        supervisor = factory.Trait(role=StaffGroup.SUPERVISOR)
        agency_staff = factory.Trait(role=StaffGroup.AGENCY)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        station = kwargs.pop("station", None)
        agency = kwargs.pop("agency", None)
        role = kwargs.pop("role", None)
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
            if role == StaffGroup.AGENCY:
                agency = agency or AgencyFactory()
                StaffAssignment.objects.create(user=user, station=agency.station, agency=agency)
            elif role != StaffGroup.SUPERVISOR:
                StaffAssignment.objects.create(user=user, station=station or StationFactory())
        return user


class IdentityFactory(DjangoModelFactory):
    """Traits: pending, verified, rejected, dependent_minor."""

    class Meta:
        model = Identity

    account = factory.SubFactory(UserFactory)
    relationship = Relationship.SELF
    full_name = factory.Faker("name", locale="zh_CN")
    id_number = factory.Sequence(lambda n: make_id_number(n))
    birth_date = datetime.date(1990, 3, 7)
    sex = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    id_card_front = factory.LazyFunction(lambda: ContentFile(tiny_png(), name="front.png"))
    id_card_back = factory.LazyFunction(lambda: ContentFile(tiny_png(), name="back.png"))
    face_photo = factory.LazyFunction(lambda: ContentFile(tiny_png(), name="face.png"))

    class Params:
        pending = factory.Trait(
            state=IdentityState.PENDING, submitted_at=factory.LazyFunction(timezone.now)
        )
        verified = factory.Trait(
            state=IdentityState.VERIFIED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
        )
        rejected = factory.Trait(
            state=IdentityState.REJECTED,
            rejection_reason="photo_unclear",
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
        )
        dependent_minor = factory.Trait(
            relationship=Relationship.GUARDIAN,
            agent_reason="minor",
            birth_date=datetime.date(2016, 5, 1),
            id_number=factory.Sequence(
                lambda n: make_id_number(500 + n, birth=datetime.date(2016, 5, 1))
            ),
        )


class RegistrationFactory(DjangoModelFactory):
    """Traits: registered, rejected, cancelled. ``since`` defaults to a year ago."""

    class Meta:
        model = ResidenceRegistration

    person = factory.SubFactory(IdentityFactory, verified=True)
    house = factory.SubFactory(HouseFactory)
    station = factory.SelfAttribute("house.station")
    since = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    basis = Basis.RESIDENCE
    proof = factory.LazyFunction(lambda: ContentFile(tiny_png(), name="lease.png"))

    class Params:
        # recorded by the station on the move-in day (residence counts from the recording)
        registered = factory.Trait(
            state=RegistrationState.REGISTERED,
            registered_at=factory.LazyAttribute(
                lambda o: timezone.make_aware(datetime.datetime.combine(o.since, datetime.time(10)))
            ),
        )
        rejected = factory.Trait(state=RegistrationState.REJECTED, rejection_note="不符合")
        cancelled = factory.Trait(state=RegistrationState.CANCELLED)
