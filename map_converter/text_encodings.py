"""The text of a CSV/TSV file: UTF-8 (with or without BOM), UTF-16/32 with a BOM, else the
Windows code page it was saved in (Excel's plain "CSV" uses the computer's code page).

Windows-1252 (Western Europe and the Americas) is the default. Text that cannot be Western (a
word made only of accented letters, as Cyrillic or Greek come out; a symbol between two letters,
as Polish ł does) goes to charset-normalizer, whose candidates among the other code pages Excel
writes are taken in its order, the first that reads as plausible text. Text that also reads as
Western (Czech, Slovak, Turkish, Baltic) is told apart by its words' letters: a word read in the
right code page uses the letters of one language (ř with ě in "Přerov"), read in the wrong one it
mixes languages ("Námìstí": Spanish á, Italian ì). Another code page is taken only when clearly
fewer words mix languages in it, so Western text is never turned into other letters. Latvian
(ā ē ī ū read as French â ç î û) cannot be told apart this way and stays Western.
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
    """The text; bytes a BOM's UTF-16/32 cannot decode (a file cut short) become U+FFFD."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return raw.decode("utf-32", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode(code_page(raw[:SAMPLE_BYTES]), errors="replace")


def code_page(sample: bytes) -> str:
    """The code page a sample that is not UTF-8 was most likely written in."""
    western = sample.decode(WESTERN, errors="replace")
    if _plausible(western):
        return _latin_code_page(sample, western)
    from charset_normalizer import from_bytes

    for match in from_bytes(sample, cp_isolation=OTHER_CODE_PAGES):  # its best first
        if _plausible(str(match)):
            return match.encoding
    return WESTERN


# The letters beyond ASCII (lower case) of the languages written in each Latin code page. Western
# is generous (Finnish š and ž, Icelandic þ and ð): a Western word must always fit one of them.
_ALPHABETS = {
    WESTERN: (
        "àâçéèêëîïôœùûüÿ",  # French (æ only in Latin phrases; Croatian ć reads as it)
        "äöüß",  # German
        "áéíñóúü",  # Spanish
        "ãõáâàçéêíóôú",  # Portuguese
        "àèéìíîòóù",  # Italian
        "àçèéíïòóúü",  # Catalan
        "áéíóúëïèäöü",  # Dutch
        "æøåéó",  # Danish, Norwegian
        "åäöé",  # Swedish
        "åäöšž",  # Finnish (Estonian is written in Windows-1257)
        "áéíóúýþðæö",  # Icelandic
        "áíóúýæøð",  # Faroese
    ),
    "cp1250": (
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "ąćęłńóśźż",  # Polish
        "áéíóöőúüű",  # Hungarian
        "ăâîşţ",  # Romanian
        "čćđšž",  # Croatian, Slovene, Bosnian
        "äöüß",  # German
    ),
    "cp1254": ("çğıİöşüâîû",),  # Turkish
    "cp1257": ("ąčęėįšųūž", "āčēģīķļņšūž", "äöõüšž"),  # Lithuanian, Latvian, Estonian
}
_ALPHABET_SETS = {page: [set(letters) for letters in group] for page, group in _ALPHABETS.items()}


def _latin_code_page(sample: bytes, western: str) -> str:
    """Western, unless in another Latin code page clearly fewer words mix languages' letters."""
    western_odd, words = _words_that_mix(western, WESTERN)
    if not western_odd:
        return WESTERN
    best, best_odd = WESTERN, western_odd
    for page in ("cp1250", "cp1254", "cp1257"):
        odd, _ = _words_that_mix(sample.decode(page, errors="replace"), page)
        if odd < best_odd:
            best, best_odd = page, odd
    clearly = western_odd - best_odd >= max(1, words // 10) and best_odd * 10 <= words
    return best if clearly else WESTERN


def _words_that_mix(text: str, page: str) -> tuple[int, int]:
    """(words beyond ASCII whose letters belong to no one language of the code page, such words)."""
    alphabets = _ALPHABET_SETS[page]
    odd = words = 0
    for word in _NON_ASCII_WORD_RE.findall(text):
        letters = {
            letter if letter == "İ" else letter.lower()  # "İ".lower() is "i" and a combining dot
            for letter in word
            if letter > "\x7f" and letter.isalpha()
        }
        if not letters:
            continue
        words += 1
        odd += not any(letters <= alphabet for alphabet in alphabets)
    return odd, words


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
            and not (middle == "·" and before in "lL" and after in "lL")  # Catalan "Paral·lel"
        ):
            return True
    return "\ufffd" in word  # a byte Windows-1252 has no character for
