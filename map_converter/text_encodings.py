"""The text of a CSV/TSV file: UTF-8 (with or without BOM), UTF-16/32 with a BOM, else the
Windows code page it was saved in (Excel's plain "CSV" uses the computer's code page).

Windows-1252 (Western Europe and the Americas) is kept whenever it reads as plausible text, as it
always was; only text that cannot be Western (a word made only of accented letters, as Cyrillic
or Greek come out; a symbol between two letters, as Polish ł does) goes to charset-normalizer,
whose candidates among the other code pages Excel writes are taken in its order, the first that
reads as plausible text. A misreading would put other letters into every output, so the plain
guess stays the default: text of a code page that also reads as Western (Czech, Turkish) is
still read as Windows-1252; save such a file as "CSV UTF-8".
"""

from __future__ import annotations

import re
import unicodedata

WESTERN = "cp1252"
# The code pages Excel saves "CSV" in, besides Windows-1252: Central European, Cyrillic, Greek,
# Turkish, Hebrew, Arabic, Baltic, Vietnamese, Thai, Japanese, Simplified Chinese, Korean,
# Traditional Chinese.
OTHER_CODE_PAGES = [
    "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "cp874", "cp932", "cp936", "cp949", "cp950",
]  # fmt: skip
SAMPLE_BYTES = 256 * 1024  # enough rows to tell; the whole file is then read in that code page
# A run of characters between separators that holds something other than ASCII.
_NON_ASCII_WORD_RE = re.compile(
    r"[^\s,;\t|\"'()\[\]{}<>/\\.!?:=&+*#%~^`@-]*[^\x00-\x7f][^\s,;\t|\"'()\[\]{}<>/\\.!?:=&+*#%~^`@-]*"
)


def decode_text(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return raw.decode("utf-32")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode(code_page(raw[:SAMPLE_BYTES]), errors="replace")


def code_page(sample: bytes) -> str:
    """The code page a sample that is not UTF-8 was most likely written in."""
    if _plausible(sample.decode(WESTERN, errors="replace")):
        return WESTERN
    from charset_normalizer import from_bytes

    for match in from_bytes(sample, cp_isolation=OTHER_CODE_PAGES):  # its best first
        if _plausible(str(match)):
            return match.encoding
    return WESTERN


def _plausible(text: str) -> bool:
    """Whether text reads as words: at most one in ten of its words that are not plain ASCII is
    made only of accented Latin letters (three or more), has a symbol between two letters, or a
    byte the code page has no character for."""
    words = _NON_ASCII_WORD_RE.findall(text)
    odd = sum(1 for word in words if _odd(word))
    return odd * 10 <= len(words) and not (odd and len(words) < 3)


def _odd(word: str) -> bool:
    letters = [character for character in word if character.isalpha()]
    if len(letters) >= 3 and all(
        ord(letter) > 0x7F and unicodedata.name(letter, "").startswith("LATIN")
        for letter in letters
    ):  # "Êàôå": Cyrillic read as Western; "Кафе" itself is plausible
        return True
    for before, middle, after in zip(word, word[1:], word[2:], strict=False):
        if (
            ord(middle) > 0x7F
            and before.isalpha()
            and after.isalpha()
            and not middle.isalpha()
            and not unicodedata.category(middle).startswith("M")  # a combining accent is fine
        ):
            return True
    return "\ufffd" in word  # a byte Windows-1252 has no character for
