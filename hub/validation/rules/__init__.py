"""Business rules beyond the JSON Schemas, and the configurable code lists.

Public API (other code calls exactly this)::

    from hub.validation.rules import RuleContext, Violation, Rule, CodeList, evaluate, catalog, rules_for, codelists

    evaluate("kepegawaian/pegawai", document, RuleContext(pemda_level="kota"), schema=resolved_schema)

* the rules are data (``catalog.yaml``: id, schemas, check, severity, bilingual title and message, source,
  good/bad examples); the checks are small pure functions in :mod:`.checks`; retired ids are listed in
  ``retired_ids.yaml`` and never reused;
* code lists live in ``schemas/codelists/<name>.yaml``; an operator overrides one by putting a file with the same
  name into the folder named by ``SIMPUL_CODELISTS_DIR``. A schema property that says ``"x-codelist": "<name>"``
  is checked against the list (rule id ``codelist:<name>``, severity from the list).
"""

from __future__ import annotations

from hub.validation.rules.codelists import CodeListInvalid, codelists
from hub.validation.rules.engine import catalog, evaluate, rules_for
from hub.validation.rules.model import CodeList, Rule, RuleContext, Violation

__all__ = [
    "CodeList",
    "CodeListInvalid",
    "Rule",
    "RuleContext",
    "Violation",
    "catalog",
    "codelists",
    "evaluate",
    "rules_for",
]
