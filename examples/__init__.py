"""Runnable simulated OPD applications of Kota Blitar (``examples.apps``) and their launcher.

``from examples import start_examples`` starts them as local servers (see ``examples/launcher.py`` and
docs/examples.md); ``examples/registry/`` holds the sample registry of the demo.
"""

from __future__ import annotations

from typing import Any

__all__ = ["start_examples"]


def __getattr__(name: str) -> Any:
    if name == "start_examples":
        from examples.launcher import start_examples

        return start_examples
    raise AttributeError(name)
