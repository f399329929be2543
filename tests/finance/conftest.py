import pytest
from cryptography.fernet import Fernet

from tests.finance import fake_stripe

# Two fixed keys so tests can rotate from one to the other.
KEY_OLD = Fernet.generate_key().decode()
KEY_NEW = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _finance_settings(settings):
    settings.FINANCE_ENCRYPTION_KEYS = [KEY_OLD]
    settings.DONATION_MIN_AMOUNT = "1.00"
    settings.DONATION_MAX_AMOUNT = "10000.00"
    settings.DONATION_CURRENCIES = ["GBP", "USD", "EUR", "NGN"]
    settings.PAYMENT_GATEWAY_SECRET_KEY = ""
    settings.PAYMENT_GATEWAY_WEBHOOK_SECRET = ""
    settings.PAYMENT_GATEWAY_API_BASE = ""


@pytest.fixture
def stripe_server():
    fake, server = fake_stripe.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(settings, stripe_server):
    """The real Stripe SDK pointed at the local fake server."""
    settings.PAYMENT_GATEWAY_SECRET_KEY = fake_stripe.SECRET_KEY
    settings.PAYMENT_GATEWAY_WEBHOOK_SECRET = fake_stripe.WEBHOOK_SECRET
    settings.PAYMENT_GATEWAY_API_BASE = stripe_server.url
    return stripe_server
