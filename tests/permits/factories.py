"""Factories for permits (issue 5), building on tests/factories.py. One Trait per state."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core import clock
from permits.constants import (
    ApplicationState,
    Basis,
    DeliveryMethod,
    PermitStatus,
)
from permits.models import CardSerial, PermitApplication, ResidencePermit
from tests.factories import HouseFactory, IdentityFactory, RegistrationFactory
from tests.service_codes import Service


class PermitFactory(DjangoModelFactory):
    """A permit issued 200 days ago (valid one year). Traits: suspended, lost, cancelled."""

    class Meta:
        model = ResidencePermit
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"FX2026P{n:07d}")
    card_serial = factory.Sequence(lambda n: f"FXC{n:010d}")
    holder = factory.SubFactory(IdentityFactory, verified=True)
    house = factory.SubFactory(HouseFactory)
    station = factory.SelfAttribute("house.station")
    basis = Basis.RESIDENCE
    issued_on = factory.LazyFunction(lambda: clock.today() - datetime.timedelta(days=200))
    valid_until = factory.LazyAttribute(lambda o: o.issued_on.replace(year=o.issued_on.year + 1))
    continuous_since = factory.SelfAttribute("issued_on")

    class Params:
        suspended = factory.Trait(
            status=PermitStatus.SUSPENDED,
            issued_on=factory.LazyFunction(lambda: clock.today() - datetime.timedelta(days=400)),
            suspended_on=factory.LazyAttribute(lambda o: o.valid_until + datetime.timedelta(1)),
        )
        lost = factory.Trait(status=PermitStatus.LOST)
        cancelled = factory.Trait(
            status=PermitStatus.CANCELLED, cancelled_on=factory.LazyFunction(clock.today)
        )

    @factory.post_generation
    def serial_history(obj, create, extracted, **kwargs):
        if create:
            CardSerial.objects.create(permit=obj, serial=obj.card_serial, issued_on=obj.issued_on)


def _now():
    return timezone.now()


class ApplicationFactory(DjangoModelFactory):
    """A new-permit application of a verified person registered a year ago. Traits: one per
    state (submitted ... delivered); the timestamps of the earlier stages are filled in."""

    class Meta:
        model = PermitApplication

    service = Service.NEW
    person = factory.SubFactory(IdentityFactory, verified=True)
    filed_by = factory.SelfAttribute("person.account")
    registration = factory.SubFactory(
        RegistrationFactory, registered=True, person=factory.SelfAttribute("..person")
    )
    station = factory.SelfAttribute("registration.house.station")
    basis = Basis.RESIDENCE
    reference = factory.Sequence(lambda n: f"HK2026-T{n:06d}")
    answers = factory.LazyFunction(dict)

    class Params:
        submitted = factory.Trait(
            state=ApplicationState.SUBMITTED, submitted_at=factory.LazyFunction(_now)
        )
        supplement_requested = factory.Trait(
            state=ApplicationState.SUPPLEMENT_REQUESTED,
            submitted_at=factory.LazyFunction(_now),
            supplement_requested_at=factory.LazyFunction(_now),
            flagged_items=factory.LazyFunction(
                lambda: [{"code": "residence_proof", "reason": "unclear", "note": ""}]
            ),
        )
        accepted = factory.Trait(
            state=ApplicationState.ACCEPTED,
            submitted_at=factory.LazyFunction(_now),
            accepted_at=factory.LazyFunction(_now),
            deadline=factory.LazyFunction(lambda: clock.today() + datetime.timedelta(days=15)),
        )
        approved = factory.Trait(
            state=ApplicationState.APPROVED,
            submitted_at=factory.LazyFunction(_now),
            accepted_at=factory.LazyFunction(_now),
            decided_at=factory.LazyFunction(_now),
        )
        rejected = factory.Trait(
            state=ApplicationState.REJECTED,
            submitted_at=factory.LazyFunction(_now),
            decided_at=factory.LazyFunction(_now),
            rejection_reason="not_eligible",
        )
        withdrawn = factory.Trait(
            state=ApplicationState.WITHDRAWN, withdrawn_at=factory.LazyFunction(_now)
        )
        produced = factory.Trait(
            state=ApplicationState.PRODUCED,
            submitted_at=factory.LazyFunction(_now),
            accepted_at=factory.LazyFunction(_now),
            decided_at=factory.LazyFunction(_now),
            produced_at=factory.LazyFunction(_now),
        )
        awaiting_pickup = factory.Trait(
            state=ApplicationState.AWAITING_PICKUP,
            produced_at=factory.LazyFunction(_now),
            delivery_method=DeliveryMethod.WINDOW,
            delivery_chosen_at=factory.LazyFunction(_now),
        )
        collected = factory.Trait(
            state=ApplicationState.COLLECTED,
            produced_at=factory.LazyFunction(_now),
            delivery_method=DeliveryMethod.WINDOW,
            completed_at=factory.LazyFunction(_now),
        )
        awaiting_old_card = factory.Trait(
            service=Service.RENEWAL,
            state=ApplicationState.AWAITING_OLD_CARD,
            produced_at=factory.LazyFunction(_now),
            delivery_method=DeliveryMethod.MAIL,
            mail_recipient_name="张三",
            mail_address="海口市龙华区滨海大道 1 号",
            mail_phone="+8613900000000",
        )
        mailed = factory.Trait(
            state=ApplicationState.MAILED,
            produced_at=factory.LazyFunction(_now),
            delivery_method=DeliveryMethod.MAIL,
            mail_recipient_name="张三",
            mail_address="海口市龙华区滨海大道 1 号",
            mail_phone="+8613900000000",
            tracking_number="SF1234567890",
            mailed_at=factory.LazyFunction(_now),
        )
        # cancellation (注销): the card travels back to the station
        awaiting_card_return = factory.Trait(
            service=Service.CANCELLATION,
            state=ApplicationState.AWAITING_CARD_RETURN,
            submitted_at=factory.LazyFunction(_now),
            answers=factory.LazyFunction(
                lambda: {"moved_on": clock.today().isoformat(), "card_return": "mail"}
            ),
            delivery_method="mail",
            delivery_chosen_at=factory.LazyFunction(_now),
        )
        card_returned = factory.Trait(
            service=Service.CANCELLATION,
            state=ApplicationState.CARD_RETURNED,
            submitted_at=factory.LazyFunction(_now),
            delivery_method="mail",
            old_card_received_at=factory.LazyFunction(_now),
        )
        completed = factory.Trait(
            service=Service.CANCELLATION,
            state=ApplicationState.COMPLETED,
            submitted_at=factory.LazyFunction(_now),
            delivery_method="window",
            old_card_received_at=factory.LazyFunction(_now),
            decided_at=factory.LazyFunction(_now),
            completed_at=factory.LazyFunction(_now),
        )
        delivered = factory.Trait(
            state=ApplicationState.DELIVERED,
            produced_at=factory.LazyFunction(_now),
            delivery_method=DeliveryMethod.MAIL,
            tracking_number="SF1234567890",
            mailed_at=factory.LazyFunction(_now),
            completed_at=factory.LazyFunction(_now),
        )
