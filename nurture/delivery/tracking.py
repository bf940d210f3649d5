"""Click and open tracking, added to an email's HTML after rendering.

Each ``<a href="http(s)://...">`` becomes a signed redirect through our click endpoint; the
unsubscribe link stays as it is (it must work as written). An invisible pixel records opens,
which count for little: privacy proxies open every message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"'<>\s]+)\2""", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def track_links(body: str, rewrite: Callable[[str], str], keep: frozenset[str]) -> str:
    """Replace each absolute link by ``rewrite(url)``, except the URLs in ``keep``."""

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match.group(3))
        if url in keep:
            return match.group(0)
        quote = match.group(2)
        return f"{match.group(1)}{quote}{html.escape(rewrite(url))}{quote}"

    return _HREF.sub(replace, body)


def add_open_pixel(body: str, pixel_url: str) -> str:
    pixel = (
        f'<img src="{html.escape(pixel_url)}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px">'
    )
    ends = list(_BODY_END.finditer(body))
    if not ends:
        return body + pixel
    at = ends[-1].start()
    return body[:at] + pixel + body[at:]
