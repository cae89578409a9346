"""parse_link: a table of real-looking links per family, hostile input, and round-trip properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from map_converter import LinkReading, Location, parse_link, read_link
from map_converter.coordinate_codes import decode_osm_shortlink
from map_converter.links import MAX_LINK_CHARS, innermost_link

PLACE_DATA = "data=!3m1!4b1!4m6!3m5!1s0x47e66e2964e34e2d:0x8ddca9ee380ef7e0!8m2!3d48.8583701!4d2.2944813!16zL20vMDJqODE"

# (text, lat, lng, method, provider)
FOUND = [
    # --- Google: place pin beats viewport, on every host form
    (
        f"https://www.google.com/maps/place/Eiffel+Tower/@48.8583701,2.2918064,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"https://www.google.fr/maps/place/Tour+Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"https://www.google.co.uk/maps/place/Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"https://www.google.com.au/maps/place/Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"https://maps.google.com/maps/place/Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"https://maps.google.de/maps/place/Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"google.com/maps/place/Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"www.google.com/maps/place/Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        f"http://www.google.com/maps/place/Eiffel/@48.85,2.29,17z/{PLACE_DATA}",
        48.8583701,
        2.2944813,
        "pin",
        "google",
    ),
    (
        "https://www.google.com/maps/place/Sydney+Opera+House/@-33.8567844,151.213108,17z/data=!3m1!4b1!4m6!3m5!1s0x6b12ae665e892fdd:0x3133f8d75a1ac251!8m2!3d-33.8567844!4d151.2152967!16zL20vMDZuZ3Y",
        -33.8567844,
        151.2152967,
        "pin",
        "google",
    ),
    (
        "https://www.google.com/maps/place/Statue+of+Liberty/@40.6892494,-74.0471191,17z/data=!4m6!3m5!1s0x0:0x0!8m2!3d40.6892494!4d-74.0445004!16s",
        40.6892494,
        -74.0445004,
        "pin",
        "google",
    ),
    (
        "https://www.google.com/maps/place/X/data=!4m2!3m1!1s0x0:0x1!3d-1.5!4d-2.25",
        -1.5,
        -2.25,
        "pin",
        "google",
    ),
    # viewport only, with z / m / a,y,h,t suffixes
    (
        "https://www.google.com/maps/@40.7127753,-74.0059728,15z",
        40.7127753,
        -74.0059728,
        "viewport",
        "google",
    ),
    (
        "https://www.google.com/maps/@40.7127753,-74.0059728,15.25z",
        40.7127753,
        -74.0059728,
        "viewport",
        "google",
    ),
    (
        "https://www.google.com/maps/@35.6585805,139.7454329,500m/data=!3m1!1e3",
        35.6585805,
        139.7454329,
        "viewport",
        "google",
    ),
    (
        "https://www.google.com/maps/@48.8578439,2.2952123,3a,75y,90h,80t/data=!3m6!1e1",
        48.8578439,
        2.2952123,
        "street-view",
        "google",
    ),
    (
        "https://www.google.com/maps/place/Louvre/@48.8606111,2.337644,17z",
        48.8606111,
        2.337644,
        "viewport",
        "google",
    ),
    ("google.com/maps/@-22.951916,-43.2104872,14z", -22.951916, -43.2104872, "viewport", "google"),
    # q=, loc:, Name@lat,lng, hemisphere letters
    (
        "https://maps.google.com/?q=40.7127753,-74.0059728",
        40.7127753,
        -74.0059728,
        "query",
        "google",
    ),
    (
        "https://maps.google.com/maps?q=40.7127753,-74.0059728&z=15",
        40.7127753,
        -74.0059728,
        "query",
        "google",
    ),
    ("https://www.google.com/maps?q=-33.8688,+151.2093", -33.8688, 151.2093, "query", "google"),
    ("https://www.google.com/maps?q=-33.8688%2C151.2093", -33.8688, 151.2093, "query", "google"),
    ("https://www.google.com/maps?q=loc:51.5007+-0.1246", 51.5007, -0.1246, "query", "google"),
    ("https://www.google.com/maps?q=loc:51.5007,-0.1246", 51.5007, -0.1246, "query", "google"),
    ("https://maps.google.com/?q=Big+Ben@51.5007,-0.1246", 51.5007, -0.1246, "query", "google"),
    ("https://maps.google.co.uk/maps?q=N34.99,W106.61", 34.99, -106.61, "query", "google"),
    ("https://maps.google.com/maps?q=34.99N,106.61W", 34.99, -106.61, "query", "google"),
    ("https://maps.google.com/maps?q=S33.86,E151.20", -33.86, 151.20, "query", "google"),
    ("https://maps.google.com/maps?q=40.7,-74.0+(My+Office)", 40.7, -74.0, "query", "google"),
    (
        "https://www.google.com/maps/search/?api=1&query=47.5951518,-122.3316393",
        47.5951518,
        -122.3316393,
        "query",
        "google",
    ),
    (
        "https://www.google.com/maps/search/?api=1&query=47.5951518%2C-122.3316393&query_place_id=abc",
        47.5951518,
        -122.3316393,
        "query",
        "google",
    ),
    (
        "https://www.google.com/maps/search/40.7127753,+-74.0059728",
        40.7127753,
        -74.0059728,
        "query",
        "google",
    ),
    (
        "https://www.google.com/maps/search/40.7127753,-74.0059728/@40.71,-74.00,15z",
        40.7127753,
        -74.0059728,
        "query",
        "google",
    ),
    (
        "https://www.google.com/maps/place/40.7127753,-74.0059728/@40.71,-74.00,15z",
        40.7127753,
        -74.0059728,
        "pin",
        "google",
    ),
    (
        "https://www.google.com/maps/place/48%C2%B051'29.6%22N+2%C2%B017'40.2%22E/@48.8582,2.2945,17z",
        48.858222222222224,
        2.2945,
        "pin",
        "google",
    ),
    # The same place name as some tools and scripts write it: decoded, with a quote for the
    # seconds (also the Unicode double prime); the quote is part of the link, not its end.
    (
        "https://www.google.com/maps/place/48°51'29.6\"N+2°17'40.2\"E/@48.8582,2.2945,17z",
        48.858222222222224,
        2.2945,
        "pin",
        "google",
    ),
    (
        "https://www.google.com/maps/place/48°51′29.6″N+2°17′40.2″E/@48.8582,2.2945,17z",
        48.858222222222224,
        2.2945,
        "pin",
        "google",
    ),
    (
        "https://www.google.com/maps/place/51°30'00.0\"N+0°07'12.0\"W/@51.5000001,-0.1200001,17z"
        "/data=!3m1!1e3!4m4!3m3!8m2!3d51.5!4d-0.12",
        51.5,
        -0.12,
        "pin",
        "google",
    ),
    (
        'See "https://www.google.com/maps/place/48°51\'29.6"N+2°17\'40.2"E/@48.8582,2.2945,17z"',
        48.858222222222224,
        2.2945,
        "pin",
        "google",
    ),
    # ll=, sll=, center=, viewpoint=, cbll=
    (
        "https://maps.google.com/maps?ll=37.4219999,-122.0840575&z=17",
        37.4219999,
        -122.0840575,
        "viewport",
        "google",
    ),
    (
        "https://maps.google.com/maps?ll=37.0625,-95.677068&sll=45.5,-73.56",
        45.5,
        -73.56,
        "viewport",
        "google",
    ),
    (
        "https://maps.google.com/maps?hl=en&sll=45.5,-73.56&sspn=0.1,0.1",
        45.5,
        -73.56,
        "viewport",
        "google",
    ),
    (
        "https://www.google.com/maps/@?api=1&map_action=map&center=-33.712206,150.311941&zoom=12",
        -33.712206,
        150.311941,
        "viewport",
        "google",
    ),
    (
        "https://www.google.com/maps/@?api=1&map_action=pano&viewpoint=48.857832,2.295226&heading=-45",
        48.857832,
        2.295226,
        "street-view",
        "google",
    ),
    (
        "https://maps.google.com/maps?layer=c&cbll=40.758,-73.9855&cbp=12,0,0,0,0",
        40.758,
        -73.9855,
        "street-view",
        "google",
    ),
    # directions: destination = last stop
    (
        "https://www.google.com/maps/dir/Paris/Eiffel+Tower/@48.85,2.3,13z/data=!4m14!4m13!1m5!1m1!1s0x1:0x2!2m2!1d2.3522219!2d48.856614!1m5!1m1!1s0x3:0x4!2m2!1d2.2944813!2d48.8583701!3e0",
        48.8583701,
        2.2944813,
        "directions-destination",
        "google",
    ),
    (
        "https://www.google.com/maps/dir/48.856614,2.3522219/48.8583701,2.2944813/@48.85,2.3,13z",
        48.8583701,
        2.2944813,
        "directions-destination",
        "google",
    ),
    (
        "https://www.google.com/maps/dir//48.8583701,2.2944813/@48.85,2.3,13z",
        48.8583701,
        2.2944813,
        "directions-destination",
        "google",
    ),
    (
        "https://www.google.com/maps/dir/A/B/C/@48.85,2.3,13z/data=!4m20!4m19!1m5!1m1!1s0x1:0x2!2m2!1d2.1!2d48.1!1m5!1m1!1s0x3:0x4!2m2!1d2.2!2d48.2!1m5!1m1!1s0x5:0x6!2m2!1d2.3!2d48.3!3e0",
        48.3,
        2.3,
        "directions-destination",
        "google",
    ),
    (
        "https://www.google.com/maps/dir/?api=1&origin=Paris&destination=48.8583701,2.2944813",
        48.8583701,
        2.2944813,
        "directions-destination",
        "google",
    ),
    (
        "https://maps.google.com/maps?saddr=Paris&daddr=48.8583701,2.2944813",
        48.8583701,
        2.2944813,
        "directions-destination",
        "google",
    ),
    (
        "https://maps.google.com/maps?saddr=Paris&daddr=Lyon+to:45.764,4.8357",
        45.764,
        4.8357,
        "directions-destination",
        "google",
    ),
    (
        "https://maps.google.com/maps?saddr=A&daddr=45.1,4.1+to:Home@45.764,4.8357",
        45.764,
        4.8357,
        "directions-destination",
        "google",
    ),
    # embed pb= (longitude first in that context)
    (
        "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2624.99!2d2.292292615!3d48.85837009!2m3!1f0!2f0!3f0!3m2!1i1024!2i768!4f13.1",
        48.85837009,
        2.292292615,
        "embed",
        "google",
    ),
    (
        "https://www.google.com/maps/embed?pb=!1m14!1m12!1m3!1d3022.1!2d-73.9878531!3d40.7579747!2m3!1f0!2f0!3f0!3m2!1i1024!2i768!4f13.1!5e0",
        40.7579747,
        -73.9878531,
        "embed",
        "google",
    ),
    # app links, Earth, wrappers
    ("google.navigation:q=40.7127753,-74.0059728", 40.7127753, -74.0059728, "query", "google"),
    (
        "comgooglemaps://?q=40.7127753,-74.0059728&zoom=14",
        40.7127753,
        -74.0059728,
        "query",
        "google",
    ),
    (
        "comgooglemaps://?center=40.7127753,-74.0059728&zoom=14",
        40.7127753,
        -74.0059728,
        "viewport",
        "google",
    ),
    (
        "https://earth.google.com/web/@48.8583701,2.2944813,35.5a,800d,35y,0h,45t,0r",
        48.8583701,
        2.2944813,
        "viewport",
        "google",
    ),
    (
        "https://maps.app.goo.gl/?link=https%3A%2F%2Fwww.google.com%2Fmaps%2Fplace%2FX%2F%4048.1%2C2.1%2C15z%2Fdata%3D!3d48.5!4d2.5&apn=com.google.android.apps.maps",
        48.5,
        2.5,
        "pin",
        "google",
    ),
    (
        "https://maps.app.goo.gl/?link=https://www.google.com/maps?q%3D10.5,20.5",
        10.5,
        20.5,
        "query",
        "google",
    ),
    (
        "https://consent.google.com/ml?continue=https://www.google.com/maps/place/X/data%3D!3d1.25!4d2.5&gl=DE",
        1.25,
        2.5,
        "pin",
        "google",
    ),
    # --- Apple
    (
        "https://maps.apple.com/?ll=37.3349,-122.00902&q=Apple+Park",
        37.3349,
        -122.00902,
        "pin",
        "apple",
    ),
    ("https://maps.apple.com/?q=37.3349,-122.00902", 37.3349, -122.00902, "query", "apple"),
    (
        "https://maps.apple.com/?sll=37.3349,-122.00902&z=10&t=s",
        37.3349,
        -122.00902,
        "viewport",
        "apple",
    ),
    (
        "https://maps.apple.com/place?coordinate=37.3349,-122.00902&name=Apple+Park",
        37.3349,
        -122.00902,
        "pin",
        "apple",
    ),
    (
        "https://maps.apple.com/?center=37.3349,-122.00902&span=0.1,0.1",
        37.3349,
        -122.00902,
        "viewport",
        "apple",
    ),
    (
        "https://maps.apple.com/?saddr=Cupertino&daddr=37.3349,-122.00902",
        37.3349,
        -122.00902,
        "directions-destination",
        "apple",
    ),
    (
        "https://maps.apple.com/?center=1.5,1.5&ll=37.3349,-122.00902",
        37.3349,
        -122.00902,
        "pin",
        "apple",
    ),
    ("maps://?ll=37.3349,-122.00902", 37.3349, -122.00902, "pin", "apple"),
    # --- OpenStreetMap
    (
        "https://www.openstreetmap.org/?mlat=51.50068&mlon=-0.12469#map=17/51.50068/-0.12469",
        51.50068,
        -0.12469,
        "pin",
        "osm",
    ),
    (
        "https://www.openstreetmap.org/?mlat=51.50068&mlon=-0.12469#map=17/51.4/-0.1",
        51.50068,
        -0.12469,
        "pin",
        "osm",
    ),
    (
        "https://www.openstreetmap.org/#map=17/51.50068/-0.12469",
        51.50068,
        -0.12469,
        "viewport",
        "osm",
    ),
    (
        "https://www.openstreetmap.org/#map=17.5/-33.8568/151.2153&layers=H",
        -33.8568,
        151.2153,
        "viewport",
        "osm",
    ),
    (
        "https://openstreetmap.org/?lat=51.50068&lon=-0.12469&zoom=17",
        51.50068,
        -0.12469,
        "viewport",
        "osm",
    ),
    (
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=51.5%2C-0.12%3B51.52%2C-0.1",
        51.52,
        -0.1,
        "directions-destination",
        "osm",
    ),
    ("https://www.openstreetmap.org/node/123?mlat=1.25&mlon=2.5", 1.25, 2.5, "pin", "osm"),
    # --- Bing
    (
        "https://www.bing.com/maps?cp=47.677797~-122.122013&lvl=12",
        47.677797,
        -122.122013,
        "viewport",
        "bing",
    ),
    (
        "https://www.bing.com/maps?cp=47.6~-122.3&sp=point.47.677797_-122.122013_Microsoft",
        47.677797,
        -122.122013,
        "pin",
        "bing",
    ),
    (
        "https://bing.com/maps/default.aspx?rtp=~pos.47.6_-122.3~pos.47.677797_-122.122013",
        47.677797,
        -122.122013,
        "directions-destination",
        "bing",
    ),
    ("https://www.bing.com/maps?q=47.677797,-122.122013", 47.677797, -122.122013, "query", "bing"),
    # --- Waze
    (
        "https://waze.com/ul?ll=45.6906304,-120.810983&navigate=yes",
        45.6906304,
        -120.810983,
        "pin",
        "waze",
    ),
    (
        "https://www.waze.com/ul?ll=45.6906304%2C-120.810983&navigate=yes&zoom=17",
        45.6906304,
        -120.810983,
        "pin",
        "waze",
    ),
    (
        "https://www.waze.com/live-map/directions?to=ll.45.6906304%2C-120.810983",
        45.6906304,
        -120.810983,
        "directions-destination",
        "waze",
    ),
    (
        "https://www.waze.com/live-map?latlng=45.6906304%2C-120.810983",
        45.6906304,
        -120.810983,
        "pin",
        "waze",
    ),
    ("waze://?ll=45.6906304,-120.810983&navigate=yes", 45.6906304, -120.810983, "pin", "waze"),
    # --- Yandex (longitude first, except rtext)
    (
        "https://yandex.ru/maps/?ll=37.620070,55.753630&z=12",
        55.75363,
        37.62007,
        "viewport",
        "yandex",
    ),
    (
        "https://yandex.ru/maps/?ll=37.62,55.75&pt=37.617635,55.755814&z=17",
        55.755814,
        37.617635,
        "pin",
        "yandex",
    ),
    (
        "https://yandex.com/maps/?pt=37.617635,55.755814,pm2rdm",
        55.755814,
        37.617635,
        "pin",
        "yandex",
    ),
    (
        "https://yandex.ru/maps/?whatshere%5Bpoint%5D=37.617635%2C55.755814&whatshere%5Bzoom%5D=17",
        55.755814,
        37.617635,
        "pin",
        "yandex",
    ),
    (
        "https://yandex.ru/maps/?rtext=55.75,37.61~55.755814,37.617635&rtt=auto",
        55.755814,
        37.617635,
        "directions-destination",
        "yandex",
    ),
    (
        "https://maps.yandex.ru/?ll=30.315868,59.939095&z=10",
        59.939095,
        30.315868,
        "viewport",
        "yandex",
    ),
    # --- HERE, 2GIS, Mapy, Magic Earth, OsmAnd, Organic Maps
    ("https://share.here.com/l/52.5308,13.3847,Berlin?z=16", 52.5308, 13.3847, "pin", "here"),
    ("https://wego.here.com/?map=52.5308,13.3847,15,normal", 52.5308, 13.3847, "viewport", "here"),
    (
        "https://2gis.ru/moscow/geo/4504235282705438/37.617635,55.755814",
        55.755814,
        37.617635,
        "pin",
        "2gis",
    ),
    (
        "https://2gis.ru/moscow?m=37.617635%2C55.755814%2F16",
        55.755814,
        37.617635,
        "viewport",
        "2gis",
    ),
    ("https://mapy.cz/zakladni?x=14.4207&y=50.0871&z=15", 50.0871, 14.4207, "viewport", "mapy"),
    (
        "https://mapy.cz/zakladni?source=coor&id=14.4207%2C50.0871&x=14.4&y=50.0&z=15",
        50.0871,
        14.4207,
        "pin",
        "mapy",
    ),
    ("https://mapy.com/en/zakladni?x=14.4207&y=50.0871&z=15", 50.0871, 14.4207, "viewport", "mapy"),
    (
        "https://magicearth.com/?show_on_map&lat=48.8583&lon=2.2945&name=Eiffel",
        48.8583,
        2.2945,
        "pin",
        "magic-earth",
    ),
    ("https://osmand.net/go?lat=52.5308&lon=13.3847&z=16", 52.5308, 13.3847, "pin", "osmand"),
    ("https://osmand.net/map?pin=52.5308,13.3847#16/52.5/13.3", 52.5308, 13.3847, "pin", "osmand"),
    ("https://osmand.net/map#16/52.5308/13.3847", 52.5308, 13.3847, "viewport", "osmand"),
    ("om://map?ll=52.5308,13.3847&n=Berlin", 52.5308, 13.3847, "pin", "organic-maps"),
    ("mapsme://map?ll=52.5308,13.3847", 52.5308, 13.3847, "pin", "organic-maps"),
    # --- geo: URIs
    ("geo:37.786971,-122.399677", 37.786971, -122.399677, "geo-uri", "geo"),
    ("geo:37.786971,-122.399677;u=35", 37.786971, -122.399677, "geo-uri", "geo"),
    ("geo:37.786971,-122.399677,250;crs=wgs84;u=35", 37.786971, -122.399677, "geo-uri", "geo"),
    ("geo:37.786971,-122.399677?z=14", 37.786971, -122.399677, "geo-uri", "geo"),
    ("geo:0,0?q=37.786971,-122.399677(Treasure)", 37.786971, -122.399677, "geo-uri", "geo"),
    ("geo:0,0?q=37.786971,-122.399677", 37.786971, -122.399677, "geo-uri", "geo"),
    ("GEO:-33.8688,151.2093", -33.8688, 151.2093, "geo-uri", "geo"),
    # --- coordinates as text
    ("-26.108204, 28.0527061", -26.108204, 28.0527061, "text", "text"),
    ("-26.108204,28.0527061", -26.108204, 28.0527061, "text", "text"),
    ("40.7128 -74.0060", 40.7128, -74.006, "text", "text"),
    ("(40.7128, -74.0060)", 40.7128, -74.006, "text", "text"),
    ("40.7128; -74.0060", 40.7128, -74.006, "text", "text"),
    ("  51.5007 , -0.1246  ", 51.5007, -0.1246, "text", "text"),
    ("−33.8688, 151.2093", -33.8688, 151.2093, "text", "text"),
    ("33.8688, −151.2093", 33.8688, -151.2093, "text", "text"),
    ("+48.8583, +2.2945", 48.8583, 2.2945, "text", "text"),
    ("48.8583\xa02.2945", 48.8583, 2.2945, "text", "text"),
    ("N34.99, W106.61", 34.99, -106.61, "text", "text"),
    ("34.99N 106.61W", 34.99, -106.61, "text", "text"),
    ("34.99° N, 106.61° W", 34.99, -106.61, "text", "text"),
    ("S 33.8688 E 151.2093", -33.8688, 151.2093, "text", "text"),
    ("E 151.2093, S 33.8688", -33.8688, 151.2093, "text", "text"),
    (
        "48°51'29.5\"N 2°17'40.2\"E",
        48 + 51 / 60 + 29.5 / 3600,
        2 + 17 / 60 + 40.2 / 3600,
        "dms",
        "text",
    ),
    (
        "48°51′29.5″N 2°17′40.2″E",
        48 + 51 / 60 + 29.5 / 3600,
        2 + 17 / 60 + 40.2 / 3600,
        "dms",
        "text",
    ),
    (
        "48 51 29.5 N 2 17 40.2 E",
        48 + 51 / 60 + 29.5 / 3600,
        2 + 17 / 60 + 40.2 / 3600,
        "dms",
        "text",
    ),
    (
        "48d51m29.5sN 2d17m40.2sE",
        48 + 51 / 60 + 29.5 / 3600,
        2 + 17 / 60 + 40.2 / 3600,
        "dms",
        "text",
    ),
    (
        "48°51'29.5''N, 2°17'40.2''E",
        48 + 51 / 60 + 29.5 / 3600,
        2 + 17 / 60 + 40.2 / 3600,
        "dms",
        "text",
    ),
    (
        "33°51'54\"S 151°12'35\"E",
        -(33 + 51 / 60 + 54 / 3600),
        151 + 12 / 60 + 35 / 3600,
        "dms",
        "text",
    ),
    ("40°42.768'N 74°0.36'W", 40 + 42.768 / 60, -(0.36 / 60 + 74), "dms", "text"),
    ("N 40° 42' 46\" W 74° 0' 21\"", 40 + 42 / 60 + 46 / 3600, -(74 + 21 / 3600), "dms", "text"),
    ("9C3W9QCJ+2VX", 51.3701125, -1.217765625, "plus-code", "plus-code"),
    ("8FVC9G8F+6X", 47.3655625, 8.5249375, "plus-code", "plus-code"),
    ("8fvc9g8f+6x", 47.3655625, 8.5249375, "plus-code", "plus-code"),
    ("8FVC0000+", 47.5, 8.5, "plus-code", "plus-code"),
    # --- links inside other text, with junk around them
    ("see https://www.google.com/maps?q=40.7,-74.0 thanks", 40.7, -74.0, "query", "google"),
    ("Location: https://www.openstreetmap.org/?mlat=51.5&mlon=-0.1.", 51.5, -0.1, "pin", "osm"),
    ("(https://maps.google.com/?q=40.7,-74.0)", 40.7, -74.0, "query", "google"),
    ('<a href="https://maps.google.com/?q=40.7,-74.0">map</a>', 40.7, -74.0, "query", "google"),
    ("https://maps.google.com/?q=40.7,-74.0%3C/a%3E", 40.7, -74.0, "query", "google"),
    ("https://maps.google.com/?q=40.7,-74.0&lt;/a&gt;", 40.7, -74.0, "query", "google"),
    ("Meet here: geo:12.5,-3.25 ok?", 12.5, -3.25, "geo-uri", "geo"),
    ('"https://maps.apple.com/?ll=37.3349,-122.00902"', 37.3349, -122.00902, "pin", "apple"),
    (
        "  https://www.google.com/maps/@40.7127753,-74.0059728,15z\n",
        40.7127753,
        -74.0059728,
        "viewport",
        "google",
    ),
]

GOOGLE_HOSTS = [
    "https://www.google.com", "https://google.com", "https://www.google.de", "https://www.google.co.jp",
    "https://www.google.com.br", "https://maps.google.com", "https://maps.google.co.in",
    "https://maps.google.fr", "http://maps.google.com", "www.google.es", "google.it",
]  # fmt: skip
for host in GOOGLE_HOSTS:
    path = (
        "/maps"
        if not host.replace("http://", "").replace("https://", "").startswith("maps.")
        else ""
    )
    FOUND += [
        (
            f"{host}{path or '/maps'}/place/Spot/@10.1,20.1,15z/data=!4m2!3m1!8m2!3d10.5!4d20.5",
            10.5,
            20.5,
            "pin",
            "google",
        ),
        (f"{host}{path or '/maps'}?q=-10.25,-20.75", -10.25, -20.75, "query", "google"),
        (f"{host}{path or '/maps'}/@-1.125,2.25,12z", -1.125, 2.25, "viewport", "google"),
    ]

NONE = [
    "",
    "   ",
    "hello world",
    "Eiffel Tower, Paris",
    "12 Main Street, Springfield",
    "48,8584, 2,2945",  # decimal commas read two ways
    "48,8584,2,2945",
    "91.0, 10.0",
    "45.0, 181.0",
    "-90.5, 0",
    "123456",
    "40.7128",
    "1, 2, 3",
    "https://example.com/?q=40.7,-74.0",  # unknown host: never pick numbers out of it
    "https://evil.example/maps/@40.7,-74.0,15z",
    "https://google.com.evil.example/maps/@40.7,-74.0,15z",
    "https://www.google.com/search?q=40.7,-74.0",  # Google web search, not Maps
    "https://www.google.com/maps/place/Eiffel+Tower",
    "https://www.google.com/maps?cid=1234567890",
    "https://www.google.com/maps/place/Cafe/data=!4m2!3m1!1s0x0:0x1",
    "https://www.google.com/maps/dir/Paris/Lyon/@45.5,3.5,8z",  # route viewport, no destination
    "https://www.google.com/maps/dir/Paris/Lyon/@45.5,3.5,8z/data=!4m8!4m7!1m0!1m5!1m1!1s0x1:0x2",
    "https://maps.google.com/maps?ll=37.0625,-95.677068&z=4",  # Google's default USA view
    "https://maps.google.com/maps?sll=37.0625,-95.677068",
    "https://maps.app.goo.gl/abcDEF123",
    "https://goo.gl/maps/abcDEF123",
    "maps.app.goo.gl/abcDEF123",
    "see https://maps.app.goo.gl/abc thanks",
    "https://uri.amap.com/marker?position=116.3974,39.9093",
    "https://ditu.amap.com/regeo?lng=116.3974&lat=39.9093",
    "https://map.baidu.com/?latlng=39.9093,116.3974",
    "https://apis.map.qq.com/uri/v1/marker?marker=coord:39.9093,116.3974",
    "geo:0,0?q=Eiffel+Tower",
    "geo:37.78,-122.39;crs=nad27",
    "geo:95,10",
    "geo:abc",
    "9QCJ+2VX London",  # short plus code needs its town
    "9QCJ+2VX",
    "ZZZZZZZZ+ZZ",
    "https://www.openstreetmap.org/way/1234",
    "https://www.bing.com/maps?q=Space+Needle",
    "https://waze.com/ul?q=Eiffel",
    "https://yandex.ru/maps/org/1234/",
    "https://yandex.ru/maps/?pt=37.1,55.1~37.2,55.2",  # several pins: which one?
    "https://maps.apple.com/?q=Apple+Park",
    "ftp://maps.google.com/?q=1,2x",
    "javascript:alert(1)",
    '=HYPERLINK("x")',
    "<img src=x onerror=alert(1)>",
    "48°51'29.5\"N 2°17'40.2\"N",  # two latitudes
    "48°75'29.5\"N 2°17'40.2\"E",  # 75 minutes
    "x" * (MAX_LINK_CHARS + 1),
    "https://www.google.com/maps?q=40.7,-74.0&" + "a" * MAX_LINK_CHARS,
]


@pytest.mark.parametrize(("text", "lat", "lng", "method", "provider"), FOUND)
def test_parse_link_finds_exact_coordinates(text, lat, lng, method, provider):
    location = parse_link(text)
    assert location is not None, read_link(text).reason
    assert math.isclose(location.lat, lat, abs_tol=1e-12)
    assert math.isclose(location.lng, lng, abs_tol=1e-12)
    assert (location.method, location.provider) == (method, provider)


@pytest.mark.parametrize("text", NONE)
def test_parse_link_returns_none(text):
    assert parse_link(text) is None


def test_table_is_large_enough():
    assert len(FOUND) + len(NONE) >= 200


def test_location_is_frozen():
    location = parse_link("40.7, -74.0")
    with pytest.raises(AttributeError):
        location.lat = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("48,8584, 2,2945", "decimal commas"),
        ("https://uri.amap.com/marker?position=116.3,39.9", "GCJ-02"),
        ("9QCJ+2VX London", "short plus code"),
        ("https://maps.app.goo.gl/abc", "short link"),
        ("191.5, 10.0", "out of range"),
        ("91.5, 10.0", "swap them"),
        ("x" * 5000, "longer than"),
    ],
)
def test_read_link_explains_why(text, reason):
    assert reason in read_link(text).reason


# Decimal commas inside a link: "48,85,2,29" is 48.85, 2.29 typed in a comma locale; reading its
# first two numbers as a point (48, 85) would be a wrong place, so every reader of "a,b" refuses it.
DECIMAL_COMMA_LINKS = [
    "https://www.google.com/maps/@48,85,2,29,17z",
    "https://www.google.com/maps/place/Spot/@48,85,2,29,17z",
    "https://earth.google.com/web/@48,85,2,29,35a",
    "https://yandex.ru/maps/?ll=2,29,48,85&z=3",
    "https://yandex.ru/maps/?pt=2,29,48,85",
    "https://share.here.com/l/48,85,2,29",
    "https://2gis.ru/moscow?m=2,29,48,85%2F16",
    "https://2gis.ru/moscow/geo/2,29,48,85",
    "https://2gis.ru/moscow/center/2,29,48,85/zoom/16",
    "https://share.here.com/r/52.5,13.4/48,85,2,29",
    "https://map.kakao.com/link/map/Cafe,37,5,12,9",  # read from the end: (12, 9) was taken
]


@pytest.mark.parametrize("text", DECIMAL_COMMA_LINKS)
def test_decimal_commas_in_a_link_are_refused_not_misread(text):
    reading = read_link(text)
    assert reading.location is None
    assert "decimal commas" in reading.reason


@pytest.mark.parametrize(
    ("text", "lat", "lng"),
    [
        ("https://www.google.com/maps/@48,2,17z", 48.0, 2.0),  # whole degrees, then the zoom
        ("https://yandex.ru/maps/?pt=37,55,pm2rdm", 55.0, 37.0),  # whole degrees, then a style
        ("https://share.here.com/l/52,13,Berlin", 52.0, 13.0),  # whole degrees, then a name
        ("https://map.kakao.com/link/map/Cafe,37,127", 37.0, 127.0),  # a name, then the pair
        ("https://www.google.com/maps/@48.5,2.5,2,17z", 48.5, 2.5),  # decimals: not commas
    ],
)
def test_whole_degrees_followed_by_more_than_a_number_still_read(text, lat, lng):
    location = parse_link(text)
    assert location is not None
    assert (location.lat, location.lng) == (lat, lng)


def _links_with_every_marker_out_of_place():
    """Each provider's link (from FOUND) with every reader's marker put where that reader does not
    look for it: in the query, in the fragment, at the path's end, cut short."""
    from urllib.parse import urlsplit

    from map_converter.providers import PROVIDERS

    markers = sorted({reader.marker for provider in PROVIDERS for reader in provider.readers})
    bases = {}
    for text, *_rest, provider in FOUND:
        parts = urlsplit(text)
        if parts.scheme in ("http", "https") and parts.netloc:
            bases.setdefault(provider, f"{parts.scheme}://{parts.netloc}")
    for base in bases.values():
        for marker in markers:
            if marker:
                yield f"{base}/maps?x={marker}"
                yield f"{base}/maps#{marker}"
                yield f"{base}/{marker.strip('/')}"
                yield f"{base}{marker}"


def test_every_provider_scheme_is_found_in_pasted_text():
    """The schemes link_finding looks for in a cell are every scheme a provider record owns (an
    app link next to other words was read as text: 'Pin nmap://place?lat=…' found nothing)."""
    from map_converter.link_finding import find_url
    from map_converter.providers import PROVIDERS

    for provider in PROVIDERS:
        for scheme in provider.schemes:
            link = f"{scheme}://?lat=1.5&lng=2.5"
            assert find_url(f"see {link} here") == link, scheme


def test_a_marker_out_of_place_never_breaks_a_reader():
    broken = [
        text
        for text in _links_with_every_marker_out_of_place()
        if "internal error" in read_link(text).reason
    ]
    assert broken == []


def test_short_links_are_flagged():
    assert read_link("https://maps.app.goo.gl/xyz").is_short_link
    assert read_link("https://goo.gl/maps/xyz").is_short_link
    assert read_link("https://yandex.ru/maps/-/CCUabc").is_short_link
    assert not read_link("https://example.com/xyz").is_short_link


def test_osm_shortlink_decodes_near_its_cell_centre():
    lat, lng = decode_osm_shortlink("0EEQjE")
    assert 51.4 < lat < 51.6
    assert -0.2 < lng < 0.2
    location = parse_link("https://osm.org/go/0EEQjE--")
    assert location is not None
    assert location.method == "shortlink"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_link_never_raises(text):
    result = parse_link(text)
    assert result is None or isinstance(result, Location)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_read_link_the_pipelines_reader_never_raises(text):
    reading = read_link(text)  # it guards against bugs; the reason says when the guard caught one
    assert isinstance(reading, LinkReading)
    assert reading.location is not None or reading.reason
    assert "internal error" not in reading.reason


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            "https://www.google.com/maps/dir/",
            "https://www.google.com/maps/place/X/data=",
            "https://yandex.ru/maps/?pt=",
            "https://2gis.ru/geo/",
            "https://share.here.com/p/s-",
            "https://waze.com/ul/h",
            "https://osm.org/go/",
            "geo:0,0?q=",
            "https://geohack.toolforge.org/geohack.php?params=",
            "",
        ]
    ),
    st.text(
        alphabet=st.sampled_from(list("0123456789.,-+!~_ NSEWmdsb%2C()°'\"/;:?&=")), max_size=120
    ),
)
def test_read_link_never_raises_on_provider_prefixes(prefix, tail):
    reading = read_link(prefix + tail)
    assert isinstance(reading, LinkReading)
    assert "internal error" not in reading.reason


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "https://www.google.com/maps",
            "geo:",
            "https://maps.apple.com/?ll=",
            "https://www.openstreetmap.org/?mlat=",
        ]
    ),
    st.text(max_size=200),
)
def test_parse_link_never_raises_on_link_prefixes(prefix, tail):
    result = parse_link(prefix + tail)
    assert result is None or isinstance(result, Location)


def test_parse_link_rejects_non_strings():
    assert parse_link(None) is None  # type: ignore[arg-type]
    assert parse_link(12.5) is None  # type: ignore[arg-type]


coordinate = st.tuples(
    st.floats(min_value=-89.999999, max_value=89.999999, allow_nan=False),
    st.floats(min_value=-179.999999, max_value=179.999999, allow_nan=False),
)

FORMATS = [
    "https://www.google.com/maps/place/X/@1,1,17z/data=!3m1!4b1!4m5!3m4!1s0x0:0x0!8m2!3d{lat}!4d{lng}",
    "https://www.google.com/maps/@{lat},{lng},15z",
    "https://maps.google.com/?q={lat},{lng}",
    "https://www.google.com/maps/search/?api=1&query={lat}%2C{lng}",
    "https://www.google.com/maps/dir//{lat},{lng}/@1,1,5z",
    "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2624.9!2d{lng}!3d{lat}!2m3!1f0",
    "https://maps.google.com/maps?ll={lat},{lng}&z=3",
    "google.navigation:q={lat},{lng}",
    "https://maps.apple.com/?ll={lat},{lng}",
    "https://maps.apple.com/place?coordinate={lat},{lng}",
    "https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=12/0/0",
    "https://www.openstreetmap.org/#map=12/{lat}/{lng}",
    "https://www.bing.com/maps?sp=point.{lat}_{lng}_Name",
    "https://www.bing.com/maps?cp={lat}~{lng}",
    "https://waze.com/ul?ll={lat},{lng}",
    "https://yandex.ru/maps/?pt={lng},{lat}",
    "https://yandex.ru/maps/?ll={lng},{lat}&z=3",
    "https://share.here.com/l/{lat},{lng},Name",
    "https://2gis.ru/moscow/geo/{lng},{lat}",
    "https://mapy.cz/zakladni?x={lng}&y={lat}&z=15",
    "https://magicearth.com/?lat={lat}&lon={lng}",
    "https://osmand.net/go?lat={lat}&lon={lng}",
    "om://map?ll={lat},{lng}",
    "geo:{lat},{lng}",
    "geo:0,0?q={lat},{lng}(Label)",
    "{lat}, {lng}",
    "{lat} {lng}",
    # forms added with the provider records
    "https://www.google.com/maps/embed?pb=!6m8!1m7!1sX!2m2!1d{lat}!2d{lng}!3f1",
    "https://www.google.com/maps/search/pizza/{lat},{lng},15z",
    "https://maps.google.com/?q=loc:{lat}+{lng}",
    "https://www.google.com/url?q=https://maps.google.com/?q%3D{lat},{lng}",
    "google.navigation:q={lat}%2B{lng}",
    "geo:{lat},{lng}?q={lat},{lng}(Label)",
    "geo:?q={lat},{lng}",
    "https://yandex.ru/maps/?ll=1,1&poi[point]={lng},{lat}",
    "https://yandex.ru/maps/?text={lat},{lng}&ll=1,1",
    "https://yandex.ru/maps/?rtext=1,1~{lat},{lng}",
    "https://www.openstreetmap.org/#17/{lat}/{lng}",
    "https://www.openstreetmap.org/search?query={lat}%2C{lng}",
    "https://www.openstreetmap.org/export/embed.html?bbox=0,0,1,1&marker={lat},{lng}",
    "https://www.bing.com/maps?where1={lat},{lng}",
    "https://waze.com/ul?ll={lat}%2C{lng}",
    "https://embed.waze.com/iframe?lat={lat}&lon={lng}",
    "https://2gis.ru/moscow/center/{lng},{lat}/zoom/16",
    "https://here.com/location?map={lat},{lng},15",
    "magicearth://?lat={lat}&lon={lng}",
    "https://www.qwant.com/maps/place/latlon:{lat}:{lng}",
    "https://www.viamichelin.com/web/maps?position={lat};{lng};12",
    "https://map.yahoo.co.jp/place?lat={lat}&lon={lng}",
    "https://maps.gsi.go.jp/#16/{lat}/{lng}/",
    "https://osmand.net/map/navigate/?start=1,1&finish={lat},{lng}",
    "Lat: {lat}, Long: {lng}",
]


@settings(max_examples=60, deadline=None)
@given(coordinate, st.sampled_from(FORMATS), st.integers(min_value=1, max_value=8))
def test_every_format_round_trips_exactly(pair, template, decimals):
    lat_text, lng_text = f"{pair[0]:.{decimals}f}", f"{pair[1]:.{decimals}f}"
    if float(lat_text) == 0 and float(lng_text) == 0:
        return  # geo:0,0 means "no location" on Android; covered by the table above
    location = parse_link(template.format(lat=lat_text, lng=lng_text))
    assert location is not None, template
    assert (location.lat, location.lng) == (float(lat_text), float(lng_text))


@pytest.mark.parametrize(
    "link",
    [
        "https://omaps.app/o4B4pYZsRs/Zurich",
        "http://ge0.me/o4B4pYZsRs/Zurich_Switzerland",
        "https://comaps.at/o4B4pYZsRs",
    ],
)
def test_ge0_short_codes_decode_offline(link):
    # MAPS.ME's documented example: o4B4pYZsRs is Zurich.
    location = parse_link(link)
    assert location is not None
    assert location.method == "shortlink"
    assert abs(location.lat - 47.3859) < 0.001
    assert abs(location.lng - 8.5767) < 0.001


def test_organic_maps_plain_coordinates_path():
    location = parse_link("https://omaps.app/48.8583701,2.2944813/Eiffel_Tower")
    assert (location.lat, location.lng, location.method) == (48.8583701, 2.2944813, "pin")


@pytest.mark.parametrize(
    ("cell", "inner"),
    [
        (
            "https://www.google.com/url?q=https://maps.app.goo.gl/abc&sa=D",
            "https://maps.app.goo.gl/abc",
        ),
        (
            "see https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fgoo.gl%2Fmaps%2Fabc&data=x",
            "https://goo.gl/maps/abc",
        ),
        ("https://maps.app.goo.gl/abc", "https://maps.app.goo.gl/abc"),
        ("maps.app.goo.gl/abc", "maps.app.goo.gl/abc"),
    ],
)
def test_the_resolver_is_given_the_short_link_inside_a_wrapper(cell, inner):
    assert read_link(cell).is_short_link
    assert innermost_link(cell) == inner
