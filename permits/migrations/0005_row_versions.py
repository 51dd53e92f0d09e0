from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0004_permit_status_suspended_on_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="permitapplication",
            name="version",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Counts the saves of this row; an act from an older version is refused.",
                verbose_name="version",
            ),
        ),
        migrations.AddField(
            model_name="residenceregistration",
            name="version",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Counts the saves of this row; an act from an older version is refused.",
                verbose_name="version",
            ),
        ),
    ]
