"""A CSV saved in a Windows code page (Excel's "CSV" outside "CSV UTF-8") is read in the code
page it was saved in, so the names people typed come back as they typed them."""

from __future__ import annotations

import random

import openpyxl
import pytest

from map_converter.convert import convert_table
from map_converter.pipeline import convert_file
from map_converter.tables import read_table
from map_converter.text_encodings import decode_text

PLACES = {
    "fr": ("cp1252", ["Café de la Gare", "Hôtel Élysée", "Musée d'Orsay", "Gare du Nord"]),
    "de": ("cp1252", ["Müller Straße", "Köln Hbf", "Bäckerei", "Brücke"]),
    "es": ("cp1252", ["Peñón", "Plaza Mayor", "Estación", "Año Nuevo"]),
    "pt": ("cp1252", ["São Paulo", "Coração", "Praça da Sé"]),
    "ru": ("cp1251", ["Красная площадь", "Эрмитаж", "Кафе Пушкин", "Аптека"]),
    "uk": ("cp1251", ["Київ", "Хрещатик", "Львівська площа"]),
    "pl": ("cp1250", ["Łódź Kaliska", "Kraków Główny", "Gdańsk", "Wrocław"]),
    "cs": ("cp1250", ["Náměstí Míru", "Brno-Žabovřesky", "Přerov", "Český Krumlov", "Ústí"]),
    "sk": ("cp1250", ["Nové Zámky", "Košice", "Ďumbier", "Ľubochňa", "Štrbské Pleso"]),
    "tr": ("cp1254", ["İstanbul Şişli", "Kadıköy İskele", "Beşiktaş Çarşı", "Ağrı", "Kızılay"]),
    "lt": ("cp1257", ["Užupis", "Klaipėda", "Šiaulių gatvė", "Katedros aikštė"]),
    "et": ("cp1257", ["Tõnismägi", "Pärnu", "Võru", "Žürii", "Kuressaare"]),
    "hr": ("cp1250", ["Trg bana Jelačića", "Čakovec", "Đakovo", "Šetalište", "Split"]),
    "hu": ("cp1250", ["Hősök tere", "Győr", "Nagyerdő", "Székesfehérvár", "Gyűrű"]),
    "el": ("cp1253", ["Ακρόπολη", "Θεσσαλονίκη", "Πειραιάς"]),
    "ja": ("cp932", ["東京タワー", "大阪城", "京都駅", "ラーメン屋"]),
    "zh": ("cp936", ["天安门", "上海火车站", "故宫博物院"]),
    "ko": ("cp949", ["남산타워", "서울역", "경복궁"]),
    "ar": ("cp1256", ["القاهرة", "دبي مول", "مكة المكرمة"]),
}


def _text(names: list[str], rows: int = 30, seed: int = 3) -> str:
    generator = random.Random(seed)
    lines = ["Name,Link"]
    for number in range(rows):
        lat, lng = generator.uniform(-80, 80), generator.uniform(-170, 170)
        lines.append(
            f"{generator.choice(names)} {number},https://maps.google.com/?q={lat:.5f},{lng:.5f}"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("language", sorted(PLACES))
def test_a_code_page_csv_is_read_as_it_was_written(tmp_path, language):
    code_page, names = PLACES[language]
    text = _text(names)
    path = tmp_path / "places.csv"
    path.write_bytes(text.encode(code_page))
    table = read_table(path)
    assert [row[0] for row in table.rows] == [line.split(",")[0] for line in text.splitlines()[1:]]
    assert all(result.lat is not None for result in convert_table(table).results)


WESTERN_PLACES = {
    "da": ["Købmagergade", "Århus Ø", "Nørrebro", "Ærøskøbing"],
    "no": ["Tromsø", "Bodø", "Sjøgata", "Blåbærveien"],
    "sv": ["Göteborg", "Västerås", "Smörgåsbord", "Åre"],
    "fi": ["Hämeenlinna", "Šakki-kahvila", "Jyväskylä"],
    "is": ["Reykjavík", "Þingvellir", "Höfuðborgarsvæðið", "Ísafjörður", "Mýrdalur"],
    "it": ["Città di Castello", "Università", "Caffè", "Perché", "Forlì", "Lungarno"],
    "ca": ["Plaça de Catalunya", "Lleó", "Sant Martí", "Collserola", "Paral·lel"],
    "nl": ["Coöperatie", "Zoë", "België", "Curaçao"],
    "fr2": ["Crème brûlée", "Œuvre", "L'Haÿ-les-Roses", "Très-Saint", "Noël", "Château"],
    "pt2": ["Conceição", "Guimarães", "Póvoa de Varzim", "Olhão"],
}


@pytest.mark.parametrize("language", ["fr", "de", "es", "pt", *sorted(WESTERN_PLACES)])
def test_western_text_stays_windows_1252_even_in_a_few_lines(language):
    names = PLACES[language][1] if language in PLACES else WESTERN_PLACES[language]
    for name in names:
        text = f"Name,Link\n{name},geo:1.5,2.5\n"
        assert decode_text(text.encode("cp1252")) == text
    text = _text(names)
    assert decode_text(text.encode("cp1252")) == text


def test_a_western_list_of_every_language_stays_windows_1252():
    names = [name for group in WESTERN_PLACES.values() for name in group]
    names += [name for language in ("fr", "de", "es", "pt") for name in PLACES[language][1]]
    text = _text(names, rows=200)
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize("language", ["cs", "sk", "tr", "lt", "et", "hr", "hu"])
def test_a_single_line_in_a_code_page_that_also_reads_as_western(language):
    code_page, names = PLACES[language]
    text = f"Name,Link\n{' '.join(names)},geo:1.5,2.5\n"
    assert decode_text(text.encode(code_page)) == text


def test_names_come_back_whole_in_every_output(tmp_path):
    text = _text(PLACES["ru"][1], rows=5)
    source = tmp_path / "moscow.csv"
    source.write_bytes(text.encode("cp1251"))
    outputs = [(tmp_path / f"out.{kind}", kind) for kind in ("csv", "geojson", "kml", "xlsx")]
    convert_file(source, outputs)
    names = [line.split(",")[0] for line in text.splitlines()[1:]]
    for path, kind in outputs[:3]:
        written = path.read_text(encoding="utf-8-sig")
        assert all(name in written for name in names), kind
    sheet = openpyxl.load_workbook(outputs[3][0]).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == names


def test_utf8_and_boms_are_read_as_before():
    text = "Name,Link\nКрасная площадь,geo:55.75,37.62\n"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-8-sig")) == text
    assert decode_text(text.encode("utf-16")) == text


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Name,Link\nA,geo:1.5,2.5\n".encode("utf-16") + b"\x00", "A,geo:1.5,2.5"),  # cut short
        (b"\xff\xfe\x00\x00" + "Name\n".encode("utf-32-le") + b"\xff\xff\xff\x7f", "Name"),
    ],
    ids=["utf-16-odd-length", "utf-32-past-unicode"],
)
def test_a_damaged_utf16_or_utf32_file_is_read_with_its_broken_bytes_marked(raw, kept):
    """A BOM that says UTF-16/32 over bytes that are not (fuzzing: a 500 from the decoder)."""
    text = decode_text(raw)
    assert kept in text
    assert "\ufffd" in text
