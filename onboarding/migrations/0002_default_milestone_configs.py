"""Seed 004's 90-day example as the default milestone set for every segment (RevOps edits in admin)."""

from django.db import migrations

DEFAULTS = [
    ("M1", "Technical setup / integration complete", 7, False, []),
    ("M2", "Admin training delivered", 14, False, ["Admin training session"]),
    ("M3", "End-user training delivered", 21, True, ["End-user training session"]),
    ("M4", "First value event achieved", 30, False, []),
    ("M5", "Executive sponsor briefed post-go-live", 45, False, []),
    ("M6", "Adoption threshold reached", 60, False, []),
    ("M7", "Formal onboarding close", 90, False, []),
]


def forwards(apps, schema_editor):
    Config = apps.get_model("onboarding", "OnboardingMilestoneConfig")
    Settings = apps.get_model("onboarding", "OnboardingSettings")
    for segment in ("smb", "mm", "ent"):
        for code, name, offset, evidence, items in DEFAULTS:
            Config.objects.get_or_create(
                segment=segment,
                product=None,
                code=code,
                defaults={
                    "name": name,
                    "day_offset": offset,
                    "owner_role": "csm",
                    "evidence_required": evidence,
                    "scheduled_items": items,
                },
            )
    Settings.objects.get_or_create(
        pk=1, defaults={"complexity_keywords": ["integration", "api", "sso", "erp", "migration"]}
    )


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
