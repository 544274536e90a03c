from django.db import models


class Playbook(models.Model):
    """Seed 004's success playbooks: per lifecycle segment and risk stage, edited by RevOps in admin.

    A case opening (risk stage at risk) or moving to plan in place adds the matching playbook's steps as
    retention tasks. The most specific playbook wins: the account's tenure segment, then "any".
    """

    class Segment(models.TextChoices):
        ANY = "any", "Any segment"
        NEW = "new", "New (0–90 days)"
        GROWING = "growing", "Growing (90–180 days)"
        ESTABLISHED = "established", "Established (180+ days)"

    class Stage(models.TextChoices):
        HEALTHY = "healthy", "Not at risk (segment guidance)"
        AT_RISK = "at_risk", "At risk"
        PLAN_IN_PLACE = "plan_in_place", "Plan in place"

    name = models.CharField(max_length=120)
    segment = models.CharField(max_length=11, choices=Segment.choices, default=Segment.ANY)
    risk_stage = models.CharField(max_length=13, choices=Stage.choices)
    focus = models.TextField(blank=True, help_text="What this segment/stage is about, shown to the CSM.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["risk_stage", "segment"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "risk_stage"],
                condition=models.Q(active=True),
                name="playbook_one_active_per_segment_stage",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaybookStep(models.Model):
    class Kind(models.TextChoices):
        TASK = "task", "Task"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EMAIL = "email", "Email (template)"

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=7, choices=Kind.choices, default=Kind.TASK)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    due_in_days = models.PositiveSmallIntegerField(default=7)
    owner_role = models.CharField(max_length=3, choices=[("csm", "CSM"), ("am", "AM")], default="csm")
    email_subject = models.CharField(max_length=200, blank=True, help_text="For email steps: {account}, {csm} fill in.")
    email_body = models.TextField(blank=True)

    class Meta:
        ordering = ["playbook", "order"]

    def __str__(self) -> str:
        return self.title
