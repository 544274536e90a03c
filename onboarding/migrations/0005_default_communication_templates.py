from django.db import migrations

TEMPLATES = [
    (
        "Kickoff welcome",
        "kickoff",
        "",
        "Welcome to onboarding, {account}",
        "Hi {contact},\n\nI'm {csm}, your customer success manager. Let's book a kickoff to confirm your goals, "
        "the milestones in your plan and who owns each one.\n\nBest,\n{csm}",
    ),
    (
        "Admin training invite",
        "milestone",
        "M2",
        "{account}: admin training ({target_date})",
        "Hi {contact},\n\nYour admin training is planned for {target_date}. It covers configuration, user "
        "management and reporting. Which time works for your administrators?\n\n{csm}",
    ),
    (
        "End-user training invite",
        "milestone",
        "M3",
        "{account}: end-user training ({target_date})",
        "Hi {contact},\n\nWe'd like to train your core users on the primary use cases around {target_date}. "
        "We'll share an attendance list afterwards.\n\n{csm}",
    ),
    (
        "Executive sponsor briefing",
        "milestone",
        "M5",
        "{account}: go-live briefing for your sponsor",
        "Hi {contact},\n\nNow that you're live, could we take 20 minutes to brief you on progress, value seen "
        "so far and the next milestones?\n\n{csm}",
    ),
    (
        "Check-in",
        "check_in",
        "",
        "{account}: quick check-in",
        "Hi {contact},\n\nChecking in on how things are going. Anything blocking your team?\n\n{csm}",
    ),
]


def forwards(apps, schema_editor):
    Template = apps.get_model("onboarding", "CommunicationTemplate")
    for name, stage, milestone, subject, body in TEMPLATES:
        Template.objects.get_or_create(
            name=name, defaults={"stage": stage, "milestone": milestone, "subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0004_communication_sequences")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
