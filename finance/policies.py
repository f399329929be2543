"""Who may do what with money: the one home of these rules (API, admin and commands ask here).

Bank details and payment accounts belong to their owner alone: other users get "not found",
never the data. Finance staff see bank details in full in the admin only with the
`finance.view_bankdetails` permission; donation reports need `finance.view_donation`.
"""

VIEW_BANK_DETAILS_PERMISSION = "finance.view_bankdetails"
VIEW_DONATIONS_PERMISSION = "finance.view_donation"


def _is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_bank_details(user) -> bool:
    """Any signed-in user may keep payout details (creators need them before publishing)."""
    return _is_active_user(user)


def can_manage_payment_accounts(user) -> bool:
    return _is_active_user(user)


def can_view_full_bank_details(user) -> bool:
    """Decrypted account numbers: finance staff with the explicit permission only."""
    return _is_active_user(user) and user.is_staff and user.has_perm(VIEW_BANK_DETAILS_PERMISSION)


def can_verify_bank_details(user) -> bool:
    return _is_active_user(user) and user.is_staff and user.has_perm("finance.change_bankdetails")


def can_donate_to(user, artist) -> bool:
    """Anyone may give to any artist but their own profile."""
    return artist is None or artist.user_id != user.pk


def can_report_donations(user) -> bool:
    """Totals and CSV exports in the admin."""
    return _is_active_user(user) and user.is_staff and user.has_perm(VIEW_DONATIONS_PERMISSION)
