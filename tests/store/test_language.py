"""A database made under Chinese gets the default pipeline in Chinese; one's own stays."""

import json

from salesdesk import i18n
from salesdesk.core.pipeline import DEFAULT_STAGES


def names(store):
    return [stage.name for stage in store.stages()]


def test_in_chinese_an_untouched_default_pipeline_is_named_in_chinese(store):
    i18n.set_language("zh")
    assert store.name_default_pipeline() == 7
    assert names(store) == ["线索", "需求确认", "报价", "谈判", "签约", "回款", "输单"]
    lead = store.stage("stage-lead")
    assert lead.checklist == ("已确认联系人和需求", "已约好首次通话或会面")
    # An edit like any other: in the change log, so it syncs, under the person's name.
    row = store.db.execute(
        "SELECT data FROM changes WHERE tbl = 'stages' AND row_id = 'stage-lead' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert json.loads(row[0])["name"] == "线索"
    assert (
        store.db.execute("SELECT updated_by FROM stages WHERE id = 'stage-lead'").fetchone()[0] == store.user
    )
    assert store.name_default_pipeline() == 0  # done once


def test_a_stage_someone_renamed_keeps_its_name(store):
    store.records.update("stages", "stage-quote", {"name": "Proposal"})
    i18n.set_language("zh")
    store.name_default_pipeline()
    assert names(store)[2] == "Proposal"
    assert names(store)[0] == "线索"


def test_in_english_nothing_changes(store):
    assert store.name_default_pipeline() == 0
    assert names(store) == [stage.name for stage in DEFAULT_STAGES]
