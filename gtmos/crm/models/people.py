from django.conf import settings
from django.db import models

from ..querysets import EmployeeQuerySet


class Role(models.TextChoices):
    AE = "ae", "Account Executive"
    AM = "am", "Account Manager"
    CSM = "csm", "Customer Success Manager"
    SDR = "sdr", "Sales Development Rep"
    SE = "se", "Sales Engineer"
    IMPLEMENTATION_ENGINEER = "impl_engineer", "Implementation Engineer"
    POST_SALES = "post_sales", "Post-sales"
    MANAGER = "manager", "Manager"
    SLM = "slm", "Second-line manager"
    REVOPS = "revops", "RevOps"
    EXECUTIVE = "exec", "Executive / CRO"


# The four roles AGT-701 coaches; everyone else is a manager, a specialist or an admin.
REP_ROLES = (Role.AE, Role.AM, Role.CSM, Role.SDR)


class Employee(models.Model):
    """A person on the revenue team. ``manager`` and ``slm`` form the chain that access and
    escalations (week-3 SLM, comp-hold notices) walk."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, db_index=True)
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    slm = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slm_org",
        help_text="Second-line manager: receives escalations and overrides holds.",
    )
    segment = models.CharField(max_length=10, blank=True, help_text="Segment the rep covers, if any.")
    territory = models.CharField(max_length=100, blank=True)
    hired_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
