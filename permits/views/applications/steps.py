"""The wizard's steps: which pages a draft has, which are done, where to go next."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from .common import (
    SEEN_KEY,
)


@dataclass
class Step:
    key: str
    title: str
    url: str
    done: bool  # answered in this visit, or its data is there (where the flow resumes)
    complete: bool = True  # its data is there (what the check page and the submit need)


def _seen(request, application) -> set[str]:
    return set(request.session.get(SEEN_KEY, {}).get(str(application.pk), []))


def mark_seen(request, application, key: str) -> None:
    store = request.session.get(SEEN_KEY, {})
    keys = set(store.get(str(application.pk), []))
    keys.add(key)
    store[str(application.pk)] = sorted(keys)
    request.session[SEEN_KEY] = store


def asks_basis(application) -> bool:
    return application.service_type.asks_basis


def asks_details(application) -> bool:
    return bool(application.service_type.answers)


def build_steps(request, application, requirements, current_codes) -> list[Step]:
    seen = _seen(request, application)
    # Uploads already made mean the person went past the confirmation steps in an earlier
    # visit: coming back (another day, another device) resumes at the first thing missing.
    earlier_visit = bool(current_codes)
    if earlier_visit:
        seen |= {"identity", "basis"}

    def url(name, *args):
        return reverse(f"permits:{name}", args=[application.pk, *args])

    steps = [
        Step(
            "identity",
            _("Confirm name and ID number"),
            url("application_step_identity"),
            "identity" in seen,
        )
    ]
    if asks_basis(application):
        steps.append(
            Step(
                "basis",
                _("The condition you meet"),
                url("application_step_basis"),
                "basis" in seen and bool(application.basis),
                complete=bool(application.basis),
            )
        )
    if asks_details(application):
        service_type = application.service_type
        complete = service_type.answers_complete(application.answers)
        steps.append(
            Step(
                "details",
                str(service_type.details_title),
                url("application_step_details"),
                complete,
                complete=complete,
            )
        )
    for requirement in requirements:
        key = f"material-{requirement.code}"
        uploaded = requirement.code in current_codes
        done = uploaded or (not requirement.required and key in seen)
        steps.append(
            Step(
                key,
                requirement.name,
                url("application_step_material", requirement.code),
                done,
                complete=uploaded or not requirement.required,
            )
        )
    return steps


def next_url(request, application, current_key: str) -> str:
    """After a step: back to the check page when the person came from it, else the next step."""
    if request.POST.get("return_to") == "check" or request.GET.get("return_to") == "check":
        return reverse("permits:application_check", args=[application.pk])
    application.refresh_from_db()
    steps = steps_for(request, application)
    keys = [s.key for s in steps]
    index = keys.index(current_key) if current_key in keys else -1
    for step in steps[index + 1 :]:
        if not step.done:
            return step.url
    for step in steps:
        if not step.done:
            return step.url
    return reverse("permits:application_check", args=[application.pk])


def steps_for(request, application) -> list[Step]:
    requirements = list(application.requirements())
    current = {m.requirement.code for m in application.current_materials()}
    return build_steps(request, application, requirements, current)


def step_context(request, application, key: str, **extra) -> dict:
    steps = steps_for(request, application)
    keys = [s.key for s in steps]
    index = keys.index(key) if key in keys else None
    asked = (request.GET.get("return_to"), request.POST.get("return_to"))
    return_to = "check" if "check" in asked else ""
    if return_to:
        back_url = reverse("permits:application_check", args=[application.pk])
    elif index:
        back_url = steps[index - 1].url
    else:
        back_url = reverse("permits:application_list")
    context = {
        "application": application,
        "steps": steps,
        "step_number": index + 1 if index is not None else None,
        "step_count": len(steps),
        "return_to": return_to,
        "back_url": back_url,
    }
    context.update(extra)
    return context
