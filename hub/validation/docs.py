"""Human-readable documentation of the canonical schemas, generated from the schemas themselves.

``simpul schemas docs`` writes, per schema, ``<domain>/<name>.md`` (Bahasa Indonesia) and ``<domain>/<name>.en.md``
(English): the fields with type, required or not, constraints, code lists and personal-data marks; the valid
and invalid examples; how to check data. ``README.md`` indexes them. The output is deterministic, so a CI job
can regenerate it and fail on a diff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hub.i18n import LANGS, t
from hub.validation.store import SchemaEntry, SchemaStore

#: Keywords for which a report points at the property itself (``/jabatan/nama``), not at its object.
AT_PROPERTY = frozenset({"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"})


@dataclass
class FieldDoc:
    path: str
    depth: int
    type: str
    required: bool
    node: dict[str, Any]
    constraints: dict[str, list[str]] = field(default_factory=dict)

    def text(self, what: str, lang: str) -> str:
        value = self.node.get(f"x-{what}-en") if lang == "en" else None
        return str(value or self.node.get(what) or "")


def type_text(node: dict[str, Any]) -> str:
    declared = node.get("type")
    if isinstance(declared, list):
        text = " | ".join(str(d) for d in declared)
    elif isinstance(declared, str):
        text = declared
    elif "enum" in node or "const" in node:
        values = node.get("enum") or [node.get("const")]
        kinds = sorted({"string" if isinstance(v, str) else "number" if isinstance(v, int | float)
                        else "boolean" if isinstance(v, bool) else "null" for v in values})
        text = " | ".join(kinds)
    else:
        branches = node.get("oneOf") or node.get("anyOf") or []
        text = " | ".join(dict.fromkeys(type_text(b) for b in branches if isinstance(b, dict))) or "any"
    if text == "array" and isinstance(node.get("items"), dict):
        text = f"array<{type_text(node['items'])}>"
    if node.get("format"):
        text += f" ({node['format']})"
    return text


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def constraints(node: dict[str, Any], lang: str) -> list[str]:
    out: list[str] = []
    if "enum" in node:
        out.append(t("validation.doc.enum", lang, values=", ".join(_code(v) for v in node["enum"])))
    if "const" in node:
        out.append(t("validation.doc.const", lang, value=_code(node["const"])))
    if "pattern" in node:
        out.append(t("validation.doc.pattern", lang, pattern=_code(node["pattern"])))
    for key, sign in (("minimum", "≥"), ("maximum", "≤"), ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<")):
        if key in node:
            out.append(f"{sign} {node[key]}")
    for low, high, key in (("minLength", "maxLength", "length"), ("minItems", "maxItems", "items"),
                           ("minProperties", "maxProperties", "properties")):
        if low in node and high in node:
            bound = f"{node[low]}–{node[high]}"
        elif low in node or high in node:
            bound = f"≥ {node[low]}" if low in node else f"≤ {node[high]}"
        else:
            continue
        out.append(t(f"validation.doc.{key}", lang, bound=bound))
    if "multipleOf" in node:
        out.append(t("validation.doc.multiple_of", lang, value=node["multipleOf"]))
    if node.get("uniqueItems"):
        out.append(t("validation.doc.unique", lang))
    if node.get("x-codelist"):
        out.append(t("validation.doc.codelist", lang, name=node["x-codelist"], anchor=node["x-codelist"]))
    if node.get("x-personal-data"):
        out.append(t("validation.doc.personal", lang))
    return out


def fields(schema: dict[str, Any], prefix: str = "", depth: int = 0) -> list[FieldDoc]:
    """Every property of a resolved schema, nested ones as ``jabatan.nama`` and ``indikator[].target``."""
    out: list[FieldDoc] = []
    required = set(schema.get("required") or [])
    for name, node in (schema.get("properties") or {}).items():
        if not isinstance(node, dict):
            continue
        path = prefix + name
        doc = FieldDoc(path, depth, type_text(node), name in required, node,
                       {lang: constraints(node, lang) for lang in LANGS})
        out.append(doc)
        if isinstance(node.get("properties"), dict):
            out += fields(node, path + ".", depth + 1)
        items = node.get("items")
        if isinstance(items, dict) and isinstance(items.get("properties"), dict):
            out += fields(items, path + "[].", depth + 1)
    return out


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def codelist_values(root: Path, name: str, lang: str = "id") -> list[tuple[str, str]]:
    """``(code, label)`` pairs of ``schemas/codelists/<name>.yaml`` (``values: [{code, label: {id, en}}]``)."""
    path = root / "codelists" / f"{name}.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        for key in ("values", "codes", "items", "entries", "kode"):
            if isinstance(data.get(key), list | dict):
                data = data[key]
                break
    if isinstance(data, dict):
        data = [{"code": k, "label": v} for k, v in data.items()]
    pairs = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict):
            code = next((item[k] for k in ("code", "kode", "value", "id") if k in item), "")
            label = next((item[k] for k in ("label", "nama", "title", "name", "uraian") if k in item), "")
            if isinstance(label, dict):
                label = label.get(lang) or label.get("id") or ""
            pairs.append((str(code), str(label or "")))
        else:
            pairs.append((str(item), ""))
    return pairs


def _business_rules(key: str) -> list[Any]:
    """The business rules that apply to schema ``key`` (none while ``hub.validation.rules`` is unavailable)."""
    try:
        from hub.validation.rules import rules_for
    except ImportError:
        return []
    return list(rules_for(key))


def _example_errors(entry: SchemaEntry, filename: str) -> str:
    """The errors ``expected.yaml`` promises for an invalid example, written as the report shows them."""
    expected = entry.expected.get(filename)
    items = []
    for item in expected if isinstance(expected, list) else []:
        if not isinstance(item, dict):
            continue
        pointer = str(item.get("pointer") or "")
        if "keyword" in item:
            rule = f"schema:{item['keyword']}"
            if item["keyword"] in AT_PROPERTY and item.get("property"):
                pointer = f"{pointer}/{item['property']}"
        else:
            rule = str(item.get("rule", ""))
        items.append(f"{_code(rule)} {_code(pointer or '/')}")
    return ", ".join(items)


def schema_markdown(entry: SchemaEntry, store: SchemaStore, lang: str) -> str:
    resolved = store.resolved(entry)
    title = entry.title[lang]
    lines = [f"# {title} — `{entry.key}`", ""]
    if entry.description[lang]:
        lines += [entry.description[lang], ""]
    other = f"{entry.name}.en.md" if lang == "id" else f"{entry.name}.md"
    lines += [
        f"- {t('validation.doc.version', lang)}: `{entry.version}`",
        f"- URN: `{entry.urn}`",
        f"- {t('validation.doc.hash', lang)}: `{entry.hash}`",
        f"- {t('validation.doc.file', lang)}: `schemas/{entry.domain}/{entry.name}/{entry.path.name}`",
        f"- {t('validation.doc.other_language', lang)}: [{other}]({other})",
        "",
        f"## {t('validation.doc.fields', lang)}", "",
        t("validation.doc.fields_intro", lang), "",
        "| " + " | ".join(t(f"validation.doc.col.{c}", lang)
                         for c in ("field", "type", "required", "description", "constraints")) + " |",
        "|---|---|---|---|---|",
    ]
    yes, no = t("validation.doc.yes", lang), t("validation.doc.no", lang)
    codelists: list[str] = []
    for f in fields(resolved):
        label = f.text("title", lang)
        desc = f.text("description", lang)
        about = f"**{_cell(label)}**" + (f" — {_cell(desc)}" if desc else "") if label else _cell(desc)
        lines.append(f"| `{f.path}` | {_code(f.type)} | {yes if f.required else no} | {about} | "
                     f"{'; '.join(f.constraints[lang])} |")
        if f.node.get("x-codelist") and f.node["x-codelist"] not in codelists:
            codelists.append(str(f.node["x-codelist"]))
    if not resolved.get("properties") and isinstance(resolved.get("$defs"), dict):
        lines += ["", f"## {t('validation.doc.definitions', lang)}", "",
                  "| $defs | " + t("validation.doc.col.type", lang) + " | "
                  + t("validation.doc.col.description", lang) + " | "
                  + t("validation.doc.col.constraints", lang) + " |", "|---|---|---|---|"]
        for name, node in resolved["$defs"].items():
            if isinstance(node, dict):
                desc = FieldDoc(name, 0, "", False, node).text("description", lang)
                lines.append(f"| `{name}` | {_code(type_text(node))} | {_cell(desc)} | "
                             f"{'; '.join(constraints(node, lang))} |")
    if codelists:
        lines += ["", f"## {t('validation.doc.codelists', lang)}", ""]
        for name in codelists:
            values = codelist_values(store.root, name, lang)
            lines += [f"### {name}", "", t("validation.doc.codelist_intro", lang, name=name), ""]
            if values:
                lines += ["| Kode / code | " + t("validation.doc.col.description", lang) + " |", "|---|---|"]
                lines += [f"| {_code(code)} | {_cell(label)} |" for code, label in values]
                lines.append("")
    rules = _business_rules(entry.key)
    if rules:
        lines += ["", f"## {t('validation.doc.rules', lang)}", "", t("validation.doc.rules_intro", lang), "",
                  "| Id | " + t("validation.doc.col.rule", lang) + " | " + t("validation.doc.col.severity", lang)
                  + " | " + t("validation.doc.col.source", lang) + " |", "|---|---|---|---|"]
        for rule in rules:
            title = rule.title.get(lang) or rule.title.get("id", "")
            severity = t(f"validation.severity.{rule.severity}", lang)
            lines.append(f"| `{rule.id}` | {_cell(title)} | {severity} | {_cell(rule.source)} |")
    lines += ["", f"## {t('validation.doc.examples', lang)}", ""]
    if entry.examples_valid:
        first = entry.examples_valid[0]
        lines += [t("validation.doc.valid_example", lang, name=first.name), "", "```json",
                  first.read_text(encoding="utf-8").strip(), "```", ""]
        others = ", ".join(f"`{p.name}`" for p in entry.examples_valid[1:])
        if others:
            lines += [t("validation.doc.more_valid", lang, names=others), ""]
    if entry.examples_invalid:
        lines += [t("validation.doc.invalid_examples", lang), "",
                  "| " + t("validation.doc.col.file", lang) + " | " + t("validation.doc.col.expected", lang)
                  + " |", "|---|---|"]
        lines += [f"| `{p.name}` | {_example_errors(entry, p.name)} |" for p in entry.examples_invalid]
        lines.append("")
    if not entry.examples_valid and not entry.examples_invalid:
        lines += [t("validation.doc.no_examples", lang), ""]
    lines += [f"## {t('validation.doc.check', lang)}", "", "```sh",
              f"simpul{' --lang en' if lang == 'en' else ''} validate {entry.key} data.json",
              f"curl -s -X POST -H 'Content-Type: application/json' --data @data.json "
              f"http://127.0.0.1:8000/v1/schemas/{entry.key}/validate", "```", ""]
    return "\n".join(lines)


def index_markdown(store: SchemaStore) -> str:
    lines = ["# Skema kanonik Simpul / Simpul canonical schemas", "",
             t("validation.doc.index_intro", "id"), "", t("validation.doc.index_intro", "en"), "",
             "| Kunci / key | Judul | Title | Versi / version | Dokumen / docs |", "|---|---|---|---|---|"]
    for e in store.entries():
        lines.append(f"| `{e.key}` | {_cell(e.title['id'])} | {_cell(e.title['en'])} | `{e.version}` | "
                     f"[id]({e.domain}/{e.name}.md) · [en]({e.domain}/{e.name}.en.md) |")
    return "\n".join(lines) + "\n"


def write_docs(store: SchemaStore, out: Path) -> list[Path]:
    """Write the Markdown docs of every schema (latest versions) and the index; returns the files written."""
    written = []
    for entry in store.entries():
        folder = out / entry.domain
        folder.mkdir(parents=True, exist_ok=True)
        for lang, suffix in (("id", ".md"), ("en", ".en.md")):
            path = folder / f"{entry.name}{suffix}"
            path.write_text(schema_markdown(entry, store, lang), encoding="utf-8")
            written.append(path)
    index = out / "README.md"
    index.write_text(index_markdown(store), encoding="utf-8")
    written.append(index)
    return written
