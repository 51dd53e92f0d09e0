"""Acceptance 2: every allowed transition walked through the services, every disallowed one
refused (at the model and at the service), with nothing changed by a refusal."""

import pytest
from django_fsm import TransitionNotAllowed, can_proceed

from core.errors import NotAllowed, ServiceError, WrongState
from permits.constants import ApplicationState as S
from permits.models import ApplicationTransition, PermitApplication
from permits.services import applications as svc
from tests.factories import PASSWORD, RegistrationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import png, registered_person, staff_for, submitted
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

# The graph of ARCHITECTURE.md / issue 5, written out independently of the model.
ALLOWED = {
    S.DRAFT: {"submit", "withdraw"},
    # deem_accepted: the system's act (Administrative Licensing Law Art. 32), never a button
    S.SUBMITTED: {"accept", "deem_accepted", "request_supplement", "reject", "withdraw"},
    S.SUPPLEMENT_REQUESTED: {"resubmit", "reject", "withdraw"},
    S.ACCEPTED: {"approve", "reject", "extend_deadline", "withdraw"},
    S.APPROVED: {"mark_produced", "extend_deadline"},
    S.PRODUCED: {"choose_pickup", "choose_mail", "record_mailed"},
    S.AWAITING_PICKUP: {"record_collected"},
    S.AWAITING_OLD_CARD: {"record_old_card_received", "record_mailed"},
    S.MAILED: {"record_delivered"},
    S.AWAITING_CARD_RETURN: {"record_card_returned", "withdraw"},
    S.CARD_RETURNED: {"complete_cancellation"},
    S.COMPLETED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
    S.COLLECTED: set(),
    S.DELIVERED: set(),
}
TRANSITIONS = sorted(set().union(*ALLOWED.values()))
# The system's own acts (no service a user calls): deemed acceptance (Administrative Licensing
# Law Art. 32), run by the daily job and by the officer's acts themselves.
SYSTEM_TRANSITIONS = {"deem_accepted"}


def test_the_model_graph_is_exactly_the_documented_one():
    field = PermitApplication._meta.get_field("state")
    graph = {(t.source, t.name) for t in field.get_all_transitions(PermitApplication)}
    expected = {(state, name) for state, names in ALLOWED.items() for name in names}
    assert graph == expected
    assert set(ALLOWED) == set(S.values)


@pytest.mark.parametrize("state", list(S.values))
def test_every_disallowed_transition_is_refused_by_the_model(state):
    app = ApplicationFactory(**({state: True} if state != S.DRAFT else {}))
    assert app.state == state
    for name in TRANSITIONS:
        method = getattr(app, name)
        assert can_proceed(method, check_conditions=False) == (name in ALLOWED[state]), name
        if name not in ALLOWED[state]:
            with pytest.raises(TransitionNotAllowed):
                method(by=None)
            assert app.state == state


OUTSIDE = {"household_region": "110105"}  # household registered outside the city


def _service_calls(app, staff):
    """Each act through its service, as the user who may do it (so a refusal is the state's)."""
    filer, sup = app.filed_by, staff["supervisor"]
    return {
        "submit": lambda: svc.submit(user=filer, application=app, password=PASSWORD),
        "resubmit": lambda: svc.resubmit(user=filer, application=app, password=PASSWORD),
        "withdraw": lambda: svc.withdraw(user=filer, application=app),
        "accept": lambda: svc.accept(user=sup, application=app),
        "request_supplement": lambda: svc.request_supplement(
            user=sup,
            application=app,
            items=[{"code": "photo", "reason": "unclear"}],
        ),
        "approve": lambda: svc.approve(user=sup, application=app),
        "reject": lambda: svc.reject(user=sup, application=app, reason="not_eligible"),
        "extend_deadline": lambda: svc.extend_deadline(
            user=sup, application=app, days=5, reason="偏远地区"
        ),
        "mark_produced": lambda: svc.mark_produced(user=sup, application=app),
        "choose_pickup": lambda: svc.choose_pickup(user=filer, application=app),
        "choose_mail": lambda: svc.choose_mail(
            user=filer, application=app, recipient_name="王五", address="某地", phone="13900001111"
        ),
        "record_old_card_received": lambda: svc.record_old_card_received(user=sup, application=app),
        "record_mailed": lambda: svc.record_mailed(user=sup, application=app, tracking_number="X"),
        "record_delivered": lambda: svc.record_delivered(user=sup, application=app),
        "record_collected": lambda: svc.record_collected(
            user=sup, application=app, collector_id_number=app.person.id_number
        ),
        "record_card_returned": lambda: svc.record_card_returned(user=sup, application=app),
        "complete_cancellation": lambda: svc.complete_cancellation(user=sup, application=app),
    }


@pytest.mark.parametrize("state", list(S.values))
def test_every_disallowed_act_is_refused_by_the_services_and_changes_nothing(state):
    app = ApplicationFactory(**({state: True} if state != S.DRAFT else {}))
    staff = staff_for(app.station)
    calls = _service_calls(app, staff)
    assert set(calls) == set(TRANSITIONS) - SYSTEM_TRANSITIONS
    for name, call in calls.items():
        if name in ALLOWED[state]:
            continue
        with pytest.raises(ServiceError) as exc:
            call()
        assert isinstance(exc.value, (WrongState, NotAllowed)) or exc.value.code, name
        assert str(exc.value)
        app.refresh_from_db()
        assert app.state == state, name
    assert not ApplicationTransition.objects.filter(application=app).exists()


def test_walk_every_allowed_transition_through_the_services():
    walked = set()

    def did(app, name, before):
        walked.add((before, name))

    def step(app, name, call):
        before = app.state
        call()
        did(app, name, before)
        return app

    # 1. draft -> withdraw
    person = registered_person(months=8)
    staff = staff_for(person.registrations.get().station)
    officer, clerk, sup = staff["officer"], staff["clerk"], staff["supervisor"]
    app = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence", answers=OUTSIDE
    )
    step(app, "withdraw", lambda: svc.withdraw(user=person.account, application=app))

    # 2. draft -> submit -> supplement -> resubmit -> accept -> supplement -> resubmit(accepted)
    #    -> extend -> approve -> produce -> choose_mail? (new: no old card) ... -> pickup
    person = registered_person(months=8, house=person.registrations.get().house)
    app = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence", answers=OUTSIDE
    )
    for code in ("id_card", "photo", "residence_proof"):
        svc.upload_material(user=person.account, application=app, requirement_code=code, file=png())
    step(app, "submit", lambda: svc.submit(user=person.account, application=app, password=PASSWORD))
    items = [{"code": "photo", "reason": "unclear"}]
    step(
        app,
        "request_supplement",
        lambda: svc.request_supplement(user=officer, application=app, items=items),
    )
    svc.upload_material(user=person.account, application=app, requirement_code="photo", file=png())
    step(
        app,
        "resubmit",
        lambda: svc.resubmit(user=person.account, application=app, password=PASSWORD),
    )
    assert app.state == S.SUBMITTED
    step(app, "accept", lambda: svc.accept(user=officer, application=app))
    # After acceptance no more material is asked for (the one-time notice comes first).
    with pytest.raises(WrongState):
        svc.request_supplement(user=officer, application=app, items=items)
    assert app.state == S.ACCEPTED
    step(
        app,
        "extend_deadline",
        lambda: svc.extend_deadline(user=sup, application=app, days=10, reason="特殊情况"),
    )
    step(app, "approve", lambda: svc.approve(user=officer, application=app))
    # The clock runs until production: an approved card not yet produced may be extended too.
    step(
        app,
        "extend_deadline",
        lambda: svc.extend_deadline(user=sup, application=app, days=5, reason="制证延误"),
    )
    step(app, "mark_produced", lambda: svc.mark_produced(user=clerk, application=app))
    step(app, "choose_pickup", lambda: svc.choose_pickup(user=person.account, application=app))
    step(
        app,
        "record_collected",
        lambda: svc.record_collected(
            user=clerk, application=app, collector_id_number=person.id_number
        ),
    )

    # 3. rejections and withdrawals from each open state
    def fresh():
        p = registered_person(months=8)
        return submitted(p, Service.NEW), staff_for(p.registrations.get().station)

    app, st = fresh()
    step(
        app,
        "reject",
        lambda: svc.reject(user=st["officer"], application=app, reason="false_information"),
    )
    app, st = fresh()
    step(app, "withdraw", lambda: svc.withdraw(user=app.filed_by, application=app))
    for end in ("reject", "withdraw"):
        app, st = fresh()
        svc.request_supplement(user=st["officer"], application=app, items=items)
        if end == "reject":
            step(
                app,
                "reject",
                lambda app=app, st=st: svc.reject(
                    user=st["officer"], application=app, reason="materials_not_provided"
                ),
            )
        else:
            step(app, "withdraw", lambda app=app: svc.withdraw(user=app.filed_by, application=app))
        app, st = fresh()
        svc.accept(user=st["officer"], application=app)
        if end == "reject":
            step(
                app,
                "reject",
                lambda app=app, st=st: svc.reject(
                    user=st["officer"], application=app, reason="not_eligible"
                ),
            )
        else:
            step(app, "withdraw", lambda app=app: svc.withdraw(user=app.filed_by, application=app))

    # 4. renewal by mail: produced -> awaiting old card -> received -> mailed -> delivered
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    permit = PermitFactory(valid_until=today + datetime.timedelta(days=5))
    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    st = staff_for(permit.station)
    app = submitted(permit.holder, Service.RENEWAL)
    svc.accept(user=st["officer"], application=app)
    svc.approve(user=st["officer"], application=app)
    svc.mark_produced(user=st["clerk"], application=app)
    step(
        app,
        "choose_mail",
        lambda: svc.choose_mail(
            user=app.filed_by,
            application=app,
            recipient_name="王五",
            address="某地",
            phone="13900001111",
        ),
    )
    step(
        app,
        "record_old_card_received",
        lambda: svc.record_old_card_received(user=st["clerk"], application=app),
    )
    step(
        app,
        "record_mailed",
        lambda: svc.record_mailed(user=st["clerk"], application=app, tracking_number="SF9"),
    )
    step(app, "record_delivered", lambda: svc.record_delivered(user=st["clerk"], application=app))

    # 5. replacement by mail: produced -> mailed directly
    permit = PermitFactory()
    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    st = staff_for(permit.station)
    app = submitted(permit.holder, Service.REPLACEMENT, answers={"reason": "damaged"})
    svc.accept(user=st["officer"], application=app)
    svc.approve(user=st["officer"], application=app)
    svc.mark_produced(user=st["clerk"], application=app)
    svc.choose_mail(
        user=app.filed_by,
        application=app,
        recipient_name="王五",
        address="某地",
        phone="13900001111",
    )
    step(
        app,
        "record_mailed",
        lambda: svc.record_mailed(user=st["clerk"], application=app, tracking_number="EMS9"),
    )

    # 6. cancellation (注销): withdrawn while the card is awaited; card returned -> completed
    for end in ("withdraw", "complete"):
        permit = PermitFactory()
        RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
        st = staff_for(permit.station)
        app = submitted(
            permit.holder,
            Service.CANCELLATION,
            answers={"moved_on": today.isoformat(), "card_return": "mail"},
        )
        assert app.state == S.AWAITING_CARD_RETURN
        if end == "withdraw":
            step(app, "withdraw", lambda app=app: svc.withdraw(user=app.filed_by, application=app))
            continue
        step(
            app,
            "record_card_returned",
            lambda app=app, st=st: svc.record_card_returned(user=st["clerk"], application=app),
        )
        step(
            app,
            "complete_cancellation",
            lambda app=app, st=st: svc.complete_cancellation(user=st["officer"], application=app),
        )

    # deemed acceptance: the officer's act on a submission left unanswered past the statutory
    # working days first records it (Administrative Licensing Law Art. 32)
    app = ApplicationFactory(
        submitted=True, submitted_at=timezone.now() - datetime.timedelta(days=20)
    )
    st = staff_for(app.station)
    step(app, "deem_accepted", lambda: svc.accept(user=st["officer"], application=app))
    assert app.transitions.filter(transition="deem_accepted").exists()

    expected = {(state, name) for state, names in ALLOWED.items() for name in names}
    assert walked == expected
