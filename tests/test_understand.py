"""Understanding: context lexicons (with weak and strong terms), sentiment, user lexicons."""

from __future__ import annotations

import json

from memescope.understand import analyze_text, load_lexicons, sentiment, tag_contexts


def test_strong_pandemic_terms_tag_alone():
    for text in ["Day 40 of LOCKDOWN", "social-distancing from my feelings", "#quarantine life", "covid-19 ruined it"]:
        tags, cues = tag_contexts(text)
        assert "pandemic" in tags, text


def test_pandemic_talk_in_everyday_words_and_misspellings():
    # found on real captions (bench/context): people wrote the pandemic in many words and spellings
    for text in ["week 3 of staying home", "my online classes froze again", "stand six feet away please",
                 "where is my stimulus", "the QUARINTINE diaries", "no toliet paper left", "he got the rona",
                 "stop touching your face", "panic buyers at it again"]:
        assert "pandemic" in tag_contexts(text)[0], text
    # single weak words were common long before 2020
    for text in ["flu season again", "made in china", "practice got cancelled", "he sneezes when he laughs"]:
        assert tag_contexts(text)[0] == {}, text
    assert "pandemic" in tag_contexts("cancelled because of the flu")[0]


def test_letters_held_for_emphasis_read_as_one():
    tags, cues = tag_contexts("just STAYYYYY HOMEEEEE for once")
    assert tags == {"pandemic": 1.0} and cues["pandemic"] == ["stay home"]
    assert "pandemic" in tag_contexts("quaranTIIIINE again")[0]
    # a held letter may stand for a double one: "feet", "zoom"
    assert tag_contexts("six FEEEEET apart!!")[1]["pandemic"] == ["six feet apart"]
    assert tag_contexts("zoooom call at 9")[1]["pandemic"] == ["zoom call"]
    # and stays what it was: "zoom" alone is a weak word, "nooo" none
    assert tag_contexts("zoooom in on the cat")[0] == {}
    assert tag_contexts("nooooo my wifi")[0] == {}


def test_weak_terms_need_company():
    # the mask in the crying-behind-a-mask meme was a metaphor for a decade
    assert tag_contexts("the mask I wear every day")[0] == {}
    assert tag_contexts("zoom in on the cat")[0] == {}
    tags, cues = tag_contexts("another zoom call with my mask on")
    assert tags.get("pandemic") and cues["pandemic"] == ["mask", "zoom call"]
    assert "pandemic" in tag_contexts("mask and sanitizer again")[0]


def test_terms_match_whole_words_only():
    assert tag_contexts("masked singer and zoomers")[0] == {}
    assert tag_contexts("quarantined")[0] == {"pandemic": 1.0}


def test_sentiment_signs_and_all_caps():
    assert sentiment("I love this so much")[1] == "positive"
    assert sentiment("this is awful and I hate it")[1] == "negative"
    assert sentiment("")[1] == "neutral"
    # all-caps captions are style, not emphasis: same score as lower case
    assert sentiment("I LOVE THIS SO MUCH")[0] == sentiment("i love this so much")[0]


def test_user_lexicons_extend_the_shipped_ones(tmp_path):
    (tmp_path / "elections.json").write_text(json.dumps({"name": "elections", "strong": ["ballot", "polling station"], "weak": ["vote"]}))
    lex = load_lexicons(str(tmp_path))
    assert {lx.name for lx in lex} >= {"pandemic", "elections"}
    tags, cues = tag_contexts("queue at the polling station", lex)
    assert tags == {"elections": 1.0}


def test_analyze_text_shape():
    a = analyze_text("Six months of quarantine and I still say I am fine")
    assert {"sentiment", "sentiment_label", "contexts", "cues", "emotions", "emotion_cues", "use"} <= set(a.to_dict())
    assert a.contexts == {"pandemic": 1.0} and a.cues == {"pandemic": ["quarantine"]}
