"""factory_boy factories shared by every test module."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

DEFAULT_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    is_email_verified = True

    class Params:
        # An account in good standing: verified and older than any reporter-age setting.
        established = factory.Trait(
            date_joined=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
        )

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])
