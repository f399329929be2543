"""Reads of the finance app. Owner-only reads answer "not found" for anyone else's rows."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek, TruncYear

from cnt.errors import NotFound
from finance.models import BankDetails, Donation, DonationStatus, PaymentAccount

PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "year": TruncYear}
RECEIVED_STATUSES = (DonationStatus.SUCCEEDED, DonationStatus.REFUNDED)


def bank_details_get(*, user) -> BankDetails:
    details = BankDetails.objects.filter(user=user).first()
    if details is None:
        raise NotFound("You have no bank details yet.")
    return details


def payment_account_list(*, user) -> QuerySet[PaymentAccount]:
    return PaymentAccount.objects.filter(user=user).order_by("-is_default", "-created_at", "-id")


def payment_account_get_for_user(*, user, pk) -> PaymentAccount:
    account = PaymentAccount.objects.filter(user=user, pk=pk).first()
    if account is None:
        raise NotFound()
    return account


def donation_list_for_donor(*, user) -> QuerySet[Donation]:
    """Everything the user gave, newest first, in every state."""
    return (
        Donation.objects.filter(donor=user)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )


def donation_get_for_donor(*, user, pk) -> Donation:
    donation = donation_list_for_donor(user=user).filter(pk=pk).first()
    if donation is None:
        raise NotFound()
    return donation


def donation_list_received(*, user) -> QuerySet[Donation]:
    """Completed gifts to the user's artist profile (refunds stay listed, marked refunded)."""
    return (
        Donation.objects.filter(recipient__user=user, status__in=RECEIVED_STATUSES)
        .select_related("donor")
        .order_by(F("completed_at").desc(nulls_last=True), "-id")
    )


@dataclass(frozen=True)
class DonationTotal:
    period: datetime
    recipient_id: int | None
    recipient_name: str
    currency: str
    count: int
    gross: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunded


def donation_totals(
    *, period: str = "month", start: datetime | None = None, end: datetime | None = None
) -> list[DonationTotal]:
    """Completed donations summed per period, recipient and currency (never across
    currencies), newest period first. One query."""
    trunc = PERIODS[period]
    donations = Donation.objects.filter(status__in=RECEIVED_STATUSES)
    if start is not None:
        donations = donations.filter(created_at__gte=start)
    if end is not None:
        donations = donations.filter(created_at__lt=end)
    rows = (
        donations.annotate(period=trunc("created_at"))
        .values("period", "recipient_id", "currency")
        .annotate(
            recipient_name=F("recipient__name"),
            count=Count("id"),
            gross=Sum("amount"),
            refunded=Sum("amount_refunded"),
        )
        .order_by("-period", "recipient_name", "currency")
    )
    return [
        DonationTotal(
            period=row["period"],
            recipient_id=row["recipient_id"],
            recipient_name=row["recipient_name"] or "CNT Media ministry",
            currency=row["currency"],
            count=row["count"],
            gross=row["gross"] or Decimal("0"),
            refunded=row["refunded"] or Decimal("0"),
        )
        for row in rows
    ]
