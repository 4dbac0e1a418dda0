"""Feed fields as plain text: html_to_text on paragraphs, entities, and HTML escaped twice."""

from __future__ import annotations

import pytest

from bot.feeds.html_text import html_to_text

HTML_CASES = [
    ("paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("br-br", "One<br><br>Two<br/>still two", "One\n\nTwo\nstill two"),
    ("br-spaced", "One<br>\n <br />Two", "One\n\nTwo"),
    ("whitespace", "  a \n\t b&nbsp;&nbsp;c  ", "a b c"),
    ("entities", "AT&amp;T &#8217;s &quot;q&quot; &eacute;", 'AT&T ’s "q" é'),
    (
        "double-escaped",
        "&lt;p&gt;Hello &amp;amp; bye&lt;/p&gt;&lt;p&gt;Next&lt;/p&gt;",
        "Hello & bye\n\nNext",
    ),
    ("double-nbsp", "departures.\n\n&amp;nbsp;“These", "departures. “These"),
    ("script-style", "<p>a<script>var x = '<p>';</script>b</p><style>p{}</style>", "ab"),
    ("inline", "<p>The <b>big</b> <a href='x'>news</a>.</p>", "The big news."),
    ("list", "<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
    ("table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc"),
    ("img-only", "<img src='x.jpg' align='left' />", ""),
    ("empty", "", ""),
    ("plain", "No markup at all.", "No markup at all."),
    ("less-than", "3 < 4 and 5 > 2", "3 < 4 and 5 > 2"),
    ("unclosed", "<p>Open <b>bold", "Open bold"),
    ("zero-width", "a\u200bb\ufeffc", "abc"),
    ("headings", "<h2>Title</h2>Body", "Title\n\nBody"),
    ("cdata-escaped", "&lt;![CDATA[ Líder na pesquisa ]]&gt;", "Líder na pesquisa"),
    # Found by the damaged-feeds property test: a "<" inserted into a CDATA opener.
    ("cdata-damaged", "&lt;!&lt;[CDATA[ Líder na pesquisa ]]&gt;", "Líder na pesquisa"),
    ("comment", "Before<!-- a comment -->after", "Beforeafter"),
]


@pytest.mark.parametrize(
    ("html", "text"), [c[1:] for c in HTML_CASES], ids=[c[0] for c in HTML_CASES]
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text
