from decimal import Decimal

import factory

from catalog.models import Artist
from finance.models import BankDetails, Donation, DonationStatus, PaymentAccount
from tests.factories import UserFactory


class ArtistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artist

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Artist {n}")


class BankDetailsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankDetails

    user = factory.SubFactory(UserFactory)
    account_holder_name = "Grace Hopper"
    bank_name = "Barclays"
    account_number = "31926819"
    routing_code = "20-00-00"
    country = "GB"


class PaymentAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentAccount

    user = factory.SubFactory(UserFactory)
    provider = "stripe"
    provider_account_id = factory.Sequence(lambda n: f"acct_test{n:08d}")


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donation

    donor = factory.SubFactory(UserFactory)
    amount = Decimal("10.00")
    currency = "GBP"
    provider = "stripe"
    status = DonationStatus.PENDING
    provider_reference = factory.Sequence(lambda n: f"pi_seed{n}")
