"""Idempotent demo data for the embedded default (each app's ``demo`` module contributes)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import DEMO_PASSWORD, seeders


class Command(BaseCommand):
    help = "Create demo stations, staff and an applicant (idempotent). Refused when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even when DEBUG is off (never in production).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates accounts with a known "
                "password. Use --force only on a throw-away database."
            )
        logins = []
        with transaction.atomic():
            for seeder in seeders():
                logins.extend(seeder())
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password for all):"))
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
        for role, phone in logins:
            self.stdout.write(f"  {role:<28} {phone}")
