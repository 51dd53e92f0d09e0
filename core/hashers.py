"""Password hashing (issue 18): Argon2id with OWASP's minimum parameters.

Django's Argon2 defaults (memory 100 MiB, 2 passes, 8 lanes) cost about 230 ms of CPU per
password check on the portal's 2-core machine: fewer than 9 logins a second would take both
cores. OWASP's Password Storage Cheat Sheet lists Argon2id with 19 MiB, 2 passes and 1 lane as
its minimum; it costs about 24 ms of CPU per check (see README, "Password hashing").

``algorithm`` stays ``"argon2"``, so hashes made with Django's defaults still verify, and
Django's ``must_update`` rewrites them with these parameters at the next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19456 KiB (19 MiB), t=2, p=1."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
