"""HTML parts are reduced to the text a reader (or a hider) put in them."""

import time

from policy.textcensor import html_to_text


def test_tags_are_stripped_and_blocks_become_lines() -> None:
    html = "<html><body><h1>Quarterly report</h1><p>Sales are <b>up</b>.</p><ul><li>one</li><li>two</li></ul>"
    assert html_to_text(html) == "Quarterly report\n\nSales are up.\n\none\n\ntwo"


def test_line_breaks() -> None:
    assert html_to_text("one<br>two<br/>three<BR />four") == "one\ntwo\nthree\nfour"


def test_entities_are_decoded() -> None:
    text = html_to_text("<p>Fish &amp; chips &lt;3 &#8364;5 &euro;6 caf&eacute;&nbsp;bar &#x41;</p>")
    assert text == "Fish & chips <3 €5 €6 café bar A"


def test_script_style_and_head_are_removed() -> None:
    html = (
        "<html><head><title>secret title</title><style>p {color: red}</style></head>"
        "<body><script>var secret = 1;</script><p>visible</p><noscript>fallback</noscript></body></html>"
    )
    assert html_to_text(html) == "visible"


def test_hidden_text_is_kept_so_it_can_be_scanned() -> None:
    html = '<p>Hello</p><div style="display:none">cheap pills</div><span hidden>casino</span>'
    text = html_to_text(html)
    assert "cheap pills" in text and "casino" in text


def test_image_alt_text_is_kept() -> None:
    assert html_to_text('<p>Offer: <img src="x.png" alt="FREE MONEY"></p>') == "Offer: FREE MONEY"


def test_words_split_by_inline_tags_are_joined() -> None:
    assert html_to_text("con<span>fid</span>ent<i>ial</i>") == "confidential"


def test_table_cells_are_separated() -> None:
    assert html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b\n\nc"


def test_invisible_characters_are_removed() -> None:
    assert html_to_text("vi\u200bag\u00adra") == "viagra"


def test_malformed_html_does_not_raise() -> None:
    samples = [
        "<p>unclosed <b>bold <i>italic",
        "<<<>>> <p <div>>text</p>",
        "<!-- unterminated comment <p>x",
        "<![CDATA[ odd ]]> text </notopened> more",
        "<a href='x>broken</a> tail",
        "<head><title>t</title><body>body without closing head",
        "&#99999999; &bogus; &",
    ]
    for html in samples:
        assert isinstance(html_to_text(html), str)
    assert html_to_text("<head><title>t</title><body>body text") == "body text"
    assert html_to_text("<p>unclosed <b>bold <i>italic") == "unclosed bold italic"


def test_huge_html_is_handled_quickly() -> None:
    html = "<div><p>row <b>text</b> &amp; more</p></div>" * 40_000  # ~1.6 MB
    started = time.perf_counter()
    text = html_to_text(html)
    assert time.perf_counter() - started < 10
    assert text.count("row text & more") == 40_000


def test_deeply_nested_markup() -> None:
    html = "<div>" * 50_000 + "deep" + "</div>" * 50_000
    assert html_to_text(html) == "deep"
