"""advisor.records: a frozen record behaves as dataclass(frozen=True, eq=False) does for a caller."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from advisor.records import record


@record
class Point:
    """A point."""

    x: float
    y: float = 0.0
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    hidden: int = dataclasses.field(default=7, repr=False)


@record
class Bare:
    n: int


def test_construction_defaults_and_factories() -> None:
    p = Point(1.5)
    assert (p.x, p.y, p.tags, p.hidden) == (1.5, 0.0, {}, 7)
    assert Point(1, 2).tags is not Point(1, 2).tags  # a fresh dict each time, as field(default_factory=dict)
    assert Point(x=1, y=2, tags={"a": "b"}).tags == {"a": "b"}
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        Point()
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=3)


def test_frozen_and_identity_equality() -> None:
    p = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'y'"):
        del p.y  # type: ignore[misc]
    assert p != Point(1) and p == p
    assert len({p, p, Point(1)}) == 2  # hashed by identity


def test_the_dataclass_api() -> None:
    p = Point(1, 2, {"k": "v"})
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y", "tags", "hidden"]
    assert dataclasses.asdict(p) == {"x": 1, "y": 2, "tags": {"k": "v"}, "hidden": 7}
    q = dataclasses.replace(p, y=5)
    assert (q.x, q.y, q.tags) == (1, 5, {"k": "v"}) and q is not p
    assert repr(p) == "Point(x=1, y=2, tags={'k': 'v'})"  # repr=False fields are left out
    assert pickle.loads(pickle.dumps(p)).y == 2
    assert Point.__doc__ == "A point." and Bare.__doc__ is None
    assert Bare(3).n == 3 and Point.__init__.__qualname__ == "Point.__init__"


def test_a_class_that_writes_its_own_init_is_refused() -> None:
    class Own:
        def __init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="Own defines __init__"):
        record(Own)


@record(eq=True)
class Pair:
    a: int
    b: tuple[str, ...] = ()
    note: str = dataclasses.field(default="", compare=False)


def test_eq_true_compares_and_hashes_the_compared_fields_as_dataclass_does() -> None:
    assert Pair(1, ("x",)) == Pair(1, ("x",)) and Pair(1) != Pair(2)
    assert Pair(1, note="one") == Pair(1, note="other")  # compare=False fields are not compared
    assert hash(Pair(1, ("x",))) == hash(Pair(1, ("x",))) == hash((1, ("x",)))
    assert len({Pair(1), Pair(1), Pair(2)}) == 2
    assert Pair(1) != Point(1)  # another class is never equal, as with dataclass

    @dataclasses.dataclass(frozen=True)
    class Same:
        a: int
        b: tuple[str, ...] = ()
        note: str = dataclasses.field(default="", compare=False)

    # the same answers as the dataclass it stands for
    assert (Pair(3, ("y",)) == Pair(3, ("y",))) == (Same(3, ("y",)) == Same(3, ("y",)))
    assert hash(Pair(3, ("y",))) == hash(Same(3, ("y",)))
