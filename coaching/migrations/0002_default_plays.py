from django.db import migrations


def add_plays(apps, schema_editor):
    from coaching.defaults import PLAYS

    Play = apps.get_model("coaching", "CoachingPlay")
    for role, metric, title, action in PLAYS:
        Play.objects.get_or_create(role=role, metric=metric, defaults={"title": title, "action": action})


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]
    operations = [migrations.RunPython(add_plays, migrations.RunPython.noop)]
