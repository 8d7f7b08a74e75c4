"""Every synced table has a name a person reads, in English as stored and in Chinese a
word of its own: the sync report's counts and the Conflicts screen say no table name in
English in a Chinese interface, and no stored name (`deal_lines`) in English."""

from collections import Counter

from salesdesk import i18n
from salesdesk.core.tables import TABLE_WORDS, table_word
from salesdesk.store.schema import SYNCED_TABLES
from salesdesk.sync.merge import MergeReport


def test_every_synced_table_has_a_word():
    assert set(TABLE_WORDS) == set(SYNCED_TABLES)
    words = [table_word(table) for table in SYNCED_TABLES]
    assert all("_" not in word for word in words), words  # plain words, not stored names
    assert len(set(words)) == len(words)
    assert table_word("deal_lines") == "deal lines" and table_word("customers") == "customers"
    assert table_word("passwords") == "passwords"  # one not listed: as stored


def test_in_chinese_each_table_is_a_word_of_its_own():
    i18n.set_language(i18n.CHINESE)
    words = [table_word(table) for table in SYNCED_TABLES]
    assert all(not word.isascii() for word in words), words
    assert len(set(words)) == len(words)


def test_a_chinese_sync_report_counts_the_new_contracts_and_quotes_in_chinese():
    i18n.set_language(i18n.CHINESE)
    report = MergeReport(source="ann (d1)", entries=3, created=Counter({"contracts": 2, "quotes": 1}))
    report.devices.add("d1")
    summary = report.summary()
    assert "合同 2 条" in summary and "报价单 1 条" in summary, summary
    assert "contracts" not in summary and "quotes" not in summary


def test_an_english_sync_report_says_plain_words():
    report = MergeReport(source="ann (d1)", entries=3, created=Counter({"deal_lines": 2, "stage_changes": 1}))
    report.devices.add("d1")
    summary = report.summary()
    assert "new: 2 deal lines, 1 stage changes" in summary, summary
