"""Layout of real articles: titles, bylines, captions, boilerplate, sentences."""

from __future__ import annotations

from pathlib import Path

from cmcc_corpus.layout import analyze


def kinds(text: str, fmt: str = "txt") -> list[tuple[str, str]]:
    layout = analyze(text, fmt)
    return [(p.kind, text[p.start : p.end]) for p in layout.paragraphs]


def test_seed_000_structure(samples: Path) -> None:
    text = (samples / "000_f0c207929c95f00c.txt").read_text()
    found = kinds(text)
    assert found[0] == ("kicker", "Security")
    assert found[1][0] == "title" and found[1][1].startswith("New US-led coordination center")
    caption = next(t for k, t in found if k == "caption")
    assert caption.startswith("Palestinians chase trucks") and "on November 9" in caption
    assert "![" not in caption and "/gc1/images" not in caption
    assert ("byline", "By Noureddine Omar |") in found
    assert ("heading", "Maintaining security") in found
    assert len(found) == 24  # one paragraph per non-empty line, as the gold counts them


def test_seed_004_boilerplate_and_dateline(samples: Path) -> None:
    text = (samples / "004_b0e036cefecd7514.txt").read_text()
    found = kinds(text)
    assert ("dateline", "Fri Oct 17 2025") in found
    assert [t for k, t in found if k == "boilerplate"] == ["icon-facebook icon-twitter icon-whatsapp"] * 2


def test_seed_003_keyword_and_credit_lines(samples: Path) -> None:
    text = (samples / "003_a592e5e37fee6a75.txt").read_text()
    boiler = [t for k, t in kinds(text) if k == "boilerplate"]
    assert boiler == [
        "Army, soldiers, officer, military, defence",
        "Photo credit: Freepik",
        "Most popular",
        "See All",
    ]


def test_arabic_seed_title_caption_byline(samples: Path) -> None:
    text = (samples / "002_4acb3fe92059d304.txt").read_text()
    found = kinds(text)
    assert found[0] == ("kicker", "أمن")
    assert found[1][0] == "title"
    assert any(k == "caption" and "9 نوفمبر/تشرين الثاني" in t for k, t in found)
    assert ("byline", "نور الدين عمر |") in found
    assert len(found) == 24  # the English edition has 24 as well


def test_sentences_respect_abbreviations_and_initials() -> None:
    text = "CENTCOM Spokesman Capt. Tim Hawkins spoke. The U.S. Army agreed on Oct. 17 with Donald J. Trump. Done!"
    layout = analyze(text)
    sentences = [text[s.start : s.end] for s in layout.sentences]
    assert sentences == [
        "CENTCOM Spokesman Capt. Tim Hawkins spoke.",
        "The U.S. Army agreed on Oct. 17 with Donald J. Trump.",
        "Done!",
    ]


def test_arabic_sentences_split_on_arabic_marks() -> None:
    text = "افتتح المركز أعماله. هل بدأ العمل؟ نعم؛ بدأ في 17 أكتوبر"
    layout = analyze(text)
    assert [text[s.start : s.end] for s in layout.sentences] == [
        "افتتح المركز أعماله.",
        "هل بدأ العمل؟",
        "نعم؛",
        "بدأ في 17 أكتوبر",
    ]


def test_markdown_blocks_front_matter_and_heading_title() -> None:
    text = (
        "---\ntitle: X\n---\n# The headline of the piece\n\n"
        "First line of a paragraph\ncontinues here.\n\n![A caption on May 2](img.png)\n"
    )
    found = kinds(text, "md")
    assert found[0] == ("front_matter", "---\ntitle: X\n---")
    assert found[1] == ("title", "# The headline of the piece")
    assert found[2] == ("body", "First line of a paragraph\ncontinues here.")
    assert found[3] == ("caption", "A caption on May 2")
    assert analyze(text, "md", None).title == "The headline of the piece"


def test_hard_wrapped_text_joins_lines_into_paragraphs() -> None:
    para = (
        "This is a hard wrapped paragraph that goes on for a while\n"
        "and continues on the next line without any\nsentence end until here.\n"
    )
    text = "A headline for the wrapped story here\n\n" + para + "\n" + para
    found = kinds(text)
    assert [k for k, _ in found] == ["title", "body", "body"]


def test_front_matter_without_a_blank_line_after_it_keeps_the_first_paragraph() -> None:
    text = "---\ntitle: T\n---\nThe CMCC opened in Kiryat Gat.\n\nSecond paragraph.\n"
    layout = analyze(text, "md")
    pieces = [(text[p.start : p.end], p.kind) for p in layout.paragraphs]
    assert pieces[0] == ("---\ntitle: T\n---", "front_matter")
    assert pieces[1][0] == "The CMCC opened in Kiryat Gat." and pieces[1][1] != "front_matter"
    assert layout.words == 8  # the first paragraph counts as article text


def test_a_rule_line_that_opens_no_front_matter_is_not_front_matter() -> None:
    text = "---\nJust a rule, then prose with no closing line.\n"
    assert all(p.kind != "front_matter" for p in analyze(text, "md").paragraphs)
