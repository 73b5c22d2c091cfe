import re
from dataclasses import dataclass, field

import pytest

from rnnlab.config import (
    ConfigError,
    apply_overrides,
    check_sections,
    from_dict,
    load_toml,
    save_toml,
    to_dict,
)


@dataclass(frozen=True)
class Inner:
    hidden: int = 8
    rate: float = 0.5


@dataclass(frozen=True)
class Outer:
    name: str = "x"
    sizes: tuple[int, ...] = (1, 2)
    inner: Inner = field(default_factory=Inner)
    note: str | None = None


def test_round_trip_through_toml(tmp_path):
    config = Outer(name="lm", sizes=(3, 4), inner=Inner(hidden=16, rate=1))
    save_toml(config, tmp_path / "c.toml")
    back = from_dict(Outer, load_toml(tmp_path / "c.toml"))
    assert back == Outer(name="lm", sizes=(3, 4), inner=Inner(hidden=16, rate=1.0))
    assert isinstance(back.inner.rate, float)
    assert "note" not in to_dict(config)  # None is left out: TOML has no null


def test_unknown_field_lists_known_ones():
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['hiden'\].*known fields"):
        from_dict(Inner, {"hiden": 3})


def test_wrong_type_is_reported():
    with pytest.raises(TypeError, match="Inner.hidden: expected an integer"):
        from_dict(Inner, {"hidden": "big"})


def test_overrides_are_parsed_as_toml_values():
    data = apply_overrides({"inner": {"hidden": 8}}, ["inner.hidden=32", "name=abc", "x.y=1.5"])
    assert data == {"inner": {"hidden": 32}, "name": "abc", "x": {"y": 1.5}}
    with pytest.raises(ValueError, match="expected an override like"):
        apply_overrides({}, ["novalue"])


def test_bad_toml_file_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_bytes(b"\xff\xfe not toml")
    with pytest.raises(ValueError, match="bad.toml is not valid UTF-8 TOML"):
        load_toml(path)
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_toml(tmp_path / "missing.toml")


@dataclass(frozen=True)
class Typed:
    count: int = 1
    rate: float = 0.5
    flag: bool = False
    names: tuple[str, ...] = ()
    bound: str | float = 0.7


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": True}, "Typed.count: expected an integer, got True"),
        ({"count": 16.5}, "Typed.count: expected an integer, got 16.5"),
        ({"count": 3.0}, "expected an integer, got 3.0 (write 3)"),
        ({"count": "ten"}, "expected an integer, got 'ten' (str)"),
        ({"rate": float("nan")}, "Typed.rate: expected a finite number, got nan"),
        ({"rate": float("inf")}, "expected a finite number, got inf"),
        ({"rate": "fast"}, "Typed.rate: expected a number, got 'fast'"),
        ({"flag": 1}, "Typed.flag: expected true or false, got 1"),
        ({"names": [1]}, "Typed.names: expected a string, got 1"),
        ({"bound": True}, "Typed.bound: expected str or float, got True"),
    ],
)
def test_values_are_checked_against_their_annotation(data, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        from_dict(Typed, data)


def test_one_name_goes_where_a_list_of_names_goes_and_ints_become_floats():
    typed = from_dict(Typed, {"names": "temp", "rate": 2, "bound": "2024-01-01"})
    assert typed.names == ("temp",) and typed.rate == 2.0 and isinstance(typed.rate, float)
    assert from_dict(Typed, {"bound": 0.5}).bound == 0.5


def test_unknown_and_malformed_sections_are_refused():
    check_sections({"train": {}, "data": {}}, {"train", "data"})
    with pytest.raises(ValueError, match=r"unknown section\(s\) \['trian'\].*known sections"):
        check_sections({"trian": {"epochs": 3}}, {"train", "data"})
    with pytest.raises(ValueError, match=r"\[train\] must be a table"):
        check_sections({"train": 3}, {"train"})


def test_config_errors_are_value_and_type_errors():
    with pytest.raises(ConfigError) as info:
        from_dict(Typed, {"count": "x"})
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)
