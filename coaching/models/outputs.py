"""What the weekly, daily and monthly jobs persist: metric snapshots, daily flags and digests."""

from django.db import models

from gtmos.core import clock
from gtmos.crm.models import Role
from gtmos.crm.querysets import RepRecordQuerySet


class RepRowQuerySet(models.QuerySet):
    """Rows about a rep that only their managers, SLM and RevOps may see (flags, snapshots)."""

    def visible_to(self, user):
        from gtmos.crm import access

        if access.sees_everything(user):
            return self
        me = access.employee_of(user)
        if me is None:
            return self.none()
        return self.filter(rep_id__in=access.team_ids(user) - {me.pk})


class RepMetricSnapshot(models.Model):
    """One metric of one rep as of one week's end: the persistence clock's memory."""

    rep = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="metric_snapshots")
    role = models.CharField(max_length=20, choices=Role.choices)
    week = models.DateField(help_text="The Sunday the week ends on.")
    metric = models.CharField(max_length=80)
    value = models.FloatField()
    benchmark = models.FloatField(null=True)
    benchmark_kind = models.CharField(max_length=12)
    breach = models.BooleanField()
    sample = models.PositiveIntegerField(default=0)
    evidence = models.JSONField(default=dict, blank=True)

    objects = RepRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rep", "week", "metric"], name="snapshot_once_per_rep_week_metric")
        ]
        indexes = [models.Index(fields=["week", "rep"])]


class DailyFlag(models.Model):
    """A point alert to the manager (never the rep): metric, value, threshold breached, recommended action.
    Exception-only: one flag per rep and condition until the condition clears."""

    rep = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="coaching_flags")
    role = models.CharField(max_length=20, choices=Role.choices)
    day = models.DateField()
    condition = models.CharField(max_length=80, help_text="Metric code or escalation-threshold row.")
    metric = models.CharField(max_length=200, blank=True, help_text="The metric as a manager reads it.")
    value = models.FloatField()
    threshold = models.FloatField(help_text="The bound crossed, in the metric's unit.")
    bound_rule = models.TextField(blank=True, help_text="How the bound is defined (percentile, fixed, seed row).")
    detail = models.TextField()
    recommended_action = models.TextField(blank=True)
    cleared_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = RepRowQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        indexes = [models.Index(fields=["rep", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "condition"],
                condition=models.Q(cleared_on__isnull=True),
                name="flag_one_open_per_rep_condition",
            )
        ]


class DigestQuerySet(RepRecordQuerySet):
    """A rep's digest: the rep and their managers. A manager's roll-up: that manager and above."""

    rep_field = "employee"


class Digest(models.Model):
    """Seed 001's monthly digest for the prior month: the rep's coaching artifact or the manager's roll-up.
    ``content`` is the rendered data, frozen at generation so it reads the same next year."""

    class Kind(models.TextChoices):
        REP = "rep", "Rep coaching digest"
        MANAGER = "manager", "Manager pattern summary"

    employee = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="coaching_digests")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    month = models.DateField(help_text="First day of the month covered.")
    generated_on = models.DateField()
    content = models.JSONField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = DigestQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["employee", "kind", "month"], name="digest_once_per_month")]
