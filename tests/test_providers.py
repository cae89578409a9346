"""Every provider record: the forms its documentation and share buttons produce, and what is derived.

Rows are (link, lat, lng, method, provider). Cases that must not give a point are in NONE, with
the words their reason must contain.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import pytest

from map_converter import parse_link, read_link
from map_converter.coordinate_codes import decode_geohash, decode_osm_shortlink, decode_plus_code
from map_converter.providers import PROVIDERS, provider_table_markdown
from map_converter.safety import HostPolicy, UnsafeURLError, check_url
from tests.test_links import FOUND as BASIC_FOUND

LAT, LNG = 48.8583701, 2.2944813
MOSCOW_LAT, MOSCOW_LNG = 55.755814, 37.617635
EIFFEL_DMS = (48 + 51 / 60 + 29.5 / 3600, 2 + 17 / 60 + 40.2 / 3600)
WAZE_HASH = "u09tunquc"
WAZE_POINT = decode_geohash(WAZE_HASH)
PLUS_CENTRE = decode_plus_code("8FVC2222+22")
OSM_SHORT = decode_osm_shortlink("0GAjIv8h")
HERE_S = base64.b64encode(f"c=landmark;id=276u33db;lat={LAT};lon={LNG};n=Eiffel".encode()).decode()
HERE_E = base64.b64encode(json.dumps({"latitude": LAT, "longitude": LNG}).encode()).decode()
GOOGLE_PLACE = f"https://www.google.com/maps/place/X/@1,1,17z/data=!3m1!4b1!4m5!3m4!1s0x0:0x0!8m2!3d{LAT}!4d{LNG}"

FORMS = [
    # --- Google
    (f"https://www.google.com/maps/embed?pb=!4v1700000000000!6m8!1m7!1sCAoSLEFGMVFp!2m2!1d{LAT}!2d{LNG}!3f120!4f0!5f0.78", LAT, LNG, "street-view", "google"),
    (f"https://www.google.com/maps/search/restaurants/{LAT},{LNG},15z", LAT, LNG, "viewport", "google"),
    (f"https://www.google.com/maps/search/restaurants/{LAT},{LNG},15z?entry=ttu", LAT, LNG, "viewport", "google"),
    (f"https://maps.google.com/maps/ll={LAT},{LNG}&z=15", LAT, LNG, "viewport", "google"),
    (f"https://maps.google.com/?q=loc:{LAT},{LNG}+(Eiffel+Tower)", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/?q=loc:{LAT}+{LNG}&z=15", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/maps?q=loc:{LAT},{LNG}&hl=en", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/maps?q={LAT}, {LNG}", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/maps?q={LAT},%20{LNG}&z=17", LAT, LNG, "query", "google"),
    (f"https://www.google.com/url?q={GOOGLE_PLACE}&sa=D&source=editors", LAT, LNG, "pin", "google"),
    ("https://www.google.com/url?q=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&sa=D", LAT, LNG, "query", "google"),
    (f"https://www.google.com/url?url=https://maps.google.com/?q={LAT},{LNG}", LAT, LNG, "query", "google"),
    (f"https://www.google.com/maps/dir/My+Location/{LAT},{LNG}/", LAT, LNG, "directions-destination", "google"),
    (f"https://www.google.com/maps/dir/My+location/Eiffel+Tower/@48.85,2.29,15z/data=!4m9!4m8!1m0!1m5!1m1!1s0x0:0x0!2m2!1d{LNG}!2d{LAT}!3e0", LAT, LNG, "directions-destination", "google"),
    (f"https://www.google.com/maps/dir//{LAT},{LNG}", LAT, LNG, "directions-destination", "google"),
    (f"https://maps.google.com/maps?saddr=Paris&daddr=Eiffel+Tower+@{LAT},{LNG}", LAT, LNG, "directions-destination", "google"),
    (f"https://maps.google.com/maps?saddr=Current+Location&daddr={LAT},{LNG}", LAT, LNG, "directions-destination", "google"),
    (f"google.navigation:q={LAT}%2B{LNG}", LAT, LNG, "query", "google"),
    (f"google.navigation:q={LAT},{LNG}&mode=w", LAT, LNG, "query", "google"),
    ("https://www.google.com/maps?q=8FVC2222%2B22", *PLUS_CENTRE, "plus-code", "google"),
    ("https://www.google.com/maps?q=8FVC2222+22", *PLUS_CENTRE, "plus-code", "google"),
    ("https://www.google.com/maps/search/?api=1&query=8FVC2222%2B22", *PLUS_CENTRE, "plus-code", "google"),
    ("https://www.google.com/maps/place/48%C2%B051'29.5%22N+2%C2%B017'40.2%22E/@48.85,2.29,17z", *EIFFEL_DMS, "pin", "google"),
    (f"comgooglemaps://?q={LAT},{LNG}&zoom=14", LAT, LNG, "query", "google"),
    (f"comgooglemapsurl://www.google.com/maps/@{LAT},{LNG},15z", LAT, LNG, "viewport", "google"),
    (f"https://consent.google.com/ml?continue=https://www.google.com/maps/@{LAT},{LNG},15z&gl=FR", LAT, LNG, "viewport", "google"),
    # --- links wrapped by mail and social sites (pasted from Outlook, Facebook, LinkedIn): the wrapped link is read
    ("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&data=05%7C02%7Cx%40example.com%7C&sdata=abc%3D&reserved=0", LAT, LNG, "query", "google"),
    (f"https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.openstreetmap.org%2F%3Fmlat%3D{LAT}%26mlon%3D{LNG}&data=x&reserved=0", LAT, LNG, "pin", "osm"),
    ("https://gcc02.safelinks.protection.office365.us/?url=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&data=x", LAT, LNG, "query", "google"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&h=AT0abc", LAT, LNG, "query", "google"),
    ("https://lm.facebook.com/l.php?u=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&h=AT0abc", LAT, LNG, "query", "google"),
    ("https://l.messenger.com/l.php?u=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&h=AT0abc", LAT, LNG, "query", "google"),
    ("https://l.instagram.com/?u=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&e=AT0abc", LAT, LNG, "query", "google"),
    ("https://www.linkedin.com/redir/redirect?url=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.8583701%2C2.2944813&urlhash=abc", LAT, LNG, "query", "google"),
    (f"https://maps.googleapis.com/maps/api/staticmap?center=1,1&zoom=13&markers=color:red%7Clabel:A%7C{LAT},{LNG}", LAT, LNG, "pin", "google"),
    (f"https://maps.googleapis.com/maps/api/staticmap?center={LAT},{LNG}&zoom=13&size=600x300", LAT, LNG, "viewport", "google"),
    (f"https://maps.googleapis.com/maps/api/streetview?size=600x300&location={LAT},{LNG}&heading=151", LAT, LNG, "street-view", "google"),
    (f"https://www.google.com/maps/@?api=1&map_action=map&center={LAT},{LNG}&zoom=12", LAT, LNG, "viewport", "google"),
    (f"https://www.google.com/maps/@?api=1&map_action=pano&viewpoint={LAT},{LNG}&heading=-45", LAT, LNG, "street-view", "google"),
    (f"https://www.google.com/maps/dir/?api=1&origin=Paris&destination={LAT},{LNG}", LAT, LNG, "directions-destination", "google"),
    (f"https://www.google.com/maps/d/viewer?mid=1abc&ll={LAT},{LNG}&z=15", LAT, LNG, "viewport", "google"),
    (f"https://maps.google.com/maps?q=N{LAT},E{LNG}", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/?q={LAT},+{LNG}", LAT, LNG, "query", "google"),
    ("https://maps.google.com/maps?q=48%C2%B051%2729.5%22N+2%C2%B017%2740.2%22E", *EIFFEL_DMS, "query", "google"),
    # --- trimming what pasting leaves around a link
    (f'see ("https://maps.google.com/?q={LAT},{LNG}"),', LAT, LNG, "query", "google"),
    (f'<a href="https://maps.google.com/?q={LAT},{LNG}">Eiffel</a>', LAT, LNG, "query", "google"),
    (f"<a href='https://maps.google.com/?q={LAT},{LNG}'>Eiffel</a>", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/?q={LAT},{LNG}%22%3E", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/?q={LAT},{LNG}%22", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/?q={LAT},{LNG}&amp;z=15", LAT, LNG, "query", "google"),
    (f"Map: https://maps.google.com/?q={LAT},{LNG}…", LAT, LNG, "query", "google"),
    (f"(https://maps.google.com/?q={LAT},{LNG}).", LAT, LNG, "query", "google"),
    (f"[https://maps.google.com/?q={LAT},{LNG}];", LAT, LNG, "query", "google"),
    (f"`https://maps.google.com/?q={LAT},{LNG}`", LAT, LNG, "query", "google"),
    (f"'https://maps.google.com/?q={LAT},{LNG}');", LAT, LNG, "query", "google"),
    (f"https://maps.google.com/?q={LAT},{LNG}\u200b", LAT, LNG, "query", "google"),
    (f"geo:0,0?q={LAT},{LNG}(Eiffel Tower", LAT, LNG, "geo-uri", "geo"),
    # --- geo: URIs
    (f"geo:{LAT},{LNG}?q={MOSCOW_LAT},{MOSCOW_LNG}", MOSCOW_LAT, MOSCOW_LNG, "geo-uri", "geo"),
    (f"geo:{LAT}, {LNG}", LAT, LNG, "geo-uri", "geo"),
    (f"geo:?q={LAT},{LNG}", LAT, LNG, "geo-uri", "geo"),
    (f"geo:{LAT}%2C{LNG}", LAT, LNG, "geo-uri", "geo"),
    (f"geo:{LAT},{LNG}(Eiffel Tower)", LAT, LNG, "geo-uri", "geo"),
    (f"geo:0,0?q={LAT},{LNG}(Eiffel Tower)", LAT, LNG, "geo-uri", "geo"),
    (f"geo:0,0?q={LAT},{LNG}%28Eiffel%20Tower%29", LAT, LNG, "geo-uri", "geo"),
    ("geo:0,0?q=8FVC2222%2B22", *PLUS_CENTRE, "plus-code", "geo"),
    ("geo:0,0?q=8FVC2222+22", *PLUS_CENTRE, "plus-code", "geo"),
    (f"GEO:{LAT},{LNG}", LAT, LNG, "geo-uri", "geo"),
    (f"geo:{LAT},{LNG};u=35", LAT, LNG, "geo-uri", "geo"),
    (f"geo:{LAT},{LNG},330;crs=wgs84", LAT, LNG, "geo-uri", "geo"),
    (f"geo:{LAT},{LNG}?z=17", LAT, LNG, "geo-uri", "geo"),
    (f"geo:{LAT},{LNG}?q=cafe", LAT, LNG, "viewport", "geo"),
    # --- Apple
    (f"https://maps.apple.com/?daddr={LAT},{LNG}&dirflg=d", LAT, LNG, "directions-destination", "apple"),
    (f"https://maps.apple.com/directions?destination={LAT},{LNG}", LAT, LNG, "directions-destination", "apple"),
    (f"https://maps.apple.com/?q=Eiffel&ll={LAT},{LNG}&z=16", LAT, LNG, "pin", "apple"),
    (f"https://maps.apple.com/search?query={LAT},{LNG}", LAT, LNG, "query", "apple"),
    (f"maps://?ll={LAT},{LNG}", LAT, LNG, "pin", "apple"),
    (f"https://beta.maps.apple.com/?ll={LAT},{LNG}&q=Eiffel", LAT, LNG, "pin", "apple"),
    (f"https://beta.maps.apple.com/place?coordinate={LAT},{LNG}&name=Eiffel", LAT, LNG, "pin", "apple"),
    # --- OpenStreetMap
    ("https://osm.org/go/0GAjIv8h", *OSM_SHORT, "shortlink", "osm"),
    ("https://www.openstreetmap.org/go/0GAjIv8h-?m=", *OSM_SHORT, "shortlink", "osm"),
    (f"https://www.openstreetmap.org/#map%3D17/{LAT}/{LNG}", LAT, LNG, "viewport", "osm"),
    (f"https://www.openstreetmap.org/#map%3D17%2F{LAT}%2F{LNG}", LAT, LNG, "viewport", "osm"),
    (f"https://www.openstreetmap.org/#17/{LAT}/{LNG}", LAT, LNG, "viewport", "osm"),
    (f"https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=48.8566%2C2.3522%3B{LAT}%2C{LNG}", LAT, LNG, "directions-destination", "osm"),
    (f"https://www.openstreetmap.org/directions?route=48.8566,2.3522;{LAT},{LNG}#map=14/48.85/2.32", LAT, LNG, "directions-destination", "osm"),
    (f"https://www.openstreetmap.org/directions?from=&to={LAT}%2C{LNG}", LAT, LNG, "directions-destination", "osm"),
    (f"https://www.openstreetmap.org/search?query={LAT}%2C{LNG}", LAT, LNG, "query", "osm"),
    (f"https://www.openstreetmap.org/search?query={LAT},{LNG}#map=17/1/1", LAT, LNG, "query", "osm"),
    (f"https://www.openstreetmap.org/search?query={LAT}%20{LNG}", LAT, LNG, "query", "osm"),
    (f"https://www.openstreetmap.org/export/embed.html?bbox=2.28,48.85,2.30,48.87&layer=mapnik&marker={LAT},{LNG}", LAT, LNG, "pin", "osm"),
    ("https://www.openstreetmap.org/export/embed.html?bbox=2.25,48.75,2.75,49.25&layer=mapnik", 49.0, 2.5, "viewport", "osm"),
    (f"https://www.openstreetmap.org/?mlat={LAT}&amp;mlon={LNG}", LAT, LNG, "pin", "osm"),
    ("http://www.openstreetmap.org/?minlon=2.25&minlat=48.75&maxlon=2.75&maxlat=49.25&box=yes", 49.0, 2.5, "viewport", "osm"),
    # --- Bing
    (f"https://www.bing.com/maps?where1={LAT}%2C{LNG}&lvl=15", LAT, LNG, "query", "bing"),
    (f"bingmaps:?cp={LAT}~{LNG}&lvl=10", LAT, LNG, "viewport", "bing"),
    (f"bingmaps:?collection=point.{LAT}_{LNG}_Eiffel", LAT, LNG, "pin", "bing"),
    (f"https://www.bing.com/maps/default.aspx?v=2&cp=1~1&lvl=12&sp=Point.{LAT}_{LNG}_Eiffel___", LAT, LNG, "pin", "bing"),
    (f"https://www.bing.com/maps?rtp=~pos.48.85_2.35~pos.{LAT}_{LNG}", LAT, LNG, "directions-destination", "bing"),
    # --- Waze
    (f"https://waze.com/ul/h{WAZE_HASH}", *WAZE_POINT, "geohash", "waze"),
    (f"https://www.waze.com/ul/h{WAZE_HASH}", *WAZE_POINT, "geohash", "waze"),
    (f"https://www.waze.com/live-map?h={WAZE_HASH}", *WAZE_POINT, "geohash", "waze"),
    (f"https://waze.com/ul?ll={LAT}%2C{LNG}&navigate=yes", LAT, LNG, "pin", "waze"),
    (f"https://embed.waze.com/iframe?zoom=16&lat={LAT}&lon={LNG}&pin=1", LAT, LNG, "pin", "waze"),
    (f"https://www.waze.com/live-map/directions?to=ll.{LAT}%2C{LNG}", LAT, LNG, "directions-destination", "waze"),
    (f"waze://?ll={LAT},{LNG}&navigate=yes", LAT, LNG, "pin", "waze"),
    # --- Yandex: the place beats the view; pt/ll/sll are longitude first, text/rtext latitude first
    (f"https://yandex.ru/maps/?ll=37.62,55.75&poi[point]={MOSCOW_LNG},{MOSCOW_LAT}&z=16", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://yandex.com.tr/harita/?ll=28.97%2C41.01&pt={MOSCOW_LNG}%2C{MOSCOW_LAT}&z=12", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://yandex.com.tr/harita/11508/istanbul/?ll={MOSCOW_LNG}%2C{MOSCOW_LAT}&z=12", MOSCOW_LAT, MOSCOW_LNG, "viewport", "yandex"),
    (f"https://yandex.ru/maps/?ll=37.62%2C55.75&mode=poi&poi%5Bpoint%5D={MOSCOW_LNG}%2C{MOSCOW_LAT}&poi%5Buri%5D=x", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://yandex.ru/maps/?text={MOSCOW_LAT}%2C{MOSCOW_LNG}&ll=37.6,55.7&z=12", MOSCOW_LAT, MOSCOW_LNG, "query", "yandex"),
    (f"https://yandex.ru/maps/?ll=37.5%2C55.5&sll={MOSCOW_LNG}%2C{MOSCOW_LAT}&z=12", MOSCOW_LAT, MOSCOW_LNG, "viewport", "yandex"),
    (f"https://yandex.ru/maps/?ll=37.5,55.5&pt={MOSCOW_LNG},{MOSCOW_LAT}&z=12", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://yandex.com/maps/?whatshere%5Bpoint%5D={MOSCOW_LNG}%2C{MOSCOW_LAT}&whatshere%5Bzoom%5D=17", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://yandex.ru/maps/?rtext=55.75,37.61~{MOSCOW_LAT}%2C{MOSCOW_LNG}&rtt=auto", MOSCOW_LAT, MOSCOW_LNG, "directions-destination", "yandex"),
    (f"https://yandex.ru/map-widget/v1/?ll={MOSCOW_LNG}%2C{MOSCOW_LAT}&z=16", MOSCOW_LAT, MOSCOW_LNG, "viewport", "yandex"),
    (f"https://yandex.ru/map-widget/v1/?ll=37.6%2C55.7&pt={MOSCOW_LNG}%2C{MOSCOW_LAT}%2Cpm2rdm&z=16", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://static-maps.yandex.ru/1.x/?ll=37.62,55.75&pt={MOSCOW_LNG},{MOSCOW_LAT},pm2rdm&size=450,450&z=13&l=map", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://static-maps.yandex.ru/v1?ll=37.6,55.7&pt={MOSCOW_LNG},{MOSCOW_LAT},pm2rdm&apikey=x", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://yandex.ru/maps/?pt={MOSCOW_LNG},{MOSCOW_LAT}~{MOSCOW_LNG},{MOSCOW_LAT}", MOSCOW_LAT, MOSCOW_LNG, "pin", "yandex"),
    (f"https://m.yandex.ru/maps/?ll={MOSCOW_LNG},{MOSCOW_LAT}&z=12", MOSCOW_LAT, MOSCOW_LNG, "viewport", "yandex"),
    ("https://yandex.kz/maps/?pt=76.945465,43.238293&z=16", 43.238293, 76.945465, "pin", "yandex"),
    ("https://yandex.com.tr/maps/?ll=28.97,41.01&z=10", 41.01, 28.97, "viewport", "yandex"),
    (f"https://maps.yandex.ru/?ll={MOSCOW_LNG},{MOSCOW_LAT}&z=12", MOSCOW_LAT, MOSCOW_LNG, "viewport", "yandex"),
    # --- 2GIS / Urbi (longitude first)
    (f"https://2gis.ru/moscow/geo/{MOSCOW_LNG}%2C{MOSCOW_LAT}", MOSCOW_LAT, MOSCOW_LNG, "pin", "2gis"),
    (f"https://2gis.ru/moscow/firm/4504127908538375/{MOSCOW_LNG}%2C{MOSCOW_LAT}", MOSCOW_LAT, MOSCOW_LNG, "pin", "2gis"),
    (f"https://2gis.ru/moscow/firm/4504127908538375/37.6%2C55.7?m={MOSCOW_LNG}%2C{MOSCOW_LAT}%2F16", MOSCOW_LAT, MOSCOW_LNG, "viewport", "2gis"),
    (f"https://2gis.ru/moscow/center/{MOSCOW_LNG},{MOSCOW_LAT}/zoom/16", MOSCOW_LAT, MOSCOW_LNG, "viewport", "2gis"),
    (f"https://m.2gis.ru/moscow/geo/{MOSCOW_LNG},{MOSCOW_LAT}", MOSCOW_LAT, MOSCOW_LNG, "pin", "2gis"),
    (f"https://share.api.2gis.ru/getimage?center={MOSCOW_LNG},{MOSCOW_LAT}&zoom=16", MOSCOW_LAT, MOSCOW_LNG, "viewport", "2gis"),
    ("https://2gis.ae/dubai/geo/55.270783%2C25.204849", 25.204849, 55.270783, "pin", "2gis"),
    ("https://urbi.ae/dubai/geo/55.270783%2C25.204849", 25.204849, 55.270783, "pin", "2gis"),
    # --- HERE
    (f"https://share.here.com/p/s-{HERE_S}", LAT, LNG, "pin", "here"),
    (f"https://share.here.com/p/e-{HERE_E}", LAT, LNG, "pin", "here"),
    (f"https://here.com/location?map={LAT},{LNG},15", LAT, LNG, "viewport", "here"),
    (f"https://wego.here.com/?map={LAT},{LNG},15,normal", LAT, LNG, "viewport", "here"),
    (f"https://share.here.com/l/{LAT},{LNG},Eiffel", LAT, LNG, "pin", "here"),
    (f"https://wego.here.com/directions/mix//Eiffel-Tower:e-{HERE_E}?map=48.85,2.29,15,normal", LAT, LNG, "directions-destination", "here"),
    # Route shares (docs.here.com/wego, "How to share a route"): the last waypoint is the destination.
    (f"https://share.here.com/r/52.456115,13.439375/{LAT},{LNG}", LAT, LNG, "directions-destination", "here"),
    (f"https://share.here.com/r/52.456115,13.439375,Berlin/{LAT},{LNG},Eiffel%20Tower?m=d&a=tunnel,motorway", LAT, LNG, "directions-destination", "here"),
    (f"https://wego.here.com/r/mylocation/52.45,13.43/{LAT},{LNG},Eiffel?m=w", LAT, LNG, "directions-destination", "here"),
    (f"https://share.here.com/r/mylocation/e-{HERE_E}?m=w", LAT, LNG, "directions-destination", "here"),
    # --- apps and national maps
    (f"magicearth://?lat={LAT}&lon={LNG}&name=Eiffel", LAT, LNG, "pin", "magic-earth"),
    (f"https://magicearth.com/?show_on_map&lat={LAT}&lon={LNG}&name=Eiffel", LAT, LNG, "pin", "magic-earth"),
    (f"https://cartes-ign.ign.fr?lng={LNG}&lat={LAT}&z=15", LAT, LNG, "pin", "ign"),
    (f"https://www.geoportail.gouv.fr/carte?c={LNG},{LAT}&z=17&l0=ORTHOIMAGERY.ORTHOPHOTOS::GEOPORTAIL:OGC:WMTS(1)&permalink=yes", LAT, LNG, "viewport", "ign"),  # c= is longitude first
    (f"https://cartes.gouv.fr/explorer-les-cartes/?c={LNG}%2C{LAT}&z=15", LAT, LNG, "viewport", "ign"),
    (f"https://www.qwant.com/maps/#map=16.00/{LAT}/{LNG}", LAT, LNG, "viewport", "qwant"),
    (f"https://www.qwant.com/maps/place/latlon:{LAT}:{LNG}", LAT, LNG, "pin", "qwant"),
    ("https://geohack.toolforge.org/geohack.php?params=48_51_29.5_N_2_17_40.2_E_type:landmark", *EIFFEL_DMS, "pin", "geohack"),
    (f"https://geohack.toolforge.org/geohack.php?pagename=Eiffel&params={LAT}_N_{LNG}_E_", LAT, LNG, "pin", "geohack"),
    ("https://tools.wmflabs.org/geohack/geohack.php?params=33_51_54_S_151_12_35_E", -(33 + 51 / 60 + 54 / 3600), 151 + 12 / 60 + 35 / 3600, "pin", "geohack"),
    ("https://osmaps.ordnancesurvey.co.uk/51.50070,-0.12460,16", 51.5007, -0.1246, "viewport", "os-maps"),
    ("https://explore.osmaps.com/pin?lat=51.5007&lon=-0.1246&zoom=16", 51.5007, -0.1246, "viewport", "os-maps"),
    (f"https://www.viamichelin.com/web/maps?position={LAT};{LNG};12", LAT, LNG, "viewport", "viamichelin"),
    (f"https://www.viamichelin.fr/web/cartes?position={LAT}%3B{LNG}%3B12", LAT, LNG, "viewport", "viamichelin"),
    ("https://map.yahoo.co.jp/place?lat=35.681236&lon=139.767125&zoom=16", 35.681236, 139.767125, "pin", "yahoo-japan"),
    ("https://maps.gsi.go.jp/#16/35.681236/139.767125/&base=std&ls=std", 35.681236, 139.767125, "viewport", "gsi-japan"),
    ("https://maps.gsi.go.jp/?ll=35.681236,139.767125&z=16", 35.681236, 139.767125, "viewport", "gsi-japan"),
    # --- Kakao Map (documented link/map, link/to, link/roadview: latitude first), MapQuest
    ("https://map.kakao.com/link/map/%EC%84%9C%EC%9A%B8%EC%8B%9C%EC%B2%AD,37.5666103,126.9783882", 37.5666103, 126.9783882, "pin", "kakao"),
    ("https://map.kakao.com/link/map/City%20Hall,%20Seoul,37.5666103,126.9783882", 37.5666103, 126.9783882, "pin", "kakao"),
    ("https://map.kakao.com/link/to/Seoul,37.5666103,126.9783882", 37.5666103, 126.9783882, "directions-destination", "kakao"),
    ("https://map.kakao.com/link/from/Home,37.4,127.1/to/City%20Hall,37.5666103,126.9783882", 37.5666103, 126.9783882, "directions-destination", "kakao"),
    ("https://map.kakao.com/link/roadview/37.5666103,126.9783882", 37.5666103, 126.9783882, "street-view", "kakao"),
    ("https://www.mapquest.com/latlng/48.8583701,2.2944813", 48.8583701, 2.2944813, "pin", "mapquest"),
    # --- NAVER Map: the nmap:// app scheme (NAVER Cloud's URL Scheme guide: /map, /place, /route/*,
    # /navigation), web links with lat=/lng= (latitude and longitude named), x=/y=, and c= and
    # directions points longitude first, in degrees or in Web Mercator metres (EPSG:3857), as
    # map.naver.com writes them; c= with only a zoom ("15.00,0,0,0,dh") holds no point.
    ("nmap://place?lat=37.4979502&lng=127.0276368&name=Gangnam&appname=com.example.myapp", 37.4979502, 127.0276368, "pin", "naver"),
    ("nmap://map?lat=37.4979502&lng=127.0276368&zoom=20&appname=com.example.myapp", 37.4979502, 127.0276368, "viewport", "naver"),
    ("nmap://route/car?slat=37.4640070&slng=126.9522394&sname=Home&dlat=37.5209436&dlng=127.1230074&dname=Olympic+Park&appname=x", 37.5209436, 127.1230074, "directions-destination", "naver"),
    ("nmap://navigation?dlat=37.5209436&dlng=127.1230074&dname=Olympic+Park&appname=x", 37.5209436, 127.1230074, "directions-destination", "naver"),
    ("https://map.naver.com/?lat=37.4979502&lng=127.0276368&title=Jeongja", 37.4979502, 127.0276368, "pin", "naver"),
    ("https://map.naver.com/p/entry/place/1555988892?placePath=/ticket&searchType=place&lng=127.0677545&lat=37.2918034&c=15.00,0,0,0,dh", 37.2918034, 127.0677545, "pin", "naver"),
    ("https://map.naver.com/p/?c=126.9784,37.5665,15,0,0,0,dh", 37.5665, 126.9784, "viewport", "naver"),
    ("https://map.naver.com/v5/?x=126.9784&y=37.5665", 37.5665, 126.9784, "viewport", "naver"),
    ("https://map.naver.com/p/directions/-/14101672.0453735,4511924.8243708,%EB%B8%8C%EB%A0%88%EB%93%9C,1522260182,PLACE_POI/-/transit?c=15.77,0,0,0,dh", 37.5206181, 126.6774753, "directions-destination", "naver"),
    ("https://map.naver.com/p/directions/-/126.6774753,37.5206181,Bread,1522260182,PLACE_POI/-/transit?c=15.00,0,0,0,dh", 37.5206181, 126.6774753, "directions-destination", "naver"),
    ("https://map.naver.com/v5/directions/14135600.1,4518400.2,Home,,/14101672.0453735,4511924.8243708,Bread,,/~/transit?c=14101672.0453735,4511924.8243708,13,0,0,0,dh", 37.5206181, 126.6774753, "directions-destination", "naver"),
    ("https://map.naver.com/v5/entry/place/11591565?c=14101672.0453735,4511924.8243708,15,0,0,0,dh", 37.5206181, 126.6774753, "viewport", "naver"),
    ("https://map.naver.com/v5/?c=14101672,4511925,15,0,0,0,dh", 37.520619351, 126.677474892, "viewport", "naver"),
    ("https://m.map.naver.com/route.nhn?menu=route&sname=A&sx=126.97&sy=37.55&ename=B&ex=127.0276368&ey=37.4979502&pathType=1", 37.4979502, 127.0276368, "directions-destination", "naver"),
    ("https://osmand.net/map/navigate/?start=52.5,13.3&finish=52.51628,13.37771&type=car", 52.51628, 13.37771, "directions-destination", "osmand"),
    ("ge0://o4B4pYZsRs/Zurich", 47.3859, 8.5767, "shortlink", "organic-maps"),
    ("https://plus.codes/8FVC2222+22", *PLUS_CENTRE, "plus-code", "plus-code"),
    ("https://plus.codes/8FVC2222%2B22", *PLUS_CENTRE, "plus-code", "plus-code"),
]  # fmt: skip

APPROXIMATE = {"ge0://o4B4pYZsRs/Zurich"}


@pytest.mark.parametrize(("link", "lat", "lng", "method", "provider"), FORMS)
def test_every_documented_form_gives_its_point(link, lat, lng, method, provider):
    location = parse_link(link)
    assert location is not None, read_link(link).reason
    tolerance = 1e-3 if link in APPROXIMATE else 1e-9
    assert math.isclose(location.lat, lat, abs_tol=tolerance)
    assert math.isclose(location.lng, lng, abs_tol=tolerance)
    assert location.method == method
    assert location.provider == provider


NONE = [
    ("https://map.kakao.com/link/search/Seoul", "no coordinates"),  # a search, no point
    ("https://map.kakao.com/link/map/18577297", "no coordinates"),  # a place id
    ("https://map.kakao.com/link/from/Home,37.4,127.1", "no coordinates"),  # a start only
    ("https://map.naver.com/p/entry/place/43581035?c=15.00,0,0,0,dh", "no coordinates"),  # zoom only
    ("https://map.naver.com/v5/entry/place/1124461473?c=15,0,0,0,dh", "no coordinates"),
    ("https://map.naver.com/p/search/%EA%B0%95%EB%82%A8%EC%97%AD?c=15.44,0,0,0,dh", "no coordinates"),
    ("nmap://search?query=cafe&appname=x", "no coordinates"),
    ("https://map.naver.com/p/directions/126.9,37.5,Home,,/-/-/transit", "destination"),
    ("nmap://route/car?slat=37.4&slng=126.9&dname=Olympic+Park&appname=x", "place name"),
    (f"https://maps.google.com/?q={LAT},{LNG} https://maps.google.com/?q=40.7128,-74.0060", "two different places"),
    (f"https://maps.google.com/?q={LAT},{LNG} and 40.712800, -74.006000", "two different places"),
    ("https://yandex.ru/maps/?pt=37.1,55.1~37.2,55.2", "two different places"),
    ("https://maps.google.com/?q=120.0,14.5", "swap them"),
    ("https://maps.google.com/?q=0,0", "no location"),
    ("geo:0,0", "no location"),
    ("geo:0,0?q=Eiffel+Tower", "place name"),
    ("https://www.openstreetmap.org/?mlat=0&mlon=0", "no location"),
    ("https://www.google.com/maps/dir/Paris/Lyon/@45.5,3.5,8z", "destination"),
    # The start of a route is never its destination; a named destination is not a point.
    (f"https://www.google.com/maps/dir/{LAT},{LNG}//@48.85,2.29,15z", "destination"),
    (f"https://www.google.com/maps/dir/{LAT},{LNG}/My+Location/", "destination"),
    (f"https://maps.google.com/maps?saddr={LAT},{LNG}&daddr=Lyon&ll=45.5,3.5", "place name"),
    (f"https://maps.apple.com/?saddr={LAT},{LNG}&daddr=Lyon&ll=45.5,3.5", "place name"),
    (f"https://www.openstreetmap.org/directions?from={LAT}%2C{LNG}&to=Lyon#map=8/45.5/3.5", "place name"),
    (f"https://www.bing.com/maps?rtp=pos.{LAT}_{LNG}~adr.Lyon&cp=45.5~3.5", "place name"),
    (f"https://yandex.ru/maps/?rtext={LAT}%2C{LNG}~Lyon&ll=3.5%2C45.5", "place name"),
    ("https://yandex.ru/maps/?text=Moscow", "no coordinates"),
    ("https://uri.amap.com/marker?position=116.3974,39.9093", "GCJ-02"),
    ("https://surl.amap.com/abc", "GCJ-02"),
    ("https://j.map.baidu.com/abc", "GCJ-02"),
    ("https://map.qq.com/?type=marker&marker=coord:39.9,116.3", "GCJ-02"),
    ("baidumap://map/marker?location=39.9,116.3", "GCJ-02"),
    ("https://www.google.com/search?q=48.85,2.29", "not a map link"),
    ("https://notgoogle.com/maps/@48.85,2.29,15z", "not a map link"),
    ("https://www.google.com.evil.example/maps?q=48.85,2.29", "not a map link"),
    ("https://waze.com/ul/hA!", "no coordinates"),
    ("https://osm.org/go/", "no coordinates"),
    ("https://wego.here.com/directions/mix//Eiffel-Tower:loc-abc?map=48.85,2.29,15", "place name"),
    ("https://maps.googleapis.com/maps/api/staticmap?markers=48.85,2.29%7C40.71,-74.00", "two different places"),
    ("https://share.here.com/p/s-!!!", "no coordinates"),
    ("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.com%2F&data=x", "not a map link"),
    ("https://l.facebook.com/l.php?h=AT0abc", "no coordinates"),
    ("https://evil.example/?url=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.85%2C2.29", "not a map link"),
    ("https://safelinks.protection.outlook.com.evil.example/?url=https%3A%2F%2Fmaps.google.com%2F%3Fq%3D48.85%2C2.29", "not a map link"),
    (f"https://share.here.com/r/{LAT},{LNG}/mylocation", "own location"),
    ("https://share.here.com/r/52.45,13.43/Lyon", "place name"),
]  # fmt: skip


@pytest.mark.parametrize(("link", "reason"), NONE)
def test_links_that_must_not_give_a_point(link, reason):
    reading = read_link(link)
    assert reading.location is None
    assert reason in reading.reason


def test_a_long_data_chain_is_read_without_recursion():
    link = "https://www.google.com/maps/dir/a/b/data=" + "!1m1" * 1000 + "!4m0"
    assert len(link) < 4096
    assert read_link(link).location is None


@pytest.mark.parametrize(
    "link",
    [
        "https://maps.app.goo.gl/abcDEF123",
        "https://share.google/abcDEF",
        "https://g.co/kgs/abc",
        "https://g.page/acme-bakery-london?share",  # a Google Business Profile's share link
        "https://g.page/r/CabcDEF123456EAE",
        "https://go.2gis.com/abc",
        "https://binged.it/3xYz",
        "https://her.is/abc",
        "https://mapy.cz/s/abc",
        "https://maps.apple/p/abc",
        "https://maps.apple.com/place?auid=123",
        "https://naver.me/xABC123",
        "https://yandex.ru/maps/-/CCUabc",
        "https://yandex.com/map-widget/v1/-/CCUabc",
        # Google place links that name a place by its id but hold no coordinates (Google
        # Takeout's saved lists, cid= links): the place's page says where it is.
        "https://www.google.com/maps/place/Eiffel+Tower/data=!4m2!3m1!1s0x47e66e2964e34e2d:0x8ddca9ee380ef7e0",
        "https://www.google.co.uk/maps/place/Big+Ben/data=!4m2!3m1!1s0x487604c38c8cd1d9:0xb78f2474b9a45aa9",
        "http://maps.google.com/?cid=10222232094831998944",
        "https://www.google.com/maps?cid=10222232094831998944",
        "https://maps.google.com/maps?ftid=0x47e66e2964e34e2d:0x8ddca9ee380ef7e0",
        "https://www.google.com/maps/search/?api=1&query=Eiffel%20Tower&query_place_id=ChIJLU7jZClu5kcR4PcOOO6p3I0",
        "https://www.google.com/maps/place/?q=place_id:ChIJLU7jZClu5kcR4PcOOO6p3I0",
    ],
)
def test_short_links_are_flagged_for_the_resolver(link):
    assert read_link(link).is_short_link


@pytest.mark.parametrize(
    "link",
    [
        "https://goo.gl/abc",
        "https://maps.apple.com/?q=Cafe",
        "https://mapy.cz/zakladni",
        # a place name alone: its page would be a search, which may find another place
        "https://www.google.com/maps/place/Eiffel+Tower,+Paris/",
        "https://www.google.com/maps/search/Cafe+Central/",
    ],
)
def test_other_paths_of_short_link_hosts_are_not_short_links(link):
    assert not read_link(link).is_short_link


def test_a_google_place_link_with_coordinates_is_read_without_its_page():
    link = (
        "https://www.google.com/maps/place/Eiffel+Tower/@48.8583701,2.2944813,17z/data=!4m6!3m5"
        "!1s0x47e66e2964e34e2d:0x8ddca9ee380ef7e0!8m2!3d48.8583701!4d2.2944813"
    )
    reading = read_link(link)
    assert (reading.location.lat, reading.location.lng) == (48.8583701, 2.2944813)
    assert not reading.is_short_link


def test_every_provider_has_test_rows():
    rows = FORMS + BASIC_FOUND
    tested = {provider for *_, provider in rows}
    refused = {"datum-shifted"}  # tested through NONE: always refused with a reason
    wrappers = {"link-wrapper"}  # tested through the links they wrap
    missing = {provider.name for provider in PROVIDERS} - tested - refused - wrappers
    assert not missing, f"providers without test rows: {sorted(missing)}"


def test_readme_lists_every_provider_from_the_records():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert provider_table_markdown() in readme, "paste provider_table_markdown() into README.md"


def test_the_resolver_allowlist_comes_from_the_records():
    policy = HostPolicy()
    for allowed in (
        "https://share.google/x",
        "https://g.page/r/x",
        "https://yandex.com.tr/maps/-/abc",
        "https://her.is/x",
        "https://naver.me/xABC123",
        "https://www.google.com/maps/place/X/data=!4m2!3m1!1s0x47e66e2964e34e2d:0x8ddca9ee380ef7e0",
        "https://maps.google.com/?cid=10222232094831998944",
    ):
        assert check_url(allowed, policy, is_first_hop=True)
    for refused in (
        "https://goo.gl/other",
        "https://maps.apple.com/?q=x",
        "https://waze.com/ul/x",
        "https://www.google.com/maps/place/Eiffel+Tower/",
        "https://www.google.com/search?q=cid%3D1",
    ):
        with pytest.raises(UnsafeURLError):
            check_url(refused, policy, is_first_hop=True)
