import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from gtmos.crm.models import Account, ConvIntelligenceCall, Employee, Opportunity, UsageDaily


def _digest():
    rows = list(Account.objects.order_by("external_id").values_list("external_id", "name", "segment", "arr"))
    rows += list(Opportunity.objects.order_by("external_id").values_list("external_id", "stage", "acv"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_seed_demo_is_deterministic_realistic_and_prints_logins(frozen_clock):
    out = io.StringIO()
    call_command("seed_demo", "--accounts", "120", "--seed", "3", stdout=out)
    first = _digest()
    printed = out.getvalue()
    # One finished bar per step, then the logins table last.
    bars = [line for line in printed.splitlines() if "[" + "#" * 24 + "]" in line]
    assert [b.split("[")[0].strip() for b in bars][:2] == ["People and teams", "Accounts, deals, calls, usage"]
    assert "White-glove deals" in bars[-2] and "Swarm reference data" in bars[-1]
    assert "rows" in bars[1]
    assert printed.rstrip().splitlines()[-1].startswith("  A prospect (no login)")
    assert "revops" in printed and "Password for every login: demo-pass-2026" in printed
    assert Employee.objects.filter(role="slm").count() == 1
    assert Employee.objects.filter(role__in=["ae", "am", "csm", "sdr"]).count() >= 38
    assert set(Account.objects.values_list("segment", flat=True)) == {"smb", "mm", "ent"}
    assert {"closed_won", "proposal"} <= set(Opportunity.objects.values_list("stage", flat=True))
    assert ConvIntelligenceCall.objects.exists() and UsageDaily.objects.exists()
    # A login works with the printed password.
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="ae1").check_password("demo-pass-2026")

    with pytest.raises(CommandError):
        call_command("seed_demo", "--accounts", "120", stdout=io.StringIO())
    call_command("seed_demo", "--if-empty", stdout=io.StringIO())  # run command path: a no-op

    call_command("flush", "--noinput")
    call_command("seed_demo", "--accounts", "120", "--seed", "3", stdout=io.StringIO())
    assert _digest() == first
