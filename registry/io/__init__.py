"""Import and export of the registry in YAML, CSV and XLSX.

    batch = read(content, detect_format(content, filename))
    report = import_batch(session, batch, actor="cli:budi", dry_run=True)   # every bad row, nothing stored
    data = export(session, "xlsx")
"""

from registry.io.export import MEDIA_TYPES, export, to_csv, to_xlsx, to_yaml
from registry.io.formats import ENTITIES, FORMATS, Batch, FormatError, RawRecord, detect_format, read
from registry.io.importer import ImportReport, Scope, import_batch, plan, validate

__all__ = [
    "ENTITIES", "FORMATS", "MEDIA_TYPES", "Batch", "FormatError", "ImportReport", "RawRecord", "Scope",
    "detect_format", "export", "import_batch", "plan", "read", "to_csv", "to_xlsx", "to_yaml", "validate",
]
