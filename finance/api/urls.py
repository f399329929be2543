"""Routes of the finance API (included at /api/v1/ by cnt/api/urls.py; trailing slash optional).

Viewsets go on this app's own OptionalSlashRouter; plain views use cnt.api.routers.api_path.
"""

from cnt.api.routers import OptionalSlashRouter, api_path
from finance.api import views

router = OptionalSlashRouter()
router.register("finance/payment-accounts", views.PaymentAccountViewSet, basename="payment-account")
router.register("donations", views.DonationViewSet, basename="donation")

urlpatterns = [
    api_path("finance/bank-details", views.BankDetailsView.as_view(), "bank-details"),
    api_path("donations/webhook", views.DonationWebhookView.as_view(), "donation-webhook"),
    *router.urls,
]
