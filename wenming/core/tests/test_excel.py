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


def test_columns_are_as_wide_as_their_content_cjk_counted_double_and_capped():
    from wenming.core.excel import MAX_WIDTH, display_width

    assert display_width("海州ab") == 6
    content = build_workbook([("名单", ("单位", "n", "备注"), [("海州区物业服务有限公司", 1, "x" * 500)])])
    widths = load_workbook(io.BytesIO(content)).active.column_dimensions
    assert 24 <= widths["A"].width <= 26  # 11 CJK characters, counted double, plus a margin
    assert widths["B"].width < 12 and widths["C"].width <= MAX_WIDTH + 1


def test_numbers_dates_and_times_are_typed_cells():
    import datetime as dt
    from decimal import Decimal

    content = stream_workbook("名单", ("分", "日", "时"), iter([(Decimal("64.43"), dt.date(2019, 11, 26),
                                                                 dt.datetime(2019, 11, 26, 2, tzinfo=dt.UTC))]))
    sheet = load_workbook(io.BytesIO(content)).active
    score, day, moment = (c for c in sheet[2])
    assert score.value == 64.43 and score.data_type == "n"
    assert day.is_date and day.value == dt.datetime(2019, 11, 26) and day.number_format == "yyyy-mm-dd"
    assert moment.is_date and moment.value == dt.datetime(2019, 11, 26, 10, 0)  # Beijing time


def test_phones_in_free_text_are_masked_and_numbers_beside_them_are_not():
    from wenming.core.excel import mask_phones_in

    assert mask_phones_in("联系13912345678或0518-85551234") == "联系139****5678或0518-85551234"
    assert mask_phones_in("工单GD2019100100001") == "工单GD2019100100001"
    assert mask_phones_in("") == ""


def test_the_scope_of_an_export_names_the_city_district_company_or_person(world, office, haizhou_officer, company_a,
                                                                          expert):
    from wenming.core.excel import scope_of

    assert [scope_of(u) for u in (office, haizhou_officer, company_a)] == ["全市", "海州区", world.company_a.name]
    assert scope_of(expert) == (expert.get_full_name() or expert.username)


def test_reading_back_an_export_skips_its_caption_row():
    from wenming.core.excel import caption_for, read_rows

    content = build_workbook([("名单", ("单位",), [("海州物业",)])], caption=caption_for(None, "全市"))
    assert list(read_rows(io.BytesIO(content))) == [(2, ["单位"]), (3, ["海州物业"])]
