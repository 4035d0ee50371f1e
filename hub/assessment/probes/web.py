"""The web front page (User friendly: language, title, viewport, labels, alt texts)."""

from __future__ import annotations

from hub.assessment.probes import Observation, ProbeContext, probe


@probe("front_page")
async def front_page(ctx: ProbeContext) -> Observation:
    response = await ctx.client.request("GET", "/", headers={"Accept": "text/html,application/xhtml+xml"},
                                        label="front-page")
    is_html = response.status == 200 and "html" in response.content_type.lower()
    html = response.content[:500_000].decode("utf-8", errors="replace") if is_html else None
    return Observation(data={"html": html, "status": response.status, "content_type": response.content_type},
                       evidence=[response])
