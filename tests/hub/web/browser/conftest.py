"""One Simpul server for the whole browser session (uvicorn in a thread on a free loopback port), the sample
registry with e-planning pointed at a running example application (free port), an account per role, and one
shared Debian chromium driven by Playwright (never a downloaded browser).

Screenshots go to ``$SIMPUL_SCREENSHOT_DIR`` (default ``test-artifacts/screenshots``, git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hub.web.conftest import PASSWORD, make_users

pytest.importorskip("playwright")
CHROMIUM = os.environ.get("SIMPUL_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ROOT = Path(__file__).resolve().parents[4]
SHOTS = Path(os.environ.get("SIMPUL_SCREENSHOT_DIR") or ROOT / "test-artifacts" / "screenshots")
WIDTHS = {"360": {"width": 360, "height": 740}, "1366": {"width": 1366, "height": 900}}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    def __init__(self, url: str, db: Any, env: dict[str, str]) -> None:
        self.url, self.db, self.env = url, db, env


# module scope: the site sets process-wide variables (its database, its tokens) that must be gone before any
# other test module runs
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install -y chromium)")
    import uvicorn
    import yaml

    from examples.launcher import start_examples
    from hub.api.app import create_app
    from hub.api.routers.assessments import probe_options
    from hub.assessment import ProbeLimits
    from hub.services.assessments import ProbeOptions
    from hub.services.registry_db import get_database
    from hub.settings import get_settings
    from registry.db import Database
    from registry.io import import_batch, read

    folder = tmp_path_factory.mktemp("web-site")
    env = {"SIMPUL_DATABASE_URL": f"sqlite:///{folder / 'simpul.db'}", "SIMPUL_OUTPUT_DIR": str(folder / "out"),
           "SIMPUL_WEB_SECRET_KEY": "uji-browser-" + "x" * 32, "SIMPUL_SERVE_WORKERS": "on",
           "SIMPUL_CERTIFICATE_KEY_FILE": str(folder / "simpul-certificate.key")}
    saved = {k: os.environ.get(k) for k in [*env, "SIMPUL_EPLANNING_TOKEN"]}
    os.environ.update(env)
    get_settings.cache_clear()
    with start_examples({"e-planning": "good"}, ports=0) as urls:
        os.environ["SIMPUL_EPLANNING_TOKEN"] = env["SIMPUL_EPLANNING_TOKEN"] = urls.tokens["e-planning"]
        db = Database(env["SIMPUL_DATABASE_URL"])
        text = (ROOT / "examples" / "registry" / "registry.yaml").read_text("utf-8")
        data = yaml.safe_load(text.replace("http://127.0.0.1:8101", urls["e-planning"]))
        with db.session() as s:
            assert import_batch(s, read(yaml.safe_dump(data, allow_unicode=True).encode(), "yaml"), "test").valid
        make_users(db)
        app = create_app()
        limits = ProbeLimits(availability_probes=3, availability_interval_s=0.05, load_levels=[1, 2],
                             load_requests_per_client=1, sample_pages=1, total_timeout_s=120)
        app.dependency_overrides[get_database] = lambda: db
        app.dependency_overrides[probe_options] = lambda: ProbeOptions(limits=limits)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                               lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "the Simpul server did not start"
        try:
            yield Site(f"http://127.0.0.1:{port}", db, env)
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            db.dispose()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _site_env(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's per-test settings point at a fresh database; the server's code must keep reading its own."""
    from hub.settings import get_settings

    for key, value in site.env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def open_as(browser: Any, site: Site) -> Iterator[Callable[..., Any]]:
    """``open_as("auditor", width="360", js=True)`` → a signed-in page in a fresh browser context."""
    contexts: list[Any] = []

    def go(username: str | None, *, width: str = "1366", js: bool = True) -> Any:
        context = browser.new_context(viewport=WIDTHS[width], java_script_enabled=js, base_url=site.url,
                                      accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/masuk")
        if username:
            sign_in(page, username)
        return page

    yield go
    for context in contexts:
        context.close()


def sign_in(page: Any, username: str, password: str = PASSWORD, *, expect_ok: bool = True) -> None:
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    if expect_ok:
        page.wait_for_url(lambda url: "/masuk" not in url)
    else:
        page.wait_for_load_state()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations of the page (none allowed)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.fixture(scope="session", autouse=True)
def _fresh_shots() -> None:
    if SHOTS.exists() and not os.environ.get("SIMPUL_SCREENSHOT_DIR"):
        shutil.rmtree(SHOTS, ignore_errors=True)
