"""The station metadata of INMET files: the 8 lines above a bulk file's header.

``REGIAO:;CO`` … ``DATA DE FUNDACAO:;07/05/00`` become ``region``, ``state``,
``station``, ``wmo_code``, ``lat``, ``lon``, ``altitude`` and ``founded`` (ISO
date); :func:`station_tz` is the civil time zone of the station's state.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from rnnlab.data.inmet_columns import normalise

META_KEYS = {
    "regiao": "region",
    "uf": "state",
    "estacao": "station",
    "codigo wmo": "wmo_code",
    "latitude": "lat",
    "longitude": "lon",
    "altitude": "altitude",
    "data de fundacao": "founded",
}

# IANA time zone of each state (Brazil has had no summer time since 2019; the
# zone database keeps the earlier years right)
STATE_TZ = {
    "AC": "America/Rio_Branco",
    "AM": "America/Manaus",
    "RR": "America/Boa_Vista",
    "RO": "America/Porto_Velho",
    "MT": "America/Cuiaba",
    "MS": "America/Campo_Grande",
    "PA": "America/Belem",
    "AP": "America/Belem",
    "TO": "America/Araguaina",
    "MA": "America/Fortaleza",
    "PI": "America/Fortaleza",
    "CE": "America/Fortaleza",
    "RN": "America/Fortaleza",
    "PB": "America/Fortaleza",
    "PE": "America/Recife",
    "AL": "America/Maceio",
    "SE": "America/Maceio",
    "BA": "America/Bahia",
}
DEFAULT_TZ = "America/Sao_Paulo"  # DF, GO, the South-East and the South: UTC−3



def station_tz(state: object) -> str:
    """The IANA time zone of a state's stations (``DEFAULT_TZ`` where unknown)."""
    return STATE_TZ.get(str(state or "").upper(), DEFAULT_TZ)


def parse_meta(lines: list[str], path: Path) -> dict:
    meta: dict = {}
    for line in lines:
        key, _, value = line.partition(";")
        name = META_KEYS.get(normalise(key))
        if name is None:
            continue
        value = value.strip().strip(";").strip()
        if name in ("lat", "lon", "altitude"):
            try:
                meta[name] = float(value.replace(",", "."))
            except ValueError:
                raise ValueError(
                    f"{path}: expected a number for {key.strip()}, got {value!r}"
                ) from None
        elif name == "founded":
            meta[name] = iso_date(value)
        else:
            meta[name] = value
    return meta


def iso_date(text: str) -> str:
    for fmt in ("%d/%m/%y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text


def merge_meta(parts: list[tuple[pd.DataFrame, dict, dict[str, str]]]) -> dict:
    metas = [m for _, m, _ in parts if "wmo_code" in m]
    codes = sorted({m["wmo_code"] for m in metas})
    if len(codes) > 1:
        raise ValueError(f"expected files from one station, got stations {codes}")
    keys = ("region", "state", "station", "wmo_code", "lat", "lon", "altitude", "founded")
    merged = {k: None for k in keys}
    if metas:
        merged.update({k: v for k, v in metas[0].items() if k in keys})
    return merged
