"""A user's gateway accounts. Exactly one is the default while any exist.

Changes to one user's accounts are serialised on the user's row lock, so concurrent
"make default" and delete requests never leave zero or two defaults (the partial unique
constraint `payment_accounts_one_default` backs this up).
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from cnt.errors import Conflict
from finance.models import PaymentAccount, PaymentAccountStatus


def _lock_user(user_id) -> None:
    get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk").first()


def payment_account_create(
    *, user, provider: str, provider_account_id: str, is_default: bool = False
) -> PaymentAccount:
    """Register an account (pending until finance staff activate it). The first account is
    the default; `is_default` moves the default to the new one."""
    with transaction.atomic():
        _lock_user(user.pk)
        accounts = PaymentAccount.objects.filter(user=user)
        make_default = is_default or not accounts.exists()
        if make_default:
            accounts.filter(is_default=True).update(is_default=False)
        try:
            with transaction.atomic():
                return PaymentAccount.objects.create(
                    user=user,
                    provider=provider,
                    provider_account_id=provider_account_id,
                    is_default=make_default,
                )
        except IntegrityError:
            raise Conflict("This gateway account is already registered.", code="duplicate_account")


def payment_account_set_default(*, account: PaymentAccount) -> PaymentAccount:
    with transaction.atomic():
        _lock_user(account.user_id)
        PaymentAccount.objects.filter(user_id=account.user_id, is_default=True).exclude(
            pk=account.pk
        ).update(is_default=False)
        PaymentAccount.objects.filter(pk=account.pk).update(is_default=True)
    account.is_default = True
    return account


def payment_account_delete(*, account: PaymentAccount) -> None:
    """Delete an account; when it was the default, the newest remaining one takes over."""
    with transaction.atomic():
        _lock_user(account.user_id)
        was_default = PaymentAccount.objects.filter(pk=account.pk, is_default=True).exists()
        PaymentAccount.objects.filter(pk=account.pk).delete()
        if was_default:
            successor = (
                PaymentAccount.objects.filter(user_id=account.user_id)
                .order_by("-created_at", "-id")
                .first()
            )
            if successor is not None:
                PaymentAccount.objects.filter(pk=successor.pk).update(is_default=True)


def payment_account_set_status(*, account: PaymentAccount, status: str) -> PaymentAccount:
    """Finance staff activate or disable an account (from the admin)."""
    PaymentAccountStatus(status)
    PaymentAccount.objects.filter(pk=account.pk).update(status=status)
    account.status = status
    return account
