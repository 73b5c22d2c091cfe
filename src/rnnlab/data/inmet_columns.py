"""Short English names for the columns of INMET station files.

INMET publishes the same hourly quantities under two sets of Portuguese
headers: the yearly "dados históricos" bulk files
(``TEMPERATURA DO AR - BULBO SECO, HORARIA (°C)``) and the table exported from
the station portal (``Temp. Ins. (C)``). Both map onto one set of short names,
so a model trained on one format reads the other.

Units are the same in both formats: °C, %, hPa (= mB), m/s, degrees, kJ/m²
(the bulk files write ``Kj/m²``, the portal ``KJ/m²``) and mm.
"""

from __future__ import annotations

import re
import unicodedata

# short name -> unit, in the order read_inmet returns the columns
UNITS: dict[str, str] = {
    "temp": "°C",
    "temp_max": "°C",
    "temp_min": "°C",
    "humidity": "%",
    "humidity_max": "%",
    "humidity_min": "%",
    "dew_point": "°C",
    "dew_point_max": "°C",
    "dew_point_min": "°C",
    "pressure": "hPa",
    "pressure_max": "hPa",
    "pressure_min": "hPa",
    "wind_speed": "m/s",
    "wind_dir": "degrees",
    "wind_gust": "m/s",
    "radiation": "kJ/m²",
    "rain": "mm",
}

# normalised original header (see ``normalise``) -> short name
_NAMES: dict[str, str] = {
    # bulk "dados históricos" files (2019 on; older years use the same quantity names)
    "precipitacao total horario mm": "rain",
    "pressao atmosferica ao nivel da estacao horaria mb": "pressure",
    "pressao atmosferica max na hora ant aut mb": "pressure_max",
    "pressao atmosferica min na hora ant aut mb": "pressure_min",
    "radiacao global kj m2": "radiation",
    "temperatura do ar bulbo seco horaria c": "temp",
    "temperatura do ponto de orvalho c": "dew_point",
    "temperatura maxima na hora ant aut c": "temp_max",
    "temperatura minima na hora ant aut c": "temp_min",
    "temperatura orvalho max na hora ant aut c": "dew_point_max",
    "temperatura orvalho min na hora ant aut c": "dew_point_min",
    "umidade rel max na hora ant aut": "humidity_max",
    "umidade rel min na hora ant aut": "humidity_min",
    "umidade relativa do ar horaria": "humidity",
    "vento direcao horaria gr gr": "wind_dir",
    "vento rajada maxima m s": "wind_gust",
    "vento velocidade horaria m s": "wind_speed",
    # station table exported from the portal
    "temp ins c": "temp",
    "temp max c": "temp_max",
    "temp min c": "temp_min",
    "umi ins": "humidity",
    "umi max": "humidity_max",
    "umi min": "humidity_min",
    "pto orvalho ins c": "dew_point",
    "pto orvalho max c": "dew_point_max",
    "pto orvalho min c": "dew_point_min",
    "pressao ins hpa": "pressure",
    "pressao max hpa": "pressure_max",
    "pressao min hpa": "pressure_min",
    "vel vento m s": "wind_speed",
    "dir vento m s": "wind_dir",  # the portal labels the direction "(m/s)"; it is in degrees
    "dir vento": "wind_dir",
    "raj vento m s": "wind_gust",
    "radiacao kj m2": "radiation",
    "chuva mm": "rain",
}


def normalise(header: str) -> str:
    """Lower-case ASCII words of a header: accents dropped, punctuation to spaces.

    ``"TEMPERATURA MÁXIMA NA HORA ANT. (AUT) (°C)"`` -> ``"temperatura maxima na hora ant aut c"``.
    """
    text = unicodedata.normalize("NFKD", header)  # "²" -> "2", "Á" -> "A" + accent
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def short_name(header: str) -> str:
    """The short English name of an INMET header; unknown headers get a snake_case name."""
    key = normalise(header)
    return _NAMES.get(key, key.replace(" ", "_"))


def is_known(header: str) -> bool:
    return normalise(header) in _NAMES
