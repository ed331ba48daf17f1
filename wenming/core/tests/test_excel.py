"""The exports' sheets: formula-safe, and no stored text can break them."""

import io

from openpyxl import load_workbook

from wenming.core.excel import build_workbook, stream_workbook


def test_a_streamed_sheet_is_formula_safe_keeps_numbers_and_drops_what_xlsx_cannot_hold():
    content = stream_workbook("志愿服务记录", ("姓名", "时长"),
                              iter([("=HYPERLINK(\"x\")\x01", 1.5), ("李<四>&\x1b", 2), ("-3", None)]))
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "志愿服务记录" and sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert list(sheet.iter_rows(values_only=True)) == [
        ("姓名", "时长"), ("'=HYPERLINK(\"x\")", 1.5), ("李<四>&", 2), ("'-3", None)]


def test_a_control_character_in_stored_text_cannot_break_an_export():
    content = build_workbook([("名单", ("单位",), [("海州\x07物业",)])])
    assert list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)) == [("单位",), ("海州物业",)]


def test_a_caption_row_names_campaign_scope_and_time_above_frozen_headers():
    import datetime as dt
    from types import SimpleNamespace

    from wenming.core.excel import caption_for

    when = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
    caption = caption_for(SimpleNamespace(name="2026年连云港市物业服务行业文明创建"), "海州区", when)
    assert caption == "2026年连云港市物业服务行业文明创建 · 海州区 · 导出于 2026-11-26 10:00"
    for content in (build_workbook([("名单", ("单位", "得分"), [("海州物业", 64.43)])], caption=caption),
                    stream_workbook("名单", ("单位", "得分"), iter([("海州物业", 64.43)]), caption=caption)):
        sheet = load_workbook(io.BytesIO(content)).active
        assert list(sheet.iter_rows(values_only=True)) == [(caption, None), ("单位", "得分"), ("海州物业", 64.43)]
        assert sheet.freeze_panes == "A3" and sheet["A1"].font.b and sheet["A2"].font.b
