"""Calls a test hands to a helper process: a light module, since the helper imports it to run them."""

from __future__ import annotations


class Unreadable:
    """An answer the helper can send but the server cannot read back (its unpickling raises)."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return refuse_to_unpickle, ()


def refuse_to_unpickle() -> None:
    raise ValueError("this answer cannot be read")


def unreadable_answer() -> Unreadable:
    return Unreadable()
