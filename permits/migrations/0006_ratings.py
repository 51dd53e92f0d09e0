import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0005_row_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Rating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("invited_at", models.DateTimeField(auto_now_add=True, verbose_name="invited at")),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "Very dissatisfied"),
                            (2, "Dissatisfied"),
                            (3, "Neither satisfied nor dissatisfied"),
                            (4, "Satisfied"),
                            (5, "Very satisfied"),
                        ],
                        null=True,
                        verbose_name="rating",
                    ),
                ),
                ("comment", models.TextField(blank=True, max_length=500, verbose_name="comment")),
                ("rated_at", models.DateTimeField(blank=True, null=True, verbose_name="rated at")),
                (
                    "link_used_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="The signed link of the SMS works once; this is when it was used.",
                        null=True,
                        verbose_name="link used at",
                    ),
                ),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rating",
                        to="permits.permitapplication",
                        verbose_name="application",
                    ),
                ),
            ],
            options={
                "verbose_name": "rating (好差评)",
                "verbose_name_plural": "ratings (好差评)",
                "ordering": ["-invited_at", "-pk"],
                "indexes": [
                    models.Index(fields=["rated_at"], name="permits_rat_rated_a_93a12b_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score__isnull", True),
                            models.Q(("score__gte", 1), ("score__lte", 5)),
                            _connector="OR",
                        ),
                        name="rating_score_1_to_5",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RatingFollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("opened_at", models.DateTimeField(auto_now_add=True, verbose_name="opened at")),
                ("due_on", models.DateField(verbose_name="answer due by")),
                ("answer", models.TextField(blank=True, max_length=2000, verbose_name="answer")),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
                ),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
                (
                    "rating",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_up",
                        to="permits.rating",
                        verbose_name="rating",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="permits.station",
                        verbose_name="station",
                    ),
                ),
            ],
            options={
                "verbose_name": "rating follow-up",
                "verbose_name_plural": "rating follow-ups",
                "ordering": ["due_on", "pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("answered_at__isnull", True)),
                        fields=["station", "due_on"],
                        name="followup_open_idx",
                    )
                ],
            },
        ),
    ]
