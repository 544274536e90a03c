import pytest

from gtmos.crm.models import Role
from tests.factories import AccountFactory, EmployeeFactory, OpportunityFactory


class Team:
    """SLM → manager → (ae, csm); a second manager → other_ae; RevOps sees everything."""

    def __init__(self):
        self.slm = EmployeeFactory(role=Role.SLM, user__username="slm")
        self.manager = EmployeeFactory(role=Role.MANAGER, manager=self.slm, slm=self.slm, user__username="mgr")
        self.ae = EmployeeFactory(role=Role.AE, manager=self.manager, slm=self.slm, user__username="ae")
        self.csm = EmployeeFactory(role=Role.CSM, manager=self.manager, slm=self.slm, user__username="csm")
        self.other_manager = EmployeeFactory(role=Role.MANAGER, user__username="mgr2")
        self.other_ae = EmployeeFactory(role=Role.AE, manager=self.other_manager, user__username="ae2")
        self.revops = EmployeeFactory(role=Role.REVOPS, user__username="revops")
        self.account = AccountFactory(owner=self.ae, csm=self.csm, name="Visible Co")
        self.other_account = AccountFactory(owner=self.other_ae, name="Hidden Co")
        self.opportunity = OpportunityFactory(account=self.account)
        self.other_opportunity = OpportunityFactory(account=self.other_account)


@pytest.fixture
def team(db):
    return Team()
