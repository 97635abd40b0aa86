"""The plan-document parser: damaged fragments of the real document, the whole document, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.catalog.parser import GLYPH_FIXES, NotAPlanError, ParseResult, diff_against, parse_plan
from bot.catalog.schema import MeasureEntry
from bot.catalog.store import BUNDLED_CATALOG, read_catalog

SEED = Path(__file__).resolve().parents[1] / "bot" / "catalog" / "data" / "seed" / "kanazawa-r5-r8.txt"

HEADER = "\t令和5年度\t令和6年度\t令和7年度\t令和8年度"
PLANS = "実施計画\t運用\t運用\t運用\t運用"


def block(title_row: str, *rows: str, plans: str = PLANS, header: str = HEADER) -> str:
    """One measure block: the title row, the given rows (概要 … 関連計画), the plan table."""
    default = ("概要\t事業を実施する。", "めざす姿\t業務が改善されている。", "関連計画\t-")
    return "\n".join([title_row, *(rows or default), header, plans, "実施結果\t\t\t\t", ""])


def doc(*blocks: str) -> str:
    return "\n".join(blocks)


def only(result: ParseResult) -> MeasureEntry:
    assert len(result.measures) == 1
    return result.measures[0]


# --------------------------------------------------------------------------------------------
# Titles


def test_split_title_with_repeated_fragment_is_merged() -> None:
    text = block("No.2\t電話相談業務へのAI相談支援ジ\t記話相談業務へのAI相談支援システムの導入\t\t\t\t\t")
    result = parse_plan(text)
    m = only(result)
    assert m.no == 2
    assert m.title == "電話相談業務へのAI相談支援システムの導入"
    assert "title: repeated fragments merged" in result.warnings[2]


def test_title_prefix_wrapped_parts_and_damaged_full_copy() -> None:
    row = (
        "No.3\t市立工業高等学校におけるAI自\t自動採点システム及び文書管理シ\tステムの導入\t"
        "5立工業高等学校におけるAI自動採点システム及び文書管理システムの導入\t\t\t\t\t\t業高等\t学校"
    )
    m = only(parse_plan(block(row)))
    assert m.title == "市立工業高等学校におけるAI自動採点システム及び文書管理システムの導入"


def test_title_edge_character_repeated_in_damaged_form_is_dropped_using_the_documents_words() -> None:
    row = "No.31\t外部人材の活用による中山間地域\t或等の活性化【数値目標 <b>】</b>\t\t農業水産振興課、森林再生課"
    summary = "概要\t外部からの視点や専門的なノウハウ等を生か\tし中山間地域等の活性化を図るため、地域お\tこし協力隊の誘致をする。"
    m = only(parse_plan(block(row, summary, "めざす姿\t中山間地域等が活性化されている。", "関連計画\t-")))
    assert m.title == "外部人材の活用による中山間地域等の活性化"


def test_title_without_supporting_words_is_left_as_printed() -> None:
    # Nothing else in the document says 中山間地域等, so '或' is not guessed away.
    row = "No.31\t外部人材の活用による中山間地域\t或等の活性化\t\t森林再生課"
    m = only(parse_plan(block(row)))
    assert m.title == "外部人材の活用による中山間地域或等の活性化"


def test_stray_closing_bracket_and_lone_letter_at_a_fragment_start_are_dropped() -> None:
    text = doc(
        block("No.72\t市有施設におけるごみ発電電力の\t)活用\t\t環境政策課"),
        block("No.74\t市有施設の温室効果ガス排出量の\tD削減 【数値目標】\t\t\t環境政策課"),
    )
    titles = [m.title for m in parse_plan(text).measures]
    assert titles == ["市有施設におけるごみ発電電力の活用", "市有施設の温室効果ガス排出量の削減"]


# --------------------------------------------------------------------------------------------
# 【数値目標】


@pytest.mark.parametrize(
    "row",
    [
        "No.31\t外部人材の活用による中山間地域等の活性化【数値目標 <b>】</b>\t\t森林再生課",
        "No.40\tクラウドファンディングを活用した市民活動団体の支援【数値目 <sup>3</sup>\t標】\t市民協働推進課",
        "No.81\t金沢版ふるさと納税の納税額【\t数値目標】\t\t\t総務課",
        "No.35\t女性防災士の育成人数【数値目標\t景】\t\t1\t危機管理課",
    ],
)
def test_numeric_goal_marker_split_by_tags_or_cells(row: str) -> None:
    m = only(parse_plan(block(row)))
    assert m.numeric_goal is True
    assert "数値" not in m.title and "【" not in m.title and "】" not in m.title
    assert m.departments and m.departments[0].endswith("課")


def test_title_without_marker_is_not_a_numeric_goal() -> None:
    m = only(parse_plan(block("No.8\t電子申請の拡大\t子申請の拡大\t\t\t\t")))
    assert m.numeric_goal is False
    assert m.title == "電子申請の拡大"


# --------------------------------------------------------------------------------------------
# Departments


def test_department_split_across_cells_after_the_marker() -> None:
    text = block("No.9\t公文書の電子決裁率 【数値目標】 文書法制\t\t\t\t\t\t\t\t制課\t\t")
    m = only(parse_plan(text))
    assert m.title == "公文書の電子決裁率"
    assert m.departments == ["文書法制課"]
    (correction,) = m.corrections
    assert correction.field == "departments"
    assert correction.reading == "文書法制課"
    assert "文書法制" in correction.source and "制課" in correction.source


def test_department_spread_over_four_cells() -> None:
    m = only(parse_plan(block("No.47\t官民共創提案事業の導入検討\t\t\t\t\t\t\tデ\tジタル\t行政戦\t略課")))
    assert m.title == "官民共創提案事業の導入検討"
    assert m.departments == ["デジタル行政戦略課"]


def test_two_departments_and_a_name_inside_the_title_cell() -> None:
    text = doc(
        block(
            "No.7\tマイナンバーカードを職員証とし\tル職員の出退勤管理に活用\t\t人事課、\tデジタル行政戦略課\t"
        ),
        block("No.10\tテレワーク、時差出勤等に対応した環境の充実 人事課\t\t\t\t\t\t\t"),
    )
    first, second = parse_plan(text).measures
    assert first.departments == ["人事課", "デジタル行政戦略課"]
    assert second.title == "テレワーク、時差出勤等に対応した環境の充実"
    assert second.departments == ["人事課"]


def test_glyph_swaps_are_repaired_in_department_names() -> None:
    text = doc(
        block("No.35\t女性防災士の育成人数【数値目標\t景】\t\t\t\t\t\t\t1\t仓機管理\t理課"),
        block("No.43\t町会加入世帯数【数値目標】\t\t\t\t\t\t\t\t市民\t劦働推讠\t進課\t\t"),
    )
    result = parse_plan(text, departments=["危機管理課", "市民協働推進課", "デジタル行政戦略課"])
    assert [m.departments for m in result.measures] == [["危機管理課"], ["市民協働推進課"]]
    assert "departments: '市民協働推讠進課' read as '市民協働推進課'" in result.warnings[43]
    assert GLYPH_FIXES["仓"] == "危" and GLYPH_FIXES["劦"] == "協"


def test_without_known_names_glyphs_are_still_fixed() -> None:
    m = only(parse_plan(block("No.35\t女性防災士の育成人数【数値目標】\t\t1\t仓機管理\t理課")))
    assert m.departments == ["危機管理課"]


def test_known_names_complete_a_fragment_only_when_one_name_fits() -> None:
    known = ["道路建設課", "水道建設課", "財政課"]
    text = doc(
        block("No.5\tドローンを活用した危険箇所の点検等の実施 \t\t\t\t\t\t\t路建設課\t"),
        block("No.69\t長期的な水道施設の再整備構想の策定                            建設課\t\t\t"),
    )
    result = parse_plan(text, departments=known)
    drone, water = result.measures
    assert drone.departments == ["道路建設課"]
    assert water.departments == []
    assert "departments" in water.missing
    assert "departments: fragment '建設課' not a known name" in result.warnings[69]
    assert water.notes is not None and "建設課" in water.notes


def test_a_fragment_is_read_as_the_one_known_name_that_keeps_all_its_characters() -> None:
    # 建設課 is a department too (No.69): '路建設課' is still 道路建設課, not 建設課 with a stray 路.
    known = ["道路建設課", "建設課", "財政課"]
    text = doc(
        block("No.5\tドローンを活用した危険箇所の点検等の実施 \t\t\t\t\t\t\t路建設課\t"),
        block("No.69\t長期的な水道施設の再整備構想の策定                            建設課\t\t\t"),
    )
    drone, water = parse_plan(text, departments=known).measures
    assert drone.departments == ["道路建設課"]
    assert water.departments == ["建設課"]


def test_damaged_name_is_repaired_against_a_name_the_document_attests() -> None:
    text = doc(
        block("No.58\t特別会計の整理合理化\t\t\t\t\t\t\t財政課"),
        block("No.59\t基金の創設、増額及び有効活用\t\t\t\t\t\t\t財政詞\t課\t"),
    )
    result = parse_plan(text)
    assert [m.departments for m in result.measures] == [["財政課"], ["財政課"]]
    assert "departments: '財政詞課' read as '財政課'" in result.warnings[59]


def test_missing_department_is_reported() -> None:
    result = parse_plan(block("No.41\t地域活動発信アプリ(結ネット等)の普及促進 \t\t\t\t\t\t\t\t\t\t"))
    m = only(result)
    assert m.title == "地域活動発信アプリ(結ネット等)の普及促進"
    assert m.departments == [] and "departments" in m.missing
    assert "departments: not found" in result.warnings[41]


# --------------------------------------------------------------------------------------------
# 実施計画


def test_four_cells_are_read_in_order() -> None:
    plans = "実施計画\tコミュニティ防災士数 1,400名\tコミュニティ防災士数 1,500名\tコミュニティ防災士数 1,600名\tコミュニティ防災士数 1,700名"
    m = only(
        parse_plan(
            block("No.34\tコミュニティ防災士の育成人数\t(累計) 【数値目標】\t\t危機管理課", plans=plans)
        )
    )
    assert m.title == "コミュニティ防災士の育成人数(累計)"
    assert m.plans == {
        "R5": "コミュニティ防災士数 1,400名",
        "R6": "コミュニティ防災士数 1,500名",
        "R7": "コミュニティ防災士数 1,600名",
        "R8": "コミュニティ防災士数 1,700名",
    }
    assert m.targets == []  # targets come from the reviewed catalog unless asked for


def test_lost_year_cell_stays_empty_and_is_reported() -> None:
    header = "\t令和5年度\t令和6年度\t令和\t和7年/\t度\t\t令和8年度\t\t\t\t\t"
    plans = (
        "実施計画\t・データセット件数 1,800件 ・データ利用の推進\t・データセット件数 1,900件 ・データ利用の推進"
        "\t\t\t\t\t・データセット件数 2,100件 ・データ利用の推進\t\t\t\t\t"
    )
    result = parse_plan(
        block(
            "No.15\t行政情報をオープンデータ化したデータ数 【数値目標】\tデジタル行政戦略課",
            plans=plans,
            header=header,
        )
    )
    m = only(result)
    assert m.plans["R5"] == "・データセット件数 1,800件\n・データ利用の推進"
    assert m.plans["R6"] == "・データセット件数 1,900件\n・データ利用の推進"
    assert m.plans["R7"] is None
    assert m.plans["R8"] == "・データセット件数 2,100件\n・データ利用の推進"
    assert "plans.R7" in m.missing
    assert "plans.R7: empty cell" in result.warnings[15]


def test_cells_split_by_the_pdf_are_joined_per_year() -> None:
    header = "\t令和5年度\t令\t和6年度\t\t令和7年\t度\t\t\t令\t和8年\t支\t"
    plans = "実施計画\t開発アプリ数 70件\t開発アプリ数 80\t0件\t開発アプリ数\t90件\t\t\t開発アプ\tリ数 10\t0件\t\t"
    result = parse_plan(
        block(
            "No.1\t職員による課題解決アプリの実践数(累計) 【数値目標】 デジタル行政戦略課",
            plans=plans,
            header=header,
        )
    )
    m = only(result)
    assert m.plans["R5"] == "開発アプリ数 70件"
    assert (m.plans["R6"] or "").startswith("開発アプリ数 80")  # '80|0件': the split digit is ambiguous
    assert m.plans["R7"] == "開発アプリ数 90件"
    assert m.plans["R8"] == "開発アプリ数 100件"
    assert any(w.startswith("plans: cells for 4 years could not be aligned") for w in result.warnings[1])


def test_first_year_empty_when_the_header_puts_the_first_cell_in_the_second_year() -> None:
    header = "\t令和5年度\t令和6年度\t令和7年度\t\t\t令和8年度\t\t\t\t\t"
    plans = "実施計画\t\t新活動組織の設立、拠点施設(基本・実施 設計)\t拠点施設の整備工\t事\t\t\t森と市民\tをつなぐ\t拠点施設\tの本格運\t用"
    rows = ("概要\t拠点施設の整備工事を行い、運用する。", "めざす姿\t整備されている。", "関連計画\t-")
    title = "No.62\t旧東浅川小学校を活用した新たなプラットフォームの創出\t\t\t森林再生課"
    m = only(parse_plan(block(title, *rows, plans=plans, header=header)))
    assert m.plans["R5"] is None
    assert m.plans["R6"] == "新活動組織の設立、拠点施設(基本・実施設計)"
    assert m.plans["R7"] == "拠点施設の整備工事"
    assert m.plans["R8"] == "森と市民をつなぐ拠点施設の本格運用"


def test_a_middle_lines_end_printed_after_the_cell_goes_back_to_that_line() -> None:
    # No.52 R7: three printed lines; the second goes on in the next two fragments ('金'+'沢').
    plans = (
        "実施計画\t\t公募の実施(自転車駐輪場)\t公募の実施(体育 スポーツ施設、金 体育館、老人福祉"
        "\t沢プール\t、障害者\t\t\t\t\t\t"
    )
    rows = ("概要\t金沢プールなど公の施設の公募要件を見直す。", "めざす姿\t応募者が増加している。", "関連計画\t-")
    header = "\t令和5年度\t令和6年度\t令\t和7年\t度\t\t\t令\t和8年\t芰\t"
    title = "No.52\t指定管理者制度における公募の拡充\t\tデジタル行政戦略課"
    m = only(parse_plan(block(title, *rows, plans=plans, header=header)))
    assert m.plans["R8"] is None
    assert m.plans["R7"] == "公募の実施(体育 スポーツ施設、金沢プール、障害者体育館、老人福祉"


def test_a_middle_line_is_not_moved_without_the_documents_words() -> None:
    # Nothing in the document has '金沢': the fragments stay where they were printed.
    plans = "実施計画\t運用\t運用\t公募の実施(体育 スポーツ施設、金 体育館、老人福祉\t沢プール\t運用"
    m = only(parse_plan(block("No.52\t指定管理者制度における公募の拡充\t\tデジタル行政戦略課", plans=plans)))
    assert (m.plans["R7"] or "").replace(" ", "").endswith("老人福祉沢プール")


def test_continuation_rows_become_bullet_lines() -> None:
    plans = "\n".join(
        [
            "\t・時差出勤制度の本格導入の検討\t・時差出勤制度の本格実施\t・時差出勤制度の運用\t・時差出勤制度の運用",
            "実施計画\t・良好なテレワーク環境の提供、利用促進\t・良好なテレワーク環境の提供、利用促進\t・良好なテレワーク環境の提供、利用促進\t・良好なテレワーク環境の提供、利用促進",
        ]
    )
    m = only(parse_plan(block("No.10\tテレワーク、時差出勤等に対応した環境の充実 人事課", plans=plans)))
    assert m.plans["R5"] == "・時差出勤制度の本格導入の検討\n・良好なテレワーク環境の提供、利用促進"
    assert m.plans["R8"] == "・時差出勤制度の運用\n・良好なテレワーク環境の提供、利用促進"


def test_list_items_in_a_cell_are_bullets() -> None:
    plans = "実施計画\t<ul><li>・取扱基準の見直しを全庁に通知</li><li>・運用開始</li></ul>\t運用\t運用\t運用"
    m = only(
        parse_plan(block("No.12\t審議会等の見直し\t\t5\tデジタル行政戦略課、市民協働推進課", plans=plans))
    )
    assert m.departments == ["デジタル行政戦略課", "市民協働推進課"]
    assert m.plans["R5"] == "・取扱基準の見直しを全庁に通知\n・運用開始"


def test_the_next_plans_years_come_from_its_table_headers() -> None:
    header = "\t令和9年度\t令和10年度\t令和11年度\t令和12年度"
    result = parse_plan(
        block("No.1\t次期計画の取組\t\t人事課", header=header, plans="実施計画\t検討\t試行\t運用\t検証")
    )
    assert result.fiscal_years == ("R9", "R10", "R11", "R12")
    assert only(result).plans == {"R9": "検討", "R10": "試行", "R11": "運用", "R12": "検証"}


def test_a_row_of_hundreds_of_fragments_is_still_read() -> None:
    plans = "実施計画\t" + "\t".join(["運用"] * 300)
    m = only(parse_plan(block("No.1\t取組\t\t人事課", plans=plans)))
    assert set(m.plans) == {"R5", "R6", "R7", "R8"}
    assert m.plans["R5"] is not None


def test_targets_extractor_is_opt_in_and_marked_unreviewed() -> None:
    plans = "実施計画\t収納率 93.8%\t収納率 94.0%\t収納率 94.2%\t収納率 94.4%"
    text = block("No.84\t国民健康保険料の収納率 【数値\t目標】\t\t医療保険課", plans=plans)
    result = parse_plan(text, extract_targets=True)
    m = only(result)
    assert [(t.fy, t.metric, str(t.value), t.unit) for t in m.targets][:2] == [
        ("R5", "収納率", "93.8", "%"),
        ("R6", "収納率", "94.0", "%"),
    ]
    assert any("auto-extracted" in w and "unreviewed" in w for w in result.warnings[84])


# --------------------------------------------------------------------------------------------
# Summary, vision, related plans, resources


def test_summary_cells_with_repeated_edges_are_joined() -> None:
    summary = (
        "概要\t行政DXによる業務改善や新たな市民サービ\tスを創出するため、\t、プログラミングの知識がな"
        "\tなくてもアプリ\tなどを開発で\tできるツールを導入する。"
    )
    m = only(
        parse_plan(
            block(
                "No.1\t職員による課題解決 デジタル行政戦略課",
                summary,
                "めざす姿\t改善されている。",
                "関連計画\t-",
            )
        )
    )
    assert (
        m.summary
        == "行政DXによる業務改善や新たな市民サービスを創出するため、プログラミングの知識がなくてもアプリなどを開発できるツールを導入する。"
    )


def test_summary_last_line_printed_after_the_first_is_put_back() -> None:
    summary = "概要\t福井市、富山市と連携し、首都圏や関西圏で る。\t観光PRイベントを実施す"
    m = only(
        parse_plan(
            block(
                "No.57\t観光PRイベントの開催\t\t観光政策課",
                summary,
                "めざす姿\t向上している。",
                "関連計画\t-",
            )
        )
    )
    assert m.summary == "福井市、富山市と連携し、首都圏や関西圏で観光PRイベントを実施する。"


def test_related_plans_and_resource_marks() -> None:
    related = "関連計画\t・第2期金沢市中期人事計画       確保する\t\t\t\t"
    cont = "\t・女性活躍推進法に基づく第2期金沢市特定\t事業主行動計画\t\t\t"
    box = "関連計画\t金沢市DXアクションプラン\t\t\t確保する 行政資源\tヒト\t0\tカネ\t0\tモノ\t\t情報\t"
    text = doc(
        block("No.10\t環境の充実 人事課", "概要\ta。", "めざす姿\tb。", related, cont),
        block("No.1\tアプリの実践数 デジタル行政戦略課", "概要\ta。", "めざす姿\tb。", box),
    )
    first, second = parse_plan(text).measures
    assert first.related_plans == [
        "第2期金沢市中期人事計画",
        "女性活躍推進法に基づく第2期金沢市特定事業主行動計画",
    ]
    assert second.related_plans == ["金沢市DXアクションプラン"]
    assert second.resources == ["ヒト", "カネ"]


def test_unreadable_resource_marks_give_none() -> None:
    box = "関連計画\t-\t_\t確保する 行政資源\tヒト\t0\tカネ\tモノ\t,\t情報"
    result = parse_plan(block("No.5\tドローンの実施\t\t道路建設課", "概要\ta。", "めざす姿\tb。", box))
    m = only(result)
    assert m.related_plans == []
    assert m.resources is None
    assert "resources: ○ marks not readable" in result.warnings[5]


# --------------------------------------------------------------------------------------------
# Document structure


def test_repeat_block_marked_dash_is_not_a_measure() -> None:
    repeat = block("-\t【再掲】より効果的な政策立案を\t·推進する人材の育成\t\t\t\t\t調査統\t計室\t\t\t\t")
    text = doc(
        block("No.22\tリーダーの育成人数 【数値目標】\t\tデジタル行政戦略課"),
        repeat,
        block("No.23\t学び直しの推進\t\t人事課"),
    )
    result = parse_plan(text)
    assert [m.no for m in result.measures] == [22, 23]
    assert result.repeats == ["より効果的な政策立案を推進する人材の育成"]


def test_headings_policy_lost_when_section_numbering_restarts() -> None:
    text = doc(
        "## ■ 方針 2 共創の質を高める (2)民間の創意工夫を活用する官民連携の推進",
        "",
        "①官民共創による課題解決",
        "",
        block("No.46\t連携方策の検討\t\t企画調整課"),
        "# ■ 方針2 共創の質を高める (2)民間の創意工夫を活用する官民連携の推進",  # a page header
        block("No.47\t導入検討\t\t企画調整課"),
        "①中長期を見据えた公共施設の適正管理",
        block("No.58\t計画の見直し\t\t総務課"),
        "#### ②効果的な管理運営",
        block("No.70\t設置推進\t\t環境政策課"),
        "#### DX",
        "デジタル・トランスフォーメーションの略。",
    )
    result = parse_plan(text)
    got = [(m.no, m.policy, m.section) for m in result.measures]
    policy = "方針2 共創の質を高める (2)民間の創意工夫を活用する官民連携の推進"
    assert got == [
        (46, policy, "①官民共創による課題解決"),
        (47, policy, "①官民共創による課題解決"),
        (58, None, "①中長期を見据えた公共施設の適正管理"),
        (70, None, "②効果的な管理運営"),
    ]
    assert "policy: no 方針 heading stands before this measure" in result.warnings[58]


def test_numbering_problems_are_document_warnings() -> None:
    result = parse_plan(doc(block("No.1\t一\t\t人事課"), block("No.3\t三\t\t人事課")))
    assert result.warnings[0] == ["measures: numbers missing: [2]"]


# --------------------------------------------------------------------------------------------
# The whole document


@pytest.fixture(scope="module")
def seed() -> ParseResult:
    return parse_plan(SEED.read_text(encoding="utf-8"))


def test_whole_document_has_90_measures_in_order(seed: ParseResult) -> None:
    assert [m.no for m in seed.measures] == list(range(1, 91))
    assert sum(m.numeric_goal for m in seed.measures) == 21
    assert seed.repeats == ["金沢MaaSの推進", "より効果的な政策立案を推進する人材の育成"]
    assert 0 not in seed.warnings


def test_whole_document_spot_checks(seed: ParseResult) -> None:
    by_no = {m.no: m for m in seed.measures}
    m34 = by_no[34]
    assert (m34.title, m34.departments, m34.numeric_goal) == (
        "コミュニティ防災士の育成人数(累計)",
        ["危機管理課"],
        True,
    )
    assert m34.plans["R8"] == "コミュニティ防災士数 1,700名"
    assert by_no[22].policy == "方針1 行政組織の質を高める (3)職員の意識改革と人材の確保"
    assert by_no[22].section == "①新しい発想で変化に対応できる人材の育成"
    assert by_no[1].policy is None and by_no[1].section == "①デジタル技術を活用した働く環境の充実"
    assert by_no[70].departments == ["環境政策課", "ゼロカーボンシティ推進室"]
    assert by_no[9].departments == ["文書法制課"]
    assert by_no[43].departments == ["市民協働推進課"]
    assert by_no[7].title.startswith("マイナンバーカードを職員証とし") and by_no[7].title.endswith("職員の出退勤管理に活用")
    assert by_no[15].plans["R7"] is None
    assert all(set(m.plans) == {"R5", "R6", "R7", "R8"} for m in seed.measures)


def test_whole_document_cells_that_keep_part_of_their_text_are_read(seed: ParseResult) -> None:
    """The cells a second reader found holding text (once null in the catalog) are read."""
    by_no = {m.no: m for m in seed.measures}
    assert by_no[69].departments == ["建設課"]  # printed after the repeated title
    assert by_no[48].plans["R7"] == "・新規プログラム・縁付金箔後継者"
    assert by_no[65].plans["R7"] == "・実施設計完了\n・金沢市中央卸売市場版衛生管理基\n・建築・設備等に係る関係機関との"
    assert by_no[65].plans["R8"] == "・整備工事に着手\n・金沢市中央卸売市場版衛生管理基準の周知及び運用に向け"
    assert (by_no[52].plans["R7"] or "").replace(" ", "") == "公募の実施(体育スポーツ施設、金沢プール、障害者体育館、老人福祉"
    for no, key in ((51, "R8"), (81, "R8")):
        assert by_no[no].plans[key], (no, key)


def test_whole_document_agrees_with_the_reviewed_catalog() -> None:
    """Title, departments, 【数値目標】 and the four plan cells of every measure, against the
    reviewed catalog: 563 of 630 fields agreed before the second reading, 567 since."""
    reviewed = {m.no: m for m in read_catalog(BUNDLED_CATALOG)}
    known = sorted({d for m in reviewed.values() for d in m.departments})
    parsed = parse_plan(SEED.read_text(encoding="utf-8"), departments=known).measures
    fields = sum(3 + len(reviewed[m.no].plans) for m in parsed)
    disagree = sum(len(diff_against(m, reviewed[m.no])) for m in parsed)
    assert fields == 630
    assert fields - disagree >= 567


def test_whole_document_with_known_departments_resolves_fragments() -> None:
    known = [
        "道路建設課",
        "水道建設課",
        "介護保険課",
        "市営住宅課",
        "総務課",
        "教育総務課",
        "商工業振興課",
        "ごみ減量推進課",
    ]
    result = parse_plan(SEED.read_text(encoding="utf-8"), departments=known)
    by_no = {m.no: m for m in result.measures}
    assert by_no[5].departments == ["道路建設課"]  # 路建設課
    assert by_no[83].departments == ["介護保険課"]  # ì護保険 課
    assert by_no[85].departments == ["市営住宅課"]  # 営住宅課
    assert by_no[81].departments == ["総務課"]  # 総矛 務課
    assert by_no[17].departments == ["商工業振興課"]  # 商工 業振り 興課
    assert by_no[33].departments == ["ごみ減量推進課"]  # ごみ 減量推済 進課
    assert by_no[69].departments == []  # 建設課: two known names fit
    assert by_no[34].departments == []  # 危機管理課 is not among the known names


# --------------------------------------------------------------------------------------------
# Not a plan


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "hello",
        json.dumps([{"no": 1, "title": "職員提案制度の見直し"}], ensure_ascii=False),
        "no,title,department\n1,職員提案制度の見直し,人事課\n2,審議会等の見直し,市民協働推進課\n",
        "No.1\t職員提案制度の見直し\t人事課\nNo.2\t審議会等の見直し\t市民協働推進課\n",
    ],
)
def test_not_a_plan_raises_with_a_one_line_message(text: str) -> None:
    with pytest.raises(NotAPlanError) as err:
        parse_plan(text)
    message = str(err.value)
    assert message and "\n" not in message
    assert "not a plan" in message or "empty" in message


def test_not_a_plan_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_plan(b"No.1\t\xe8\xa9\xa6".decode("utf-8") + "\n")
    with pytest.raises(NotAPlanError, match="str"):
        parse_plan(b"bytes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# diff_against


def _entry(**kw: object) -> MeasureEntry:
    base: dict[str, object] = {
        "no": 34,
        "title": "コミュニティ防災士の育成人数(累計)",
        "numeric_goal": True,
        "departments": ["危機管理課"],
        "plans": {"R5": "・a\n・b", "R6": "x", "R7": None, "R8": "y"},
    }
    return MeasureEntry.model_validate({**base, **kw})


def test_diff_against_equal_entries_ignoring_whitespace() -> None:
    assert diff_against(_entry(), _entry(plans={"R5": "・a ・b", "R6": " x ", "R7": None, "R8": "y"})) == []


def test_diff_against_lists_disagreeing_fields() -> None:
    parsed = _entry(
        title="コミュニティ防災士の育成人数",
        departments=[],
        plans={"R5": "・a\n・b", "R6": "x", "R7": "z", "R8": "y"},
    )
    lines = diff_against(parsed, _entry())
    assert [line.split(":")[0] for line in lines] == ["title", "departments", "plans.R7"]
    assert "'z'" in lines[2] and "None" in lines[2]
