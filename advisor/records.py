"""Frozen records: stdlib dataclasses that cost less to define.

`@record` is `@dataclass(frozen=True, eq=False)`, and `@record(eq=True)` is
`@dataclass(frozen=True)`, for what a caller sees: `dataclasses.fields`,
`asdict`, `replace`, `is_dataclass`, keyword and positional construction with defaults and
`field(default_factory=...)`, a `repr`, identity equality (or, with `eq=True`, equality and a hash
of the compared fields), and `FrozenInstanceError` on assignment.
pydantic validates a record as it validates any stdlib dataclass (advisor.catalog.validation).

What it saves: `dataclass(frozen=True)` compiles four functions per class when the module is
imported (`__init__`, `__repr__`, `__setattr__`, `__delattr__`). Every command imports about 65 of
these classes. Here dataclass only collects the fields; the frozen `__setattr__`/`__delattr__` and
`__repr__` are shared functions, and `__init__` is compiled the first time a class is instantiated,
in the form dataclass would write (so construction costs the same afterwards), and only for the
classes a run uses. Measured (bench/README.md, "Issue 20", 2026-12-06): `recommend --format json`
takes about 22% less CPU than with `dataclass(frozen=True, slots=True)`, so this stays.
"""

from __future__ import annotations

from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform, overload

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T", bound=type)


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _repr(self: Any) -> str:
    parts = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
    return f"{type(self).__qualname__}({parts})"


def _compiled_init(cls: type) -> Callable[..., None]:
    """The `__init__` dataclass(frozen=True) writes: parameters in field order with their defaults,
    keyword-only fields after a `*`, each value set with object.__setattr__."""
    env: dict[str, Any] = {"__object_setattr": object.__setattr__, "__missing": MISSING}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields(cls):
        if not f.init:
            if f.default_factory is not MISSING:
                env[f"__factory_{f.name}"] = f.default_factory
                body.append(f"__object_setattr(self, {f.name!r}, __factory_{f.name}())")
            elif f.default is not MISSING:
                env[f"__default_{f.name}"] = f.default
                body.append(f"__object_setattr(self, {f.name!r}, __default_{f.name})")
            continue
        if f.default_factory is not MISSING:
            env[f"__factory_{f.name}"] = f.default_factory
            param = f"{f.name}=__missing"
            value = f"__factory_{f.name}() if {f.name} is __missing else {f.name}"
        elif f.default is not MISSING:
            env[f"__default_{f.name}"] = f.default
            param, value = f"{f.name}=__default_{f.name}", f.name
        else:
            param, value = f.name, f.name
        (keyword if f.kw_only else positional).append(param)
        body.append(f"__object_setattr(self, {f.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}):\n" + "".join(f"    {line}\n" for line in body or ["pass"])
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), env)  # noqa: S102 - our own fields' names
    init: Callable[..., None] = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _lazy_init(cls: type) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _compiled_init(cls)
        type.__setattr__(cls, "__init__", real)
        real(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in fields(self) if f.compare)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _compared(self) == _compared(other)


def _hash(self: Any) -> int:
    return hash(_compared(self))


@overload
def record(cls: T, /) -> T: ...


@overload
def record(*, eq: bool = False) -> Callable[[T], T]: ...


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def record(cls: Any = None, /, *, eq: bool = False) -> Any:
    """A frozen dataclass with identity equality, or with `eq=True` value equality and a hash of the
    compared fields, as dataclass(frozen=True) writes them (see the module's docstring)."""
    if cls is None:
        return lambda c: _build(c, eq)
    return _build(cls, eq)


def _build(cls: Any, eq: bool) -> Any:
    own_doc = cls.__dict__.get("__doc__")
    if not own_doc:
        cls.__doc__ = cls.__name__  # dataclass would otherwise build a doc from inspect.signature
    for name in ("__init__", "__repr__", "__setattr__", "__delattr__", "__eq__", "__hash__"):
        if name in cls.__dict__ and not (name == "__hash__" and cls.__dict__[name] is None):
            raise TypeError(f"{cls.__qualname__} defines {name}; a record writes its own")
    built: Any = dataclass(init=False, repr=False, eq=False)(cls)
    built.__init__ = _lazy_init(built)
    built.__repr__ = _repr
    built.__setattr__ = _frozen_setattr
    built.__delattr__ = _frozen_delattr
    if eq:
        built.__eq__ = _eq
        built.__hash__ = _hash
    if not own_doc:
        built.__doc__ = None
    return built
