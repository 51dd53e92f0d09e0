"""The generic desk: a state machine's acts behind buttons, the stale-page check and the history.

Every act form carries the version of the row the officer saw (``Desk.version_of``: the row's
``version`` counter); if the row changed in the meantime (someone else acted, or saved it) the
act is refused with the desk's "reload" message and nothing is applied, and the service's
``run_transition`` compares the version again under a row lock. The act itself calls the app's
service, which checks the role, the station and the state again, notifies and writes the
transition log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from core.errors import NotAllowed, ServiceError, StaleState
from core.fsm import holds_transition_permission
from core.fsm import version_of as fsm_version_of


@dataclass(frozen=True)
class Act:
    name: str  # the transition method on the model, and the URL part
    label: str
    done: str
    form_class: type
    run: Callable[..., object]  # run(user, obj, **form.service_kwargs()): calls the service
    danger: bool = False


def refusal_text(exc: Exception) -> str:
    """One line for the officer, whichever family the service raised."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(NotAllowed())
    return str(exc)


class Desk:
    """A state machine's desk in the admin. Subclasses set the model, the acts and the URLs."""

    acts: dict[str, Act] = {}
    state_field = "state"
    change_url_name = ""  # admin URL name of the row's page (arg: pk)
    act_url_name = ""  # admin URL name of an act (args: pk, act name)
    act_url_names: dict[str, str] = {}  # or one URL name per act (arg: pk)
    stale_message = _(
        "This item changed since you opened it (someone else acted on it). Nothing was "
        "applied: reload it and check before acting again."
    )
    # Inline desks put every act's form on the row's page (the act URL answers POST only);
    # otherwise each act opens its own form page ("review/act_form.html").
    inline = True
    not_now_message = _("“%(act)s” is not possible while it is “%(state)s”.")
    act_template = "review/act_form.html"

    # --- what the page shows ------------------------------------------------------------------
    def version_of(self, obj) -> str:
        """What the officer saw: the row's version (``core.fsm.VersionedModel``: every save adds
        one, so an act that leaves the state as it was, an extension say, changes it too).
        ``run_transition`` compares it again under a row lock, so two officers posting the same
        version at the same moment cannot both act."""
        version = fsm_version_of(obj)
        if version is not None:
            return str(version)
        last = obj.transitions.order_by("-pk").values_list("pk", flat=True).first()
        return f"{getattr(obj, self.state_field)}@{last or 0}"

    def may_act(self, obj, act: Act, user) -> bool:
        """The act's permission for this user on this row, whatever the state."""
        return holds_transition_permission(obj, act.name, user)

    def allowed_acts(self, obj, user) -> list[Act]:
        """The acts this user may do on this row now: the transition is possible from the
        state with its conditions and the user holds its permission."""
        acts = []
        for act in self.acts.values():
            bound = getattr(obj, act.name)
            if (
                can_proceed(bound)
                and has_transition_perm(bound, user)
                and self.may_act(obj, act, user)
            ):
                acts.append(act)
        return acts

    def form_kwargs(self, obj) -> dict:
        return {"obj": obj}

    def act_forms(self, obj, user) -> list[dict]:
        """The allowed acts with their (unbound) forms, each carrying the version shown."""
        version = self.version_of(obj)
        return [
            {
                "act": act,
                "url": self.act_url(obj, act),
                "form": act.form_class(
                    initial={"version": version},
                    auto_id=f"id_{act.name}_%s",
                    **self.form_kwargs(obj),
                ),
            }
            for act in self.allowed_acts(obj, user)
        ]

    def state_labels(self, obj) -> dict:
        field = obj._meta.get_field(self.state_field)
        return {str(value): label for value, label in field.flatchoices}

    def log_items(self, obj, log) -> list[dict]:
        """Details a log row carries beyond its note (the one-time notice's items)."""
        return []

    def history(self, obj) -> list[dict]:
        """The transition log, states by their translated labels, times in local time."""
        labels = self.state_labels(obj)
        rows = []
        for log in obj.transitions.select_related("actor").order_by("created_at", "pk"):
            rows.append(
                {
                    "log": log,
                    "time": timezone.localtime(log.created_at),
                    "from": labels.get(log.from_state, log.from_state) if log.from_state else "",
                    "to": labels.get(log.to_state, log.to_state),
                    "actor": ((log.actor.display_name or str(log.actor)) if log.actor_id else ""),
                    "note": log.note,
                    "items": self.log_items(obj, log),
                }
            )
        return rows

    def context(self, obj, user) -> dict:
        """For the row's page: the act forms and the history."""
        return {
            "desk_acts": self.act_forms(obj, user),
            "desk_version": self.version_of(obj),
            "history": self.history(obj),
        }

    def act_url(self, obj, act: Act) -> str:
        if act.name in self.act_url_names:
            return reverse(self.act_url_names[act.name], args=[obj.pk])
        return reverse(self.act_url_name, args=[obj.pk, act.name])

    def change_url(self, obj) -> str:
        return reverse(self.change_url_name, args=[obj.pk])

    def page_context(self, obj) -> dict:
        """Extra context for the act's own page (non-inline desks)."""
        return {}

    # --- the act ------------------------------------------------------------------------------
    def act_view(self, model_admin, request, object_id, act_name, *, queryset=None):
        act = self.acts.get(act_name)
        if act is None:
            raise Http404
        if self.inline and request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        queryset = queryset if queryset is not None else model_admin.get_queryset(request)
        obj = get_object_or_404(queryset, pk=object_id)
        if not self.may_act(obj, act, request.user):
            raise PermissionDenied
        change_url = self.change_url(obj)
        back = _safe_next(request, change_url)
        if request.method == "POST":
            form = act.form_class(request.POST, **self.form_kwargs(obj))
            if form.is_valid():
                version = form.cleaned_data.get("version")
                if version and version != self.version_of(obj):
                    messages.error(request, self.stale_message)
                    return HttpResponseRedirect(change_url)
                try:
                    act.run(request.user, obj, **form.service_kwargs())
                except StaleState:
                    messages.error(request, self.stale_message)
                    return HttpResponseRedirect(change_url)
                except (ServiceError, ValidationError, PermissionDenied) as exc:
                    if self.inline:
                        messages.error(request, refusal_text(exc))
                        return HttpResponseRedirect(change_url)
                    form.add_error(None, refusal_text(exc))
                else:
                    messages.success(request, act.done)
                    return HttpResponseRedirect(back)
            elif self.inline:
                errors = [str(e) for field in form.errors.values() for e in field]
                messages.error(request, " ".join(errors))
                return HttpResponseRedirect(change_url)
        else:
            if not can_proceed(getattr(obj, act.name)):
                messages.warning(
                    request,
                    str(self.not_now_message)
                    % {
                        "act": act.label,
                        "state": self.state_labels(obj).get(
                            str(getattr(obj, self.state_field)), getattr(obj, self.state_field)
                        ),
                    },
                )
                return HttpResponseRedirect(change_url)
            form = act.form_class(
                initial={"version": self.version_of(obj)}, **self.form_kwargs(obj)
            )
        extra = self.page_context(obj)
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": f"{act.label}: {extra.get('title_object', obj)}",
            "obj": obj,
            "change_url": change_url,
            "changelist_url": reverse(
                f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist"
            ),
            "act": act,
            "form": form,
            "next": back,
            **extra,
        }
        return TemplateResponse(request, self.act_template, context)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/admin/") and "//" not in target else default
