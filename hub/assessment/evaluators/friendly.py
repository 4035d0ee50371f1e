"""Evaluators of the User friendly standard (USR-*)."""

from __future__ import annotations

from hub.assessment.catalog import Check
from hub.assessment.detect import is_readable, language_of, message_texts
from hub.assessment.evaluators import Observation, Verdict, by_ratio, error, evaluator, listing, not_applicable, pct
from hub.assessment.htmlaudit import audit
from hub.assessment.models import Status


@evaluator("docs_reachable")
def docs_reachable(obs: Observation, check: Check) -> Verdict:
    pages = [p for p in obs.get("pages") or [] if p.get("status") == 200
             and "html" in str(p.get("content_type") or "").lower()]
    description = str(obs.get("description") or "")
    enough = len(description.strip()) >= int(check.thresholds.get("min_description_chars", 1))
    measured = {"pages": [p["path"] for p in pages], "openapi_description_chars": len(description.strip())}
    if pages or enough:
        return Verdict(Status.PASS, measured=measured)
    return Verdict(Status.FAIL, params={"tried": listing(list(obs.get("tried") or []), 6)}, measured=measured)


def _error_cases(obs: Observation) -> list[dict]:
    return [c for c in obs.get("cases") or [] if c.get("status") is not None and 400 <= int(c["status"]) < 600]


@evaluator("readable_errors")
def readable_errors(obs: Observation, check: Check) -> Verdict:
    cases = _error_cases(obs)
    if not cases:
        return error("assessment.reason.no_error_answers")
    unreadable = [c["case"] for c in cases if not any(is_readable(t) for t in message_texts(str(c.get("body") or "")))]
    readable = len(cases) - len(unreadable)
    ratio = readable / len(cases)
    th = check.thresholds
    status = by_ratio(ratio, th["min_ratio"], th.get("warn_ratio"))
    return Verdict(status, params={"readable": readable, "total": len(cases)},
                   measured={"error_answers": len(cases), "readable": readable, "readable_pct": pct(ratio),
                             "unreadable_cases": unreadable}, focus=unreadable)


@evaluator("indonesian_errors")
def indonesian_errors(obs: Observation, check: Check) -> Verdict:
    langs: list[tuple[str, str]] = []
    for case in _error_cases(obs):
        texts = [t for t in message_texts(str(case.get("body") or "")) if is_readable(t)]
        if texts:
            langs.append((case["case"], language_of(" ".join(texts))))
    if not langs:
        cases = _error_cases(obs)
        if cases:  # error answers there were, but none said anything a person reads (USR-002 judges that)
            return error("assessment.reason.no_readable_error_messages", total=len(cases))
        return error("assessment.reason.no_error_answers")
    indonesian = sum(1 for _, lang in langs if lang == "id")
    english = [case for case, lang in langs if lang == "en"]
    ratio = indonesian / len(langs)
    th = check.thresholds
    status = by_ratio(ratio, th["min_ratio"], th.get("warn_ratio"))
    return Verdict(status, params={"english": len(english), "indonesian": indonesian, "total": len(langs)},
                   measured={"messages": len(langs), "indonesian": indonesian, "english": len(english),
                             "indonesian_pct": pct(ratio)}, focus=english)


def _page(obs: Observation):
    html = obs.get("html")
    if not html:
        return None
    return audit(str(html))


@evaluator("html_lang")
def html_lang(obs: Observation, check: Check) -> Verdict:
    facts = _page(obs)
    if facts is None:
        return not_applicable("assessment.reason.no_front_page")
    lang = (facts.lang or "").strip().lower()
    measured = {"lang": lang or None}
    if not lang:
        return Verdict(Status.FAIL, params={"lang": "-"}, measured=measured)
    if lang.split("-")[0] != "id":
        return Verdict(Status.WARNING, params={"lang": lang}, measured=measured)
    return Verdict(Status.PASS, measured=measured)


@evaluator("html_title_viewport")
def html_title_viewport(obs: Observation, check: Check) -> Verdict:
    facts = _page(obs)
    if facts is None:
        return not_applicable("assessment.reason.no_front_page")
    missing = [name for name, ok in (("<title>", bool(facts.title)), ("<meta viewport>", facts.has_viewport))
               if not ok]
    measured = {"title": facts.title[:120] or None, "viewport": facts.has_viewport}
    if not missing:
        return Verdict(Status.PASS, measured=measured)
    status = Status.FAIL if len(missing) == 2 else Status.WARNING
    return Verdict(status, params={"missing": ", ".join(missing)}, measured=measured)


@evaluator("html_accessibility")
def html_accessibility(obs: Observation, check: Check) -> Verdict:
    facts = _page(obs)
    if facts is None:
        return not_applicable("assessment.reason.no_front_page")
    items = len(facts.fields) + facts.images
    if items == 0:
        return not_applicable("assessment.reason.nothing_to_label")
    problems = facts.unlabelled + facts.images_without_alt
    ratio = (items - problems) / items
    th = check.thresholds
    status = by_ratio(ratio, th["min_ratio"], th.get("warn_ratio"))
    measured = {"fields": len(facts.fields), "unlabelled": facts.unlabelled, "images": facts.images,
                "images_without_alt": facts.images_without_alt}
    return Verdict(status, params={"unlabelled": facts.unlabelled, "inputs": len(facts.fields),
                                   "missing_alt": facts.images_without_alt, "images": facts.images},
                   measured=measured)
