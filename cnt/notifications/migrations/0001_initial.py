# The notification tables move from the community app without being touched: this migration
# only tells Django's model state that they now belong here (community 0004 forgets them).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

NOTIFICATION_TYPES = [('like', 'Like'), ('comment', 'Comment'), ('follow', 'Follow'), ('content_approved', 'Content approved'), ('content_rejected', 'Content rejected'), ('media_ready', 'Media ready'), ('media_failed', 'Media failed'), ('live_started', 'Live stream started'), ('new_content', 'New content from an artist you follow'), ('reply', 'Reply to your comment'), ('donation', 'Donation'), ('support_reply', 'Support reply'), ('system', 'System')]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('community', '0003_post_types_hidden_comments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('type', models.CharField(choices=NOTIFICATION_TYPES, max_length=32)),
                        ('title', models.CharField(max_length=200)),
                        ('message', models.TextField(blank=True)),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'notifications',
                        'ordering': ['-created_at'],
                        'indexes': [
                            models.Index(fields=['recipient', '-created_at'], name='notifications_inbox_idx'),
                            models.Index(fields=['recipient', 'read_at'], name='notifications_unread_idx'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('type', models.CharField(choices=NOTIFICATION_TYPES, max_length=32)),
                        ('in_app', models.BooleanField(default=True)),
                        ('email', models.BooleanField(default=False)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'notification_preferences',
                        'constraints': [models.UniqueConstraint(fields=('user', 'type'), name='notification_preferences_unique')],
                    },
                ),
            ],
        ),
    ]
