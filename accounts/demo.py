"""Demo accounts: the admin, a moderator, three creators and three listeners."""

from django.conf import settings

from accounts.models import User

CREATORS = [
    ("pastor_james", "Pastor James", "Sunday sermons and midweek Bible study."),
    ("grace_choir", "Grace Choir", "The worship team of Christ New Tabernacle."),
    ("kingdom_films", "Kingdom Films", "Short films about faith and family."),
]
LISTENERS = ("ruth", "peter", "mary")


def _user(context, username, *, password, **defaults):
    user, created = context.get_or_create(User, username=username, defaults=defaults)
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    context.users[username] = user
    return user, created


def seed(context) -> None:
    password = settings.DEMO_ADMIN_PASSWORD
    _, created = _user(
        context,
        "admin",
        password=password,
        email="admin@cnt.local",
        display_name="CNT Admin",
        is_staff=True,
        is_superuser=True,
        is_email_verified=True,
    )
    if created:
        context.messages.append(f"Demo admin: username 'admin', password '{password}' at /admin/")
    else:
        context.messages.append("Demo admin 'admin' already exists (password unchanged).")
    # Made a staff moderator by the catalogue's demo (catalog.moderators.moderator_grant, the
    # service behind `manage.py grant_moderator`), which knows what moderators may do.
    _user(
        context,
        "moderator",
        password=password,
        email="moderator@cnt.local",
        display_name="Content Moderator",
        is_email_verified=True,
    )
    for username, name, bio in CREATORS:
        _user(
            context,
            username,
            password=password,
            email=f"{username}@cnt.local",
            display_name=name,
            bio=bio,
            is_email_verified=True,
        )
    for username in LISTENERS:
        _user(
            context,
            username,
            password=password,
            email=f"{username}@cnt.local",
            display_name=username.title(),
            is_email_verified=True,
        )
