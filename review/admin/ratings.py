"""Ratings (好差评) on the police side: the supervisors answer the follow-ups of bad ratings
here (the answer reaches the applicant in My Affairs, ``permits.services.ratings``) and read
every rating. Supervisors only; the landing queue lists the open follow-ups."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import ServiceError
from core.masking import mask_name
from permits.admin.mixins import StationScopedAdminMixin
from permits.models import Rating, RatingFollowUp
from permits.scoping import is_supervisor
from permits.services import ratings as rating_services


def supervisor(request) -> bool:
    """``is_supervisor`` once per request (the admin asks for every model and permission)."""
    cached = getattr(request, "_is_supervisor", None)
    if cached is None:
        cached = request._is_supervisor = is_supervisor(request.user)
    return cached


class SupervisorOnlyMixin:
    def has_module_permission(self, request):
        return supervisor(request)

    def has_view_permission(self, request, obj=None):
        return supervisor(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerForm(forms.ModelForm):
    class Meta:
        model = RatingFollowUp
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6})}

    def clean_answer(self):
        answer = (self.cleaned_data.get("answer") or "").strip()
        if not answer:
            raise forms.ValidationError(_("Write the answer."))
        return answer


class OpenFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("to answer")), ("overdue", _("overdue")), ("0", _("answered"))]

    def queryset(self, request, queryset):

        if self.value() == "1":
            return queryset.filter(answered_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(answered_at__isnull=True, due_on__lt=clock.today())
        if self.value() == "0":
            return queryset.filter(answered_at__isnull=False)
        return queryset


@admin.register(RatingFollowUp)
class RatingFollowUpAdmin(SupervisorOnlyMixin, StationScopedAdminMixin, admin.ModelAdmin):
    form = AnswerForm
    list_display = ["reference", "station", "score", "due_on", "answered_at"]
    list_filter = [OpenFilter, "station"]
    list_select_related = ["rating__application", "station"]
    ordering = ["answered_at", "due_on", "pk"]
    readonly_fields = [
        "reference",
        "service",
        "person",
        "station",
        "score",
        "comment",
        "opened_at",
        "due_on",
        "answered_at",
        "answered_by",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rating__application__person")

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        return [*fields[:8], "answer", *fields[8:]]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_open:
            return [*self.readonly_fields, "answer"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return supervisor(request)

    @admin.display(description=_("reference"))
    def reference(self, obj):
        return obj.rating.application.reference

    @admin.display(description=_("service"))
    def service(self, obj):
        return obj.rating.application.get_service_display()

    @admin.display(description=_("person"))
    def person(self, obj):
        person = obj.rating.application.person
        return f"{mask_name(person.full_name)} · {person.masked_id_number}"

    @admin.display(description=_("rating"))
    def score(self, obj):
        return obj.rating.get_score_display()

    @admin.display(description=_("comment"))
    def comment(self, obj):
        return obj.rating.comment or "-"

    def save_model(self, request, obj, form, change):
        """The answer goes through the service (never saved here): once, then My Affairs."""
        if "answer" not in form.changed_data or not obj.pk:
            return
        try:
            rating_services.answer_follow_up(
                user=request.user, follow_up=obj, answer=form.cleaned_data["answer"]
            )
        except ServiceError as exc:
            messages.error(request, str(exc))


@admin.register(Rating)
class RatingAdmin(SupervisorOnlyMixin, StationScopedAdminMixin, admin.ModelAdmin):
    """Every rating, read-only, for the supervisors."""

    station_field = "application__station"
    list_display = ["application", "score", "rated_at", "invited_at"]
    list_filter = ["score", "application__service", "application__station"]
    list_select_related = ["application"]
    fields = ["application", "score", "comment", "invited_at", "rated_at", "link_used_at"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False
