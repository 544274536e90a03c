import io

import pytest
from django.core.management import CommandError, call_command

from gtmos.crm.models import Account
from gtmos.ingest.csv_import import import_csv

pytestmark = pytest.mark.django_db

HEADER = "external_id,name,segment,owner_email,arr,renewal_date\n"


def test_a_file_with_one_bad_row_imports_nothing_and_names_row_and_field(ae):
    data = HEADER + (
        "a-1,Alpha,smb,ae@example.test,1000,2026-09-01\n"
        "a-2,Beta,huge,ae@example.test,2000,2026-09-01\n"
        "a-3,Gamma,mm,ae@example.test,3000,2026-09-01\n"
    )
    report = import_csv("accounts", io.StringIO(data))
    assert not report.ok
    assert [(e.line, e.field) for e in report.errors] == [(3, "segment")]
    assert not Account.objects.exists()


def test_every_bad_row_is_reported(ae):
    data = HEADER + (
        "a-1,Alpha,smb,ghost@example.test,1000,2026-09-01\n"
        "a-2,,mm,ae@example.test,2000,not-a-date\n"
        "a-3,Gamma,mm,ae@example.test,-4,2026-09-01\n"
    )
    report = import_csv("accounts", io.StringIO(data))
    found = {(e.line, e.field) for e in report.errors}
    assert {(2, "owner_email"), (3, "name"), (3, "renewal_date"), (4, "arr")} <= found
    assert not Account.objects.exists()


def test_good_file_imports_and_reimport_updates(ae):
    data = HEADER + "a-1,Alpha,smb,ae@example.test,1000,2026-09-01\na-2,Beta,ent,,2000,\n"
    report = import_csv("accounts", io.StringIO(data))
    assert report.ok and (report.created, report.updated) == (2, 0)
    again = import_csv("accounts", io.StringIO(data))
    assert again.ok and (again.created, again.updated) == (0, 2)
    assert Account.objects.count() == 2


def test_unknown_column_is_reported(ae):
    report = import_csv("accounts", io.StringIO("external_id,name,segment,colour\na,b,smb,red\n"))
    assert [(e.line, e.field) for e in report.errors] == [(1, "header")]


def test_command_reports_and_fails(tmp_path, ae, capsys):
    path = tmp_path / "accounts.csv"
    path.write_text(HEADER + "a-1,Alpha,smb,ae@example.test,1000,2026-09-01\na-2,Beta,nope,,1,\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_csv", "accounts", str(path))
    assert "line 3: segment" in capsys.readouterr().err
    assert not Account.objects.exists()


def test_list_columns_split_on_pipes(ae):
    import_csv("accounts", io.StringIO(HEADER + "a-1,Alpha,smb,,1000,\n"))
    data = (
        "external_id,owner_email,occurred_at,account_external_id,objections\n"
        "c-1,ae@example.test,2026-02-01T10:00:00Z,a-1,price|security review\n"
    )
    report = import_csv("calls", io.StringIO(data))
    assert report.ok, report.errors
    from gtmos.crm.models import ConvIntelligenceCall

    assert ConvIntelligenceCall.objects.get().objections == ["price", "security review"]
