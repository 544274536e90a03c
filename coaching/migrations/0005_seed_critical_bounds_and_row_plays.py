from django.db import migrations


def seed(apps, schema_editor):
    """A critical bound (default: the role cohort's 10th percentile) for every metric of every role config,
    and the playbook entries added since 0002 (the threshold rows' actions). Existing rows stay as RevOps set them."""
    from coaching.defaults import PLAYS
    from coaching.metrics.registry import REGISTRY

    Bound = apps.get_model("coaching", "CriticalBound")
    for role, metrics in REGISTRY.items():
        for code in metrics:
            if code != "daily_flags":  # the repeated-flags row itself: its bound is repeat_flags
                Bound.objects.get_or_create(role=role, metric=code, defaults={"percentile": 10})
    Play = apps.get_model("coaching", "CoachingPlay")
    for role, metric, title, action in PLAYS:
        Play.objects.get_or_create(role=role, metric=metric, defaults={"title": title, "action": action})


class Migration(migrations.Migration):
    dependencies = [("coaching", "0004_critical_bound_per_metric_and_flag_bound")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
