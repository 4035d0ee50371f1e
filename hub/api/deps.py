"""Shared FastAPI dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hub.i18n import negotiate
from hub.settings import Settings, get_settings


def request_lang(request: Request) -> str:
    """``?lang=en`` wins, then ``Accept-Language``, then the configured default (``id``)."""
    explicit = request.query_params.get("lang")
    if explicit in ("id", "en"):
        return explicit
    return negotiate(request.headers.get("accept-language"), get_settings().lang)


async def _lang_dependency(request: Request) -> str:
    """``request_lang`` as an async dependency: it never blocks, and FastAPI would run a sync one in the thread
    pool (a thread hop per request for a few string tests)."""
    return request_lang(request)


LangDep = Annotated[str, Depends(_lang_dependency)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
