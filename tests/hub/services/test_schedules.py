"""Schedules as a Diskominfo uses them: cron expressions checked with a clear message in both languages, kept
in the database, fired once when due (not once per missed minute), and the work queued at low priority."""

from __future__ import annotations

import time

import pytest

from hub.errors import Forbidden, NotFound, RequestInvalid
from hub.queue.backend import Queue
from hub.services import schedules
from hub.services.registry_access import Principal
from hub.services.schedules import ScheduleIn, ScheduleService, ScheduleUpdate
from registry.db import Database
from registry.tables_queue import ScheduleRow


@pytest.mark.parametrize(("cron", "id_text", "en_text"), [
    ("0 2 * *", "punya 4 bagian", "has 4 fields"),
    ("61 2 * * *", "tidak sah", "is not valid"),
    ("0 2 * * senin", "tidak sah", "is not valid"),
    ("* * * * *", "terlalu sering", "too often"),
])
def test_a_bad_cron_expression_is_explained_in_both_languages(cron: str, id_text: str, en_text: str):
    with pytest.raises(RequestInvalid) as caught:
        schedules.check_cron(cron)
    assert id_text in caught.value.message("id") and en_text in caught.value.message("en")
    assert caught.value.extra["errors"][0]["pointer"] == "/cron"


def test_good_expressions_and_aliases_are_normalised():
    assert schedules.check_cron("  0  2 * *   1 ") == "0 2 * * 1"
    assert schedules.check_cron("@DAILY") == "@daily"
    tz = schedules.zone("Asia/Makassar")
    first = schedules.next_times("0 2 * * 1", tz, count=1)[0]
    assert first.weekday() == 0 and first.hour == 2 and first.utcoffset().total_seconds() == 8 * 3600
    with pytest.raises(RequestInvalid) as caught:
        schedules.zone("Asia/Nowhere")
    assert "Asia/Jakarta" in caught.value.message("en")


def test_create_edit_and_delete_with_the_roles_that_may(registry_loaded: Database):
    admin = ScheduleService(registry_loaded, Principal.cli(), "en")
    created = admin.create(ScheduleIn(kind="assess", scope="area", target="Keuangan Daerah", cron="0 2 * * 1"))
    assert created.target == "keuangan" and created.timezone == "Asia/Jakarta" and created.next_run_at is not None
    changed = admin.update(created.id, ScheduleUpdate(cron="30 3 * * *", enabled=False))
    assert changed.cron == "30 3 * * *" and not changed.enabled and changed.next_run_at is None
    assert [s.id for s in admin.list()] == [created.id]
    auditor = ScheduleService(registry_loaded, Principal(actor="key:a", role="auditor", name="a"))
    auditor.create(ScheduleIn(kind="assess", scope="app", target="e-planning", cron="@weekly"))
    with pytest.raises(Forbidden):
        auditor.create(ScheduleIn(kind="sync", scope="app", target="e-planning", cron="@daily"))
    with pytest.raises(NotFound):
        admin.create(ScheduleIn(kind="assess", scope="app", target="e-plan", cron="@daily"))
    with pytest.raises(RequestInvalid):
        admin.create(ScheduleIn(kind="assess", scope="area", target="astrologi", cron="@daily"))
    admin.delete(created.id)
    with pytest.raises(NotFound):
        admin.get(created.id)


async def test_a_due_schedule_fires_once_and_moves_on(registry_loaded: Database):
    service = ScheduleService(registry_loaded, Principal.cli())
    made = service.create(ScheduleIn(kind="assess", scope="area", target="keuangan", cron="0 2 * * *"))
    long_ago = time.time() - 3 * 86400  # three missed days
    with registry_loaded.session() as s:
        s.get(ScheduleRow, made.id).next_run_at = long_ago
    queue = Queue(registry_loaded)
    try:
        fired = await schedules.fire_due(registry_loaded, queue)
        again = await schedules.fire_due(registry_loaded, queue)
        todo = await queue.counts()
    finally:
        await queue.close()
    assert len(fired) == 1 and again == []
    assert fired[0]["queued"] >= 1 and fired[0]["job_id"]
    stored = service.get(made.id)
    assert stored.next_run_at.timestamp() > time.time() and stored.last_result["job_id"] == fired[0]["job_id"]
    from hub.services.assessments import AssessmentService

    job = AssessmentService(registry_loaded, Principal.cli()).get_job(fired[0]["job_id"])
    assert job.trigger == "schedule" and job.actor == f"schedule:{made.id}"
    assert todo["assess"]["todo"] == 1
