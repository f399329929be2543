"""Scripture references: parsed and normalised with pythonbible."""

import pytest

from bible.references import InvalidReference, Passage, passages_label, passages_parse


@pytest.mark.parametrize(
    ("text", "label", "ranges"),
    [
        ("Jn 3:16", "John 3:16", [(43003016, 43003016)]),
        ("john 3:16-18", "John 3:16-18", [(43003016, 43003018)]),
        ("Jn 3:16-4:2", "John 3:16-4:2", [(43003016, 43004002)]),
        ("Psalm 23", "Psalms 23:1-6", [(19023001, 19023006)]),
        ("Gen 1:1-2:3", "Genesis 1:1-2:3", [(1001001, 1002003)]),
        ("Jude 3", "Jude 3", [(65001003, 65001003)]),
        ("Phil 4:13", "Philippians 4:13", [(50004013, 50004013)]),
        (
            "Rom 8:28; 1 Cor 13:4-7",
            "Romans 8:28; 1 Corinthians 13:4-7",
            [(45008028, 45008028), (46013004, 46013007)],
        ),
        ("Jonah", "Jonah", [(32001001, 32004011)]),
    ],
)
def test_references_are_parsed_and_normalised(text, label, ranges):
    passages = passages_parse(text)
    assert passages_label(passages) == label
    assert [(p.start_verse_id, p.end_verse_id) for p in passages] == ranges


def test_repeated_passages_are_kept_once():
    assert len(passages_parse("John 3:16; Jn 3:16")) == 1


def test_empty_text_names_no_passage():
    assert passages_parse("  ") == []


@pytest.mark.parametrize("text", ["nonsense", "John 99:1", "Hezekiah 1:1", "x" * 201])
def test_text_that_names_no_passage_is_rejected(text):
    with pytest.raises(InvalidReference):
        passages_parse(text)


def test_overlap():
    john3 = Passage(43003001, 43003036, "John 3")
    assert john3.overlaps(Passage(43003016, 43003016, "John 3:16"))
    assert john3.overlaps(Passage(43002020, 43003001, "John 2:20-3:1"))
    assert not john3.overlaps(Passage(43004001, 43004054, "John 4"))
