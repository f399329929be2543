"""Who may do what with support tickets: the one home of these rules (API and admin).

A ticket is its author's alone: anyone else gets "not found". Staff answer from the admin
with the `support.change_supportmessage` permission.
"""


def _is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_open_ticket(user) -> bool:
    return _is_active_user(user)


def can_view_ticket(user, ticket) -> bool:
    return _is_active_user(user) and ticket.user_id == user.pk


def can_answer_tickets(user) -> bool:
    return (
        _is_active_user(user) and user.is_staff and user.has_perm("support.change_supportmessage")
    )
