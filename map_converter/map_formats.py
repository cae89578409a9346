"""GeoJSON and KML: one point per ok row, the row's other cells as its properties."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from .results import Conversion, RowResult, RowStatus
from .tables import cell_text
from .xlsx_cells import xml_safe

if TYPE_CHECKING:
    from .output import OutputLayout


def _properties(
    conversion: Conversion, layout: OutputLayout, index: int, result: RowResult
) -> dict:
    """The row's other columns plus what we found, for GeoJSON/KML. The sheet's own latitude and
    longitude columns carry the point of the geometry, never the values they held before."""
    row = conversion.table.rows[index]
    properties = {"row_number": result.row_number}
    ours = {layout.lat_column: result.lat, layout.lng_column: result.lng}
    for column, title in enumerate(conversion.table.header):
        value = ours[column] if column in ours else (row[column] if column < len(row) else None)
        if isinstance(value, dt.date | dt.datetime | dt.time):
            value = value.isoformat()
        elif isinstance(value, float) and not math.isfinite(value):
            value = None  # JSON has no Infinity or NaN
        properties[title] = value if value != "" else None
    properties["method"] = result.method
    properties["note"] = result.note
    link = conversion.link_behind_label(index)
    if link:
        properties["Map link URL"] = link
    return properties


def write_geojson(conversion: Conversion, layout: OutputLayout, path: Path) -> None:
    """A FeatureCollection with one Point per ok row."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [')
        first = True
        for index, result in enumerate(conversion.results):
            if result.status is not RowStatus.OK:
                continue
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [result.lng, result.lat]},
                "properties": _properties(conversion, layout, index, result),
            }
            handle.write(
                ("" if first else ",")
                + "\n"
                + json.dumps(feature, ensure_ascii=False, allow_nan=False)
            )
            first = False
        handle.write("\n]}\n")


def _xml_text(value: object) -> str:
    return html.escape(xml_safe(cell_text(value)), quote=False)


def write_kml(conversion: Conversion, layout: OutputLayout, path: Path) -> None:
    """A KML document with a Placemark per ok row, named from the name-like column."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        handle.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n')
        handle.write(f"<name>{_xml_text(conversion.table.path.stem)}</name>\n")
        for index, result in enumerate(conversion.results):
            if result.status is not RowStatus.OK:
                continue
            name = result.name or f"Row {result.row_number}"
            data = "".join(
                f'<Data name="{html.escape(xml_safe(str(key)))}"><value>{_xml_text(value)}</value></Data>'
                for key, value in _properties(conversion, layout, index, result).items()
                if value is not None
            )
            handle.write(
                f"<Placemark><name>{_xml_text(name)}</name><ExtendedData>{data}</ExtendedData>"
                f"<Point><coordinates>{result.lng!r},{result.lat!r}</coordinates></Point></Placemark>\n"
            )
        handle.write("</Document></kml>\n")
