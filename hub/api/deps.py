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


LangDep = Annotated[str, Depends(request_lang)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
