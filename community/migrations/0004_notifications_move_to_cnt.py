# Notification and NotificationPreference now live in cnt.notifications (label
# "notifications"). State only: the tables stay as they are. Their content types follow them,
# so permissions granted on them keep working.

from django.db import migrations

MOVED = ("notification", "notificationpreference")


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label="notifications", model__in=MOVED).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(app_label="community", model__in=MOVED).exclude(
        model__in=taken
    ).update(app_label="notifications")


def content_types_return(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label="community", model__in=MOVED).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(app_label="notifications", model__in=MOVED).exclude(
        model__in=taken
    ).update(app_label="community")


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0003_post_types_hidden_comments'),
        ('notifications', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='Notification'),
                migrations.DeleteModel(name='NotificationPreference'),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
