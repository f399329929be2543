"""Finance API shapes. Input serializers parse and normalise; services decide.

API names differ from the original columns: account_name = account_holder_name,
sort_code = routing_code, swift = swift_bic, account_id = provider_account_id.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Artist
from cnt.api.serializers import AmountField, CurrencyField, EnumField
from finance import crypto, validators
from finance.models import (
    BankDetails,
    Donation,
    DonationStatus,
    PaymentAccount,
    PaymentAccountStatus,
    PaymentProvider,
)

PROVIDER_ACCOUNT_FORMATS = {
    PaymentProvider.STRIPE: (r"^acct_[A-Za-z0-9]{6,64}$", "a Stripe account id (acct_...)"),
    PaymentProvider.PAYPAL: (r"^[A-Z0-9]{13}$", "a PayPal merchant id (13 letters or digits)"),
}


def donation_status_field(**kwargs) -> EnumField:
    return EnumField(DonationStatus.choices, "DonationStatusEnum", **kwargs)


def _normalised(function, value, field: str, **kwargs) -> str:
    try:
        return function(value, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({field: exc.messages})


# --- bank details --------------------------------------------------------------------------


class BankDetailsWriteSerializer(serializers.Serializer):
    account_name = serializers.CharField(max_length=150)
    bank_name = serializers.CharField(max_length=150)
    account_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Digits; 8 with a sort code."
    )
    sort_code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="UK sort code, NN-NN-NN."
    )
    iban = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="Checked with ISO mod-97."
    )
    swift = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text="SWIFT/BIC, 8 or 11 chars."
    )
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2."
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", required=False, allow_blank=True, help_text="Payout currency (ISO 4217)."
    )

    def validate(self, attrs):
        number = (attrs.get("account_number") or "").strip()
        sort_code = (attrs.get("sort_code") or "").strip()
        iban = (attrs.get("iban") or "").strip()
        swift = (attrs.get("swift") or "").strip()
        if not number and not iban:
            raise serializers.ValidationError(
                {"account_number": ["Give an account number (with a sort code) or an IBAN."]}
            )
        if sort_code and not number:
            raise serializers.ValidationError(
                {"account_number": ["A sort code needs its account number."]}
            )
        values = {
            "account_holder_name": attrs["account_name"].strip(),
            "bank_name": attrs["bank_name"].strip(),
            "account_number": "",
            "routing_code": "",
            "iban": "",
            "swift_bic": "",
            "country": (attrs.get("country") or "").upper(),
            "currency": (attrs.get("currency") or "").upper() or "GBP",
        }
        if sort_code:
            values["routing_code"] = _normalised(
                validators.normalise_sort_code, sort_code, "sort_code"
            )
        if number:
            values["account_number"] = _normalised(
                validators.normalise_account_number, number, "account_number", uk=bool(sort_code)
            )
        if iban:
            values["iban"] = _normalised(validators.normalise_iban, iban, "iban")
        if swift:
            values["swift_bic"] = _normalised(validators.normalise_swift, swift, "swift")
        if not values["country"]:
            values["country"] = values["iban"][:2] if values["iban"] else ""
            if not values["country"] and sort_code:
                values["country"] = "GB"
        return values


class BankDetailsSerializer(serializers.ModelSerializer):
    """The owner's bank details, masked: only the last 4 characters of each number."""

    account_name = serializers.CharField(source="account_holder_name", read_only=True)
    account_number = serializers.SerializerMethodField()
    sort_code = serializers.SerializerMethodField()
    iban = serializers.SerializerMethodField()
    swift = serializers.CharField(source="swift_bic", read_only=True)

    class Meta:
        model = BankDetails
        fields = [
            "account_name",
            "bank_name",
            "account_number",
            "sort_code",
            "iban",
            "swift",
            "country",
            "currency",
            "is_verified",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="Masked, e.g. ****5678."))
    def get_account_number(self, obj) -> str:
        return crypto.mask(obj.account_number)

    @extend_schema_field(serializers.CharField(help_text="Masked, e.g. **-**-56."))
    def get_sort_code(self, obj) -> str:
        return f"**-**-{obj.routing_code[-2:]}" if obj.routing_code else ""

    @extend_schema_field(serializers.CharField(help_text="Masked, e.g. ****1234."))
    def get_iban(self, obj) -> str:
        return crypto.mask(obj.iban)


# --- payment accounts ----------------------------------------------------------------------


class PaymentAccountSerializer(serializers.ModelSerializer):
    account_id = serializers.CharField(source="provider_account_id", read_only=True)
    status = EnumField(PaymentAccountStatus.choices, "PaymentAccountStatusEnum", read_only=True)

    class Meta:
        model = PaymentAccount
        fields = ["id", "provider", "account_id", "status", "is_default", "created_at"]
        read_only_fields = fields


class PaymentAccountWriteSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=PaymentProvider.choices)
    account_id = serializers.CharField(
        max_length=128, help_text="The account's id at the provider, e.g. acct_1Nv0Fz... at Stripe."
    )
    is_default = serializers.BooleanField(
        default=False, help_text="Make it the default (the first account always is)."
    )

    def validate(self, attrs):
        pattern, description = PROVIDER_ACCOUNT_FORMATS[attrs["provider"]]
        account_id = attrs["account_id"].strip()
        if not re.fullmatch(pattern, account_id):
            raise serializers.ValidationError({"account_id": [f"Expected {description}."]})
        return {
            "provider": attrs["provider"],
            "provider_account_id": account_id,
            "is_default": attrs["is_default"],
        }


# --- donations -----------------------------------------------------------------------------


class DonationCreateSerializer(serializers.Serializer):
    """Amount and currency are checked against the server's limits; any fee or total the
    client sends is ignored (the amount is what is charged)."""

    amount = AmountField(
        help_text='A decimal string, e.g. "25.00"; limits and currencies are set by the server.',
    )
    currency = CurrencyField(help_text="ISO 4217, e.g. GBP.")
    recipient = serializers.PrimaryKeyRelatedField(
        queryset=Artist.objects.all(),
        required=False,
        allow_null=True,
        help_text="An artist id; leave out to give to the ministry.",
    )
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    is_anonymous = serializers.BooleanField(
        default=False, help_text="Hide your name from the recipient."
    )


class DonationCreatedSerializer(serializers.Serializer):
    """The answer to a new donation (replayed as is for the same Idempotency-Key)."""

    id = serializers.IntegerField()
    status = donation_status_field()
    amount = AmountField()
    currency = CurrencyField()
    recipient = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    is_anonymous = serializers.BooleanField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField(help_text="Confirm the payment with it in the app.")
    created_at = serializers.DateTimeField()


class DonationRecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Artist
        fields = ["id", "name"]
        read_only_fields = fields


class DonationSerializer(serializers.ModelSerializer):
    """A donation as its donor sees it."""

    recipient = DonationRecipientSerializer(read_only=True, allow_null=True)
    status = donation_status_field(read_only=True)
    amount = AmountField(read_only=True)
    amount_refunded = AmountField(read_only=True)
    currency = CurrencyField(read_only=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "amount",
            "currency",
            "status",
            "recipient",
            "message",
            "is_anonymous",
            "amount_refunded",
            "failure_reason",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class DonationDonorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class DonationReceivedSerializer(serializers.ModelSerializer):
    """A donation as its recipient sees it: no donor when they gave anonymously."""

    donor = serializers.SerializerMethodField()
    status = donation_status_field(read_only=True)
    amount = AmountField(read_only=True)
    amount_refunded = AmountField(read_only=True)
    currency = CurrencyField(read_only=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "amount",
            "currency",
            "status",
            "donor",
            "message",
            "amount_refunded",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DonationDonorSerializer(allow_null=True))
    def get_donor(self, obj):
        if obj.is_anonymous or obj.donor is None:
            return None
        return {"id": obj.donor.pk, "display_name": obj.donor.display_name or obj.donor.username}


class PaymentWebhookResultSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField()
    outcome = serializers.CharField()
