"""The small forms behind the review admin's buttons. They only collect and shape input; the
services in ``permits.services.applications`` decide (rules, one-time notice, limits)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.constants import IdentityRejectionReason
from permits.constants import ApplicationRejectionReason, CardReturn, SupplementReason


class ActForm(forms.Form):
    """Every act carries the version of the application the officer saw: if it changed in the
    meantime the act is refused ("this application changed; reload")."""

    version = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (kept in the history)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, application=None, obj=None, **kwargs):
        self.application = application if application is not None else obj
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict:
        return {"note": self.cleaned_data.get("note", "")}


class InlineActForm(ActForm):
    """The identity and registration desks: the form sits on the row's page, which posts the
    version it showed (a post without one is checked by the service's state check only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        self.fields["note"].label = _("Note (optional)")


class IdentityRejectForm(InlineActForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=IdentityRejectionReason.choices)
    field_order = ["reason", "note", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Details for the applicant")
        self.fields["note"].help_text = _(
            "Say what to correct. Required when the reason is 'Other'."
        )

    def service_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"], "note": self.cleaned_data["note"]}


class RegistrationRejectForm(InlineActForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Note (required to reject)")


class RejectForm(ActForm):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "---------"), *ApplicationRejectionReason.choices]
    )
    field_order = ["reason", "note", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Details for the applicant")

    def service_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"], "note": self.cleaned_data["note"]}


class SupplementForm(ActForm):
    """The one-time notice (一次性告知): a checklist of this application's catalogue items, each
    ticked item with its reason (and a note, required for "other")."""

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        self.fields["note"].label = _("Message to the applicant")
        self.items = []
        offered = application.requirements()
        if application.supplement_requested_at:
            # a further notice may only name what was re-uploaded since the last one (seed 001)
            offered = offered.filter(
                code__in=application.reuploaded_codes_since(application.supplement_requested_at)
            )
        for requirement in offered:
            code = requirement.code
            self.fields[f"flag_{code}"] = forms.BooleanField(label=requirement.name, required=False)
            self.fields[f"reason_{code}"] = forms.ChoiceField(
                label=_("Reason"),
                choices=[("", "---------"), *SupplementReason.choices],
                required=False,
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note"), required=False, max_length=500
            )
            self.items.append(
                {
                    "requirement": requirement,
                    "flag": f"flag_{code}",
                    "reason": f"reason_{code}",
                    "note": f"note_{code}",
                }
            )

    def bound_items(self):
        return [
            {
                "requirement": item["requirement"],
                "flag": self[item["flag"]],
                "reason": self[item["reason"]],
                "note": self[item["note"]],
            }
            for item in self.items
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = []
        for item in self.items:
            code = item["requirement"].code
            if not cleaned.get(item["flag"]):
                continue
            reason = cleaned.get(item["reason"])
            if not reason:
                self.add_error(item["reason"], _("Give a reason for every ticked item."))
            chosen.append(
                {"code": code, "reason": reason or "", "note": cleaned.get(item["note"], "")}
            )
        if not chosen:
            raise forms.ValidationError(_("Tick every item that is missing or not acceptable."))
        cleaned["items"] = chosen
        return cleaned

    def service_kwargs(self) -> dict:
        return {"items": self.cleaned_data["items"], "note": self.cleaned_data["note"]}


class ExtendDeadlineForm(ActForm):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=30)
    field_order = ["days", "note", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Reason (told to the applicant)")
        self.fields["note"].required = True

    def service_kwargs(self) -> dict:
        return {"days": self.cleaned_data["days"], "reason": self.cleaned_data["note"]}


class ProducedForm(ActForm):
    card_serial = forms.CharField(
        label=_("Card serial (enter or scan)"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    field_order = ["card_serial", "note", "version"]

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        if application is not None and not application.service_type.issues_new_card:
            # The same card is rewritten (or the service has none): its serial is known.
            self.fields["card_serial"].required = False
            self.fields["card_serial"].help_text = _(
                "Renewal and change rewrite the holder's card; leave empty or scan it to check."
            )

    def service_kwargs(self) -> dict:
        return {"card_serial": self.cleaned_data["card_serial"], "note": self.cleaned_data["note"]}


class MailedForm(ActForm):
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)
    field_order = ["tracking_number", "note", "version"]

    def service_kwargs(self) -> dict:
        return {
            "tracking_number": self.cleaned_data["tracking_number"],
            "note": self.cleaned_data["note"],
        }


class CollectedForm(ActForm):
    collector_id_number = forms.CharField(
        label=_("Collector's resident ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("The holder's, or the registered agent's for a dependent."),
    )
    field_order = ["collector_id_number", "note", "version"]

    def service_kwargs(self) -> dict:
        return {
            "collector_id_number": self.cleaned_data["collector_id_number"],
            "note": self.cleaned_data["note"],
        }


class CardReturnedForm(ActForm):
    """Cancellation (注销): the holder's card is back, by mail or at the window (by default the
    way the applicant chose)."""

    method = forms.ChoiceField(
        label=_("How was the card received?"),
        choices=[
            (CardReturn.MAIL, _("Received by mail")),
            (CardReturn.WINDOW, _("Handed in at the window")),
        ],
        widget=forms.RadioSelect,
    )
    field_order = ["method", "note", "version"]

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        if application is not None and application.delivery_method in CardReturn.values:
            self.initial.setdefault("method", application.delivery_method)

    def service_kwargs(self) -> dict:
        return {"method": self.cleaned_data["method"], "note": self.cleaned_data["note"]}


class HandoverFindForm(forms.Form):
    code = forms.CharField(
        label=_("Reference or pickup code (scan the QR code)"),
        max_length=60,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class ReportForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        if start and end and (end - start).days > 366:
            raise forms.ValidationError(_("Choose a period of at most one year."))
        return cleaned
