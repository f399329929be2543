"""Playlist items name their content as (content_type, object_id), like plays and progress,
instead of one foreign key per kind: playlists accept every kind the registry
(catalog/kinds.py) lets into them, including kinds of apps above the catalog."""

from django.db import migrations, models

FIELDS = {"podcast": "podcast", "movie": "movie", "music": "music_track", "bible_story": "bible_story"}


def copy_references(apps, schema_editor):
    PlaylistItem = apps.get_model("catalog", "PlaylistItem")
    for content_type, field in FIELDS.items():
        PlaylistItem.objects.filter(content_type=content_type).update(
            object_id=models.F(f"{field}_id")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_podcast_scripture_reference"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="playlistitem", name="playlist_items_one_target"),
        migrations.AddField(
            model_name="playlistitem",
            name="object_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RunPython(copy_references, migrations.RunPython.noop),
        migrations.RemoveField(model_name="playlistitem", name="podcast"),
        migrations.RemoveField(model_name="playlistitem", name="movie"),
        migrations.RemoveField(model_name="playlistitem", name="music_track"),
        migrations.RemoveField(model_name="playlistitem", name="bible_story"),
        migrations.AlterField(
            model_name="playlistitem",
            name="object_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="playlistitem",
            constraint=models.UniqueConstraint(
                fields=("playlist", "content_type", "object_id"),
                name="playlist_items_content_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="playlistitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("content_type__in", ["podcast", "movie", "music", "bible_story"])
                ),
                name="playlist_items_playlist_kind",
            ),
        ),
        migrations.AddIndex(
            model_name="playlistitem",
            index=models.Index(
                fields=["content_type", "object_id"], name="playlist_items_target_idx"
            ),
        ),
    ]
