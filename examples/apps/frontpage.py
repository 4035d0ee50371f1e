"""The HTML front page ``/`` and ``/health`` of every example application.

``modern`` pages have what a user-friendliness probe looks for: ``<html lang="id">``, a ``<title>``, a viewport
meta, labelled form fields and image alt texts. ``legacy`` pages have none of these (table layout, bare inputs).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from examples.apps.dataset import clean
from examples.apps.refdata import WIB, iso
from examples.apps.state import AppState

VERSION = "1.4.2"
LOGO = "data:image/svg+xml," + quote(
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 48 48'><circle cx='24' cy='24' r='22' fill='#b91c1c'/>"
    "<text x='24' y='31' font-size='18' text-anchor='middle' fill='white'>KB</text></svg>")
STYLE = ("body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1f2937}"
         "header{display:flex;gap:1rem;align-items:center}table{border-collapse:collapse;width:100%}"
         "th,td{border:1px solid #d1d5db;padding:.4rem;text-align:left}label{margin-right:.5rem}")


def _search(state: AppState, q: str) -> list[dict[str, Any]]:
    res = state.spec.resources[state.spec.primary]
    ds, needle, found = res.dataset, q.lower(), []
    for i in range(min(len(ds), 500)):
        rec = clean(ds.record(i))
        if not needle or any(needle in str(v).lower() for v in rec.values() if isinstance(v, (str, int))):
            found.append(rec)
            if len(found) == 10:
                break
    return found


def _cells(rec: dict[str, Any]) -> list[str]:
    return [escape(str(v)) for v in rec.values() if isinstance(v, (str, int, float))][:4]


def modern(state: AppState, q: str) -> str:
    spec, prof = state.spec, state.config.profile
    rows = "".join(
        f"<tr><td>{escape(r.title)}</td><td><code>/api/v1/{r.name}</code></td><td>{len(r.dataset)}</td>"
        f"<td><code>{r.schema}</code></td></tr>" for r in spec.resources.values())
    docs = ('<p>Dokumentasi API: <a href="/docs">/docs</a> (OpenAPI 3: <a href="/openapi.json">/openapi.json</a>)'
            '.</p>') if prof.openapi else "<p>Dokumentasi API belum tersedia.</p>"
    primary = spec.resources[spec.primary]
    found = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in _cells(rec)) + "</tr>" for rec in _search(state, q))
    return f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(spec.title)} — {escape(spec.owner)}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<img src="{LOGO}" alt="Logo Pemerintah Kota Blitar (simulasi)" width="48" height="48">
<div><h1>{escape(spec.title)}</h1><p>{escape(spec.owner)} — aplikasi simulasi untuk uji Simpul</p></div>
</header>
<main>
<section aria-labelledby="tentang"><h2 id="tentang">Tentang aplikasi</h2>
<p>{escape(spec.summary)}</p><p>Profil mutu: <strong>{escape(prof.name)}</strong>. Versi {VERSION}.</p></section>
<section aria-labelledby="data"><h2 id="data">Data yang tersedia</h2>
<table><thead><tr><th scope="col">Data</th><th scope="col">Alamat API</th><th scope="col">Jumlah</th>
<th scope="col">Skema kanonik</th></tr></thead><tbody>{rows}</tbody></table>
{docs}
<p>Akses API memerlukan token: kirim header <code>Authorization: Bearer &lt;token&gt;</code> atau
<code>X-API-Key: &lt;token&gt;</code>. Token diberikan oleh administrator aplikasi.</p></section>
<section aria-labelledby="cari"><h2 id="cari">Cari {escape(primary.title)}</h2>
<form method="get" action="/"><label for="q">Kata kunci</label>
<input id="q" name="q" type="search" value="{escape(q)}"> <button type="submit">Cari</button></form>
<table><tbody>{found}</tbody></table></section>
</main>
<footer><p>Pemerintah Kota Blitar (simulasi). Data fiktif, bukan data resmi.</p></footer>
</body>
</html>"""


def legacy(state: AppState, q: str) -> str:
    spec = state.spec
    links = "".join(f"<tr><td>{escape(r.title)}</td><td><a href='/export/{r.name}.csv'>CSV</a> | "
                    f"<a href='/export/{r.name}.xlsx'>Excel</a></td></tr>" for r in spec.resources.values())
    found = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in _cells(rec)) + "</tr>" for rec in _search(state, q))
    return f"""<html>
<head><title>{escape(spec.title.upper())}</title></head>
<body bgcolor="#ffffcc">
<table width="800" border="1"><tr><td><img src="{LOGO}" width="48"> <font size="5"><b>{escape(spec.title.upper())}
</b></font><br>{escape(spec.owner)}</td></tr>
<tr><td><b>DOWNLOAD DATA</b><table border="1">{links}</table></td></tr>
<tr><td><form action="/">Cari: <input name="q" value="{escape(q)}"> <input type="submit" value="Cari"></form>
<table border="1">{found}</table></td></tr>
<tr><td><font size="1">Copyright 2016. Best viewed in Internet Explorer 8, 1024x768.</font></td></tr></table>
</body></html>"""


def add_pages(app: FastAPI, state: AppState) -> None:
    async def front(request: Request) -> HTMLResponse:
        q = request.query_params.get("q", "")[:100]
        page = modern if state.config.profile.front_page == "modern" else legacy
        return HTMLResponse(page(state, q))

    async def health() -> dict[str, Any]:
        return {"status": "ok", "aplikasi": state.spec.key, "judul": state.spec.title,
                "profil": state.config.profile.name, "versi": VERSION, "waktu": iso(datetime.now(WIB))}

    app.add_api_route("/", front, methods=["GET"], include_in_schema=False)
    app.add_api_route("/health", health, methods=["GET"], tags=["sistem"], summary="Status aplikasi / health")
