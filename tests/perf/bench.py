"""``make bench``: seed a large data set into a dedicated PostgreSQL database and time the
officer's queue, the application page and the daily suspension job against the same work done
by one hand-written SQL query.

The seed is set-based (``INSERT ... SELECT generate_series``): 20 stations, 2,000 houses,
1,000,000 accounts and identities, 1,000,000 permits, 100,000 registrations and applications
(with materials and history). It runs once; a second ``make bench`` reuses it (``--reseed`` to
start again). The database name must contain "bench": the seed truncates the tables.

Server time is measured in-process (Django test client, the whole request: middleware, view,
template; the queue and the desk are the lean staff screens of ``review.views``, issue 29);
each figure is the median of ``--runs`` runs (3 for the job) after one warm-up. The job
and its SQL twin run inside a transaction that is rolled back, so every run does the same work.

Then the pages served for real (``tests.perf.pages``): gunicorn and wrk, each applicant page and
the officer's queue and desk against a bare one-file Django view (``tests.perf.bare_app``), and
the issue's table of today's figures against the goals. ``--only pages`` (or ``sql``,
``workers``, ``documents``, comma-separated) runs only those parts.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

N_STATIONS = 20
N_HOUSES = 2_000
N_PEOPLE = 1_000_000  # accounts, identities and permits
N_APPLICATIONS = 100_000
BENCH_STATION = 1
JOB_RUNS = 3
PARTS = ("sql", "pages", "workers", "documents")

# Application state by ``(g / 20) % 20`` (the station is ``g % 20``, so every station gets every
# state): the open ones first, half of them finished.
STATE_BY_REMAINDER = {
    0: "submitted",
    1: "accepted",
    2: "accepted",
    3: "approved",
    4: "supplement_requested",
    5: "produced",
    6: "awaiting_pickup",
    7: "awaiting_old_card",
    8: "mailed",
    9: "rejected",
}
SEED_TABLES = [
    "permits_permittransition",
    "permits_applicationtransition",
    "permits_material",
    "permits_cardserial",
    "permits_permitapplication",
    "permits_residencepermit",
    "permits_registrationtransition",
    "permits_residenceregistration",
    "permits_staffassignment",
    "permits_house",
    "permits_station",
    "notifications_notification",
    "applicants_identitytransition",
    "applicants_identity",
    "applicants_user_groups",
    "applicants_user_user_permissions",
    "applicants_user",
]


def _state_case(column: str = "g") -> str:
    whens = " ".join(f"WHEN {r} THEN '{s}'" for r, s in STATE_BY_REMAINDER.items())
    finished = f"CASE WHEN ({column} / 20) %% 2 = 0 THEN 'collected' ELSE 'delivered' END"
    return f"CASE (({column} / 20) %% 20) {whens} ELSE {finished} END"


SEED_SQL = [
    (
        "stations",
        """INSERT INTO permits_station (id, name, code, address, phone, window_hours, offers_mail,
               short_code)
        SELECT g, '第' || g || '派出所', 'bench' || g, '海口市龙华区派出所路 ' || g || ' 号',
               '0898-66500000', '周一至周五 9:00-12:00', true, lpad(g::text, 4, '0')
        FROM generate_series(1, %(stations)s) g""",
    ),
    (
        "houses",
        """INSERT INTO permits_house (id, code, address, district, station_id)
        SELECT g, 'BH' || lpad(g::text, 10, '0'), '海口市龙华区滨海大道 ' || g || ' 号', '龙华区',
               ((g - 1) %% %(stations)s) + 1
        FROM generate_series(1, %(houses)s) g""",
    ),
    (
        "accounts",
        """INSERT INTO applicants_user (id, password, is_superuser, phone, display_name, language,
                                     is_staff, is_active, date_joined, page_generation)
        SELECT g, '!', false, '+86138' || lpad(g::text, 8, '0'), 'bench' || g, 'zh-hans',
               false, true, now() - interval '2 years', 0
        FROM generate_series(1, %(people)s) g""",
    ),
    (
        "identities",
        """INSERT INTO applicants_identity (id, relationship, agent_reason, full_name, id_number,
               birth_date, sex, id_card_front, id_card_back, face_photo, agent_proof, state,
               rejection_reason, rejection_note, submitted_at, decided_at, created_at, account_id,
               version)
        SELECT g, 'self', '', '测试' || g,
               '110101' || to_char(date '1960-01-01' + g / 1000, 'YYYYMMDD')
                 || lpad((g %% 1000)::text, 3, '0') || (g %% 10)::text,
               date '1960-01-01' + g / 1000, CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
               'bench/front.png', 'bench/back.png', 'bench/face.png', '', 'verified', '', '',
               now() - interval '700 days', now() - interval '700 days',
               now() - interval '700 days', g, 1
        FROM generate_series(1, %(people)s) g""",
    ),
    (
        "permits",
        """INSERT INTO permits_residencepermit (id, number, card_serial, basis, issued_on,
               valid_until, continuous_since, status, cancelled_on, created_at, updated_at,
               holder_id, house_id, station_id)
        SELECT g, 'HK2026P' || lpad(g::text, 8, '0'), 'HKC' || lpad(g::text, 10, '0'),
               'residence', v - 365, v, v - 365,
               CASE WHEN g %% 33 = 0 THEN 'cancelled' ELSE 'active' END,
               CASE WHEN g %% 33 = 0 THEN current_date - 10 END,
               now() - interval '1 year', now() - interval '1 year',
               g, ((g - 1) %% %(houses)s) + 1, ((g - 1) %% %(stations)s) + 1
        FROM (SELECT g, current_date - 30 + ((g::bigint * 7919) %% 396)::int AS v
              FROM generate_series(1, %(people)s) g) s""",
    ),
    (
        "registrations",
        """INSERT INTO permits_residenceregistration (id, since, basis, proof, state,
               registered_at, rejection_note, created_at, house_id, person_id, station_id,
               version)
        SELECT g, current_date - 800, 'residence', 'bench/lease.png', 'registered',
               now() - interval '790 days', '', now() - interval '800 days',
               ((g - 1) %% %(houses)s) + 1, g, ((g - 1) %% %(stations)s) + 1, 1
        FROM generate_series(1, %(applications)s) g""",
    ),
    (
        "applications",
        f"""INSERT INTO permits_permitapplication (id, service, basis, reference, answers, is_late,
               state, created_at, updated_at, submitted_at, accepted_at, decided_at, produced_at,
               deadline, paused_days, extension_days, extension_reason, flagged_items,
               rejection_reason, rejection_note, new_card_serial, delivery_method,
               mail_recipient_name, mail_address, mail_phone, tracking_number, pickup_code,
               collected_by_agent, filed_by_id, person_id, registration_id, station_id,
               permit_id, supplement_requested_at, version, pickup_at_agency)
        SELECT g, 'renewal', 'residence', 'HK2026-' || lpad(g::text, 6, '0'), '{{}}', false,
               st, sub, sub, sub,
               CASE WHEN st NOT IN ('submitted', 'supplement_requested')
                    THEN sub + interval '1 day' END,
               CASE WHEN st NOT IN ('submitted', 'supplement_requested', 'accepted')
                    THEN sub + interval '5 days' END,
               CASE WHEN st NOT IN ('submitted', 'supplement_requested', 'accepted',
                                    'approved', 'rejected')
                    THEN sub + interval '1 day' * (2 + (g / 20) %% 14) END,
               CASE WHEN st = 'accepted' THEN current_date + ((g / 20) %% 30) - 10 END,
               0, 0, '',
               CASE WHEN st = 'supplement_requested'
                    THEN '[{{"code": "id_card", "reason": "unclear", "note": ""}}]'::jsonb
                    ELSE '[]'::jsonb END,
               CASE WHEN st = 'rejected' THEN 'not_eligible' ELSE '' END, '', '',
               CASE WHEN st IN ('awaiting_old_card', 'mailed', 'delivered') THEN 'mail'
                    WHEN st IN ('awaiting_pickup', 'collected') THEN 'window' ELSE '' END,
               '', '', '', '',
               CASE WHEN st = 'awaiting_pickup' THEN 'bench-pickup-' || g END,
               false, g, g, g, ((g - 1) %% %(stations)s) + 1, g,
               CASE WHEN st = 'supplement_requested' THEN sub + interval '1 day' END, 1, false
        FROM (SELECT g, {_state_case()} AS st,
                     now() - interval '1 day' * ((g / 20) %% 60) - interval '1 hour' AS sub
              FROM generate_series(1, %(applications)s) g) s""",  # noqa: S608 - constants only
    ),
    (
        "materials",
        """INSERT INTO permits_material (id, file, content_type, size, version, superseded,
               uploaded_at, uploaded_by_id, requirement_id, application_id)
        SELECT (g - 1) * 3 + r.k, 'bench/material.png', 'image/png', 2048, 1, false,
               now() - interval '1 day' * (g %% 60), g, r.id, g
        FROM generate_series(1, %(applications)s) g
        CROSS JOIN (SELECT id, row_number() OVER (ORDER BY "order", code) AS k
                    FROM permits_materialrequirement
                    WHERE service = 'renewal' AND basis IN ('', 'residence')
                    ORDER BY "order", code LIMIT 3) r""",
    ),
    (
        "application history",
        """INSERT INTO permits_applicationtransition (transition, from_state, to_state, note,
               created_at, items, actor_id, application_id)
        SELECT 'submit', 'draft', 'submitted', '', a.submitted_at, '[]'::jsonb, a.filed_by_id, a.id
        FROM permits_permitapplication a
        UNION ALL
        SELECT 'accept', 'submitted', 'accepted', '', a.accepted_at, '[]'::jsonb, NULL, a.id
        FROM permits_permitapplication a WHERE a.accepted_at IS NOT NULL""",
    ),
]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--reseed", action="store_true", help="Truncate and seed again.")
        parser.add_argument("--runs", type=int, default=7, help="Timed runs per measurement.")
        parser.add_argument(
            "--people", type=int, default=N_PEOPLE, help="Accounts, identities and permits."
        )
        parser.add_argument("--applications", type=int, default=N_APPLICATIONS)
        parser.add_argument(
            "--only",
            default=",".join(PARTS),
            help=f"Comma-separated parts to run: {', '.join(PARTS)} (default: all).",
        )
        parser.add_argument(
            "--seconds", type=float, default=5, help="wrk duration of each page run."
        )

    # --- database ----------------------------------------------------------------------------
    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if "postgresql" not in db["ENGINE"]:
            raise CommandError(
                "make bench needs PostgreSQL: set BENCH_DATABASE_URL (or DATABASE_URL) to "
                "postgres://... (default postgres://postgres@127.0.0.1:5432/portal_bench)."
            )
        if "bench" not in db["NAME"]:
            raise CommandError(
                f"Refusing to seed database {db['NAME']!r}: its name must contain 'bench' "
                "(the seed truncates the tables)."
            )
        self._create_database(db)
        call_command("migrate", verbosity=0, interactive=False)
        if options["applications"] > options["people"]:
            raise CommandError("--applications cannot exceed --people.")
        started = time.perf_counter()
        if options["reseed"] or not self._seeded(options):
            self._seed(options)
        parts = {p.strip() for p in options["only"].split(",") if p.strip()}
        if unknown := parts - set(PARTS):
            raise CommandError(f"Unknown --only part(s): {', '.join(sorted(unknown))}.")
        if "pages" in parts:
            from tests.perf.pages import BenchError, require_wrk

            try:
                require_wrk()
            except BenchError as error:
                raise CommandError(str(error)) from error
        staff = self._staff()
        self.stdout.write(f"Data ready in {time.perf_counter() - started:.1f} s.\n")
        in_process = {}
        if "sql" in parts:
            in_process = self._measure(staff, runs=max(1, options["runs"]))
        pages = None
        if "pages" in parts:
            pages = self._pages(staff, options)
        if "workers" in parts:
            # Password check CPU and the SMS worker against a bare Twilio loop (issue 18).
            from tests.perf.workers import report

            sms = report(self.stdout.write)
        else:
            sms = None
        if "documents" in parts:
            # The papers a station signs (issue 16): render time per kind.
            from tests.perf.documents import report as documents_report

            documents_report(self.stdout.write)
        if pages:
            from tests.perf.pages import summary_table

            summary_table(pages, self.stdout.write, desk=in_process, sms=sms)

    def _pages(self, staff, options):
        """The pages served by gunicorn against the bare view (issue 18, point 3)."""
        from tests.perf import pages

        self.stdout.write("")
        self.stdout.write("Pages served by gunicorn against a bare Django view (wrk):")
        try:
            measured = pages.prepare(
                staff["officer"],
                applications=options["applications"],
                desk_application_id=self._desk_application_id(),
            )
            pages.count_queries(measured)
            pages.measure(measured, self.stdout.write, seconds=options["seconds"])
        except pages.BenchError as error:
            raise CommandError(f"Page benchmark: {error}") from error
        pages.rounds_table(
            measured, self.stdout.write, seconds=options["seconds"], rounds=pages.ROUNDS
        )
        return measured

    def _desk_application_id(self) -> int:
        """The application the desk page shows (also timed in-process): the station's first
        accepted one."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM permits_permitapplication WHERE station_id = %s "
                "AND state = 'accepted' ORDER BY id LIMIT 1",
                [BENCH_STATION],
            )
            return cursor.fetchone()[0]

    def _create_database(self, db) -> None:
        import psycopg2
        from psycopg2 import sql

        params = {
            "dbname": "postgres",
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
        }
        conn = psycopg2.connect(**{k: v for k, v in params.items() if v})
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created database {db['NAME']}.")
        finally:
            conn.close()

    def _seeded(self, options) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM permits_residencepermit")
            permits = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM permits_permitapplication")
            applications = cursor.fetchone()[0]
        return permits == options["people"] and applications == options["applications"]

    def _seed(self, options) -> None:
        params = {
            "stations": N_STATIONS,
            "houses": N_HOUSES,
            "people": options["people"],
            "applications": options["applications"],
        }
        self.stdout.write(
            f"Seeding {params['people']:,} accounts, identities and permits, "
            f"{params['applications']:,} applications over {N_STATIONS} stations (set-based SQL)..."
        )
        # One transaction: a seed that fails half-way leaves nothing behind. Plain indexes are
        # dropped and built again after the load (one sort instead of a million inserts), and
        # foreign-key triggers are skipped for the load when the role may (superuser): the
        # generated keys are consistent by construction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(SEED_TABLES)} RESTART IDENTITY CASCADE")
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                self.stdout.write("  (foreign keys checked row by row: not a superuser)")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
                [SEED_TABLES],
            )
            plain_indexes = cursor.fetchall()
            for name, _definition in plain_indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            for label, statement in SEED_SQL:
                began = time.perf_counter()
                cursor.execute(statement, params)
                took = time.perf_counter() - began
                self.stdout.write(f"  {label:<22} {cursor.rowcount:>10,} rows  {took:6.1f} s")
            began = time.perf_counter()
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in plain_indexes:
                cursor.execute(definition)
            took = time.perf_counter() - began
            self.stdout.write(f"  {'indexes':<22} {len(plain_indexes):>10,}       {took:6.1f} s")
            for table in SEED_TABLES:
                if table.endswith(("_groups", "_permissions")):
                    continue
                reset = (
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
                cursor.execute(reset)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            # Statistics for the planner, and the visibility map and hint bits set now, so the
            # first timed runs do not pay for them.
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
        took = time.perf_counter() - began
        self.stdout.write(f"  {'vacuum, analyze':<22} {'':>10}       {took:6.1f} s")

    def _staff(self) -> dict:
        from django.contrib.auth.models import Group

        from applicants.models import User
        from permits.constants import StaffGroup
        from permits.models import StaffAssignment

        officer, created = User.objects.get_or_create(
            phone="+8613700000001", defaults={"is_staff": True, "display_name": "bench officer"}
        )
        if created:
            officer.groups.add(Group.objects.get(name=StaffGroup.OFFICER))
            StaffAssignment.objects.create(user=officer, station_id=BENCH_STATION)
        return {"officer": officer}

    # --- measurements --------------------------------------------------------------------------
    @contextmanager
    def _client(self, user):
        from django.test import Client

        from tests.perf.pages import in_process

        with in_process(), override_settings(LANGUAGE_CODE="en"):
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(user)
            # Staff pass the second factor first (issue 14), as after the real login step.
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="bench authenticator", defaults={"confirmed": True}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            yield client

    def _time(self, work, runs, *, warm_up=True):
        if warm_up:
            work()  # caches: content types, permissions, templates
        with CaptureQueriesContext(connection) as queries:
            work()
        count = len(queries)  # now: a later request resets the connection's query log
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            work()
            samples.append(time.perf_counter() - began)
        return count, _median_ms(samples)

    def _sql(self, statement, params, runs, *, rollback=False, warm_up=True):
        def work():
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, params)
                    if cursor.description:
                        cursor.fetchall()
                if rollback:
                    transaction.set_rollback(True)

        if warm_up:
            work()
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            work()
            samples.append(time.perf_counter() - began)
        return _median_ms(samples)

    def _measure(self, staff, runs):
        from django.urls import reverse

        from permits.services.permits import suspend_overdue_permits
        from tests.perf.pages import STAFF_SCREEN_MARK

        officer = staff["officer"]
        today = timezone.localdate()
        application_id = self._desk_application_id()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM permits_residencepermit "
                "WHERE status = 'active' AND valid_until < %s",
                [today],
            )
            overdue_permits = cursor.fetchone()[0]
        results = []
        with self._client(officer) as client:
            # The officer's queue and the desk are their own lean screens (issue 29, point 3:
            # review.views.queue and review.views.desk on review/staff/base.html), at the admin's
            # landing page and the application's admin page.
            index = reverse("admin:index")

            def queue():
                response = client.get(index)
                assert response.status_code == 200, response.status_code
                assert STAFF_SCREEN_MARK in response.content, "not the lean queue"

            queries, server = self._time(queue, runs)
            results.append(
                (
                    "officer's queue (/admin/)",
                    queries,
                    server,
                    self._sql(QUEUE_SQL, [BENCH_STATION], runs),
                )
            )

            page = reverse("admin:permits_permitapplication_change", args=[application_id])

            def application_page():
                response = client.get(page)
                assert response.status_code == 200, response.status_code
                assert STAFF_SCREEN_MARK in response.content, "not the lean desk"

            # kept by the page cache (issue 29: under the case's page generations), and drawn
            # with the cache off: what the first view after a change costs
            queries, server = self._time(application_page, runs)
            with override_settings(PAGE_CACHE_SECONDS=0):
                _queries, drawn = self._time(application_page, runs)
            sql_ms = self._sql(PAGE_SQL, [application_id], runs)
            results.append(("application desk", queries, server, sql_ms, drawn))

        def suspension():
            with transaction.atomic():
                suspend_overdue_permits()
                transaction.set_rollback(True)

        def bare_update():
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(SUSPEND_SQL, {"today": today})
                transaction.set_rollback(True)

        def vacuumed(work) -> float:
            """Each rolled-back run leaves ~70,000 dead rows behind: VACUUM first, so neither
            side pays for the other's garbage (the job and its SQL twin alternate)."""
            with connection.cursor() as cursor:
                cursor.execute("VACUUM permits_residencepermit, permits_permittransition")
            began = time.perf_counter()
            work()
            return time.perf_counter() - began

        job_runs = min(runs, JOB_RUNS)  # each run suspends tens of thousands of permits
        with CaptureQueriesContext(connection) as captured:
            suspension()
        job_samples, sql_samples = [], []
        for _ in range(job_runs):
            job_samples.append(vacuumed(suspension))
            sql_samples.append(vacuumed(bare_update))
        results.append(
            (
                f"daily suspension job ({overdue_permits:,} permits)",
                len(captured),
                _median_ms(job_samples),
                _median_ms(sql_samples),
            )
        )
        self.stdout.write("")
        self.stdout.write(
            f"Median of {runs} runs ({min(runs, JOB_RUNS)} for the job) after one warm-up, "
            "PostgreSQL, this machine:"
        )
        header = f"{'work':<40} {'queries':>8} {'Django ms':>10} {'one SQL ms':>11} {'drawn ms':>9}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name, queries, server, sql_ms, *drawn in results:
            drawn_text = f"{drawn[0]:>9.1f}" if drawn else f"{'-':>9}"
            self.stdout.write(
                f"{name:<40} {queries:>8} {server:>10.1f} {sql_ms:>11.1f} {drawn_text}"
            )
        self.stdout.write(
            "(drawn: the desk with the page cache off, as its first view after a change)"
        )
        (_, *queue), (_, *desk), (job, _, *suspension) = results
        return {"queue": tuple(queue), "desk": tuple(desk), "job": (job, *suspension)}


QUEUE_SQL = """
WITH waiting AS (
    SELECT a.id, a.reference, a.service, a.state, a.deadline, a.submitted_at, a.person_id,
           a.station_id
    FROM permits_permitapplication a
    WHERE a.station_id = %s AND a.state IN ('submitted', 'accepted')
), page AS (
    SELECT * FROM waiting ORDER BY deadline ASC NULLS LAST, submitted_at, id LIMIT 50
)
SELECT p.id, p.reference, p.service, p.state, p.deadline, p.submitted_at,
       i.full_name, i.id_number, s.name, (SELECT count(*) FROM waiting) AS total
FROM page p
JOIN applicants_identity i ON i.id = p.person_id
JOIN permits_station s ON s.id = p.station_id
ORDER BY p.deadline ASC NULLS LAST, p.submitted_at, p.id
"""

PAGE_SQL = """
SELECT a.*, row_to_json(i) AS person, row_to_json(r) AS registration, row_to_json(h) AS house,
       row_to_json(s) AS station, row_to_json(p) AS permit,
       (SELECT json_agg(m ORDER BY q."order", q.code, m.version DESC)
          FROM permits_material m JOIN permits_materialrequirement q ON q.id = m.requirement_id
         WHERE m.application_id = a.id) AS materials,
       (SELECT json_agg(t ORDER BY t.created_at, t.id)
          FROM permits_applicationtransition t WHERE t.application_id = a.id) AS timeline
FROM permits_permitapplication a
JOIN applicants_identity i ON i.id = a.person_id
JOIN permits_residenceregistration r ON r.id = a.registration_id
JOIN permits_house h ON h.id = r.house_id
JOIN permits_station s ON s.id = a.station_id
LEFT JOIN permits_residencepermit p ON p.id = a.permit_id
WHERE a.id = %s
"""

SUSPEND_SQL = """
WITH suspended AS (
    UPDATE permits_residencepermit p
       SET status = 'suspended', suspended_on = %(today)s, updated_at = now()
     WHERE p.status = 'active' AND p.valid_until < %(today)s
       AND NOT EXISTS (
           SELECT 1 FROM permits_permitapplication a
            WHERE a.permit_id = p.id AND a.service = 'renewal'
              AND a.state IN ('submitted', 'supplement_requested', 'accepted', 'approved'))
    RETURNING p.id, p.holder_id
), bumped AS (
    -- the holders' page generations (core.page_cache, issue 29): the job does it too
    UPDATE applicants_user SET page_generation = page_generation + 1
     WHERE id IN (SELECT account_id FROM applicants_identity
                   WHERE id IN (SELECT holder_id FROM suspended))
)
INSERT INTO permits_permittransition
       (permit_id, actor_id, transition, from_state, to_state, note, created_at)
SELECT id, NULL, 'suspend', 'active', 'suspended',
       'Endorsement overdue: suspended by the daily job.', now()
FROM suspended
"""


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.perf.bench [--reseed] [--runs N]`` (what ``make bench`` runs)."""
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    try:
        call_command(Command(), *(sys.argv[1:] if argv is None else argv))
    except CommandError as error:
        sys.stderr.write(f"make bench: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
