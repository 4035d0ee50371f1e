"""Drive a blocking generator (a database cursor, a spreadsheet reader) from async code without blocking the loop.

Every step runs on one dedicated worker thread, so drivers that insist on staying in the thread that opened them
(e.g. sqlite3) are content, and the generator is closed on that thread too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


async def iterate_in_thread(make: Callable[[], Iterator[T]], name: str = "simpul-connector") -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    try:
        iterator = await loop.run_in_executor(executor, make)
        try:
            while True:
                item = await loop.run_in_executor(executor, next, iterator, _DONE)
                if item is _DONE:
                    return
                yield item  # type: ignore[misc]
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                await loop.run_in_executor(executor, close)
    finally:
        executor.shutdown(wait=False)
