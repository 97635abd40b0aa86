"""Wording of the clock's messages: reminders to departments and the coordinators' digest.

Kept in one place so the coordinating division can review it; the code only fills in values.
"""

from __future__ import annotations

REMINDER_HEADING = {
    "open": "【{fy} 実施結果のご報告のお願い】",
    "nudge": "【{fy} 実施結果: 未提出の取組があります】",
    "final": "【締切まであと{n}営業日: {fy} 実施結果】",
    "escalation": "【締切を過ぎています: {fy} 実施結果】",
}

REMINDER_LEAD = {
    "open": "{dept}の皆さま\n行政改革実施計画の{fy}の実施結果と実績値のご報告の受付を始めました。"
            "締切は{deadline}です。",
    "nudge": "{dept}の皆さま\n次の取組のご報告がまだ届いていません。締切は{deadline}です。",
    "final": "{dept}の皆さま\n締切({deadline})まであと{n}営業日です。次の取組のご報告をお願いします。",
    "escalation": "{dept}の皆さま\n締切({deadline})を過ぎましたが、次の取組のご報告がまだ届いていません。"
                  "課内でのご確認をお願いします。",
}
ESCALATION_TO_MANAGERS = "{dept}の管理職の皆さま\n締切({deadline})を過ぎましたが、次の取組のご報告が" \
                         "まだ届いていません。課内でのご確認をお願いします。"

MEASURES_HEADING = {"open": "ご報告いただく取組({n}件):"}
MEASURES_HEADING_DEFAULT = "未提出の取組({n}件):"
MEASURE_LINE = "・No.{no} {title}"
STATE_MARK = {"draft": "(下書きあり)", "returned": "(差戻し: 修正のうえ再提出をお願いします)"}
MORE_MEASURES = "・ほか{n}件"
DRAFT_NOTE = "下書きのまま提出されていない取組があります({nos})。続きから入力して提出をお願いします。"
HOW_TO = "下のボタン、または「報告 {no}」のように送ると報告を始められます。"
HOW_TO_MORE = "ボタンにない取組は「報告 番号」と送ってください。"
CHOICE_LABEL = "No.{no}を報告"
CHOICE_VALUE = "報告 {no}"  # the command a choice sends back (bot.reporting.handler reads it)
REPORT_COMMAND = "報告"

# --- digest --------------------------------------------------------------------------------------

DIGEST_HEADING = "【週次ダイジェスト】{fy} 実施結果の報告状況({day}時点)"
DIGEST_PERIOD = "報告期間: {year}年{open}〜{deadline}(締切)"
DIGEST_OVERALL = "回答率: {rate}({submitted:,}/{total:,}件)、提出済みの課 {done:,}/{depts:,}課"
DIGEST_APPROVAL = ("承認率: {rate}(承認済 {approved:,}件・提出済(承認待ち) {submitted:,}件・"
                   "差戻し(修正待ち) {returned:,}件)")
DIGEST_NEW = "前回のダイジェスト以降に提出された報告: {n}件"
DIGEST_NEW_LINE = "・No.{no} {department}"
DIGEST_NONE_NEW = "前回のダイジェスト以降に提出された報告はありません。"
DIGEST_DEPTS_HEADING = "課ごとの回答率(低い順):"
DIGEST_DEPT_LINE = "{i}. {name} {rate}({submitted}/{total}件){extra}"
DIGEST_DEPT_DRAFTS = " 下書き{n}件"
DIGEST_DEPT_RETURNED = " 差戻し{n}件"
DIGEST_DEPT_UNREACHABLE = " ※連絡先未登録"
DIGEST_DEPTS_DONE = "すべての取組を提出済みの課: {n}課"
DIGEST_DEPTS_MORE = "ほか{n}課(一覧は `kaikaku digest --dry-run` で表示できます)"
DIGEST_NUMERIC_HEADING = "数値目標の実績({n}件):"
DIGEST_NUMERIC_LINE = "・No.{no} {metric}: 実績 {actual} / 目標 {target} → 達成率 {rate}{met}"
DIGEST_NUMERIC_PENDING = "・No.{no} {metric}: 目標 {target}(実績は未報告)"
DIGEST_NUMERIC_NO_RATE = "・No.{no} {metric}: 実績 {actual} / 目標 {target}{met}"
DIGEST_MET = {True: "(達成)", False: "(未達成)", None: ""}
DIGEST_MET_NO_RATE = {True: " → 達成", False: " → 未達成", None: ""}
DIGEST_OVERDUE_HEADING = "締切を過ぎても未提出の課({n}課。管理職の方へ督促しました):"
DIGEST_OVERDUE_LINE = "・{name}: {nos}"
DIGEST_UNREACHABLE_HEADING = "連絡先が登録されていないため通知が届かない課({n}課):"
DIGEST_UNREACHABLE_HINT = "`kaikaku members invite --department 課名` で登録コードを発行できます。"
DIGEST_UNASSIGNED_HEADING = "担当課が未設定の取組({n}件。報告の依頼が送られていません):"
DIGEST_UNASSIGNED_LINE = "・No.{no} {title}"
DIGEST_UNASSIGNED_HINT = "`kaikaku catalog assign` で担当課を設定してください。"
DIGEST_LINE_USAGE = "LINEのプッシュ送信({month}): {sent:,}通 / 上限 {budget:,}通(残り {left:,}通)"
DIGEST_LINE_REFUSED = "上限のため送れなかった通知: {n:,}通"
DIGEST_LINE_REROUTED = "LINEの上限のため他の手段で届けた通知: {n}件"
DIGEST_LINE_LOST = "LINEの上限のため届けられなかった通知: {n}件({who})"
DIGEST_LINE_LOW = "今月の残りが少なくなっています。上限の見直しをご検討ください。"
DIGEST_NUMERIC_PENDING = "実績が未報告: {nos}"
DIGEST_MORE = "ほか{n}件"
DIGEST_CHART_ALT = "{fy} 報告状況のグラフ(未回答件数の推移、対応が残っている課、数値目標の達成率)"

# The digest's chart (bot/clock/digest_chart.py)
CHART_TITLE = "{fy} 実施結果の報告状況 {day}時点 — 回答率 {rate}({done:,} / {total:,} 件)"
CHART_TREND_TITLE = "未回答件数の推移"
CHART_OPEN = "未回答(実績)"
CHART_IDEAL = "締切に間に合う目安"
CHART_OPEN_NOW = "未回答 {n}件"
CHART_DEADLINE = "締切 {day}"
CHART_DEPARTMENTS_TITLE = "対応が残っている課"
CHART_OPEN_OF = "残り {open} / {total}"
CHART_ITEMS = "取組の件数"
CHART_MORE = "(ほか {n} 課は本文に)"
CHART_ALL_IN = "全課の報告が届いています"
CHART_NUMERIC_TITLE = "数値目標の達成率(報告 {reported} / {total} 取組)"
CHART_NO_ACTUALS = "数値目標の実績はまだ報告されていません\n(数値目標のある取組 {n} 件)"
CHART_MET = "目標達成"
CHART_NOT_MET = "未達成"
CHART_RATE_AXIS = "達成率 = 実績 ÷ 目標(%)、縦線が目標"
CHART_MORE_TARGETS = "(ほか {n} 件は本文に)"
