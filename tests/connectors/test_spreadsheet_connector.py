"""The spreadsheet connector: CSV/XLSX from a drop folder or a URL, streamed, headers normalised."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import openpyxl
import pytest
import respx

from connectors import ConfigError, ResponseTooLarge, build_connector
from connectors.spreadsheet import normalize_headers

URL = "https://bapenda.test/ekspor/pendapatan.csv"


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Data") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def connector(folder: Path | None = None, page_size: int = 500, base_url: str | None = None, **resource):
    config = {"page_size": page_size, "http": {"backoff_initial_s": 0}}
    if folder is not None:
        config["folder"] = str(folder)
    if base_url:
        config["base_url"] = base_url
    return build_connector({"connector": {"type": "spreadsheet", "config": config},
                            "resources": {"data": resource}})


def test_header_normalisation() -> None:
    assert normalize_headers(["NIP Baru ", "Tgl. Lahir", "Nama", "nama", None, "Jenis Kelamin (L/P)", "Peñerima"]) == [
        "nip_baru", "tgl_lahir", "nama", "nama_2", "kolom_5", "jenis_kelamin_l_p", "penerima"]


async def test_csv_with_semicolons_and_windows_encoding(tmp_path: Path) -> None:
    (tmp_path / "pegawai.csv").write_bytes("NIP;Nama Lengkap;Kota\n1985;Budi Santoso;Malang\n1990;Siti;Bekasi\n"
                                           "1991;Renée;Blitar\n".encode("cp1252"))
    records = [r async for r in connector(tmp_path, file="pegawai.csv").read("data")]
    assert records == [{"nip": "1985", "nama_lengkap": "Budi Santoso", "kota": "Malang"},
                       {"nip": "1990", "nama_lengkap": "Siti", "kota": "Bekasi"},
                       {"nip": "1991", "nama_lengkap": "Renée", "kota": "Blitar"}]


async def test_xlsx_is_read_in_pages_with_a_header_row_and_sheet(tmp_path: Path) -> None:
    rows = [["Laporan Pendapatan 2025"], [], ["Kode", "Uraian", "Target"]]
    rows += [[f"4.1.01.{i:02d}", f"Pajak {i}", 1000 * i] for i in range(1, 6)] + [[None, None, None]]
    write_xlsx(tmp_path / "pendapatan.xlsx", rows, sheet="Rekap")
    c = connector(tmp_path, page_size=2, file="pendapatan.xlsx", sheet="Rekap", header_row=3)
    pages = [p async for p in c.read_pages("data")]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert pages[0][0] == {"kode": "4.1.01.01", "uraian": "Pajak 1", "target": 1000}


async def test_a_missing_sheet_is_named(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "a.xlsx", [["x"], [1]])
    with pytest.raises(Exception, match="Rekap"):
        [r async for r in connector(tmp_path, file="a.xlsx", sheet="Rekap").read("data")]


async def test_a_glob_reads_every_matching_export_in_order(tmp_path: Path) -> None:
    (tmp_path / "layanan_2024-01.csv").write_text("kode,nama\nA,Satu\n", encoding="utf-8")
    (tmp_path / "layanan_2024-02.csv").write_text("kode,nama\nB,Dua\n", encoding="utf-8")
    (tmp_path / "lain.csv").write_text("kode,nama\nZ,Bukan\n", encoding="utf-8")
    records = [r async for r in connector(tmp_path, file="layanan_*.csv").read("data")]
    assert [r["kode"] for r in records] == ["A", "B"]


async def test_since_keeps_newer_rows_and_rows_without_a_date(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "a.xlsx", [["id", "Diubah"], [1, datetime(2024, 4, 1)], [2, datetime(2024, 6, 1)],
                                     [3, None]])
    (tmp_path / "b.csv").write_text("id,diubah\n4,01-03-2024\n5,01-07-2024\n", encoding="utf-8")
    xlsx = connector(tmp_path, file="a.xlsx", since_column="diubah")
    assert [r["id"] async for r in xlsx.read("data", since="2024-05-01")] == [2, 3]
    csv = connector(tmp_path, file="b.csv", since_column="diubah", since_format="%d-%m-%Y")
    assert [r["id"] async for r in csv.read("data", since="2024-05-01")] == ["5"]


async def test_check_reports_a_missing_folder_and_missing_files(tmp_path: Path) -> None:
    gone = await connector(tmp_path / "tidak-ada", file="*.csv").check()
    assert gone.status == "failed" and "tidak-ada" in gone.message["id"]
    empty = await connector(tmp_path, file="*.csv").check()
    assert empty.status == "failed" and "*.csv" in empty.message["en"]
    (tmp_path / "x.csv").write_text("a\n1\n", encoding="utf-8")
    ok = await connector(tmp_path, file="*.csv").check()
    assert ok.ok and ok.details["resources"]["data"]["files"] == 1


async def test_discover_lists_the_columns(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("Kode OPD,Nama OPD\n1.01,Dinas\n", encoding="utf-8")
    (info,) = await connector(tmp_path, file="x.csv", schema="pelayanan_publik/layanan").discover()
    assert [f.name for f in info.fields] == ["kode_opd", "nama_opd"] and info.schema_key == "pelayanan_publik/layanan"


async def test_a_csv_from_a_url_is_downloaded_then_streamed() -> None:
    c = connector(file=URL)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(URL)
        route.side_effect = [httpx.Response(503), httpx.Response(200, content=b"kode,target\n4.1,100\n4.2,200\n")]
        records = [r async for r in c.read("data")]
    assert records == [{"kode": "4.1", "target": "100"}, {"kode": "4.2", "target": "200"}]
    assert route.call_count == 2


async def test_an_xlsx_under_a_base_url(tmp_path: Path) -> None:
    body = write_xlsx(tmp_path / "src.xlsx", [["a"], [1], [2]]).read_bytes()
    c = connector(base_url="https://app.test/files", file="rekap.xlsx")
    with respx.mock(assert_all_called=True) as mock:
        mock.get("https://app.test/files/rekap.xlsx").respond(200, content=body)
        assert [r["a"] async for r in c.read("data")] == [1, 2]


async def test_a_download_past_the_size_cap_is_aborted() -> None:
    c = build_connector({"connector": {"type": "spreadsheet", "config": {"http": {"max_response_bytes": 1024}}},
                         "resources": {"data": {"file": URL}}})
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(200, content=b"a\n" + b"1\n" * 2000)
        with pytest.raises(ResponseTooLarge):
            [r async for r in c.read("data")]


def test_a_relative_file_needs_a_folder_or_base_url() -> None:
    with pytest.raises(ConfigError) as info:
        connector(file="x.csv").validate()
    assert info.value.errors[0].field == "resources.data.file"


def _bomb(path: Path, unpacked_mib: int = 64) -> Path:
    """A real workbook whose sheet is ``unpacked_mib`` MiB of blank space: a few hundred kilobytes on disk."""
    import zipfile

    write_xlsx(path, [["NIP", "Nama"], ["198503152010011002", "Budi"]])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    at = sheet.index(b"<sheetData")
    parts["xl/worksheets/sheet1.xml"] = sheet[:at] + b" " * (unpacked_mib * 1024 * 1024) + sheet[at:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


async def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    from connectors.errors import FatalError

    bomb = _bomb(tmp_path / "pegawai.xlsx")
    assert bomb.stat().st_size < 1024 * 1024
    c = connector(tmp_path, file="pegawai.xlsx")
    with pytest.raises(FatalError) as info:
        [r async for r in c.read("data")]
    texts = info.value.messages()
    assert "pegawai.xlsx" in texts["en"] and "too large once unpacked" in texts["en"]
    assert "xl/worksheets/sheet1.xml" in texts["id"] and "terlalu besar setelah dibuka" in texts["id"]
    # discover reads the first rows too, through the same check
    with pytest.raises(FatalError):
        await c.discover()
    # the same workbook without the padding reads as usual
    write_xlsx(tmp_path / "pegawai.xlsx", [["NIP", "Nama"], ["198503152010011002", "Budi"]])
    assert [r async for r in connector(tmp_path, file="pegawai.xlsx").read("data")] == [
        {"nip": "198503152010011002", "nama": "Budi"}]
