from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from cnt.models import TimeStampedModel


class BankDetails(TimeStampedModel):
    """Where a creator's payouts go. One set per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bank_details"
    )
    account_holder_name = models.CharField(max_length=150)
    bank_name = models.CharField(max_length=150)
    account_number = models.CharField(max_length=34)
    routing_code = models.CharField(
        max_length=34, blank=True, help_text="Sort code, routing or branch number."
    )
    iban = models.CharField(max_length=34, blank=True)
    swift_bic = models.CharField(max_length=11, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    currency = models.CharField(max_length=3, default="GBP")
    is_verified = models.BooleanField(default=False)

    class Meta:
        db_table = "bank_details"
        verbose_name_plural = "bank details"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.account_holder_name} ({self.bank_name})"


class PaymentProvider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    PAYPAL = "paypal", "PayPal"


class PaymentAccount(TimeStampedModel):
    """A user's account at the payment gateway (customer or connected account)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_accounts"
    )
    provider = models.CharField(max_length=16, choices=PaymentProvider.choices)
    provider_account_id = models.CharField(max_length=128)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "payment_accounts"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_account_id"], name="payment_accounts_provider_unique"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.provider_account_id}"


class DonationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"
    CANCELLED = "cancelled", "Cancelled"


class Donation(TimeStampedModel):
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donations_made",
    )
    recipient = models.ForeignKey(
        "catalog.Artist",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donations",
        help_text="Empty for a donation to the ministry itself.",
    )
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(max_length=3, default="GBP")
    status = models.CharField(
        max_length=16, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    provider = models.CharField(max_length=16, choices=PaymentProvider.choices)
    provider_reference = models.CharField(max_length=128, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    message = models.TextField(blank=True, max_length=1000)
    is_anonymous = models.BooleanField(default=False)
    failure_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "donations"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="donations_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~models.Q(provider_reference=""),
                name="donations_provider_reference_unique",
            ),
            models.UniqueConstraint(
                fields=["donor", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="donations_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["donor", "-created_at"], name="donations_donor_idx"),
            models.Index(fields=["recipient", "status"], name="donations_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.status})"
