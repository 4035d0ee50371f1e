"""A simulated fleet of registered applications for scale tests and benchmarks: N copies of the sample
registry's e-planning, each an application of its own (``app-0001`` …), all served by the example applications
started on loopback (one or more base URLs, shared round robin).

    with start_examples({"e-planning": "good"}, ports=0) as urls:
        document = fleet_registry([urls["e-planning"]], 200, token_env="SIMPUL_EPLANNING_TOKEN")
        import_batch(session, fleet_batch([urls["e-planning"]], 200), "bench")   # or fleet_registry(...): a dict
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SAMPLE = Path(__file__).resolve().parent / "registry" / "registry.yaml"


def fleet_registry(base_urls: list[str], count: int, *, token_env: str = "SIMPUL_EPLANNING_TOKEN",
                   template: str = "e-planning") -> dict[str, Any]:
    """A registry import document: the sample's Pemda and OPDs, and ``count`` applications cloned from
    ``template`` whose addresses point at ``base_urls``."""
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    model = next(a for a in sample["applications"] if a["id"] == template)
    apps = []
    for n in range(count):
        base = base_urls[n % len(base_urls)].rstrip("/")
        app = copy.deepcopy(model)
        app["id"] = f"app-{n + 1:04d}"
        app["name"] = f"{model['name']} (simulasi {n + 1})"
        app["hosting"]["base_urls"] = [base]
        connector = app["integration"]["connector"]
        connector["config"]["base_url"] = f"{base}/api/v1"
        connector["config"]["auth"]["token"] = {"env": token_env}
        app["integration"]["provides"] = []  # no cross-reference reads between the copies
        apps.append(app)
    return {"simpul_registry": sample["simpul_registry"], "pemda": sample["pemda"], "opd": sample["opd"],
            "applications": apps}


def fleet_batch(base_urls: list[str], count: int, **options: Any) -> Any:
    """The same as a parsed import batch (``registry.io.import_batch(session, batch, actor)``)."""
    from registry.io import read

    return read(yaml.safe_dump(fleet_registry(base_urls, count, **options), allow_unicode=True).encode(), "yaml")
