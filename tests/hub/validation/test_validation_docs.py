from __future__ import annotations

from hub.settings import PROJECT_ROOT
from hub.validation.docs import fields, write_docs
from hub.validation.store import SchemaStore
from tests.hub.validation.validation_testkit import write_schemas


def test_fields_flatten_nested_objects_and_lists(tmp_path):
    store = SchemaStore(write_schemas(tmp_path))
    listed = {f.path: f for f in fields(store.resolved(store.get("uji/pegawai")))}
    assert listed["jabatan.nama"].required and listed["jabatan.nama"].depth == 1
    assert listed["indikator[].target"].type == "number"
    assert listed["tanggal_lahir"].type == "string (date)"
    assert listed["nip"].constraints["id"] == ["pola `^\\d{18}$`"]
    assert "personal data" in " ".join(listed["nik"].constraints["en"])


def test_docs_are_written_in_both_languages_with_an_index(tmp_path):
    store = SchemaStore(write_schemas(tmp_path / "schemas"))
    written = write_docs(store, tmp_path / "docs")
    names = sorted(p.relative_to(tmp_path / "docs").as_posix() for p in written)
    assert names == ["README.md", "common/definitions.en.md", "common/definitions.md", "uji/pegawai.en.md",
                     "uji/pegawai.md"]
    indonesian = (tmp_path / "docs/uji/pegawai.md").read_text()
    english = (tmp_path / "docs/uji/pegawai.en.md").read_text()
    assert "| `jabatan.nama` | `string` | ya |" in indonesian
    assert "| `jabatan.nama` | `string` | yes |" in english
    assert "simpul validate uji/pegawai data.json" in indonesian
    assert "minimal.json" in indonesian and "tanggal.json" in english
    assert "[en](uji/pegawai.en.md)" in (tmp_path / "docs/README.md").read_text()
    write_docs(store, tmp_path / "again")
    assert (tmp_path / "again/uji/pegawai.md").read_text() == indonesian  # deterministic


def test_shipped_schema_docs_list_code_lists_with_labels(tmp_path):
    store = SchemaStore(PROJECT_ROOT / "schemas")
    write_docs(store, tmp_path)
    text = (tmp_path / "kepegawaian/pegawai.en.md").read_text()
    assert "### status_kepegawaian" in text
    assert "`tugas_belajar` | On study assignment |" in text
