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
        return self.filter(pk__in=access.team_ids(user))
