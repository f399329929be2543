"""Finance in Django Admin: decrypted bank details behind a permission, donation reports."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from finance.models import BankDetailsChange, DonationStatus
from tests.factories import UserFactory
from tests.finance.factories import ArtistFactory, BankDetailsFactory, DonationFactory

pytestmark = pytest.mark.django_db


def staff(*perms):
    user = UserFactory(is_staff=True)
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return user


def test_staff_without_the_permission_cannot_see_bank_details(client):
    details = BankDetailsFactory()
    client.force_login(staff("finance.change_bankdetails"))
    assert client.get("/admin/finance/bankdetails/").status_code == 403
    assert client.get(f"/admin/finance/bankdetails/{details.pk}/change/").status_code == 403


def test_finance_staff_see_them_decrypted_on_the_detail_page_only(client):
    details = BankDetailsFactory()
    client.force_login(staff("finance.view_bankdetails"))
    changelist = client.get("/admin/finance/bankdetails/").content.decode()
    assert "****6819" in changelist
    assert "31926819" not in changelist
    page = client.get(f"/admin/finance/bankdetails/{details.pk}/change/").content.decode()
    assert "31926819" in page
    assert "20-00-00" in page


def test_verifying_is_an_audited_action(client):
    details = BankDetailsFactory()
    admin = staff("finance.view_bankdetails", "finance.change_bankdetails")
    client.force_login(admin)
    response = client.post(
        "/admin/finance/bankdetails/",
        {"action": "mark_verified", "_selected_action": [details.pk]},
    )
    assert response.status_code == 302
    details.refresh_from_db()
    assert details.is_verified is True
    change = BankDetailsChange.objects.get()
    assert (change.action, change.fields, change.changed_by, change.source) == (
        "verified",
        ["is_verified"],
        admin,
        "admin",
    )


def test_the_csv_export_lists_the_selected_donations(client):
    artist = ArtistFactory(name="=HYPERLINK(evil)")
    donation = DonationFactory(recipient=artist, amount=Decimal("7.50"))
    client.force_login(staff("finance.view_donation"))
    response = client.post(
        "/admin/finance/donation/",
        {"action": "export_csv", "_selected_action": [donation.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:7] == ["id", "created_at", "completed_at", "status", "amount",
                           "amount_refunded", "currency"]  # fmt: skip
    assert rows[1][0] == str(donation.pk)
    assert rows[1][4] == "7.50"
    assert rows[1][8] == "'=HYPERLINK(evil)"  # no formula injection


def test_totals_by_month_and_recipient_with_csv(client):
    artist = ArtistFactory(name="Choir")
    for amount in ("10.00", "5.50"):
        DonationFactory(recipient=artist, amount=Decimal(amount), status=DonationStatus.SUCCEEDED)
    DonationFactory(
        recipient=artist,
        amount=Decimal("4.00"),
        status=DonationStatus.REFUNDED,
        amount_refunded=Decimal("4.00"),
    )
    DonationFactory(amount=Decimal("100.00"), status=DonationStatus.SUCCEEDED)  # the ministry
    DonationFactory(recipient=artist, amount=Decimal("3.00"), currency="USD",
                    status=DonationStatus.SUCCEEDED)  # fmt: skip
    DonationFactory(recipient=artist, amount=Decimal("999.00"))  # pending: not counted
    client.force_login(staff("finance.view_donation"))
    page = client.get("/admin/finance/donation/totals/")
    assert page.status_code == 200
    assert "Choir" in page.content.decode()
    response = client.get("/admin/finance/donation/totals/?period=month&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_key = {(r["recipient"], r["currency"]): r for r in rows}
    assert by_key[("Choir", "GBP")]["count"] == "3"
    assert by_key[("Choir", "GBP")]["gross"] == "19.50"
    assert by_key[("Choir", "GBP")]["refunded"] == "4.00"
    assert by_key[("Choir", "GBP")]["net"] == "15.50"
    assert by_key[("Choir", "USD")]["gross"] == "3.00"
    assert by_key[("CNT Media ministry", "GBP")]["gross"] == "100.00"
    assert len(rows) == 3


def test_reports_need_the_donation_permission(client):
    client.force_login(staff("finance.view_bankdetails"))
    assert client.get("/admin/finance/donation/totals/").status_code == 403
