"""Questions in plain Japanese, asked as staff and managers type them, against the reviewed catalog.

The big table holds a question, facts its answer must contain (measure No., title fragment,
year label, figures with units) and facts it must not contain. The facts come from the plan
document (bot/catalog/data/seed/kanazawa-r5-r8.txt). The moment is 2027-02-03 (令和8年度, the round of
令和8年度 open), so "this year" is 令和8年度.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bot import answers
from bot.catalog.store import assign_department
from bot.cli import app
from bot.core.config import Settings
from bot.core.messages import Incoming, Reply
from bot.core.router import route
from bot.storage.db import make_engine, session_scope
from bot.storage.models import Actual, Department, Measure, Member, Report
from tests.conftest import Bot, said

NOW = datetime(2027, 2, 3, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo"))  # as the `now` fixture

# --- helpers -------------------------------------------------------------------------------------


def values(replies: list[Reply]) -> list[str]:
    return [c.value for r in replies for c in r.choices]


def department(s: Session, name: str) -> Department:
    dept = s.scalar(select(Department).where(Department.name == name))
    assert dept is not None, name
    return dept


def measure(s: Session, no: int) -> Measure:
    m = s.scalar(select(Measure).where(Measure.no == no))
    assert m is not None, no
    return m


def add_member(s: Session, user: str, dept: str, name: str | None = None, platform: str = "console") -> None:
    s.add(Member(platform=platform, user_id=user, department=department(s, dept), role="staff", name=name,
                 created_at=datetime(2027, 1, 5, 9, 0).astimezone()))


def add_report(
    s: Session,
    no: int,
    dept: str,
    *,
    fy: int = 2026,
    status: str = "submitted",
    revision: int = 1,
    current: bool = True,
    text: str = "計画どおり実施しました。",
    progress: str | None = "in_progress",
    rating: str | None = "B",
    by: str = "console:tanaka",
    at: datetime,
    actuals: tuple[dict[str, object], ...] = (),
) -> Report:
    report = Report(measure=measure(s, no), department=department(s, dept), fy=fy, revision=revision,
                    is_current=current, status=status, progress=progress, result_text=text, rating=rating,
                    reported_by=by, reported_at=at, created_at=at)
    for i, a in enumerate(actuals):
        report.actuals.append(Actual(position=i, **a))  # type: ignore[arg-type]
    s.add(report)
    s.flush()
    return report


# --- the table -----------------------------------------------------------------------------------

# (question, facts the answer contains, facts it must not contain)
TABLE: list[tuple[str, list[str], list[str]]] = [
    # A measure's target, written every way people write a measure number
    ("No.34の目標は?", ["No.34", "コミュニティ防災士の育成人数", "令和8年度の目標: コミュニティ防災士数 1,700名以上(累計)"], ["No.35", "令和9年度"]),
    ("NO34の目標", ["令和8年度の目標: コミュニティ防災士数 1,700名以上"], ["No.35"]),
    ("no.34の目標", ["令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("Ｎｏ．３４の目標は？", ["No.34", "令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("№34の目標", ["令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("34番の目標", ["No.34", "1,700名"], []),
    ("第34号の目標", ["No.34", "1,700名"], []),
    ("No 34 目標", ["No.34", "1,700名"], []),
    ("No.34の目標値", ["令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("No.34の数値目標", ["令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("no34 目標は", ["1,700名"], []),
    ("34の目標は?", ["No.34", "1,700名"], []),
    ("取組34の目標", ["No.34", "1,700名"], []),
    ("#34の目標", ["No.34", "1,700名"], []),
    ("No.34の目標を教えてください", ["No.34", "1,700名"], []),
    ("No.34の目標は？", ["1,700名"], []),
    ("No.34 目標", ["1,700名"], []),
    ("No.34の目標", ["各年度の目標", "令和5年度 1,400名", "令和7年度 1,600名"], []),
    # ... and fiscal years every way people write them
    ("No.34の令和7年度の目標", ["令和7年度の目標: コミュニティ防災士数 1,600名以上(累計)"], ["令和8年度の目標"]),
    ("No.34の令和７年度の目標は？", ["令和7年度の目標: コミュニティ防災士数 1,600名"], []),
    ("No.34のR7の目標", ["令和7年度の目標: コミュニティ防災士数 1,600名"], []),
    ("No.34 r7 目標", ["令和7年度の目標: コミュニティ防災士数 1,600名"], []),
    ("No.34の2025年度の目標", ["令和7年度の目標: コミュニティ防災士数 1,600名"], []),
    ("No.34の昨年度の目標", ["令和7年度の目標: コミュニティ防災士数 1,600名"], []),
    ("No.34の前年度の目標", ["令和7年度の目標: コミュニティ防災士数 1,600名"], []),
    ("No.34の今年度の目標", ["令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("No.34の本年度の目標", ["令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("No.34の令和5年度の目標", ["令和5年度の目標: コミュニティ防災士数 1,400名"], []),
    ("FY2024のNo.34の目標", ["令和6年度の目標: コミュニティ防災士数 1,500名"], []),
    ("令和6年度のNo.34の目標は", ["令和6年度の目標: コミュニティ防災士数 1,500名"], []),
    # 推移 alone (or 実績の推移): targets against actuals, year by year (tests/test_results_import.py
    # imports earlier years and checks the actuals)
    ("No.34の推移は?", ["No.34 コミュニティ防災士の育成人数(累計)の推移",
                     "令和5年度: 目標 1,400名以上(累計) / 実績 未報告",
                     "令和8年度: 目標 1,700名以上(累計) / 実績 未報告"], ["取り込んだ", "令和8年度の目標:"]),
    ("No.86の実績の推移", ["【実質公債費比率】", "令和7年度: 目標 10%未満 / 実績 未報告", "【経常収支比率】"], []),
    ("No.5の推移", ["No.5 ドローンを活用した危険箇所の点検等の実施には数値目標がないため、推移はありません"], []),
    ("No.34の目標の推移", ["令和5年度の目標: コミュニティ防災士数 1,400名", "令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("No.34の令和5年度から令和8年度の目標", ["令和5年度の目標", "令和6年度の目標", "令和7年度の目標", "令和8年度の目標"], []),
    ("No.34の来年度の目標", ["令和9年度は計画期間(令和5年度〜令和8年度)の外"], ["1,700名"]),
    ("No.34の令和10年度の目標", ["令和10年度は計画期間"], []),
    ("No.34の令和4年度の計画", ["令和4年度は計画期間"], []),
    # Other numeric measures
    ("No.83の令和7年度の目標", ["No.83", "介護保険料の収納率", "令和7年度の目標: 収納率 98.87%以上"], ["No.84"]),
    ("No.83の目標", ["令和8年度の目標: 収納率 99.07%以上"], []),
    ("No.83のR5の目標", ["令和5年度の目標: 収納率 98.47%"], []),
    ("No.83の令和6年度の目標は?", ["令和6年度の目標: 収納率 98.67%"], []),
    ("No.84の目標", ["国民健康保険料の収納率", "令和8年度の目標: 収納率 94.4%以上"], []),
    ("No.84の令和6年度の目標", ["令和6年度の目標: 収納率 94.0%"], []),
    ("No.85の目標", ["市営住宅使用料の収納率", "収納率 97%以上"], []),
    ("No.85の令和6年度の目標", ["収納率 97%", "コンビニ収納開始"], []),
    ("No.81の令和7年度の目標", ["No.81", "ふるさと納税", "令和7年度の目標: 納税額 800,000千円以上"], []),
    ("No.81の目標", ["令和8年度の数値目標", "読み取れない", "800,000千円"], ["令和8年度の目標:"]),
    ("No.1の目標", ["No.1", "職員による課題解決アプリ", "開発アプリ数 100件以上(累計)"], []),
    ("No.1の令和5年度の目標", ["令和5年度の目標: 開発アプリ数 70件"], []),
    ("No.9の目標", ["公文書の電子決裁率", "電子決裁率 100%以上"], []),
    ("No.15の目標", ["データセット件数 2,100件以上"], []),
    ("No.15の令和7年度の目標", ["令和7年度の数値目標", "読み取れない"], ["令和7年度の目標:"]),
    ("No.22の令和5年度の目標", ["デジタル行政推進リーダー", "20名"], []),
    ("No.22の目標", ["令和8年度の数値目標", "読み取れない"], []),
    ("No.31の目標", ["受入地区数 3地区以上"], []),
    ("No.33の令和6年度の目標", ["ごみ総排出量", "144,000t", "令和6年度まで"], []),
    ("No.33の目標", ["令和8年度の数値目標は計画に定められていません", "次期計画に基づく施策の実施",
                    "計画のほかの年度の目標: 令和6年度 ごみ総排出量 144,000t以下(令和6年度まで)"],
     ["令和8年度の目標:"]),
    # Why a year has no target: lost by the document, blank on purpose, or none in the plan (issue 14)
    ("No.36の目標", ["令和8年度の数値目標はありません(計画書の令和8年度の欄は空欄です)",
                    "令和5年度 地域福祉支援コーディネーターの配置地区数 54地区以上"], ["読み取れ"]),
    ("No.36の令和7年度の計画", ["令和7年度の実施計画: 計画書では空欄です"], ["読み取れ"]),
    ("No.22の目標は?", ["令和8年度の数値目標は、計画書の該当欄が失われていて読み取れない", "令和5年度 デジタル行政推進リーダーの育成人数 20名"],
     ["空欄", "定められていません"]),
    ("No.74の目標は?", ["令和8年度の数値目標は計画に定められていません", "40%以上(H25比)"], ["令和8年度の目標:"]),
    ("No.82の目標", ["令和8年度の数値目標はありません(計画書の令和8年度の欄は空欄です)", "令和5年度 収入率 98.3%以上"], []),
    ("数値目標がある取組は?", ["No.22 デジタル行政推進リーダーの育成人数: 令和8年度の数値目標は読み取れません(計画書の欄が失われています)",
                           "No.81 金沢版ふるさと納税の納税額: 令和8年度の数値目標は読み取れません",
                           "No.36 地域福祉支援コーディネーターの配置地区数: 令和8年度の数値目標なし(計画書で空欄)",
                           "No.33 ごみ総排出量の削減: 令和8年度の数値目標なし(計画に定めなし)",
                           "No.34 コミュニティ防災士の育成人数(累計): コミュニティ防災士数 1,700名以上(累計)"],
     ["No.22 デジタル行政推進リーダーの育成人数: 令和8年度の数値目標なし"]),
    # The round in words (2027-02-03: the 令和8年度 round is open)
    ("締切はいつ?", ["令和8年度の報告の受付期間です", "締切は2027年4月30日(金)", "営業日", "受付開始: 2027年2月1日(月)",
                  "令和8年度の未提出: "], ["No.34の目標", "見つかりませんでした"]),
    ("報告の期限を教えて", ["締切は2027年4月30日(金)"], []),
    ("いつまでに提出すればいい?", ["締切は2027年4月30日(金)"], []),
    ("No.34の締め切りは?", ["締切は2027年4月30日(金)"], []),
    # Questions outside the plan are declined, with what the bot can answer
    ("金沢市長は誰?", ["「金沢市長は誰」は行政改革プランの取組についてのご質問ではない", "お答えできるのは"], ["No.90", "No.16"]),
    ("今日の天気は?", ["ご質問ではない"], []),
    ("防災はどこの課?", ["防災"], ["ご質問ではない"]),  # a plan word: searched, not declined
    # A misspelled department, a figure alone
    ("危機管里課の取組は?", ["「危機管里課」という課は見つかりませんでした。もしかして: 危機管理課"], ["No.34"]),
    ("１，６５２名", ["「1,652名」は数値として読み取りました", "報告 34"], ["「652名」"]),
    ("8億円", ["「8億円」は数値として読み取りました"], []),
    ("No.35の目標", ["女性防災士", "50名以上"], ["No.34"]),
    ("No.36の令和5年度の目標", ["地域福祉支援コーディネーター", "54地区"], []),
    ("No.37の目標", ["ひとり親家庭等学習支援ボランティア", "110人以上"], []),
    ("No.37の令和5年度の目標", ["95人"], []),
    ("No.40の目標", ["令和8年度の数値目標は計画に定められていません", "事業成果を検証し事業を見直し"], []),
    ("No.40の令和7年度の目標", ["5団体"], []),
    ("No.43の目標", ["町会加入世帯数 146,000世帯以上(令和9年度末まで)"], []),
    ("No.44の目標", ["地区防災計画", "62地区以上"], []),
    ("No.44の令和6年度の目標", ["令和6年度の目標: 策定済地区数 54地区"], []),
    ("No.45の目標", ["運行地区数 6地区以上"], []),
    ("No.74の令和7年度の目標", ["温室効果ガス", "40%", "H25比"], []),
    ("No.82の令和5年度の目標", ["市税の収入率", "収入率 98.3%以上"], []),
    ("No.82の令和7年度の目標", ["令和7年度の数値目標は計画に定められていません", "新たな目標の設定"], []),
    ("No.86の目標", ["各種財政指標", "実質公債費比率 10%未満", "将来負担比率 100%未満", "経常収支比率 中核市平均以下",
                    "実質赤字比率 0%"], ["10%以下"]),
    # Measures without a numeric target: that year's plan and the vision
    ("No.5の目標", ["No.5", "ドローン", "数値目標がありません", "令和8年度の実施計画: 運用", "めざす姿"], ["目標:"]),
    ("No.7の目標は?", ["No.7", "マイナンバーカード", "数値目標がありません", "令和8年度の実施計画: 運用"], []),
    ("No.7の令和5年度の目標", ["令和5年度の実施計画: 導入・運用開始"], []),
    # No.51's R8 cell has been read since the catalog's second reading (issue 13 item 6); No.14's
    # R8 cell is still lost in the document.
    ("No.51の目標", ["金沢MaaS", "数値目標がありません", "令和8年度の実施計画: 官民連携事業 - データ活用実証実験"], []),
    ("No.14の目標", ["数値目標がありません", "読み取れません"], []),
    ("No.13の目標", ["外郭団体の統廃合の検討", "統廃合の検討"], []),
    # Overview
    ("No.34について", ["No.34 コミュニティ防災士の育成人数(累計)", "担当: 危機管理課", "概要:", "めざす姿: 1町会に1名以上",
                      "令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("No.34", ["No.34 コミュニティ防災士の育成人数", "危機管理課", "めざす姿"], []),
    ("Ｎｏ．３４", ["No.34 コミュニティ防災士の育成人数"], []),
    ("No.34とは", ["No.34 コミュニティ防災士の育成人数", "概要"], []),
    ("No.34の概要", ["概要: 災害時における地域防災力の向上"], []),
    ("No.34の内容を教えて", ["コミュニティ防災士を更に育成する"], []),
    ("No.34の詳細", ["No.34", "めざす姿"], []),
    ("No.5について", ["No.5 ドローンを活用した危険箇所の点検等の実施", "道路建設課", "無人航空機"], []),
    ("No.2について", ["電話相談業務へのAI相談支援システム", "担当: 未設定"], []),
    ("No.51の概要", ["金沢MaaSの推進", "交通政策課", "金沢MaaSコンソーシアム"], []),
    ("No.90について", ["金沢市立病院経営強化プラン", "市立病院事務局"], []),
    ("No.1", ["職員による課題解決アプリの実践数", "デジタル行政戦略課"], []),
    ("No.81のめざす姿", ["めざす姿:", "納税額"], []),
    # Owners
    ("No.7の担当課は?", ["No.7", "人事課", "デジタル行政戦略課", "共同"], []),
    ("No.7の担当は", ["人事課、デジタル行政戦略課"], []),
    ("No.7はどこの課?", ["人事課、デジタル行政戦略課"], []),
    ("No.7の所管は", ["人事課"], []),
    ("No.7 担当課", ["人事課"], []),
    ("No.7の担当部署を教えて", ["人事課、デジタル行政戦略課"], []),
    ("No.34の担当課", ["危機管理課です"], ["人事課"]),
    ("No.2の担当課", ["まだ決まっていません"], []),
    ("No.70の担当課", ["環境政策課、ゼロカーボンシティ推進室"], []),
    ("No.31の担当課は", ["農業水産振興課、森林再生課"], []),
    ("No.3の担当", ["市立工業高等学校"], []),
    ("第83号の担当課", ["介護保険課"], []),
    ("No.81の担当者は?", ["総務課"], []),
    # Yearly plan
    ("No.5の令和7年度の計画", ["No.5", "令和7年度の実施計画", "・運用", "操作職員育成研修の実施(5名程度)"], ["令和8年度", "令和5年度"]),
    ("No.5の計画", ["令和5年度の実施計画", "ドローンの導入", "令和8年度(今年度)の実施計画: 運用"], []),
    ("No.5のR5の実施計画", ["ドローンの導入", "運用開始"], ["令和6年度"]),
    ("No.7の令和5年度の計画", ["導入・運用開始"], []),
    ("No.14の令和8年度の計画", ["令和8年度の実施計画: 計画書から読み取れません"], []),  # No.51's: read since issue 13
    ("No.51の令和8年度の計画", ["令和8年度の実施計画: 官民連携事業 - データ活用実証実験"], []),
    ("No.81の令和6年度の計画", ["謝礼品の見直し及び拡充を実施 納税額 800,000千円"], []),
    ("No.1の今年度の予定", ["令和8年度の実施計画: 開発アプリ数 100件"], ["令和7年度"]),
    ("No.40の令和8年度の計画", ["事業成果を検証し事業を見直し"], []),
    ("No.64の令和8年度の計画は?", ["森本地区新保育所 開所"], []),
    ("No.67の計画", ["第5期建設工事", "G1棟,G5棟,G6棟,G7棟解体"], []),
    ("No.49の令和8年度のスケジュール", ["修理工事", "開館"], []),
    ("No.34の各年度の計画", ["令和5年度の実施計画: コミュニティ防災士数 1,400名", "令和8年度(今年度)の実施計画: コミュニティ防災士数 1,700名"], []),
    # Several things at once
    ("No.34とNo.35の目標", ["No.34", "1,700名", "No.35", "50名"], []),
    ("No.34、35の目標", ["1,700名", "50名"], []),
    ("No.7の担当課と計画", ["人事課", "令和5年度の実施計画"], []),
    ("No.34 どうなってる?", ["令和8年度の実施結果", "まだ報告されていません"], []),
    ("No.34の進捗状況を教えて", ["令和8年度の実施結果"], []),
    ("No.34の目標と実績", ["令和8年度の実施結果", "1,700名"], []),
    # A department's measures
    ("危機管理課の取組は?", ["危機管理課の取組は3件", "No.34", "No.35", "No.44"], ["No.5 "]),
    ("危機管理の取組", ["危機管理課の取組は3件", "No.34", "No.44"], []),
    ("危機管理課", ["危機管理課の取組は3件"], []),
    ("危機管理課の施策", ["No.34", "No.35", "No.44"], []),
    ("危機管理課が担当している取組は?", ["No.34", "No.35", "No.44"], []),
    ("危機管理課の取組一覧", ["No.34", "No.35", "No.44"], []),
    ("危機管理課の取り組みを教えて", ["No.34", "No.35", "No.44"], []),
    ("人事課の取組", ["人事課の取組", "No.7", "No.10", "No.25"], ["No.34"]),
    ("デジタル行政戦略課の取組", ["No.1 ", "No.15", "No.76"], []),
    ("交通政策課の取組", ["No.45", "No.51", "No.55"], []),
    ("交通の取組", ["交通政策課の取組は3件", "No.51"], []),
    ("ゼロカーボンの取組", ["ゼロカーボンシティ推進室", "No.70", "No.74"], []),
    ("財政課の取組", ["No.59", "No.86", "No.88"], []),
    ("税務課の取組", ["No.82 市税の収入率"], []),
    ("市立病院の取組", ["市立病院事務局", "No.66", "No.90"], []),
    ("危機管理課の目標", ["令和8年度の目標", "1,700名", "50名", "62地区"], []),
    ("危機管理課の令和7年度の目標", ["令和7年度の目標", "1,600名", "58地区"], []),
    ("危機管理課の令和7年度の計画", ["令和7年度の実施計画", "コミュニティ防災士数 1,600名"], []),
    ("企画の取組", ["複数"], ["No.27"]),
    ("環境の取組", ["複数"], []),
    ("保険の取組", ["複数"], []),
    # Keyword search over titles, 概要 and めざす姿
    ("ドローン", ["No.5", "ドローンを活用した危険箇所の点検"], []),
    ("ドローンの取組", ["No.5"], []),
    ("ドローンについて教えて", ["No.5", "道路建設課"], []),
    ("ドローンの担当課", ["道路建設課"], []),
    ("ふるさと納税", ["No.81", "金沢版ふるさと納税の納税額"], []),
    ("ふるさと納税の令和7年度の目標", ["No.81", "800,000千円"], []),
    ("ふるさと納税の担当は?", ["総務課"], []),
    ("MaaS", ["No.51", "金沢MaaSの推進"], []),
    ("maas", ["No.51"], []),
    ("ＭａａＳ", ["No.51"], []),
    ("MaaSの計画", ["No.51", "官民連携事業"], []),
    ("防災", ["No.34", "No.35", "No.44", "No.5"], ["No.83"]),
    ("防災に関する取組は?", ["No.34", "No.35", "No.44"], []),
    ("収納", ["No.83", "No.84", "No.85"], ["No.82"]),
    ("収納率の目標は?", ["99.07%", "94.4%", "97%"], []),
    ("介護保険料の収納率", ["No.83"], ["No.84", "No.85"]),
    ("テレワーク", ["No.10"], []),
    ("オープンデータ", ["No.15"], []),
    ("マイナンバーカード", ["No.7"], []),
    ("電子決裁", ["No.9"], []),
    ("ネーミングライツ", ["No.77"], []),
    ("シェアサイクル", ["No.54"], []),
    ("太陽光", ["No.70"], []),
    ("LED", ["No.73"], []),
    ("クラウドファンディング", ["No.40"], []),
    ("宇宙", ["No.50"], []),
    ("金箔", ["No.48"], []),
    ("外郭団体", ["No.13", "No.14"], []),
    ("町会", ["No.43"], []),
    ("防災士の育成", ["No.34", "No.35"], []),
    ("「ごみ」を検索", ["No.33"], []),
    ("コミュニティ防災士の目標は?", ["No.34", "令和8年度の目標: コミュニティ防災士数 1,700名"], []),
    ("令和7年度の防災の目標", ["令和7年度の目標", "コミュニティ防災士数 1,600名", "策定済地区数 58地区", "No.5"], []),
    ("防災の計画", ["令和8年度の実施計画", "No.44"], []),
    ("防災の進捗は?", ["報告状況", "No.34", "危機管理課 未着手", "道路建設課 未着手"], []),
    ("LINE", ["No.21", "子育て支援課"], []),
    ("推進", ["ほか", "件"], []),
    ("検索 AI", ["No.2", "No.3"], []),
    ("ああああ", ["見つかりませんでした", "次のようにお尋ねください"], []),
    # The reporting round
    ("未提出の課は?", ["令和8年度の報告状況", "回答率 0%", "危機管理課 3件(No.34、No.35、No.44)", "担当課が未設定の取組: No.2"], []),
    ("回答率は?", ["回答率 0%"], []),
    ("提出状況", ["令和8年度の報告状況"], []),
    ("未報告の課を教えて", ["未提出の取組がある課"], []),
    ("まだ出していない課は?", ["未提出の取組がある課"], []),
    ("令和7年度の未提出の課", ["令和7年度の報告状況"], []),
    ("全体の進捗", ["令和8年度の報告状況"], []),
    ("数値目標の達成状況", ["数値目標のある取組(21件)の令和8年度の達成状況", "No.34 コミュニティ防災士の育成人数(累計): コミュニティ防災士数 1,700名以上(累計): 未報告"], []),
    ("数値目標の一覧", ["数値目標のある取組は21件", "No.86", "No.34 コミュニティ防災士の育成人数(累計): コミュニティ防災士数 1,700名以上(累計)"], []),
    ("数値目標のある取組は?", ["数値目標のある取組は21件"], []),
    ("R8の目標一覧", ["数値目標のある取組は21件です(令和8年度の目標)", "No.83 介護保険料の収納率: 収納率 99.07%以上"], []),
    ("令和7年度の数値目標の一覧", ["令和7年度の目標", "No.83 介護保険料の収納率: 収納率 98.87%以上"], []),
    # A number that is not a measure
    ("No.99", ["No.99 の取組はありません", "No.1〜No.90"], []),
    ("No.99の目標は?", ["No.99 の取組はありません", "No.1〜No.90"], []),
    ("No.0の目標", ["No.0 の取組はありません"], []),
    ("No.91について", ["No.91 の取組はありません"], []),
    ("No.100の担当課", ["No.100 の取組はありません"], []),
    ("第120号", ["No.120 の取組はありません"], []),
    # Ambiguous: offer readings
    ("34", ["No.34 コミュニティ防災士の育成人数", "でしょうか"], []),
    ("５", ["No.5 ドローン", "でしょうか"], []),
    # Not understood: a short help with examples
    ("目標は?", ["どの取組の目標"], []),
    ("よろしく", ["kaikaku-bot です", "No.34の目標は?", "未提出の課は?"], []),
    ("?", ["読み取れませんでした"], []),
    # A mention in a group channel
    ("<@U0BOT> No.34の目標は?", ["1,700名"], []),
    ("@kaikaku No.34の目標", ["1,700名"], []),
]


# A catalog question imports only what answering it needs (bot.answers.dispatch imports the rest
# inside the functions that read reports, the round or trends, and the catalog snapshot reads the
# Core tables, so the ORM classes are not mapped either): `kaikaku ask` waits for every import.
_CATALOG_ONLY = """
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.answers import answer
from bot.core.config import Settings
from bot.storage.db import make_engine, session_scope

url = sys.argv[1]
settings = Settings(database_url=url, bot_now=datetime(2027, 2, 3, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo")))
engine = make_engine(url)
loaded = {}
for question in sys.argv[2:]:
    with session_scope(engine) as session:
        assert answer(session, question, member=None, now=settings.now(), settings=settings)
    loaded[question] = sorted(m for m in sys.modules if m.startswith(("bot.reporting", "bot.answers", "bot.storage")))
print(json.dumps(loaded))
"""
_NOT_FOR_THE_CATALOG = {"bot.answers.results", "bot.answers.trend", "bot.reporting.reports",
                        "bot.reporting.results_table", "bot.reporting.round_status", "bot.reporting.round_phase",
                        "bot.reporting.rounds", "bot.storage.models"}


def test_a_catalog_question_does_not_import_reports_or_the_round(sqlite_catalog_url: str) -> None:
    catalog = ["No.34の目標は?", "No.7の担当課は?", "No.5の令和7年度の計画", "No.34について", "ドローン", "防災",
               "危機管理課の取組は?", "数値目標の一覧", "No.99の目標", "こんにちは"]
    done = subprocess.run([sys.executable, "-c", _CATALOG_ONLY, sqlite_catalog_url, *catalog, "No.34の推移は?"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    loaded: dict[str, list[str]] = json.loads(done.stdout)
    for question in catalog:
        assert not _NOT_FOR_THE_CATALOG & set(loaded[question]), question
    assert {"bot.reporting.results_table", "bot.storage.models"} <= set(loaded["No.34の推移は?"])  # the check sees imports


def test_the_table_is_large() -> None:
    assert len(TABLE) >= 150


@pytest.fixture(scope="module")
def table_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Settings]]:
    """One copy of the catalog database for the whole (read-only) table: the table stays quick."""
    path = tmp_path_factory.mktemp("answers_table") / "bot.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    yield engine, Settings(database_url=url, bot_now=NOW)
    engine.dispose()


@pytest.mark.parametrize(("question", "must", "must_not"), TABLE, ids=[q for q, _, _ in TABLE])
def test_question(table_db: tuple[Engine, Settings], question: str, must: list[str], must_not: list[str]) -> None:
    text = said(Bot(table_db[1], table_db[0]).ask(question))
    for fact in must:
        assert fact in text, f"{fact!r} missing from:\n{text}"
    for fact in must_not:
        assert fact not in text, f"{fact!r} should not be in:\n{text}"


_ALPHABET = "No.№Ｎｏ#第号番0123456789０１２３４５ 　の目標進捗計画担当課取組令和年度R今昨来?？「」検索防災収納危機管理企画aAbBあいう漢字、。"


@settings_(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=30) | st.text(max_size=30))
def test_any_text_gets_a_polite_answer(table_db: tuple[Engine, Settings], text: str) -> None:
    replies = Bot(table_db[1], table_db[0]).ask(text)
    assert replies and all(r.text.strip() for r in replies)
    assert len(replies) <= 5
    assert "Traceback" not in said(replies)


# --- choices: full questions the router takes back -----------------------------------------------


def test_a_bare_number_offers_readings_of_that_measure(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    replies = Bot(settings, sqlite_catalog_engine).ask("34")
    assert {"No.34について", "No.34の目標は?", "No.34の進捗は?"} <= set(values(replies))
    for value in values(replies):  # each choice, sent back, is answered about No.34
        assert "No.34" in said(Bot(settings, sqlite_catalog_engine).ask(value))


def test_a_word_matching_several_departments_offers_each(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    replies = Bot(settings, sqlite_catalog_engine).ask("企画の取組")
    assert values(replies) == ["企画調整課の取組は?", "経営企画課の取組は?"]
    assert "No.27" in said(Bot(settings, sqlite_catalog_engine).ask(values(replies)[0]))
    assert "No.56" in said(Bot(settings, sqlite_catalog_engine).ask(values(replies)[1]))


def test_a_partial_name_alone_offers_the_department_or_a_search(sqlite_catalog_engine: Engine,
                                                                  settings: Settings) -> None:
    replies = Bot(settings, sqlite_catalog_engine).ask("ごみ")
    assert "ごみ減量推進課の取組は?" in values(replies)
    search = next(v for v in values(replies) if "検索" in v)
    assert "No.33" in said(Bot(settings, sqlite_catalog_engine).ask(search))


def test_search_lists_offer_each_measure(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    replies = Bot(settings, sqlite_catalog_engine).ask("収納")
    assert values(replies) == ["No.83について", "No.84について", "No.85について"]


def test_choice_labels_fit_line_quick_replies(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    for question in ["34", "未提出の課は?", "デジタル行政戦略課の取組", "推進", "No.7の担当課は?"]:
        replies = Bot(settings, sqlite_catalog_engine).ask(question)
        assert len(replies) <= 5
        for r in replies:
            assert len(r.choices) <= 13
            assert all(len(c.label) <= 20 for c in r.choices), [c.label for c in r.choices]


def test_help_when_nothing_is_understood_offers_examples(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    replies = Bot(settings, sqlite_catalog_engine).ask("あいうえおかきくけこ")
    assert "No.34の目標は?" in values(replies) and "未提出の課は?" in values(replies)


@pytest.mark.parametrize("text", ["こんにちは", "ありがとうございます!", "Hello"])
def test_a_greeting_is_greeted_not_searched(sqlite_catalog_engine: Engine, settings: Settings, text: str) -> None:
    replies = Bot(settings, sqlite_catalog_engine).ask(text)
    said = "\n".join(r.text for r in replies)
    assert "kaikaku-bot です" in said and "見つかりませんでした" not in said
    assert "No.34の目標は?" in values(replies)


def test_own_department(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        add_member(s, "sato", "危機管理課", "佐藤")
    text = said(Bot(settings, sqlite_catalog_engine).ask("うちの課の取組は?", member=("console", "sato")))
    assert "危機管理課の取組は3件" in text
    assert "課の名前を添えて" in said(Bot(settings, sqlite_catalog_engine).ask("うちの課の取組は?", member=None))


# --- reported results ----------------------------------------------------------------------------

def _jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 2, day, hour, minute, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_results_say_not_yet_reported(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    text = said(Bot(settings, sqlite_catalog_engine).ask("No.34の進捗は?"))
    assert "令和8年度の実施結果" in text
    assert "危機管理課: まだ報告されていません" in text
    assert "令和8年度の目標: コミュニティ防災士数 1,700名以上(累計)" in text


def test_results_show_the_latest_report(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        add_member(s, "tanaka", "危機管理課", "田中")
        add_report(s, 34, "危機管理課", revision=1, current=False, text="古い版の結果", at=_jst(1, 9))
        add_report(s, 34, "危機管理課", revision=2, text="養成講座を3回開催し、150名が新たに資格を取得しました。",
                   at=_jst(2, 15, 30), actuals=({"metric": "コミュニティ防災士数", "value": Decimal("1650"), "unit": "名",
                                                "typed": "１，６５０名", "basis": "estimate",
                                                "achievement_rate": Decimal("0.970588"), "met": False},))
    for question in ["No.34の進捗は?", "No.34の実績", "no34の結果", "No.34の状況は?", "No.34は達成した?",
                     "No.34の令和8年度の実績"]:
        text = said(Bot(settings, sqlite_catalog_engine).ask(question))
        assert "■危機管理課(提出済・第2版)" in text, question
        assert "実施結果: 養成講座を3回開催し、150名が新たに資格を取得しました。" in text
        assert "進捗: 実施中 / 自己評価: B" in text
        assert "実績: コミュニティ防災士数 1,650名(見込み) / 目標 1,700名以上(累計) → 達成率 97.06%・未達成" in text
        assert "報告: 田中さん(2027年2月2日 15:30)" in text
        assert "古い版の結果" not in text


def test_a_draft_is_not_a_result(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        add_report(s, 35, "危機管理課", status="draft", text="下書きの内容", at=_jst(2, 9))
    text = said(Bot(settings, sqlite_catalog_engine).ask("No.35の進捗"))
    assert "危機管理課: 下書き" in text
    assert "下書きの内容" not in text


def test_a_joint_measure_shows_each_department(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        add_report(s, 7, "人事課", status="approved", text="全庁で運用しています。", by="slack:U0123", at=_jst(1, 9))
    text = said(Bot(settings, sqlite_catalog_engine).ask("No.7の実績は?"))
    assert "■人事課(承認済)" in text and "全庁で運用しています。" in text
    assert "報告: 登録が解除された方(2027年2月1日 09:00)" in text  # no member behind the account any more
    assert "U0123" not in text  # never the account id
    assert "デジタル行政戦略課: まだ報告されていません" in text
    assert text.index("人事課") < text.index("デジタル行政戦略課")


def test_a_percentage_is_compared_in_points(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    method = json.dumps({"rule": "points", "points": "0.03", "text": "…"})
    with session_scope(sqlite_catalog_engine) as s:
        add_report(s, 83, "介護保険課", at=_jst(3, 9), actuals=(
            {"metric": "収納率", "value": Decimal("99.10"), "unit": "%", "typed": "99.1%", "basis": "final",
             "achievement_rate": None, "met": True, "achievement_method": method},))
    text = said(Bot(settings, sqlite_catalog_engine).ask("No.83の実績"))
    assert "実績: 収納率 99.10%(確定) / 目標 99.07%以上 → 目標との差 +0.03ポイント・達成" in text


def test_other_years_and_the_report_command_are_offered(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        add_member(s, "tanaka", "危機管理課", "田中")
        add_report(s, 34, "危機管理課", fy=2025, text="令和7年度の結果です。", at=datetime(2026, 4, 10, 9).astimezone())
    replies = Bot(settings, sqlite_catalog_engine).ask("No.34の進捗は?", member=("console", "tanaka"))
    assert "報告 34" in values(replies)
    assert "No.34の令和7年度の実績は?" in values(replies)
    assert "令和7年度の結果です。" in said(Bot(settings, sqlite_catalog_engine).ask("No.34の令和7年度の実績は?"))
    assert "報告 34" not in values(Bot(settings, sqlite_catalog_engine).ask("No.34の進捗は?"))


def test_a_department_s_reports(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        add_report(s, 34, "危機管理課", at=_jst(2, 9), actuals=(
            {"metric": "コミュニティ防災士数", "value": Decimal("1720"), "unit": "名", "typed": "1720",
             "basis": "final", "achievement_rate": Decimal("1.011765"), "met": True},))
        add_report(s, 44, "危機管理課", status="draft", at=_jst(2, 10))
    text = said(Bot(settings, sqlite_catalog_engine).ask("危機管理課の進捗は?"))
    assert "危機管理課の令和8年度の報告状況: 3件中1件提出済み" in text
    assert "No.34 コミュニティ防災士の育成人数(累計): 提出済 / コミュニティ防災士数 1,720名(確定)" in text
    assert "No.35 女性防災士の育成人数: 未着手" in text
    assert "No.44 地区防災計画の作成地区数(累計): 下書き" in text


# --- status of the round -------------------------------------------------------------------------


def test_status_counts_submissions(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        for no in (34, 35, 44):
            add_report(s, no, "危機管理課", at=_jst(2, 9))
        add_report(s, 5, "道路建設課", status="draft", at=_jst(2, 9))
        add_report(s, 1, "デジタル行政戦略課", fy=2025, at=_jst(2, 9))  # another year: not counted
        pairs = s.query(Measure).join(Measure.department_links).count()
    text = said(Bot(settings, sqlite_catalog_engine).ask("未提出の課は?"))
    rate = Decimal(300) / Decimal(pairs)
    assert f"回答率 {rate.quantize(Decimal('0.01'))}%(取組と担当課の組 {pairs}件中 3件が提出済み)" in text
    assert "提出を終えた課: 1課" in text
    assert "・危機管理課" not in text
    assert "・道路建設課 1件(No.5、うち作成中 1件)" in text
    assert "・デジタル行政戦略課" in text


def test_status_lists_numeric_achievement(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        add_report(s, 34, "危機管理課", at=_jst(2, 9), actuals=(
            {"metric": "コミュニティ防災士数", "value": Decimal("1650"), "unit": "名", "typed": "1650",
             "basis": "estimate", "achievement_rate": Decimal("0.970588"), "met": False},))
        add_report(s, 44, "危機管理課", status="draft", at=_jst(2, 9), actuals=(
            {"metric": "策定済地区数", "value": Decimal("70"), "unit": "地区", "typed": "70", "basis": "estimate",
             "achievement_rate": Decimal("1.129"), "met": True},))
    text = said(Bot(settings, sqlite_catalog_engine).ask("数値目標の達成状況は?"))
    assert "実績報告 1件" in text
    assert "No.34 コミュニティ防災士数 1,650名(見込み) / 目標 1,700名以上(累計) → 達成率 97.06%・未達成" in text
    assert "No.44 地区防災計画の作成地区数(累計): 策定済地区数 62地区以上(累計): 未報告" in text  # a draft's figures are not results


def test_answers_are_fresh_after_a_report(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    assert "まだ報告されていません" in said(Bot(settings, sqlite_catalog_engine).ask("No.34の進捗"))
    assert "危機管理課 3件" in said(Bot(settings, sqlite_catalog_engine).ask("未提出の課は?"))
    with session_scope(sqlite_catalog_engine) as s:
        add_report(s, 34, "危機管理課", text="今届いた報告", at=_jst(3, 10))
    assert "今届いた報告" in said(Bot(settings, sqlite_catalog_engine).ask("No.34の進捗"))
    assert "危機管理課 2件(No.35、No.44)" in said(Bot(settings, sqlite_catalog_engine).ask("未提出の課は?"))


def test_the_cached_catalog_follows_an_assignment(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    assert "まだ決まっていません" in said(Bot(settings, sqlite_catalog_engine).ask("No.2の担当課は?"))
    before = said(Bot(settings, sqlite_catalog_engine).ask("未提出の課は?"))  # the round's pairs are the snapshot's
    assert "担当課が未設定の取組: No.2" in before and "・デジタル行政戦略課 14件(No.1、No.7、" in before
    with session_scope(sqlite_catalog_engine) as s:
        assign_department(s, 2, department(s, "デジタル行政戦略課"))
    assert "No.2" in said(Bot(settings, sqlite_catalog_engine).ask("No.2の担当課は?"))
    assert "デジタル行政戦略課です" in said(Bot(settings, sqlite_catalog_engine).ask("No.2の担当課は?"))
    after = said(Bot(settings, sqlite_catalog_engine).ask("未提出の課は?"))
    assert "・デジタル行政戦略課 15件(No.1、No.2、No.7、" in after and "未設定の取組: No.2" not in after


# --- both databases ------------------------------------------------------------------------------


def test_target_results_and_status_on_each_database(catalog_engine: Engine, now: datetime) -> None:
    settings = Settings(bot_now=now)
    assert "令和7年度の目標: 収納率 98.87%以上" in said(Bot(settings, catalog_engine).ask("No.83の令和7年度の目標"))
    assert "人事課: まだ報告されていません" in said(Bot(settings, catalog_engine).ask("No.7の進捗"))
    with session_scope(catalog_engine) as s:
        add_member(s, "tanaka", "人事課", "田中")
        add_report(s, 7, "人事課", text="運用中です。", at=_jst(2, 15, 30))
        add_report(s, 83, "介護保険課", at=_jst(2, 16), actuals=(
            {"metric": "収納率", "value": Decimal("98.50"), "unit": "%", "typed": "98.5%", "basis": "estimate",
             "achievement_rate": None, "met": False},))
    text = said(Bot(settings, catalog_engine).ask("No.7の進捗"))
    assert "■人事課(提出済)" in text and "報告: 田中さん(2027年2月2日 15:30)" in text
    assert "デジタル行政戦略課: まだ報告されていません" in text
    status = said(Bot(settings, catalog_engine).ask("未提出の課は?"))
    assert "・介護保険課" not in status and "2件が提出済み" in status
    assert "No.83 収納率 98.50%(見込み) / 目標 99.07%以上 → 未達成" in status


def test_search_and_departments_on_each_database(catalog_engine: Engine, now: datetime) -> None:
    settings = Settings(bot_now=now)
    assert "No.51" in said(Bot(settings, catalog_engine).ask("MaaS"))
    assert "危機管理課の取組は3件" in said(Bot(settings, catalog_engine).ask("危機管理の取組"))


# --- through the router, on every platform -------------------------------------------------------


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "group"])
def test_the_router_answers_the_same_on_every_platform(sqlite_catalog_engine: Engine, settings: Settings,
                                                        direct: bool) -> None:
    answers_by_platform = {
        platform: route(settings, sqlite_catalog_engine,
                        Incoming(platform, "U1", "C1", text="No.34の目標は?", event_id=f"e-{platform}", direct=direct))
        for platform in ("slack", "line", "console")
    }
    first = answers_by_platform["slack"]
    assert "1,700名" in said(first)
    assert all(replies == first for replies in answers_by_platform.values())


def test_a_tapped_choice_comes_back_as_a_question(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    replies = route(settings, sqlite_catalog_engine, Incoming("line", "U1", "C1", text="34"))
    target = next(c for r in replies for c in r.choices if c.value == "No.34の目標は?")
    again = route(settings, sqlite_catalog_engine, Incoming("line", "U1", "C1", value=target.value))
    assert "1,700名" in said(again)


def test_an_empty_message_is_left_to_the_router(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    from bot.core.context import Context

    with session_scope(sqlite_catalog_engine) as s:
        ctx = Context(settings, s, Incoming("line", "U1", "C1", text="  "), None, settings.now())
        assert answers.handle(ctx) is None


# --- kaikaku ask ---------------------------------------------------------------------------------


def test_kaikaku_ask_prints_the_answer(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.config import get_settings

    monkeypatch.setenv("BOT_NOW", "2027-02-03T10:15:00+09:00")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["ask", "No.34の目標は?"])
    assert result.exit_code == 0 and "令和8年度の目標: コミュニティ防災士数 1,700名以上(累計)" in result.stdout
    result = runner.invoke(app, ["ask", "34"])
    assert "  1) No.34の概要" in result.stdout and "  2) No.34の目標" in result.stdout
    assert runner.invoke(app, ["members", "add", "--platform", "console", "--user", "sato",
                               "--department", "危機管理課"]).exit_code == 0
    result = runner.invoke(app, ["ask", "うちの課の取組は?", "--user", "sato"])
    assert "危機管理課の取組は3件" in result.stdout
    result = runner.invoke(app, ["ask", "うちの課の取組は?", "--user", "console:sato"])
    assert "危機管理課の取組は3件" in result.stdout
    result = runner.invoke(app, ["ask", " "])
    assert result.exit_code == 2 and "質問を指定してください" in result.stderr

