"""OCR with the real engine (rapidocr, models from the wheel) and caption cleaning."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memescope.demo.drawings import draw_template
from memescope.demo.render import caption_bar, caption_outlined
from memescope.exceptions import UnknownNameError
from memescope.imaging import strip_bars
from memescope.ocr import clean_text, get_engine, ocr_engines

pytest.importorskip("rapidocr")


@pytest.fixture(scope="module")
def engine():
    return get_engine("rapidocr")


def test_reads_outlined_captions_top_and_bottom(engine):
    im = caption_outlined(draw_template("surprised-cat"), "when the wifi drops", "during the final boss")
    res = engine.read(im, strip_bars(im)[1])
    assert res.clean == "WHEN THE WIFI DROPS DURING THE FINAL BOSS"
    blocks = [ln.block for ln in res.lines]
    assert blocks[0] == "top" and set(blocks[1:]) == {"bottom"}
    assert all(0.5 <= ln.score <= 1 for ln in res.lines)


def test_reads_a_white_bar_as_a_bar(engine):
    im = caption_bar(draw_template("two-buttons"), "oh great another group project", "my favorite thing ever")
    res = engine.read(im, strip_bars(im)[1])
    assert res.clean.lower() == "oh great another group project my favorite thing ever"
    assert {ln.block for ln in res.lines} == {"bar"}


def test_a_picture_without_text_reads_nothing_much(engine):
    res = engine.read(draw_template("pointing-robot"))
    assert len(res.clean) <= 3


def test_reading_order_joins_split_lines():
    from memescope.ocr.base import OcrLine, reading_order

    a = OcrLine("DURING", 0.9, (40, 302, 120, 340))
    b = OcrLine("THE FINAL BOSS", 0.9, (130, 300, 400, 338))
    c = OcrLine("WHEN THE WIFI DROPS", 0.9, (30, 10, 420, 50))
    assert [l.text for l in reading_order([b, a, c])] == ["WHEN THE WIFI DROPS", "DURING", "THE FINAL BOSS"]


def test_engine_registry_fails_loudly():
    with pytest.raises(UnknownNameError, match="unknown OCR engine 'easyocr'"):
        ocr_engines["easyocr"]


def test_clean_text():
    assert clean_text("WHEN  THE\nq\nWIFI   DROPS !") == "WHEN THE WIFI DROPS!"
    assert clean_text("I\nAM FINE") == "I AM FINE"  # single 'I' is a word, not noise
    assert clean_text("ｆｕｌｌ ｗｉｄｔｈ") == "full width"
    assert clean_text("MY FAVORITE THING\n0000\n|||") == "MY FAVORITE THING"
    assert clean_text("NOOOO\nAAAA") == "NOOOO AAAA"  # letters repeated are words people shout


def test_glued_words_are_split_only_when_sure():
    pytest.importorskip("wordninja")
    assert clean_text("IHAVE NO IDEA") == "I HAVE NO IDEA"
    assert clean_text("OHGREATANOTHER GROUP PROJECT") == "OH GREAT ANOTHER GROUP PROJECT"
    # words, names and slang stay whole
    for t in ["ZOOMERS BE LIKE", "NOOOOO", "COVID LOCKDOWN", "Pikachu face", "WHATSAPP", "AAAAND SHE LEFT"]:
        assert clean_text(t) == t
    assert clean_text("KILLING AGORILLA") == "KILLING A GORILLA"  # a long rarer word beside "a" may be a part
    assert clean_text("THE BUS TOMMORROW") == "THE BUS TOMMORROW"  # a misspelling is not "tom morrow"


def test_words_people_write_stay_whole_and_common_web_words_count_as_parts():
    pytest.importorskip("wordninja")
    pytest.importorskip("wordfreq")
    # wordninja's list lacks them and would split them ("UP VOTES", "DEAD POOL")
    for t in ["UPVOTES PLEASE", "DEADPOOL FANS", "JUST SAYIN"]:
        assert clean_text(t) == t
    # ...but it lacks "meme" too, and a glued "DEADMEME" is two words
    assert clean_text("THAT IS A DEADMEME") == "THAT IS A DEAD MEME"
    assert clean_text("IHAVE A PLAN") == "I HAVE A PLAN"  # "I" glued on is OCR's, however often people type it


def test_gaps_read_as_hyphens_become_spaces_but_compounds_stay():
    pytest.importorskip("wordninja")
    assert clean_text("WHEN-THE-WIFI-DROPS\nDURING THE FINAL BOSS") == "WHEN THE WIFI DROPS DURING THE FINAL BOSS"
    assert clean_text("IT-IS ONLY RAINING") == "IT IS ONLY RAINING"
    for t in ["T-SERIES FANS", "SELF-ISOLATION DAY 3", "X-RAY VISION", "F-CKING IDIOTS"]:
        assert clean_text(t) == t


def test_stray_accents_go_only_when_the_bare_word_is_known():
    pytest.importorskip("wordninja")
    assert clean_text("FEÉLING LIKE CRAP") == "FEELING LIKE CRAP"
    assert clean_text("Łódź") == "Łódź"  # unknown words keep their letters


def test_texture_read_as_text_is_not_language():
    pytest.importorskip("wordninja")
    from memescope.ocr.clean import looks_like_words

    for junk in ["rv", "— gux * =", "= . I ; 1", "C wn a."]:
        assert not looks_like_words(junk), junk
    for line in ["I WANT YOU", "AM 1 THE ONLY ONE HERE WHO", "WHEN THE WIFI DROPS"]:
        assert looks_like_words(line), line


def test_a_lone_bar_beside_a_line_is_a_capital_i():
    from memescope.ocr import OcrLine
    from memescope.ocr.rapid import _lone_capital_i
    from memescope.ocr.clean import fix_capital_i as _fix_capital_i

    lines = [OcrLine("1", 0.6, (10, 100, 20, 140)), OcrLine("EMAILED MY WIFE", 0.99, (40, 101, 400, 141)),
             OcrLine("1", 0.6, (10, 300, 14, 306))]  # a speck far from any line stays what it is
    assert [ln.text for ln in _lone_capital_i(lines)] == ["I", "EMAILED MY WIFE", "1"]
    assert _fix_capital_i("| CAME FROM A GENERATION") == "I CAME FROM A GENERATION"
    assert _fix_capital_i("AM 1 THE ONLY ONE") == "AM I THE ONLY ONE"
    assert _fix_capital_i("AM 1 REAL?!") == "AM I REAL?!"
    assert _fix_capital_i("WANT T0 GO AT 10PM IN 2020") == "WANT TO GO AT 10PM IN 2020"
    assert _fix_capital_i("TOP 1 0F 3") == "TOP 1 OF 3"
    # a number before a measure word stays a number; "I" never comes before one
    assert _fix_capital_i("ONLY 1 MORE DAY") == "ONLY 1 MORE DAY"
    assert _fix_capital_i("WAITED 1 YEARS FOR THIS") == "WAITED 1 YEARS FOR THIS"
    assert _fix_capital_i("1 WAITED ALL YEAR") == "I WAITED ALL YEAR"


def _quad(l, t, r, b):
    return [[l, t], [r, t], [r, b], [l, b]]


def test_a_glyph_two_boxes_share_is_read_once():
    from memescope.ocr.rapid import lines_from_detections

    def read(*dets):
        return [ln.text for ln in lines_from_detections([d[0] for d in dets], [0.99] * len(dets), [_quad(*d[1:]) for d in dets])]

    # the right box begins inside the left one: its lone first letter is the left box's last letter again
    assert read(("WAITING FOR", 100, 20, 400, 80), ("R THE BUS", 370, 21, 600, 80)) == ["WAITING FOR", "THE BUS"]
    # the left box ends inside the right one: its lone last character is a fragment of the right's first
    assert read(("SO TIRED 1", 50, 300, 420, 360), ("TODAY", 395, 302, 560, 360)) == ["SO TIRED", "TODAY"]
    # boxes that merely touch keep their one-letter words, and other rows are not compared
    assert read(("I SAW", 100, 20, 260, 80), ("A DOG", 255, 20, 420, 80)) == ["I SAW", "A DOG"]
    assert read(("WAITING FOR", 100, 20, 400, 80), ("R THE BUS", 370, 90, 600, 150)) == ["WAITING FOR", "R THE BUS"]


def test_a_drawn_out_o_read_as_zeros_is_letters():
    assert clean_text("AAAND THEN NOOO\n000000!!") == "AAAND THEN NOOO OOOOOO!!"
    assert clean_text("WE HIT 1000\n000 TIMES") == "WE HIT 1000 000 TIMES"  # numbers stay numbers


@pytest.mark.parametrize("style", ["outlined", "bar"])
def test_tesseract_with_meme_preprocessing(style):
    pytest.importorskip("tesserocr")
    eng = get_engine("tesseract")
    if style == "outlined":
        im = caption_outlined(draw_template("surprised-cat"), "when the wifi drops", "during the final boss")
        want, blocks = "WHEN THE WIFI DROPS DURING THE FINAL BOSS", {"top", "bottom"}
    else:
        im = caption_bar(draw_template("two-buttons"), "oh great another group project", "my favorite thing ever")
        want, blocks = "Oh great another group project my favorite thing ever", {"bar"}
    res = eng.read(im, strip_bars(im)[1])
    assert res.engine == "tesseract" and res.clean == want
    assert {ln.block for ln in res.lines} == blocks


def test_outlined_text_isolation_keeps_letters_and_drops_the_picture():
    import numpy as np

    from memescope.ocr.tesseract import isolate_outlined_text

    pic = draw_template("crying-behind-mask")
    iso = isolate_outlined_text(np.asarray(caption_outlined(pic, "hidden pain", "")))
    plain = isolate_outlined_text(np.asarray(pic))
    top = iso[: pic.height // 5]
    assert (top == 0).mean() > 0.03  # letters became black ink at the top
    assert (plain == 0).mean() < 0.01  # the bare picture leaves (almost) nothing


def test_template_own_text_is_not_caption():
    from memescope.ocr import OcrLine, OcrResult, drop_template_text

    res = OcrResult("x", [OcrLine("LENNIE TWO MICE", 0.9, (0, 0, 10, 10), "top"),
                          OcrLine("WHO WOULD WIN?", 0.9, (0, 20, 10, 30), "top"),
                          OcrLine("draw", 0.9, (0, 40, 10, 50), "bottom")])
    out = drop_template_text(res, ["Who would win", "OR DRAW 25"])
    assert out.clean == "LENNIE TWO MICE"
    assert "WHO WOULD WIN?" in out.text  # everything read is still kept
    assert [ln.block for ln in out.lines] == ["top", "template", "template"]
    assert drop_template_text(res, []).clean == res.clean
    # small print read differently on the template and on the meme is still the template's
    res = OcrResult("x", [OcrLine("SEE PAL", 0.9, (0, 0, 10, 10), "top"), OcrLine("LIGHTYVEAR", 0.9, (0, 20, 10, 30), "other"),
                          OcrLine("Iam once again asking", 0.9, (0, 40, 10, 50), "bottom")])
    out = drop_template_text(res, ["LIOHIVEAR", "I AM ONCE AGAIN ASKING"])
    assert out.clean == "SEE PAL"


def test_edit_distance_known_answers():
    from memescope.ocr.metrics import edit_distance

    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("I HAVE".split(), "IHAVE".split()) == 2


# -- the caption layer: what an instance added to its registered template --------------------------


def _printed_template():
    """A drawing with printed text of its own across its top, as WHO WOULD WIN? has."""
    from PIL import ImageDraw, ImageFont

    from memescope.demo.render import _impact

    pic = draw_template("two-buttons").copy()
    d = ImageDraw.Draw(pic)
    font: ImageFont.FreeTypeFont = _impact(pic.width // 10)
    d.text((pic.width // 2, pic.height // 14), "WHO WOULD WIN", font=font, fill="black", anchor="mt")
    return pic


def _jpeg(im, quality=60):
    import io

    from PIL import Image

    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def test_caption_layer_blanks_the_template_and_keeps_the_caption():
    import numpy as np
    from PIL import ImageOps

    from memescope.ocr.layer import caption_layer

    template = _printed_template()
    meme = _jpeg(caption_outlined(template, "", "nobody expects it"))
    layer, share = caption_layer(meme, template, (0, 0, *meme.size))
    assert layer is not None and 0.02 < share < 0.3
    px, orig = np.asarray(layer), np.asarray(meme)
    h = meme.height
    # the template's own printed text, which no caption covers, is gone; the caption's rows are kept
    assert (px[: h // 5] == 255).mean() > 0.97
    bottom = slice(int(h * 0.8), h)
    assert (px[bottom] == orig[bottom]).all(axis=2).mean() > 0.15
    # a mirrored instance lines up with the mirrored reference: the same share differs as unmirrored
    flipped = ImageOps.mirror(meme)
    layer, mirrored_share = caption_layer(flipped, template, (0, 0, *meme.size), mirrored=True)
    assert layer is not None and mirrored_share == pytest.approx(share, abs=0.01)
    assert caption_layer(flipped, template, (0, 0, *meme.size))[1] > 3 * share
    # another template does not line up: nothing is blanked, the caller reads the image as it is
    other = draw_template("surprised-cat").resize(meme.size)
    assert caption_layer(meme, other, (0, 0, *meme.size)) == (None, pytest.approx(1.0, abs=0.6))


def test_caption_layer_realigns_a_bar_found_a_few_rows_off():
    import numpy as np

    from memescope.ocr.layer import caption_layer

    template = _printed_template()
    meme = _jpeg(caption_bar(template, "when the group chat", "goes quiet"))
    bar = meme.height - template.height
    for top in (bar - 9, bar, bar + 9):  # the bar finder's box, off by up to 9 rows either way
        layer, share = caption_layer(meme, template, (0, top, meme.width, meme.height))
        assert layer is not None and share < 0.2, top
    # rows of outlined caption text taken for bars at both edges: the whole image is tried too
    meme = _jpeg(caption_outlined(template, "top text", "bottom text"))
    layer, share = caption_layer(meme, template, (0, 40, meme.width, meme.height - 40))
    assert layer is not None and share < 0.2
    assert (np.asarray(layer)[meme.height // 2] == 255).mean() > 0.97  # the picture's middle is blanked


def test_caption_over_printed_text_is_read_through_the_layer(engine):
    from memescope.ocr import drop_template_text, template_text
    from memescope.ocr.layer import caption_layer

    template = _printed_template()
    own = template_text(engine, template)
    meme = _jpeg(caption_outlined(template, "lennie two mice", "a very large cat"))
    box = strip_bars(meme)[1]
    layer, _ = caption_layer(meme, template, (0, 0, *meme.size))
    assert drop_template_text(engine.read(layer, box), own).clean == "LENNIE TWO MICE A VERY LARGE CAT"


def test_ocr_command_reads_the_caption_layer_of_a_registered_template(tmp_path):
    import json

    from typer.testing import CliRunner

    from memescope.cli import app

    runner = CliRunner()
    db = str(tmp_path / "kb.db")
    _printed_template().save(tmp_path / "template.png")
    meme = _jpeg(caption_outlined(_printed_template(), "lennie two mice", "a very large cat"))
    meme.save(tmp_path / "meme.jpg", quality=90)
    res = runner.invoke(app, ["templates", "add", "who-would-win", str(tmp_path / "template.png"), "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["ocr", str(tmp_path / "meme.jpg"), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    (rec,) = json.loads(res.output)
    assert rec["template"] == "who-would-win" and rec["source"] == "caption layer"
    assert rec["clean"] == "LENNIE TWO MICE A VERY LARGE CAT"
    # without a store the image is read as it is
    (plain,) = json.loads(runner.invoke(app, ["ocr", str(tmp_path / "meme.jpg"), "--json"]).output)
    assert plain["source"] == "image" and plain["template"] is None


def test_stray_ink_beside_a_line_widens_its_box():
    import numpy as np

    from memescope.ocr.layer import stray_ink_boxes

    ink = np.zeros((200, 400), bool)
    ink[20:60, 100:200] = True  # a detected line, rows 20-60
    ink[22:58, 60:68] = True  # a lone "I" left of it, as tall as the line
    ink[25:30, 240:244] = True  # a speck right of it: not a glyph
    ink[120:160, 20:300] = True  # the next line, owned by its own box
    boxes = [(100, 20, 200, 60), (20, 120, 300, 160)]
    (hit,) = stray_ink_boxes(ink, boxes)
    assert hit[0] == 0 and hit[1][0] < 60 and hit[1][1:] == (20, 200, 60)
    # ink another box holds is not stray
    assert stray_ink_boxes(ink, [*boxes, (55, 20, 70, 60)]) == []
    # a trailing glyph widens the right edge
    ink[22:58, 230:238] = True
    (hit,) = stray_ink_boxes(ink, boxes)
    assert hit[1][0] < 60 and hit[1][2] > 238
    # a glyph between two lines of one row goes to one of them, not both
    found = stray_ink_boxes(ink, [(100, 20, 200, 60), (260, 20, 380, 60)])
    assert [i for i, _ in found] == [0] and found[0][1][2] > 238


def test_ink_on_rows_no_line_touches_is_a_line_of_its_own():
    import numpy as np

    from memescope.ocr.layer import orphan_ink_boxes

    ink = np.zeros((300, 400), bool)
    ink[20:60, 50:350] = True  # a detected line, 40 px tall
    ink[70:105, 180:220] = True  # a short last line under it ("IT"), no box
    ink[200:202, 10:390] = True  # a thin streak: not a line of this lettering
    ink[230:290, 100:110] = True  # a band 1.5x as tall as the line: a line in larger letters, kept
    boxes = [(50, 20, 350, 60)]
    found = orphan_ink_boxes(ink, boxes)
    assert found[0][0] < 180 and found[0][2] > 220 and found[0][1] <= 70 and found[0][3] >= 105
    assert all(b[1] > 150 for b in found[1:]) and len(found) == 2
    assert orphan_ink_boxes(ink, []) == []
    ink[100:300] = True  # a band taller than two lines is a remnant of the picture, not a line
    assert len(orphan_ink_boxes(ink, boxes)) == 0

    # outlined capitals: a short last line sits tight under the line above, its letters reaching into the
    # margin round that line's box; its box reaches up into that margin
    ink = np.zeros((300, 400), bool)
    ink[20:60, 50:350] = True
    ink[58:98, 180:220] = True
    (found,) = orphan_ink_boxes(ink, [(50, 20, 350, 60)])
    assert found[1] <= 60 and found[3] >= 98 and found[0] < 180 and found[2] > 220


def test_a_lone_i_the_detector_left_out_is_read_again(engine):
    from memescope.ocr.layer import caption_layer, read_caption_layer

    template = draw_template("surprised-cat").resize((700, 600))
    meme = _jpeg(caption_outlined(template, "i need you", "yeah"), 70)
    layer, _ = caption_layer(meme, template, (0, 0, *meme.size))
    res = read_caption_layer(engine, layer, strip_bars(meme)[1])
    assert res.clean == "I NEED YOU YEAH" and res.source == "caption layer"
    # the engine's own detection still runs after a single-line read (rapidocr keeps the last call's flags)
    assert engine.read(meme, strip_bars(meme)[1]).lines


@pytest.mark.parametrize("engine_name,source", [("rapidocr", "caption layer"), ("tesseract", "image")])
def test_the_ocr_stage_gives_the_layer_to_engines_that_read_it(tmp_path, engine_name, source):
    from dataclasses import replace

    from memescope.pipeline.stages.ocr import OcrItem, ocr_batch
    from memescope.records import Done

    if engine_name == "tesseract":
        pytest.importorskip("tesserocr")
    template = _printed_template()
    template.save(tmp_path / "ref.png")
    meme = _jpeg(caption_outlined(template, "lennie two mice", "a very large cat"), 90)
    meme.save(tmp_path / "meme.jpg", quality=95)
    box = tuple(strip_bars(meme)[1])
    item = OcrItem("sha", str(tmp_path / "meme.jpg"), box, (), (str(tmp_path / "ref.png"),), (0, 0, *meme.size), False)
    (res,) = ocr_batch((engine_name, [item]))
    assert isinstance(res, Done) and res.value.engine == engine_name and res.value.source == source
    assert "LENNIE" in res.value.clean.upper() and "LARGE CAT" in res.value.clean.upper()
    # no reference, or no region: the image itself is read
    (res,) = ocr_batch((engine_name, [replace(item, references=(), region=None)]))
    assert res.value.source == "image"


def test_leftovers_of_the_picture_on_rows_of_their_own_are_dropped():
    from memescope.ocr.base import OcrLine
    from memescope.ocr.layer import drop_leftovers

    lines = [
        OcrLine("SURE-I-WOULD LOVE", 0.98, (20, 10, 460, 60)),  # gaps read as hyphens: still words
        OcrLine("(0)", 0.9, (120, 90, 170, 120)),  # two eyes of a redrawn face, on a row of their own
        OcrLine("(0)", 0.6, (190, 90, 230, 120)),
        OcrLine("70", 0.8, (40, 200, 300, 230)),  # the rim of a rotated picture, read unsurely
        OcrLine("()", 0.97, (40, 250, 300, 280)),  # ... or surely, with no letter or digit
        OcrLine("I", 0.9, (40, 300, 60, 340)),  # a lone I beside a line of words stays
        OcrLine("WON NOTHING", 0.99, (80, 300, 400, 340)),
        OcrLine("LIGMA", 0.97, (100, 400, 300, 440)),  # not in the word list, but four letters and more
        OcrLine("X 3 X", 0.99, (100, 460, 300, 500)),  # read surely, with letters and digits: caption
    ]
    assert [ln.text for ln in drop_leftovers(lines)] == ["SURE-I-WOULD LOVE", "I", "WON NOTHING", "LIGMA", "X 3 X"]



def test_short_caption_lines_without_words_stay():
    """A caption's short last line read as no word ("WII U" read "WIO", unsurely) stays when it follows a
    line of words at its size, or sits at the picture's edge at the caption's size; a box lying inside two
    neighbours' boxes is their edges read again."""
    from memescope.ocr.base import OcrLine
    from memescope.ocr.layer import drop_leftovers

    box = (0, 0, 800, 1100)
    under = [OcrLine("IF I HADN'T JUST BOUGHT A", 0.98, (54, 958, 741, 1044)), OcrLine("WIO", 0.65, (298, 1024, 452, 1098))]
    assert [ln.text for ln in drop_leftovers(under, box)] == ["IF I HADN'T JUST BOUGHT A", "WIO"]
    edge = [OcrLine("YALL GOT ANYMORE OF", 0.99, (88, 23, 520, 79)), OcrLine("501(C)(3)'S", 0.93, (197, 1040, 408, 1098))]
    assert [ln.text for ln in drop_leftovers(edge, box)] == ["YALL GOT ANYMORE OF", "501(C)(3)'S"]
    # the same line away from the caption and the edges, or much smaller than the caption's letters: a leftover
    assert [ln.text for ln in drop_leftovers([edge[0], OcrLine("501(C)(3)'S", 0.93, (197, 500, 408, 558))], box)] == [edge[0].text]
    assert [ln.text for ln in drop_leftovers([under[0], OcrLine("WIO", 0.65, (298, 1050, 452, 1080))], box)] == [under[0].text]
    inside = [OcrLine("FUNNY ARMY", 0.99, (125, 496, 410, 559)), OcrLine("78", 0.96, (383, 507, 431, 548)),
              OcrLine("STORIES", 0.99, (405, 494, 589, 559))]
    assert [ln.text for ln in drop_leftovers(inside, box)] == ["FUNNY ARMY", "STORIES"]


def _bar_line(text: str, size: int = 40, fg="black", bg="white"):
    """One line of capitals in DejaVu Sans Bold on a plain ground, and its box."""
    from pathlib import Path

    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"), size)
    w = int(ImageDraw.Draw(Image.new("L", (1, 1))).textlength(text, font=font)) + 40
    im = Image.new("RGB", (w, size * 2), bg)
    ImageDraw.Draw(im).text((20, size // 3), text, font=font, fill=fg)
    return im, (0, 0, w, size * 2)


@pytest.mark.parametrize("text", ["GIRLFRIEND IF I HAD ONE", "TONY STARK", "WAS A LIE", "IT IS MY MONEY", "I AM"])
def test_words_are_counted_from_the_gaps_of_a_white_bar(text):
    import numpy as np

    from memescope.ocr.spacing import words_seen

    im, box = _bar_line(text)
    assert words_seen(np.asarray(im.convert("L")) < 128, box) == len(text.split())
    # white letters on black are not a white bar: no count rather than a wrong one
    im, box = _bar_line(text, fg="white", bg="black")
    assert words_seen(np.asarray(im.convert("L")) < 128, box) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["THE", "MONEY", "WHEN", "YOU", "GOT", "A", "I", "SAID", "NO", "WALL", "LIFE", "STARK"]),
                min_size=1, max_size=6), st.integers(24, 60))
def test_word_count_is_right_or_withheld(words, size):
    """Whatever the words and the size, the pixels give the right count or none."""
    import numpy as np

    from memescope.ocr.spacing import words_seen

    im, box = _bar_line(" ".join(words), size)
    assert words_seen(np.asarray(im.convert("L")) < 128, box) in (len(words), None)


@pytest.mark.parametrize("text, seen, expected", [
    ("GIRLFRIEND IFI HAD ONE", 5, "GIRLFRIEND IF I HAD ONE"),   # OCR glued a word the pixels show apart
    ("POKEMON GO IGOT A", 5, "POKEMON GO I GOT A"),            # ... not the rare word beside it
    ("INSTEAD OF6", 3, "INSTEAD OF 6"),
    ("AMI THE ONLY ONE", 5, "AM I THE ONLY ONE"),
    ("RAYDOG MADE A MEME", 4, "RAYDOG MADE A MEME"),           # as many words as the pixels show: left alone
    ("WHY TF DO YOU HAVE DOWNVOTES", 6, "WHY TF DO YOU HAVE DOWNVOTES"),
    ("TO RNA", 1, None),                                        # more words than the pixels show: undecided
])
def test_respace_follows_the_pixel_count(text, seen, expected):
    from memescope.ocr.spacing import respace

    assert respace(text, seen) == expected


def test_spaced_lines_are_not_split_again():
    """The cleaner splits glued words by the word list, except on lines whose spaces the pixels set."""
    from memescope.ocr.base import OcrLine, OcrResult

    lines = [OcrLine("RAYDOG MADE A MEME", 0.99, (0, 0, 500, 40), "bar")]
    assert OcrResult("x", lines).clean == "RAY DOG MADE A MEME"
    lines = [OcrLine("RAYDOG MADE A MEME", 0.99, (0, 0, 500, 40), "bar", spaced=True)]
    assert OcrResult("x", lines).clean == "RAYDOG MADE A MEME"
