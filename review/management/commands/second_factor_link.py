"""Issue a one-time second-factor enrolment link for a staff account (issue 30): the way the
first account (``createsuperuser``) sets up its authenticator, or any account when no
supervisor can use the admin. Its authenticator and backup codes are reset; audit-logged."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.phones import normalize_phone
from review.services import second_factor as enrolments


class Command(BaseCommand):
    help = (
        "Print a one-time link that lets a staff account set up its second factor (its current "
        "authenticator and backup codes stop working). Hand it over in person."
    )

    def add_arguments(self, parser):
        parser.add_argument("phone", help="the staff account's phone number (its login)")

    def handle(self, *args, phone, **options):
        try:
            number = normalize_phone(phone)
        except ValidationError as exc:
            raise CommandError(f"not a phone number: {phone}") from exc
        user = get_user_model().objects.filter(phone=number, is_staff=True).first()
        if user is None:
            raise CommandError(f"no staff account with the phone number {number}")
        link = enrolments.issue_link(user)
        until = timezone.localtime(link.expires_at)
        self.stdout.write(
            f"Enrolment link for {number} (works once, until {until:%Y-%m-%d %H:%M}):"
        )
        self.stdout.write(f"  {link.url}")
        self.stdout.write("Open it after logging in with the account's password.")
