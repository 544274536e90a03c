from django.db import migrations


def forwards(apps, schema_editor):
    from gtmos.health.defaults import install

    install(apps.get_model("health", "Playbook"), apps.get_model("health", "PlaybookStep"))


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
