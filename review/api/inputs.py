"""What the staff API's act endpoints take: the API's side of an act in the desk's table
(``review.desks.applications``), as its form is the admin's. Each shapes its data into the
keyword arguments of the act's service (``service_kwargs``, as the forms do)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from permits.constants import CardReturn


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=_(
            "The application's version as you last read it: if it changed since (someone else "
            "acted), the act is refused with 409 and nothing is applied."
        ),
    )

    def service_kwargs(self) -> dict:
        return {"note": self.validated_data.get("note", "")}


class MailedSerializer(NoteSerializer):
    tracking_number = serializers.CharField(max_length=40)

    def service_kwargs(self) -> dict:
        return {
            **super().service_kwargs(),
            "tracking_number": self.validated_data["tracking_number"],
        }


class CollectedSerializer(NoteSerializer):
    collector_id_number = serializers.CharField(
        max_length=22, help_text=_("The holder's or the registered agent's ID number.")
    )

    def service_kwargs(self) -> dict:
        return {
            **super().service_kwargs(),
            "collector_id_number": self.validated_data["collector_id_number"],
        }


class CardReturnedSerializer(NoteSerializer):
    method = serializers.ChoiceField(
        choices=CardReturn.choices,
        required=False,
        help_text=_("How the card came back; default: the way the applicant chose."),
    )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "method": self.validated_data.get("method", "")}
