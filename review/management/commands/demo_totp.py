"""Print the current second-factor code of the demo staff accounts (``make run`` only)."""

import base64
import time

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from review.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = (
        "Print the 6-digit code of the demo staff authenticator (secret DEMO_TOTP_SECRET in "
        "review/demo.py) and how long it stays valid."
    )

    def handle(self, *args, **options):
        key = base64.b32decode(DEMO_TOTP_SECRET)
        now = time.time()
        code = totp(key, step=30, t0=0, digits=6, drift=0)
        left = 30 - int(now) % 30
        self.stdout.write(f"{code:06d}  (valid for {left} more seconds)")
