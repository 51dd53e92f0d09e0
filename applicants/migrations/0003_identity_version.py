from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0002_phone_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="identity",
            name="version",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Counts the saves of this row; an act from an older version is refused.",
                verbose_name="version",
            ),
        ),
    ]
