"""Bank details: set, verify, delete, each change audited (field names, never values)."""

from django.db import IntegrityError, transaction

from finance.models import BankDetails, BankDetailsAction, BankDetailsChange

# Model fields a user sets; changing any of the account fields lifts the verification.
WRITABLE_FIELDS = (
    "account_holder_name",
    "bank_name",
    "account_number",
    "routing_code",
    "iban",
    "swift_bic",
    "country",
    "currency",
)
ACCOUNT_FIELDS = frozenset({"account_holder_name", "account_number", "routing_code", "iban"})


def _audit(*, owner_id, changed_by, action: str, fields, source: str) -> None:
    BankDetailsChange.objects.create(
        owner_id=owner_id,
        changed_by=changed_by,
        action=action,
        fields=sorted(fields),
        source=source,
    )


def bank_details_set(
    *, user, changed_by, source: str = "api", **values
) -> tuple[BankDetails, bool]:
    """Create or replace the user's bank details with normalised `values`.

    Returns (details, created). Fields left out are cleared (a full replace). Only real
    changes are audited; changing the account itself clears the verified flag.
    """
    unknown = set(values) - set(WRITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Bank details have no writable fields {sorted(unknown)}")
    values = {field: values.get(field, "") or "" for field in WRITABLE_FIELDS}
    values["currency"] = values["currency"] or "GBP"
    with transaction.atomic():
        details = BankDetails.objects.select_for_update().filter(user=user).first()
        if details is None:
            try:
                with transaction.atomic():
                    details = BankDetails.objects.create(user=user, **values)
            except IntegrityError:
                # A concurrent first save won the one-per-user constraint: update that row.
                details = BankDetails.objects.select_for_update().get(user=user)
            else:
                set_fields = [field for field, value in values.items() if value]
                _audit(
                    owner_id=user.pk,
                    changed_by=changed_by,
                    action=BankDetailsAction.CREATED,
                    fields=set_fields,
                    source=source,
                )
                return details, True
        changed = [field for field, value in values.items() if getattr(details, field) != value]
        if not changed:
            return details, False
        for field in changed:
            setattr(details, field, values[field])
        update_fields = [*changed, "updated_at"]
        if details.is_verified and ACCOUNT_FIELDS.intersection(changed):
            details.is_verified = False
            update_fields.append("is_verified")
            changed.append("is_verified")
        details.save(update_fields=update_fields)
        _audit(
            owner_id=user.pk,
            changed_by=changed_by,
            action=BankDetailsAction.UPDATED,
            fields=changed,
            source=source,
        )
    return details, False


def bank_details_set_verified(
    *, details: BankDetails, verified: bool, changed_by, source: str = "admin"
) -> bool:
    """Mark details checked (or not) by finance staff. Returns whether anything changed."""
    with transaction.atomic():
        updated = (
            BankDetails.objects.filter(pk=details.pk)
            .exclude(is_verified=verified)
            .update(is_verified=verified)
        )
        if updated:
            _audit(
                owner_id=details.user_id,
                changed_by=changed_by,
                action=BankDetailsAction.VERIFIED if verified else BankDetailsAction.UNVERIFIED,
                fields=["is_verified"],
                source=source,
            )
    details.is_verified = verified
    return bool(updated)


def bank_details_delete(*, user, changed_by, source: str = "api") -> bool:
    """Remove the user's bank details; the audit trail stays. Returns whether any existed."""
    with transaction.atomic():
        deleted, _ = BankDetails.objects.filter(user=user).delete()
        if deleted:
            _audit(
                owner_id=user.pk,
                changed_by=changed_by,
                action=BankDetailsAction.DELETED,
                fields=[],
                source=source,
            )
    return bool(deleted)
