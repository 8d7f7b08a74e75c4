"""demo, check, backup, trash and the storage faults in Chinese, as a person runs them:
real processes, real databases; the English of each is tested beside it."""

import re
from datetime import UTC, datetime

from rich.cells import cell_len

from salesdesk.store.store import Store
from tests.storage_faults import read_only
from tests.test_cli import assert_one_sentence_error, digest, new_database, run
from tests.test_cli_zh import ZH

ENGLISH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


def test_demo_and_check_in_chinese(tmp_path):
    db = tmp_path / "演示.db"
    built = run("--db", str(db), "demo", "--today", "2026-12-01", env=ZH)
    assert (built.returncode, built.stderr) == (0, ""), built.stderr
    first, second = built.stdout.splitlines()
    assert re.fullmatch(
        rf"已在 {re.escape(str(db))} 生成小型演示数据库：45 位客户、\d+ 个商机、\d+ 条互动、\d+ 个跟进", first
    ), first
    assert second == f"打开方式：salesdesk --db {db}"
    check = run("--db", str(db), "--lang", "zh", "check")
    assert (check.returncode, check.stderr) == (0, "")
    lines = check.stdout.splitlines()
    assert lines[0] == f"salesdesk 检查：{db}"
    labels = {line.split()[0]: line.split(maxsplit=1)[1] for line in lines[1:]}
    assert labels["完整性"] == "正常"
    assert labels["结构版本"].endswith("（最新）")
    assert labels["访问"] == "可读写"
    assert labels["演示"] == "small" and labels["客户"] == "45"
    assert re.fullmatch(r"[\d,]+ 条", labels["变更日志"])
    # The values line up, counted in cells: a Chinese label is twice as wide as it is long.
    assert (
        len({cell_len(line) - cell_len(line.split()[-1]) for line in lines[1:] if len(line.split()) == 2})
        == 1
    )


def test_demo_and_check_in_english_say_what_they_said(tmp_path):
    db = tmp_path / "demo.db"
    built = run("--db", str(db), "demo", "--today", "2026-12-01", env=ENGLISH)
    assert re.fullmatch(
        rf"Built a small demo in {re.escape(str(db))}: 45 customers, \d+ deals, \d+ interactions, "
        r"\d+ follow-ups",
        built.stdout.splitlines()[0],
    )
    lines = run("--db", str(db), "check", env=ENGLISH).stdout.splitlines()
    assert lines[0] == f"salesdesk check: {db}"
    assert lines[1] == "  integrity            ok" and "  customer tags        50" in lines
    assert re.fullmatch(r"  change log           [\d,]+ entries", lines[-1])


def test_backup_in_chinese_and_its_refusal(tmp_path):
    db, copy = tmp_path / "s.db", tmp_path / "备份.db"
    new_database(db)
    result = run("--db", str(db), "--lang", "zh", "backup", "-o", str(copy))
    assert (result.returncode, result.stdout) == (0, f"已将校验过的备份写入 {copy}\n")
    before = digest(copy)
    again = run("--db", str(db), "--lang", "zh", "backup", "-o", str(copy))
    assert_one_sentence_error(again)
    assert again.stderr == f"salesdesk: {copy} 已存在；请为备份另选一个文件。\n"
    missing = run("--db", str(db), "backup", "-o", str(tmp_path / "无" / "b.db"), env=ZH)
    assert missing.stderr == f"salesdesk: 文件夹 {tmp_path / '无'} 不存在；请先创建它。\n"
    assert digest(copy) == before


def test_a_database_that_is_not_there_or_not_ours_is_refused_in_chinese(tmp_path):
    gone = run("--db", str(tmp_path / "nope.db"), "--lang", "zh", "check")
    assert_one_sentence_error(gone)
    assert (
        gone.stderr
        == f"salesdesk: {tmp_path / 'nope.db'} 不存在；请用 'salesdesk demo' 生成一个，或直接打开应用。\n"
    )
    text = tmp_path / "notes.db"
    text.write_text("not a database at all, just some notes\n")
    before = digest(text)
    refused = run("--db", str(text), "agenda", env=ZH)
    assert_one_sentence_error(refused)
    assert refused.stderr.startswith(f"salesdesk: {text} 不是 SQLite 数据库；")
    assert digest(text) == before
    folder = run("--db", str(tmp_path), "--lang", "zh", "check")
    assert folder.stderr == f"salesdesk: {tmp_path} 是一个文件夹；请用 --db 指定数据库文件名。\n"


def test_demo_will_not_overwrite_real_data_in_chinese(tmp_path):
    db = tmp_path / "real.db"
    new_database(db)
    Store.open(db, "ann", lambda: datetime.now(UTC)).close()
    before = digest(db)
    result = run("--db", str(db), "--lang", "zh", "demo")
    assert_one_sentence_error(result)
    assert result.stderr == (
        f"salesdesk: {db} 中的数据不是 salesdesk 演示数据；加 --force 可覆盖它，或用 --db 另选一个文件。\n"
    )
    assert digest(db) == before


def test_a_command_that_writes_on_a_read_only_database_says_so_in_chinese(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    new_database(folder / "s.db")
    before = digest(folder / "s.db")
    with read_only(folder, "attributes") as where:
        db = where / "s.db"
        result = run("--db", str(db), "--lang", "zh", "trash", "restore", "--by", "bob")
        assert_one_sentence_error(result)
        assert result.stderr.startswith(
            f"salesdesk: {db} 无法写入（文件、文件夹或磁盘为只读），而此命令需要修改它；"
        )
        backup = run("--db", str(db), "backup", env=ZH)
        assert_one_sentence_error(backup, "只读", "可写文件夹")
        assert run("--db", str(db), "--lang", "zh", "check").stdout.splitlines()[4].startswith("  访问")
    assert digest(folder / "s.db") == before


def test_the_trash_in_chinese_lists_restores_and_refuses(tmp_path):
    db = tmp_path / "s.db"
    store = Store.open(db, "ann", lambda: datetime.now(UTC))
    try:
        wang = store.add_customer("王伟", company="华光科技")
        deal = store.add_deal(wang, "50 台笔记本", 62_000_00)
        store.delete_deal(deal)
        kept = store.add_customer("Li Na")
        store.delete_customer(kept)
    finally:
        store.close()
    assert (
        run("--db", str(db), "--lang", "zh", "trash", "--by", "nobody").stdout
        == "回收站中没有符合条件的内容。\n"
    )
    listed = run("--db", str(db), "trash", env=ZH)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[-1] == "共 2 条已删除的记录；恢复其中一条：salesdesk trash restore ID"
    assert re.fullmatch(rf"{kept}  客户         Li Na  ann 于 \d{{4}}-\d\d-\d\d \d\d:\d\d 删除", lines[0]), (
        lines[0]
    )
    assert re.fullmatch(rf"{deal}  商机         50 台笔记本  \(王伟\)  ann 于 .* 删除", lines[1]), lines[1]
    # The kinds take as many cells in Chinese as in English: the names line up.
    assert len({cell_len(line.split("  ")[0] + line.split("  ")[1]) for line in lines[:2]}) == 1

    both = run("--db", str(db), "--lang", "zh", "trash", "restore", deal, "--by", "ann")
    assert both.stderr == "salesdesk: 请给出要恢复的编号，或者使用 --by/--since，二者不能同时使用。\n"
    before = digest(db)
    unknown = run("--db", str(db), "--lang", "zh", "trash", "restore", "abc")
    assert_one_sentence_error(unknown)
    assert (
        unknown.stderr
        == "salesdesk: 没有编号为 'abc' 的已删除客户、商机、跟进或互动；'salesdesk trash' 会列出它们。\n"
    )
    assert digest(db) == before

    restored = run("--db", str(db), "--lang", "zh", "trash", "restore", deal)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.splitlines()[0].startswith(f"已恢复 {deal}  商机")
    assert restored.stdout.splitlines()[-1] == "已恢复 1 条记录；下次同步时它们会回到每份副本上。"
    english = run("--db", str(db), "--lang", "en", "trash", "restore", kept)
    assert (
        english.stdout.splitlines()[-1] == "1 record restored; it comes back on every copy at the next sync."
    )
    assert run("--db", str(db), "--lang", "zh", "trash").stdout == "回收站是空的。\n"


def test_an_id_that_is_not_in_the_trash_is_named_in_chinese(tmp_path):
    db = tmp_path / "s.db"
    store = Store.open(db, "ann", lambda: datetime.now(UTC))
    try:
        alive = store.add_customer("王伟")
    finally:
        store.close()
    result = run("--db", str(db), "--lang", "zh", "trash", "restore", alive)
    assert_one_sentence_error(result)
    assert result.stderr == f"salesdesk: {alive}（客户 '王伟'）不在回收站中。\n"
