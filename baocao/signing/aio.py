"""pyHanko's signing and validation are coroutines; the rest of baocao is synchronous.

``run(coro)`` runs one to completion from synchronous code. Where the calling thread already runs an event
loop (Playwright's sync API in a test process, an ASGI server), ``asyncio.run`` refuses ("cannot be called
from a running event loop"), so the coroutine then runs in a short-lived thread of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop in this thread: the usual case (WSGI workers, commands)
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="baocao-signing") as pool:
        return pool.submit(asyncio.run, coro).result()
