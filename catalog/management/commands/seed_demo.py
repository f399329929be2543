"""Load demo data: an admin, creators, approved content with real generated media, a feed.

Idempotent: rows are found by natural keys and created only when missing, so running it
again adds nothing. Media files are generated locally with FFmpeg and Pillow.
"""

import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from bible.models import BibleStory, DocumentAsset
from bible.services import scripture_links_set
from catalog.lexicon import lexicon_rebuild
from catalog.models import (
    Artist,
    ArtistFollower,
    Category,
    CategoryKind,
    Movie,
    MusicTrack,
    Playlist,
    PlaylistItem,
    Podcast,
)
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification, NotificationType
from community.models import Comment, CommunityPost, Like
from live.models import LiveStream, StreamKind
from media import samples
from media.models import AssetKind, AssetPurpose
from media.services import asset_create_from_path
from support.models import SupportMessage

CATEGORIES = [
    ("Sermons", "sermons", CategoryKind.PODCAST),
    ("Bible Study", "bible-study", CategoryKind.PODCAST),
    ("Worship", "worship", CategoryKind.MUSIC),
    ("Gospel", "gospel", CategoryKind.MUSIC),
    ("Faith Films", "faith-films", CategoryKind.MOVIE),
    ("Old Testament", "old-testament", CategoryKind.BIBLE),
    ("Testimonies", "testimonies", CategoryKind.COMMUNITY),
]

CREATORS = [
    ("pastor_james", "Pastor James", "Sunday sermons and midweek Bible study."),
    ("grace_choir", "Grace Choir", "The worship team of Christ New Tabernacle."),
    ("kingdom_films", "Kingdom Films", "Short films about faith and family."),
]

PODCASTS = [
    ("Walking by Faith", "pastor_james", "sermons", 1),
    ("The Good Shepherd", "pastor_james", "sermons", 2),
    ("Romans, Chapter 8", "pastor_james", "bible-study", 3),
    ("Prayer That Moves Mountains", "pastor_james", "sermons", 4),
]
# The passages each episode is about (found by GET bible/passages).
PODCAST_PASSAGES = {
    1: "Hebrews 11:1-6",
    2: "John 10:11-18; Psalm 23",
    3: "Romans 8",
    4: "Mark 11:22-25",
}
TRACKS = [
    ("Amazing Grace", "grace_choir", "worship", "Hymns of Grace", 392),
    ("How Great Thou Art", "grace_choir", "worship", "Hymns of Grace", 440),
    ("Oh Happy Day", "grace_choir", "gospel", "Joyful Noise", 494),
    ("This Little Light", "grace_choir", "gospel", "Joyful Noise", 523),
]
MOVIES = [
    ("The Prodigal Returns", "kingdom_films", "faith-films", 2024),
    ("A Mustard Seed", "kingdom_films", "faith-films", 2025),
]
STORIES = [
    ("Jonah and the Great Fish", "Jonah 1-4"),
    ("David and Goliath", "1 Samuel 17"),
]
POSTS = [
    ("testimony", "God provided a job the week our savings ran out. Never stop praying!"),
    ("prayer_request", "Please pray for my mother's surgery on Thursday."),
    ("quote", "Be still, and know that I am God. — Psalm 46:10"),
    ("general", "Who is coming to the youth retreat next month?"),
    ("general", "The choir's new album made my commute a worship service."),
]


PURPOSE_OF_PREFIX = {
    "audio": AssetPurpose.AUDIO,
    "video": AssetPurpose.VIDEO,
    "animated-bible-stories": AssetPurpose.BIBLE_STORY,
    "images/profiles": AssetPurpose.PROFILE,
    "images/thumbnails": AssetPurpose.THUMBNAIL,
    "images/movies": AssetPurpose.MOVIE_POSTER,
    "documents": AssetPurpose.DOCUMENT,
}


class Command(BaseCommand):
    help = "Load demo data (idempotent): admin, creators, content with generated media, feed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-media", action="store_true", help="Skip generating audio/video/image files."
        )

    def handle(self, *args, **options):
        self.with_media = not options["no_media"] and samples.ffmpeg_available()
        if not options["no_media"] and not self.with_media:
            self.stderr.write(
                "FFmpeg not found: demo rows are created without media. "
                "Install it (apt-get install ffmpeg) and run seed_demo again to add media."
            )
        self.created = 0
        self.tmp = Path(tempfile.mkdtemp(prefix="cnt-seed-"))
        steps = [
            ("admin", self.seed_admin),
            ("categories", self.seed_categories),
            ("users", self.seed_users),
            ("podcasts", self.seed_podcasts),
            ("music", self.seed_music),
            ("movies", self.seed_movies),
            ("bible", self.seed_bible),
            ("community", self.seed_community),
            ("playlists", self.seed_playlists),
            ("live", self.seed_live),
            ("support", self.seed_support),
            # Rows above are written directly; typo correction learns their words here.
            ("search words", lexicon_rebuild),
        ]
        try:
            with tqdm(total=len(steps), desc="seed_demo", unit="step", file=self.stdout) as bar:
                for name, step in steps:
                    bar.set_postfix_str(name)
                    with transaction.atomic():
                        step()
                    bar.update(1)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {self.created} rows created."))
        self.stdout.write(self.admin_message)

    # --- helpers ---------------------------------------------------------------------
    def _get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        self.created += int(created)
        return obj, created

    def _store(self, owner, kind, prefix, suffix, data: bytes, content_type, **extra):
        """Store generated media the way an upload is stored: validated by content, under the
        layout, and (audio, video) processed by the pipeline once the step commits."""
        path = self.tmp / f"{uuid.uuid4()}{suffix}"
        path.write_bytes(data)
        self.created += 1
        return asset_create_from_path(
            owner=owner, purpose=PURPOSE_OF_PREFIX[prefix], path=path, filename=f"demo{suffix}"
        )

    def _image(self, owner, prefix, text, color):
        data = samples.make_image_bytes(text, color=color)
        return self._store(
            owner, AssetKind.IMAGE, prefix, ".jpg", data, "image/jpeg", width=640, height=360
        )

    def _audio(self, owner, frequency, seconds=4.0):
        if not self.with_media:
            return None
        path = samples.make_tone(
            self.tmp / f"{uuid.uuid4()}.mp3", seconds=seconds, frequency=frequency
        )
        return self._store(
            owner, AssetKind.AUDIO, "audio", ".mp3", path.read_bytes(), "audio/mpeg",
            duration_seconds=seconds,
        )  # fmt: skip

    def _video(self, owner, prefix, seconds=3.0, tone=330):
        if not self.with_media:
            return None
        path = samples.make_video(self.tmp / f"{uuid.uuid4()}.mp4", seconds=seconds, tone=tone)
        return self._store(
            owner, AssetKind.VIDEO, prefix, ".mp4", path.read_bytes(), "video/mp4",
            duration_seconds=seconds, width=320, height=240,
        )  # fmt: skip

    def _approved(self, moderator):
        return {
            "status": ModerationStatus.APPROVED,
            "moderated_by": moderator,
            "moderated_at": timezone.now(),
            "published_at": timezone.now(),
        }

    # --- steps -----------------------------------------------------------------------
    def seed_admin(self):
        User = get_user_model()
        password = settings.DEMO_ADMIN_PASSWORD
        admin, created = self._get_or_create(
            User,
            username="admin",
            defaults={
                "email": "admin@cnt.local",
                "display_name": "CNT Admin",
                "is_staff": True,
                "is_superuser": True,
                "is_email_verified": True,
            },
        )
        if created:
            admin.set_password(password)
            admin.save(update_fields=["password"])
            self.admin_message = f"Demo admin: username 'admin', password '{password}' at /admin/"
        else:
            self.admin_message = "Demo admin 'admin' already exists (password unchanged)."
        moderators, _ = self._get_or_create(Group, name="moderators")
        moderator, created = self._get_or_create(
            User,
            username="moderator",
            defaults={
                "email": "moderator@cnt.local",
                "display_name": "Content Moderator",
                "is_staff": True,
                "is_email_verified": True,
            },
        )
        if created:
            moderator.set_password(password)
            moderator.save(update_fields=["password"])
            moderator.groups.add(moderators)
        self.admin = admin

    def seed_categories(self):
        self.categories = {}
        for position, (name, slug, kind) in enumerate(CATEGORIES):
            category, _ = self._get_or_create(
                Category, slug=slug, defaults={"name": name, "kind": kind, "position": position}
            )
            self.categories[slug] = category

    def seed_users(self):
        User = get_user_model()
        self.artists = {}
        colors = [(120, 60, 40), (40, 110, 80), (70, 50, 120)]
        for (username, name, bio), color in zip(CREATORS, colors, strict=True):
            user, created = self._get_or_create(
                User,
                username=username,
                defaults={
                    "email": f"{username}@cnt.local",
                    "display_name": name,
                    "bio": bio,
                    "is_email_verified": True,
                },
            )
            if created:
                user.set_password(settings.DEMO_ADMIN_PASSWORD)
                user.avatar = self._image(user, "images/profiles", name, color)
                user.save()
            artist, _ = self._get_or_create(Artist, user=user, defaults={"name": name, "bio": bio})
            self.artists[username] = artist
        self.listeners = []
        for username in ("ruth", "peter", "mary"):
            listener, created = self._get_or_create(
                User,
                username=username,
                defaults={
                    "email": f"{username}@cnt.local",
                    "display_name": username.title(),
                    "is_email_verified": True,
                },
            )
            if created:
                listener.set_password(settings.DEMO_ADMIN_PASSWORD)
                listener.save(update_fields=["password"])
            self.listeners.append(listener)
            for artist in self.artists.values():
                _, followed = self._get_or_create(ArtistFollower, artist=artist, user=listener)
        for artist in self.artists.values():
            artist.followers_count = artist.follower_links.count()
            artist.save(update_fields=["followers_count"])

    def seed_podcasts(self):
        for title, creator, category, episode in PODCASTS:
            artist = self.artists[creator]
            podcast, created = self._get_or_create(
                Podcast,
                title=title,
                owner=artist.user,
                defaults={
                    "artist": artist,
                    "category": self.categories[category],
                    "episode_number": episode,
                    "description": f"Episode {episode} of the Sunday teaching series.",
                    # The last episode waits for a moderator, to show the approval queue.
                    **(self._approved(self.admin) if episode < 4 else {}),
                },
            )
            if created:
                podcast.audio = self._audio(artist.user, 220 + 40 * episode)
                podcast.thumbnail = self._image(
                    artist.user, "images/thumbnails", title, (120, 60, 40)
                )
                podcast.duration_seconds = 4 if podcast.audio else 0
                podcast.save()
                podcast.scripture_reference = scripture_links_set(
                    content_type="podcast",
                    object_id=podcast.pk,
                    reference=PODCAST_PASSAGES[episode],
                )
                podcast.save(update_fields=["scripture_reference"])

    def seed_music(self):
        for number, (title, creator, category, album, tone) in enumerate(TRACKS, start=1):
            artist = self.artists[creator]
            track, created = self._get_or_create(
                MusicTrack,
                title=title,
                owner=artist.user,
                defaults={
                    "artist": artist,
                    "category": self.categories[category],
                    "album": album,
                    "genre": category.title(),
                    "track_number": number,
                    **self._approved(self.admin),
                },
            )
            if created:
                track.audio = self._audio(artist.user, tone)
                track.thumbnail = self._image(
                    artist.user, "images/thumbnails", album, (40, 110, 80)
                )
                track.duration_seconds = 4 if track.audio else 0
                track.save()

    def seed_movies(self):
        for title, creator, category, year in MOVIES:
            artist = self.artists[creator]
            movie, created = self._get_or_create(
                Movie,
                title=title,
                owner=artist.user,
                defaults={
                    "artist": artist,
                    "category": self.categories[category],
                    "release_year": year,
                    "director": artist.name,
                    **self._approved(self.admin),
                },
            )
            if created:
                movie.video = self._video(artist.user, "video")
                movie.poster = self._image(artist.user, "images/movies", title, (70, 50, 120))
                movie.duration_seconds = 3 if movie.video else 0
                movie.save()

    def seed_bible(self):
        for title, reference in STORIES:
            story, created = self._get_or_create(
                BibleStory,
                title=title,
                owner=self.admin,
                defaults={
                    "scripture_reference": reference,
                    "category": self.categories["old-testament"],
                    "description": f"An animated telling of {reference}.",
                    "status": ModerationStatus.APPROVED,
                    "moderated_by": self.admin,
                    "moderated_at": timezone.now(),
                },
            )
            if created:
                story.video = self._video(self.admin, "animated-bible-stories", tone=262)
                story.thumbnail = self._image(self.admin, "images/thumbnails", title, (20, 90, 130))
                story.duration_seconds = 3 if story.video else 0
                story.save()
        if not DocumentAsset.objects.filter(title="Gospel of John (study edition)").exists():
            pdf = samples.make_image_bytes("Gospel of John", size=(612, 792), fmt="PDF")
            asset = self._store(
                self.admin, AssetKind.DOCUMENT, "documents", ".pdf", pdf, "application/pdf"
            )
            self._get_or_create(
                DocumentAsset,
                title="Gospel of John (study edition)",
                defaults={"file": asset, "page_count": 1, "uploaded_by": self.admin},
            )

    def seed_community(self):
        authors = [*self.listeners, *(a.user for a in self.artists.values())]
        for index, (post_type, body) in enumerate(POSTS):
            author = authors[index % len(authors)]
            post, created = self._get_or_create(
                CommunityPost,
                author=author,
                body=body,
                defaults={
                    "post_type": post_type,
                    "category": self.categories["testimonies"],
                    "status": ModerationStatus.APPROVED,
                    "moderated_by": self.admin,
                    "moderated_at": timezone.now(),
                },
            )
            if not created:
                continue
            for fan in self.listeners:
                if fan != author:
                    self._get_or_create(Like, post=post, user=fan)
            commenter = next(fan for fan in self.listeners if fan != author)
            self._get_or_create(Comment, post=post, author=commenter, body="Amen! 🙏")
            post.likes_count = post.likes.count()
            post.comments_count = post.comments.count()
            post.save(update_fields=["likes_count", "comments_count"])
            self._get_or_create(
                Notification,
                recipient=author,
                type=NotificationType.COMMENT,
                title=f"{commenter.display_name} commented on your post",
                defaults={"actor": commenter, "data": {"post_id": post.id}},
            )

    def seed_playlists(self):
        listener = self.listeners[0]
        playlist, created = self._get_or_create(
            Playlist,
            owner=listener,
            name="Morning Worship",
            defaults={"is_public": True, "description": "Songs to start the day."},
        )
        if created:
            tracks = MusicTrack.objects.filter(status=ModerationStatus.APPROVED).order_by("id")
            for position, track in enumerate(tracks):
                self._get_or_create(
                    PlaylistItem,
                    playlist=playlist,
                    position=position,
                    defaults={"content_type": "music", "music_track": track},
                )
            playlist.items_count = playlist.items.count()
            playlist.save(update_fields=["items_count"])

    def seed_live(self):
        host = self.artists["pastor_james"].user
        self._get_or_create(
            LiveStream,
            room_name="sunday-service-demo",
            defaults={
                "host": host,
                "title": "Sunday Service",
                "kind": StreamKind.STREAM,
                "scheduled_start": timezone.now() + timedelta(days=2),
                "category": self.categories["sermons"],
            },
        )

    def seed_support(self):
        listener = self.listeners[1]
        self._get_or_create(
            SupportMessage,
            user=listener,
            subject="Cannot download sermon",
            defaults={
                "email": listener.email,
                "name": listener.display_name,
                "message": "The download button does nothing on my phone.",
            },
        )
