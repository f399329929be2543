"""Finance API: parse -> call a selector or service -> serialize. Routes in urls.py.

Permission policy: everything here is the caller's own (401 when signed out; other users'
rows are "not found"), except the gateway webhook, which authenticates by its signature.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cnt.api.routers import ID_PATTERN, NO_CONTENT
from cnt.api.serializers import ErrorSerializer, validated
from cnt.errors import NotConfigured, NotFound
from finance import gateway, policies, selectors, services
from finance.api import serializers as s
from finance.api.throttles import DonationThrottle
from finance.models import Donation, PaymentAccount

IDEMPOTENCY_KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,128}")

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique key per donation attempt (e.g. a UUID made when the user taps Give), up to "
        "128 visible ASCII characters. Resending the same key returns the same donation and "
        "the same response; the same key with a different body is a 422."
    ),
)


class IdempotencyKeyRequired(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Send an Idempotency-Key header (1-128 visible ASCII characters).")
    default_code = "idempotency_key_required"


class CanManageBankDetails(BasePermission):
    def has_permission(self, request, view):
        return policies.can_manage_bank_details(request.user)


class CanManagePaymentAccounts(BasePermission):
    def has_permission(self, request, view):
        return policies.can_manage_payment_accounts(request.user)


# --- bank details --------------------------------------------------------------------------


@extend_schema(tags=["finance"])
class BankDetailsView(APIView):
    """`finance/bank-details`: the caller's payout account, shown masked."""

    permission_classes = [IsAuthenticated, CanManageBankDetails]

    @extend_schema(
        summary="Your bank details (masked)",
        responses={200: s.BankDetailsSerializer},
    )
    def get(self, request):
        details = selectors.bank_details_get(user=request.user)
        return Response(s.BankDetailsSerializer(details).data)

    @extend_schema(
        summary="Set your bank details",
        description=(
            "A full replace. Give an account number (with a UK sort code NN-NN-NN) or an IBAN "
            "(checked with mod-97), and optionally a SWIFT/BIC. Numbers are encrypted at rest "
            "and only ever shown masked. Changing the account lifts its verification."
        ),
        request=s.BankDetailsWriteSerializer,
        responses={200: s.BankDetailsSerializer, 201: s.BankDetailsSerializer},
    )
    def put(self, request):
        values = validated(s.BankDetailsWriteSerializer, request)
        details, created = services.bank_details_set(
            user=request.user, changed_by=request.user, **values
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.BankDetailsSerializer(details).data, status=code)

    @extend_schema(summary="Remove your bank details", responses={204: NO_CONTENT})
    def delete(self, request):
        if not services.bank_details_delete(user=request.user, changed_by=request.user):
            raise NotFound("You have no bank details.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- payment accounts ----------------------------------------------------------------------


@extend_schema(tags=["finance"])
@extend_schema_view(
    list=extend_schema(summary="Your payment gateway accounts", description="Default first."),
    retrieve=extend_schema(summary="One of your payment gateway accounts"),
    create=extend_schema(
        summary="Register a payment gateway account",
        description=(
            "Pending until finance staff activate it. Your first account is the default; "
            "`is_default` moves the default to the new one. An account already registered "
            "is a 409 with code `duplicate_account`."
        ),
        request=s.PaymentAccountWriteSerializer,
        responses={201: s.PaymentAccountSerializer, 409: ErrorSerializer},
    ),
    destroy=extend_schema(
        summary="Remove a payment gateway account",
        description="When it was the default, your newest remaining account becomes it.",
        responses={204: NO_CONTENT},
    ),
)
class PaymentAccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PaymentAccount.objects.none()
    serializer_class = s.PaymentAccountSerializer
    permission_classes = [IsAuthenticated, CanManagePaymentAccounts]
    filter_backends: list = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PaymentAccount.objects.none()
        return selectors.payment_account_list(user=self.request.user)

    def get_object(self):
        return selectors.payment_account_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = validated(s.PaymentAccountWriteSerializer, request)
        account = services.payment_account_create(user=request.user, **data)
        return Response(self.get_serializer(account).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.payment_account_delete(account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Make an account your default",
        request=None,
        responses={200: s.PaymentAccountSerializer},
    )
    @action(detail=True, methods=["post"])
    def default(self, request, pk=None):
        account = services.payment_account_set_default(account=self.get_object())
        return Response(self.get_serializer(account).data)


# --- donations -----------------------------------------------------------------------------


@extend_schema(tags=["donations"])
@extend_schema_view(
    list=extend_schema(summary="Your donations", description="Newest first, in every state."),
    retrieve=extend_schema(
        summary="One of your donations", description="Poll it for the outcome of a payment."
    ),
)
class DonationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Donation.objects.none()
    serializer_class = s.DonationSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = [DonationThrottle]
    filter_backends: list = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Donation.objects.none()
        return selectors.donation_list_for_donor(user=self.request.user)

    def get_object(self):
        return selectors.donation_get_for_donor(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Give to the ministry or an artist",
        description=(
            "Starts a card payment: answers the donation (status `pending`) with the "
            "PaymentIntent's `client_secret`, which the app confirms with the gateway's SDK. "
            "The donation becomes `succeeded` only when the gateway confirms it by webhook; "
            "then a receipt is emailed. Amount and currency are checked against the server's "
            "limits (at most 2 decimal places); fees or totals sent by the client are ignored. "
            "503 `not_configured` when this server has no payment gateway; 409 "
            "`idempotency_in_progress` while the first request with the key still runs."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=s.DonationCreateSerializer,
        responses={
            201: s.DonationCreatedSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
            502: ErrorSerializer,
        },
        examples=[
            OpenApiExample(
                "To an artist",
                value={"amount": "25.00", "currency": "GBP", "recipient": 12, "message": "Bless"},
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY_FORMAT.fullmatch(key):
            raise IdempotencyKeyRequired()
        data = validated(s.DonationCreateSerializer, request)
        result = services.donation_submit(donor=request.user, idempotency_key=key, **data)
        headers = {"Idempotent-Replayed": "true"} if result.replayed else None
        return Response(result.body, status=result.status_code, headers=headers)

    @extend_schema(
        summary="Donations you received",
        description="Completed donations to your artist profile (refunds marked `refunded`).",
        responses={200: s.DonationReceivedSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def received(self, request):
        page = self.paginate_queryset(selectors.donation_list_received(user=request.user))
        return self.get_paginated_response(s.DonationReceivedSerializer(page, many=True).data)


@extend_schema(tags=["donations"])
class DonationWebhookView(APIView):
    """`donations/webhook`: the payment gateway's events, verified by signature."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="Payment gateway webhook",
        description=(
            "Called by the gateway, not by apps. The `Stripe-Signature` header is verified over "
            "the raw body (with a timestamp tolerance); each event id is applied once, in any "
            "order. 400 `invalid_signature`, `stale_signature` or `invalid_payload` (a verified "
            "event whose fields do not fit is recorded with outcome `rejected`); 503 "
            "`not_configured` without a webhook secret."
        ),
        auth=[],
        parameters=[
            OpenApiParameter(
                "Stripe-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True
            )
        ],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: s.PaymentWebhookResultSerializer},
    )
    def post(self, request):
        if not gateway.webhooks_configured():
            raise NotConfigured("Payment webhooks are not configured on this server.")
        event = gateway.webhook_event_parse(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        result = services.webhook_event_apply(event=event, payload=request.body)
        return Response(
            {"received": True, "duplicate": result.duplicate, "outcome": result.outcome}
        )
