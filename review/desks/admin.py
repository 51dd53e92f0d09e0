"""The desk in the admin: a mixin for a state machine's model admin that owns the desk's
wiring, its URLs (one per act, or one for every act), the act views and the context of the
row's page, all from the machine's act table (``desk``, a ``review.desks.base.Desk``).

The admin never edits the row: the state is never a form field, and every act is a small form
(on the row's page for an inline desk, else a page of its own) posting to the act's URL, which
calls the act's service. The row is read once per page, through ``get_queryset`` (so a scoped
admin's scope holds: another station's row is a 404) with ``desk_select_related``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_fsm import can_proceed

from core.errors import ServiceError, StaleState

from .base import Act, Desk, refusal_text

SHOWN_ROW = "_desk_row"  # the request attribute holding the row the page shows


class DeskAdminMixin:
    """Mixed into a ``ModelAdmin`` (before it) of a model with a desk."""

    desk: Desk
    # Inline desks put every act's form on the row's page (the act URLs answer POST only);
    # otherwise each act opens its own form page (``desk_act_template``).
    desk_inline = True
    desk_act_template = "review/act_form.html"
    # One URL for every act ("<pk>/act/<act>/", by this name), or else one URL per act
    # ("<pk>/<act>/", named "<app>_<model>_<act>").
    desk_act_url_name = ""
    desk_select_related: tuple[str, ...] = ()

    # --- the URLs -------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        if self.desk_act_url_name:
            urls = [
                path(
                    "<path:object_id>/act/<slug:act_name>/",
                    wrap(self.desk_act_view),
                    name=self.desk_act_url_name,
                )
            ]
        else:
            urls = [
                path(
                    f"<path:object_id>/{name}/",
                    wrap(self._desk_act_view_of(name)),
                    name=self._desk_url_name(name),
                )
                for name in self.desk.acts
            ]
        return urls + super().get_urls()

    def _desk_act_view_of(self, act_name: str):
        def view(request, object_id):
            return self.desk_act_view(request, object_id, act_name)

        return view

    def _desk_url_name(self, suffix: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def desk_act_url(self, obj, act: Act) -> str:
        if self.desk_act_url_name:
            name, args = self.desk_act_url_name, [obj.pk, act.name]
        else:
            name, args = self._desk_url_name(act.name), [obj.pk]
        return reverse(f"{self.admin_site.name}:{name}", args=args)

    def desk_change_url(self, obj) -> str:
        return reverse(f"{self.admin_site.name}:{self._desk_url_name('change')}", args=[obj.pk])

    # --- the row --------------------------------------------------------------------------------
    def desk_row(self, request, object_id):
        """The row (within ``get_queryset``'s scope), or None."""
        queryset = self.get_queryset(request)
        if self.desk_select_related:
            queryset = queryset.select_related(*self.desk_select_related)
        try:
            return queryset.get(pk=int(object_id))
        except (self.model.DoesNotExist, ValueError, TypeError):
            return None

    def get_object(self, request, object_id, from_field=None):
        if from_field is not None:
            return super().get_object(request, object_id, from_field)
        # The scope check and Django's change view ask for the row the page already read.
        shown = getattr(request, SHOWN_ROW, None)
        if isinstance(shown, self.model) and str(shown.pk) == str(object_id):
            return shown
        return self.desk_row(request, object_id)

    # --- the row's page -------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None:
            setattr(request, SHOWN_ROW, obj)
            extra_context = {**(extra_context or {}), **self.desk_context(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def desk_context(self, request, obj) -> dict:
        """The row's page: the acts this user may do now (with their forms on an inline
        desk, each carrying the version shown), the history, and the page's own facts."""
        version = self.desk.version_of(obj)
        acts = []
        for act in self.desk.allowed_acts(obj, request.user):
            entry = {"act": act, "url": self.desk_act_url(obj, act)}
            if self.desk_inline:
                entry["form"] = act.form_class(
                    initial={"version": version},
                    auto_id=f"id_{act.name}_%s",
                    **self.desk.form_kwargs(obj),
                )
            acts.append(entry)
        return {
            "desk_acts": acts,
            "desk_version": version,
            "history": self.desk.history(obj),
            **self.desk_page_context(request, obj),
        }

    def desk_page_context(self, request, obj) -> dict:
        """What else the row's page shows."""
        return {}

    def desk_act_page_context(self, request, obj) -> dict:
        """What else an act's own page shows (non-inline desks)."""
        return {}

    # --- the act --------------------------------------------------------------------------------
    def desk_act_view(self, request, object_id, act_name):
        desk = self.desk
        act = desk.acts.get(act_name)
        if act is None:
            raise Http404
        if self.desk_inline and request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.desk_row(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not desk.may_act(obj, act, request.user):
            raise PermissionDenied
        change_url = self.desk_change_url(obj)
        back = _safe_next(request, change_url)
        if request.method == "POST":
            form = act.form_class(request.POST, **desk.form_kwargs(obj))
            if form.is_valid():
                version = form.cleaned_data.get("version")
                if version and version != desk.version_of(obj):
                    messages.error(request, desk.stale_message)
                    return HttpResponseRedirect(change_url)
                try:
                    act.run(request.user, obj, **form.service_kwargs())
                except StaleState:
                    messages.error(request, desk.stale_message)
                    return HttpResponseRedirect(change_url)
                except (ServiceError, ValidationError, PermissionDenied) as exc:
                    if self.desk_inline:
                        messages.error(request, refusal_text(exc))
                        return HttpResponseRedirect(change_url)
                    form.add_error(None, refusal_text(exc))
                else:
                    messages.success(request, act.done)
                    return HttpResponseRedirect(back)
            elif self.desk_inline:
                errors = [str(e) for field in form.errors.values() for e in field]
                messages.error(request, " ".join(errors))
                return HttpResponseRedirect(change_url)
        else:
            if not can_proceed(getattr(obj, act.name)):
                messages.warning(
                    request,
                    str(desk.not_now_message) % {"act": act.label, "state": desk.state_label(obj)},
                )
                return HttpResponseRedirect(change_url)
            form = act.form_class(
                initial={"version": desk.version_of(obj)}, **desk.form_kwargs(obj)
            )
        extra = self.desk_act_page_context(request, obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{act.label}: {extra.get('title_object', obj)}",
            "obj": obj,
            "change_url": change_url,
            "changelist_url": reverse(
                f"{self.admin_site.name}:{self._desk_url_name('changelist')}"
            ),
            "act": act,
            "form": form,
            "next": back,
            **extra,
        }
        return TemplateResponse(request, self.desk_act_template, context)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/admin/") and "//" not in target else default
