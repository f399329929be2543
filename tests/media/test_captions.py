"""Captions: cues from words (42 characters a line, two lines, 7 seconds, timed to words),
WebVTT and SRT read and normalised, and the subtitles rendition an HLS client sees."""

import json
import subprocess

import pytest
import webvtt

from cnt import signing
from media import captions, services, transcripts
from media.captions import CaptionsInvalid
from tests.factories import UserFactory
from tests.media import fake_deepgram


def _words(text: str, start: float = 0.0, step: float = 0.4):
    return [(start + i * step, start + i * step + 0.3, w) for i, w in enumerate(text.split())]


def test_cues_keep_to_two_lines_of_42_characters_and_seven_seconds():
    text = " ".join(["forgiveness"] * 5 + ["and", "mercy", "for", "everyone", "who"] * 12)
    words = _words(text)
    cues = captions.cues_from_words(words)
    assert len(cues) >= 4  # 65 words over 26 s
    assert sum(len(c.words) for c in cues) == len(words)
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2
        assert all(len(line) <= 42 for line in cue.lines)
        assert cue.end - cue.start <= 7.0
        # Timed to its words: starts with its first word, ends by its last word's end.
        assert cue.start == cue.words[0][0]
    for cue, following in zip(cues, cues[1:], strict=False):
        assert cue.end <= following.start
    # Every word is shown once, in order.
    assert " ".join(c.text for c in cues) == text


def test_a_pause_starts_a_new_cue_and_slow_speech_is_cut_at_seven_seconds():
    words = [(0.0, 0.4, "Hello"), (0.5, 0.9, "church."), (4.0, 4.3, "Welcome")]
    assert [c.text for c in captions.cues_from_words(words)] == ["Hello church.", "Welcome"]
    slow = [(i * 2.0, i * 2.0 + 0.5, f"w{i}") for i in range(6)]
    cues = captions.cues_from_words(slow)
    assert [c.text for c in cues] == ["w0 w1 w2 w3", "w4 w5"]


def test_a_word_longer_than_a_line_is_cut_into_lines():
    cues = captions.cues_from_words([(0.0, 1.0, "x" * 50)])
    assert cues[0].lines == ["x" * 42, "x" * 8]


def test_written_webvtt_is_valid_and_escaped():
    cues = captions.cues_from_words([(1.0, 1.5, "Faith"), (1.6, 2.0, "&"), (2.1, 2.5, "<hope>")])
    vtt = captions.vtt_write(cues)
    assert vtt == "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nFaith &amp; &lt;hope&gt;\n"
    parsed = webvtt.from_string(vtt)
    assert [(c.start, c.end) for c in parsed.captions] == [("00:00:01.000", "00:00:02.500")]


SRT = (
    "1\n00:00:01,000 --> 00:00:03,000\n<i>Blessed</i> are the\npeacemakers\n\n"
    "2\n00:00:04,500 --> 00:00:06,000\nfor they shall be called\n"
)


def test_srt_is_normalised_to_plain_timed_cues():
    cues = captions.captions_parse(SRT.encode())
    assert [(c.start, c.end, c.lines) for c in cues] == [
        (1.0, 3.0, ["Blessed are the", "peacemakers"]),
        (4.5, 6.0, ["for they shall be called"]),
    ]
    # Words spread over the cue by position, for search moments without word timings.
    assert cues[0].words[0] == [1.0, "Blessed"]
    assert 1.0 < cues[0].words[-1][0] < 3.0


def test_vtt_with_a_bom_markup_and_entities_is_read():
    data = "\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\n<v Pastor>Grace &amp; peace\n".encode()
    [cue] = captions.captions_parse(data)
    assert (cue.start, cue.end, cue.lines) == (1.0, 2.0, ["Grace & peace"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no captions"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n", "must end after it starts"),
        (b"WEBVTT\n\nnot a timing line\nhello\n", "no captions"),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\n", "no captions"),
        (b"just some text", "Not WebVTT"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + b"a" * 600 + b"\n", "too long"),
    ],
)
def test_bad_captions_are_refused_with_the_reason(data, message):
    with pytest.raises(CaptionsInvalid) as error:
        captions.captions_parse(data)
    assert message in str(error.value)


def test_a_file_over_the_limit_is_refused_before_parsing():
    with pytest.raises(CaptionsInvalid, match="at most"):
        captions.captions_parse(b"WEBVTT\n\n" + b" " * captions.MAX_UPLOAD_BYTES)


@pytest.mark.parametrize(
    ("tag", "normal"), [("en", "en"), ("EN-us", "en-US"), ("pt_br", "pt-BR"), ("yo", "yo")]
)
def test_language_tags_are_normalised(tag, normal):
    assert captions.language_normalise(tag) == normal


@pytest.mark.parametrize("tag", ["", "english", "e", "en-", "../en", "en us"])
def test_what_is_not_a_language_tag_is_refused(tag):
    with pytest.raises(CaptionsInvalid):
        captions.language_normalise(tag)


def test_master_lists_a_subtitles_group_that_every_variant_names():
    master = (
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=2,AVERAGE-BANDWIDTH=1,CODECS="mp4a.40.2"\na/index.m3u8\n'
        '#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1,CODECS="mp4a.40.2"\nb/index.m3u8\n'
    )
    out = captions.master_with_subtitles(master, ["en", "fr"], default="en").splitlines()
    assert out[3] == (
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",'
        'DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI="subtitles/en.m3u8"'
    )
    assert out[4].startswith('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="français"')
    inf = [line for line in out if line.startswith("#EXT-X-STREAM-INF")]
    assert len(inf) == 2 and all(line.endswith(',SUBTITLES="subs"') for line in inf)
    assert captions.master_with_subtitles(master, []) == master


def test_an_hls_client_given_the_master_url_finds_the_subtitles(
    live_server, transactional_db, settings, tmp_path
):
    fake, server = fake_deepgram.start()
    try:
        settings.DEEPGRAM_API_KEY = fake_deepgram.API_KEY
        settings.DEEPGRAM_API_URL = fake.url
        fake.said = ["The Lord is my shepherd.", "I shall not want."]
        path = tmp_path / "psalm.wav"
        fake_deepgram.speak(path, fake.said)
        user = UserFactory()
        asset = services.asset_create_from_path(
            owner=user, purpose="audio", path=path, filename="psalm.wav"
        )
        transcripts.transcript_request(asset=asset)  # as spoken-word content does
    finally:
        server.shutdown()
        server.server_close()
    asset.transcript.refresh_from_db()
    assert asset.transcript.caption_languages == ["en"], asset.transcript.error

    master = live_server.url + signing.playback_path(asset.id, "hls/master.m3u8")
    # FFmpeg 5's HLS demuxer reads subtitle renditions only when allowed experimental code.
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-strict", "experimental",
         "-show_entries", "stream=codec_type,codec_name:"
         "stream_tags=language", "-of", "json", master],
        capture_output=True, timeout=60, text=True,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    streams = json.loads(probe.stdout)["streams"]
    subtitles = [s for s in streams if s["codec_type"] == "subtitle"]
    assert subtitles and all(s["codec_name"] == "webvtt" for s in subtitles), streams
    assert {s.get("tags", {}).get("language") for s in subtitles} == {"en"}

    # The cues themselves, read by FFmpeg from the subtitles playlist.
    playlist = live_server.url + signing.playback_path(asset.id, "hls/subtitles/en.m3u8")
    out = tmp_path / "out.vtt"
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", playlist, "-c:s", "webvtt", str(out)],
        capture_output=True, timeout=60, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "The Lord is my shepherd." in text and "I shall not want." in text
