from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_outcome_as_projects"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="matter",
            name="matter_funds_not_negative",
        ),
        migrations.RemoveField(
            model_name="historicalmatter",
            name="beneficiaries",
        ),
        migrations.RemoveField(
            model_name="historicalmatter",
            name="funds_wan",
        ),
        migrations.RemoveField(
            model_name="matter",
            name="beneficiaries",
        ),
        migrations.RemoveField(
            model_name="matter",
            name="funds_wan",
        ),
    ]
