"""Where a version's rows are on a map: a geometry column, or latitude/longitude columns."""

import json
from dataclasses import dataclass

# Column ids (after ingestion made them safe identifiers) that publishers use for WGS84
# coordinates; Taiwanese files often say 緯度/經度, which ingestion turns into these ids
# only through the data dictionary, so the labels are checked too.
LATITUDE_NAMES = {"lat", "latitude", "wgs84_lat", "lat_wgs84", "wgs84lat", "y_wgs84", "緯度"}
LONGITUDE_NAMES = {
    "lon",
    "lng",
    "long",
    "longitude",
    "wgs84_lon",
    "wgs84_lng",
    "lon_wgs84",
    "wgs84lon",
    "x_wgs84",
    "經度",
}


@dataclass(frozen=True)
class GeoColumns:
    geometry: str | None = None
    latitude: str | None = None
    longitude: str | None = None


def geo_columns(version) -> GeoColumns | None:
    """The columns holding positions, or None when the version has none."""
    if version is None:
        return None
    latitude = longitude = None
    for column in version.columns:
        if column.get("type") == "geometry":
            return GeoColumns(geometry=column["id"])
        if column.get("type") not in ("number", "integer"):
            continue
        names = {column["id"].lower(), str(column.get("label", "")).strip().lower()}
        if names & LATITUDE_NAMES and latitude is None:
            latitude = column["id"]
        elif names & LONGITUDE_NAMES and longitude is None:
            longitude = column["id"]
    if latitude and longitude:
        return GeoColumns(latitude=latitude, longitude=longitude)
    return None


def row_geometry(geo: GeoColumns, record: dict) -> dict | None:
    """The GeoJSON geometry of one row (`record`: column id -> value), or None."""
    if geo.geometry:
        raw = record.get(geo.geometry)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None
    lon, lat = record.get(geo.longitude), record.get(geo.latitude)
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}
