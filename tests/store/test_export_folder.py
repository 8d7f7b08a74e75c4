"""The export folder: the user's documents folder by default, a setting of this copy
(never synced), created when an export needs it, and a folder that cannot be refused."""

from pathlib import Path

import pytest

from salesdesk import paths
from salesdesk.tui import exports


@pytest.fixture
def documents(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "Documents"
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(folder))
    return folder


def test_the_default_is_a_salesdesk_folder_in_the_documents_folder(documents):
    assert paths.default_export_dir() == documents / "salesdesk"
    assert paths.export_dir("") == paths.export_dir("  ") == documents / "salesdesk"
    assert not (documents / "salesdesk").exists()
    target = paths.export_target("", "salesdesk-week-2026-W48.md")
    assert target == documents / "salesdesk" / "salesdesk-week-2026-W48.md"
    assert (documents / "salesdesk").is_dir()  # created when an export needs it


def test_a_set_folder_is_used_with_the_home_folder_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.export_dir("~/out/crm") == tmp_path / "out" / "crm"
    assert paths.export_target(str(tmp_path / "a" / "b"), "x.vcf") == tmp_path / "a" / "b" / "x.vcf"
    assert (tmp_path / "a" / "b").is_dir()


def test_a_folder_that_cannot_be_one_is_refused_in_a_sentence(tmp_path, documents):
    (tmp_path / "notes.txt").write_text("a file")
    assert paths.check_export_dir("") is None
    assert paths.check_export_dir(str(tmp_path / "new" / "folder")) is None  # created later
    refused = paths.check_export_dir(str(tmp_path / "notes.txt" / "inside"))
    assert refused == (
        f"{tmp_path / 'notes.txt'} is a file, not a folder; name a folder (blank: {documents / 'salesdesk'})."
    )
    relative = paths.check_export_dir("exports")
    assert relative is not None and relative.startswith("exports is not a whole path;")


def test_a_refused_folder_is_said_in_chinese(tmp_path, documents):
    from salesdesk import i18n

    (tmp_path / "notes.txt").write_text("a file")
    i18n.set_language("zh")
    refused = paths.check_export_dir(str(tmp_path / "notes.txt"))
    default = documents / "salesdesk"
    assert refused == f"{tmp_path / 'notes.txt'} 是文件，不是文件夹；请填写一个文件夹（留空：{default}）。"
    assert paths.check_export_dir("exports") == f"exports 不是完整路径；请以 / 或 ~ 开头（留空：{default}）。"


def test_the_folder_is_kept_in_this_copy_and_not_synced(store, documents):
    assert exports.folder_setting(store) == ""
    assert exports.export_folder(store) == documents / "salesdesk"
    exports.set_folder_setting(store, "  /srv/exports  ")
    assert exports.folder_setting(store) == "/srv/exports"
    assert exports.export_folder(store) == Path("/srv/exports")
    # A folder is one computer's: not in the synced settings, so no teammate gets it.
    assert store.db.execute("SELECT COUNT(*) FROM settings WHERE id = 'export_folder'").fetchone()[0] == 0
    assert store.setting("export_folder") is None
