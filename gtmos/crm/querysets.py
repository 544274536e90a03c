from django.db import models

from . import access


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        q = access.account_q(user)
        return self if q is None else self.filter(q)


class OpportunityQuerySet(models.QuerySet):
    def visible_to(self, user):
        q = access.opportunity_q(user)
        return self if q is None else self.filter(q)


class AccountChildQuerySet(models.QuerySet):
    """Contacts, calls, usage, activities: visible with their account."""

    def visible_to(self, user):
        q = access.account_q(user, prefix="account__")
        return self if q is None else self.filter(q)


class EmployeeQuerySet(models.QuerySet):
    def visible_to(self, user):
        if access.sees_everything(user):
            return self
        return self.filter(pk__any_of=access.team_ids(user))


class RepRecordQuerySet(models.QuerySet):
    """A rep's own records (quotas, cadence touches): visible to the rep, up their manager chain, to
    their SLM, and to those who see everything."""

    rep_field = "rep"

    def visible_to(self, user):
        if access.sees_everything(user):
            return self
        return self.filter(**{f"{self.rep_field}__any_of": access.team_ids(user)})


class QuotaLedgerQuerySet(RepRecordQuerySet):
    rep_field = "quota__rep"


class CadenceEventQuerySet(RepRecordQuerySet):
    rep_field = "sdr"
