from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from cnt.models import TimeStampedModel
from finance.crypto import EncryptedTextField


class BankDetails(TimeStampedModel):
    """Where a creator's payouts go. One set per user.

    Account number, sort code and IBAN are encrypted at rest (finance/crypto.py); the API
    shows them masked to the owner only, the admin in full behind `finance.view_bankdetails`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bank_details"
    )
    account_holder_name = models.CharField(max_length=150)
    bank_name = models.CharField(max_length=150)
    account_number = EncryptedTextField(blank=True)
    routing_code = EncryptedTextField(blank=True, help_text="UK sort code, NN-NN-NN.")
    iban = EncryptedTextField(blank=True)
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


class BankDetailsAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    VERIFIED = "verified", "Verified"
    UNVERIFIED = "unverified", "Unverified"
    DELETED = "deleted", "Deleted"


class BankDetailsChange(models.Model):
    """Audit trail of bank details: who changed which fields when. Never the values."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="bank_details_changes",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=BankDetailsAction.choices)
    fields = models.JSONField(default=list, blank=True, help_text="Names of the changed fields.")
    source = models.CharField(max_length=16, default="api", help_text="api, admin or command")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "bank_details_changes"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="bank_changes_owner_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.fields} by {self.changed_by_id}"


class PaymentProvider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    PAYPAL = "paypal", "PayPal"


class PaymentAccountStatus(models.TextChoices):
    PENDING = "pending", "Pending verification"
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"


class PaymentAccount(TimeStampedModel):
    """A user's account at the payment gateway (e.g. a Stripe connected account)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_accounts"
    )
    provider = models.CharField(max_length=16, choices=PaymentProvider.choices)
    provider_account_id = models.CharField(max_length=128)
    status = models.CharField(
        max_length=16, choices=PaymentAccountStatus.choices, default=PaymentAccountStatus.PENDING
    )
    is_default = models.BooleanField(default=False)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "payment_accounts"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_account_id"], name="payment_accounts_provider_unique"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="payment_accounts_one_default",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="payment_accounts_user_idx")]

    def __str__(self):
        return f"{self.provider}:{self.provider_account_id}"


class DonationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"
    CANCELLED = "cancelled", "Cancelled"


class Donation(TimeStampedModel):
    """A gift to the ministry or an artist. Becomes `succeeded` only from a verified webhook.

    The row is inserted before the gateway is called: (donor, idempotency_key) is unique, so a
    double submit makes one row and one gateway call, and the stored response is replayed.
    """

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
    request_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the validated request it was made from."
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = EncryptedTextField(
        blank=True, help_text="The JSON answered first, replayed for the same key (encrypted)."
    )
    gateway_attempted_at = models.DateTimeField(
        null=True, blank=True, help_text="When a request last claimed the gateway call."
    )
    message = models.TextField(blank=True, max_length=1000)
    is_anonymous = models.BooleanField(default=False)
    failure_reason = models.TextField(blank=True)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    completed_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

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
            models.Index(fields=["status", "created_at"], name="donations_status_idx"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.status})"


class ProcessedWebhookEvent(models.Model):
    """A gateway event already applied. Inserted in the same transaction as its effect, so
    a duplicate or concurrent delivery of the same event id is applied once."""

    provider = models.CharField(
        max_length=16, choices=PaymentProvider.choices, default=PaymentProvider.STRIPE
    )
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    donation = models.ForeignKey(
        Donation, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_events"
    )
    outcome = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payment_webhook_events"
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payment_webhook_events_unique"
            )
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
