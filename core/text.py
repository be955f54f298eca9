"""Text normalisation for Vietnamese search that ignores diacritics and case."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Letters that NFKD does not decompose into a base letter plus marks.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "ł": "l", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case `text`, strip diacritics ("Đăng ký" -> "dang ky") and collapse spaces.

    Used both to build the stored search column and to normalise the query, so SQLite and
    PostgreSQL match exactly the same rows.
    """
    if not text:
        return ""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()
