"""Devanagari loanwords read as the content's words, and Hindi's own words left alone."""

from __future__ import annotations

import pytest

from agent.devanagari_bridge import Bridge, romanize, skeleton, sound_key
from agent.query import parse_query
from agent.retrieval import KnowledgeIndex
from agent.terms import normalize
from store.kb_files import sample_sessions
from store.models import TrainingSession

INDEX = KnowledgeIndex(sample_sessions())  # the English sample content


@pytest.mark.parametrize(
    ("word", "latin"),
    [
        ("स्टेनलेस", "stenles"),  # the schwa of न is not spoken
        ("कटिंग", "kating"),
        ("कमरा", "kamra"),
        ("वेबसाइट", "vebsait"),
        ("टन", "tan"),  # a word's own last schwa is dropped, not its only vowel
        ("लेज़र", "lejar"),  # nukta folded: ज़ and ज are typed alike
    ],
)
def test_romanize_drops_unspoken_schwas(word: str, latin: str) -> None:
    assert romanize(normalize(word)) == latin


@pytest.mark.parametrize(
    ("hindi", "english"),
    [
        ("स्टेनलेस", "stainless"),
        ("ग्रेड", "grade"),
        ("प्लेट", "plate"),
        ("कटिंग", "cutting"),
        ("वेबसाइट", "website"),
        ("इनवॉइस", "invoice"),
        ("कॉल", "call"),
        ("सर्टिफिकेट", "certificate"),
    ],
)
def test_loanword_and_english_word_share_a_skeleton(hindi: str, english: str) -> None:
    assert skeleton(sound_key(normalize(hindi))) == skeleton(sound_key(english))


@pytest.mark.parametrize(
    ("word", "heard"),
    [
        ("क्लोरीन", "chlorine"),
        ("फॉर्मेट", "format"),
        ("बोनस", "bonus"),
        ("कॉल", "call"),  # short, but ॉ is only written in borrowed words
        ("मैनेजर", "manager"),
        ("रेलिंग", "railing"),  # not "rolling": spelled closer (the examples use "railing")
        ("वेबसाइट", "website"),  # a lexicon variant, which leads on to "portal"
    ],
)
def test_loanwords_are_heard_as_the_contents_words(word: str, heard: str) -> None:
    assert INDEX.hear(normalize(word)) == (heard,)


# Hindi's own words, many of which sound like an English word of the sample content
# ("कल" call, "पास" pass, "खरीद" card, "प्रति" party, "बारिश" bars, "शर्तें" short).
_HINDI = """
कल आज पास साथ नाम बारिश मौसम खरीद प्रति बचते शर्तें कामों भरोसा सोने बेटे अच्छी ज़रूरी रकम
सालाना लेते लेने बनता बनने हुआ वहाँ यहाँ उसमें सीधे टूटा जुड़े रहूँगा करनी भरनी शहरों पहुँचे
किन कुल भर लग लगाना लगाऊँ आने नए मान्य इस्तेमाल घर पानी लोग बात हाथ दुकान मालिक सवाल जवाब
महीना हफ़्ता रुपये बड़ा तोहफ़ा मौका सुरक्षित बेटा बेटी शादी खाना सड़क गाड़ी देश शहर गाँव सरकार
तारीख़ कागज़ हिसाब सामान तुरंत जल्दी धीरे बाहर अंदर ऊपर नीचे पीछे आगे दूर पूरा आधा
"""
HINDI_WORDS = _HINDI.split()


@pytest.mark.parametrize("word", HINDI_WORDS)
def test_hindi_words_are_not_read_as_english(word: str) -> None:
    """None, or the same word in the Hinglish of the content's example questions and the
    lexicon ("महीना" as "mahina"): never an English word that merely sounds alike."""
    word = normalize(word)
    assert all(sound_key(heard) == sound_key(word) for heard in INDEX.hear(word))


def test_a_short_word_needs_a_loanword_spelling() -> None:
    bridge = Bridge(["call", "pass"])
    assert bridge.match("कल") == ()
    assert bridge.match("पास") == ()
    assert bridge.match(normalize("कॉल")) == ("call",)


def test_equally_close_words_are_kept_up_to_two() -> None:
    assert Bridge(["sales", "sale"]).match("सेल्स") == ("sales",)  # one word, two forms
    assert Bridge(["sales", "sells"]).match("सेल्स") == ("sales", "sells")
    assert Bridge(["sales", "sells", "sels"]).match("सेल्स") == ()


def test_latin_words_are_never_bridged() -> None:
    assert Bridge(["stainless"]).match("stainles") == ()


def test_built_from_the_loaded_content() -> None:
    pool = TrainingSession(s_no=1, heading="Pools", content="Swimming pools need SS316.")
    other = TrainingSession(s_no=1, heading="Coils", content="Coils weigh ten tonnes.")
    assert KnowledgeIndex([pool]).hear("स्विमिंग") == ("swimming",)
    assert KnowledgeIndex([other]).hear("स्विमिंग") == ()


def test_a_bridged_word_makes_the_question_covered() -> None:
    finding = INDEX.find("मेरा पार्टनर आईडी किस फॉर्मेट में होगा?")
    assert finding.covered
    assert finding.ranked[0].s_no == 1
    assert "format" in finding.ranked[0].text.lower()


def test_latin_script_questions_never_reach_the_bridge() -> None:
    heard: list[str] = []

    def hear(word: str) -> tuple[str, ...]:
        heard.append(word)
        return ()

    parse_query(
        "what grade for a swimming pool with chlorine?", INDEX.known, INDEX.vocabulary, hear
    )
    assert heard == []
