from dataclasses import dataclass, field

import pytest

from rnnlab.config import apply_overrides, from_dict, load_toml, save_toml, to_dict


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
