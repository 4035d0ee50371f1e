"""File-drop applications (a spreadsheet folder, an SQL view): the data checks read the records through the
application's connector; the checks that need a network address are ``not_applicable`` and say why.

The sample is put where the network probes would have left theirs (``ctx.cache["resources"]`` and
``ctx.cache["sample"]``), so the data probes and their evaluators are the same for both kinds of application.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported at call time: the probes import the runner's modules in turn
    from hub.assessment.discovery import Resource
    from hub.assessment.probes import ProbeContext
    from hub.assessment.sampling import Sample

# Probes that read records only: they run on a file-drop application. Among them, the evaluators that judge HTTP
# answers (error rate of the reads, JSON content type) do not apply.
DATA_PROBES = frozenset({"canonical_records", "partner_references", "stable_ids", "read_sample"})
HTTP_EVALUATORS = frozenset({"error_rate", "json_utf8"})


def applies_to_files(probe: str | None, evaluator: str | None) -> bool:
    return probe in DATA_PROBES and evaluator not in HTTP_EVALUATORS


def connector_type(ctx: ProbeContext) -> str:
    return str(((ctx.target.connector or {}).get("connector") or {}).get("type") or "file")


async def read_records(ctx: ProbeContext) -> tuple[list[Resource], Sample]:
    """Every declared resource read through the connector (raw records, at most the run's sample size)."""
    from hub.assessment.discovery import Resource, schema_for
    from hub.assessment.sampling import Sample
    from hub.services.connections import pull, spec_from_dict

    spec_data = ctx.target.connector or {}
    spec = spec_from_dict(spec_data, name=ctx.target.app_id)
    limit = ctx.limits.sample_page_size * ctx.limits.sample_pages
    found: list[Resource] = []
    sample = Sample()
    for name, res in list(spec.resources.items())[: ctx.limits.max_resources]:
        records: list[dict[str, Any]] = []
        async for item in pull(spec, name, limit=limit, validate=False):
            records.append(item.raw)
        found.append(Resource(name=name, path=str(res.get("file") or res.get("path") or res.get("query") or name),
                              schema_key=res.get("schema") or schema_for(name, ctx.schemas), kind="tabular",
                              source="spec"))
        sample.records[name] = records
    return found, sample


async def prepare(ctx: ProbeContext) -> None:
    """Fill the shared discovery of ``ctx`` from the connector; ``stable_ids`` re-reads through it too."""
    found, sample = await read_records(ctx)
    ctx.cache["resources"], ctx.cache["sample"] = found, sample
