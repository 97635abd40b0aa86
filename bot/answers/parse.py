"""From a question as people type it to a `Question`.

Pure: no I/O. It reads the catalog snapshot (department names) and "today" from its arguments.
The text is NFKC-normalised first, so full-width letters and digits (`Ｎｏ．３４`), `№` and `？`
read like ASCII. Matching is by small word lists, not by a model: the plan's vocabulary is small
and a wrong reading is worse than a question back.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from bot.answers.catalog_view import CatalogView
from bot.answers.intent import Kind, Question, Topic
from bot.japanese.fiscal_year import FiscalYear, find_fiscal_year
from bot.japanese.numbers import NumberParseError, parse_quantity

# --- normalisation -------------------------------------------------------------------------------

_MENTION = re.compile(r"<@[^>]+>|^@\S+\s+")  # a chat mention of the bot before the question
_SPELLINGS = (("取り組み", "取組"), ("取組み", "取組"), ("取り組", "取組"), ("目指す姿", "めざす姿"))


def normalize(text: str) -> str:
    """NFKC, one spelling of 取組 and めざす姿, single spaces, no trailing question marks."""
    text = _MENTION.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    for variant, canonical in _SPELLINGS:
        text = text.replace(variant, canonical)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip("?!。. ").strip()


# --- measure numbers -----------------------------------------------------------------------------

_MORE = r"((?:\s*(?:[、,・&]|と|および|及び)\s*(?:no\.?\s*)?\d{1,4})*)"
_EXPLICIT_NO = re.compile(
    r"(?<![a-z])no\s*[.:]?\s*(\d{1,4})" + _MORE
    + r"|#\s*(\d{1,4})"
    + r"|第\s*(\d{1,4})\s*号"
    + r"|(?<![\d.,])(\d{1,4})\s*番"
    + r"|(?:取組|施策)\s*(?:no\.?)?\s*(\d{1,4})(?![\d.,])",
    re.IGNORECASE,
)
_UNIT_AFTER = r"(?!\s*(?:名|件|人|%|円|千円|万|億|年|月|日|t|kg|地区|世帯|団体|回|時間|か所|箇所|校|歳|割|倍))"
_BARE_NO = re.compile(r"(?<![\d.,])(\d{1,4})(?![\d.,])" + _UNIT_AFTER)

# --- fiscal years: the spans are removed before numbers are read; each is read by find_fiscal_year
_RELATIVE_FY = "一昨年度|再来年度|今年度|本年度|当年度|昨年度|前年度|来年度|次年度|翌年度"
_FY_SPAN = re.compile(
    r"(?:令和|平成)\s*(?:元|\d{1,2})\s*(?:年度|年(?!\s*\d))?"
    r"|(?<![a-z0-9])[rh]\s*\d{1,2}(?![\d./-])(?:\s*年度)?"
    r"|(?<![a-z0-9])fy\s*\d{4}"
    r"|(?<![\d,.])\d{4}\s*年度"
    rf"|{_RELATIVE_FY}",
    re.IGNORECASE,
)
_ALL_YEARS = re.compile(r"全年度|各年度|年度別|年度ごと|毎年度|毎年|推移|全期間|計画期間")

# --- what is asked -------------------------------------------------------------------------------

_KIND_WORDS: dict[str, Kind] = {
    **dict.fromkeys(
        ["進捗", "実績", "結果", "状況", "達成", "成果", "進み具合", "どうなって", "どうなった", "どこまで",
         "報告内容", "報告済", "提出済", "報告され", "報告は"],
        Kind.RESULTS,
    ),
    **dict.fromkeys(["数値目標", "目標値", "目標", "ノルマ"], Kind.TARGET),
    **dict.fromkeys(
        ["担当課", "担当部署", "担当者", "担当", "所管", "どこの課", "どこが", "どこ", "誰が", "だれが", "部署", "主管課"],
        Kind.OWNERS,
    ),
    **dict.fromkeys(["実施計画", "計画", "予定", "スケジュール", "やること", "何をする", "何をやる"], Kind.PLAN),
    **dict.fromkeys(
        ["について", "概要", "とは", "内容", "詳細", "説明", "めざす姿", "どんな", "何"], Kind.OVERVIEW
    ),
}
_KIND_PATTERN = re.compile("|".join(sorted(map(re.escape, _KIND_WORDS), key=len, reverse=True)))
_TREND = re.compile(r"推移|経年|年度ごとの実績|年度別の実績|各年度の実績|これまでの実績|過去の実績|実績の変化")
_LIST_WORDS = re.compile(r"取組|施策|一覧|リスト|担当して|持って|やって|抱えて|所管して")
_STATUS = re.compile(
    r"未提出|未報告|未回答|出していない|出してない|提出していない|提出してない|報告していない|報告してない"
    r"|まだの課|提出状況|報告状況|回答状況|回収状況|提出率|報告率|回答率|回収率|全体の(?:進捗|状況)|集計状況"
    r"|全体|全庁"
)
_NUMERIC = re.compile(r"数値目標")
_OWN_DEPARTMENT = re.compile(r"うちの課|自分の課|私の課|わたしの課|僕の課|(?<!担)当課|自課|うちの部署|所属課|うちの")
_FORCED_SEARCH = re.compile(r"「([^」]+)」|『([^』]+)』|^検索\s*(.+)$|^(.+?)\s*を?検索$")
_FLUFF = re.compile(
    r"(?:を|が|は)?(?:教えて|おしえて|知りたい|見せて|みせて|表示して|調べて|探して)(?:ください|下さい|くれ|ほしい|欲しい)?"
    r"|について|に関する|に関して|に係る|にかかる|関連の|関連|関係の"
    r"|(?:は|が|って)?(?:ありますか|あります|あるか|ある|いくつ|何件|ですか|ますか|でしょうか|だっけ|かな|なの)"
    r"|ください|下さい|なっている|なってる|なって|いますか|どう|どの|どれ|全部|すべて|全て"
)
_PARTICLES = re.compile(r"[のはがでをにもへ]|[\s、,・/()\[\]「」『』:;]+")
_STOPWORDS = frozenset(
    ["ます", "です", "する", "した", "して", "いる", "ある", "こと", "もの", "これ", "それ", "なに", "課", "室",
     "さん", "よろしく", "お願い", "おねがい", "ありがとう", "年度", "今", "まだ"]
)
_LEFTOVER_KANA = frozenset(
    ["よね", "かな", "だよ", "です", "ます", "ですか", "って", "とか", "など", "けど", "ねえ", "よろ", "いる", "なる", "する"]
)
_DEPARTMENT_SUFFIX = re.compile(r"(?:事務局|課|室|局)$")
_MAX_DEPARTMENTS_FOR_A_WORD = 3  # a word in more names (推進, 政策) is not a department


# The round itself: its deadline, opening, days left.
_ROUND = re.compile(
    r"締め?切り?|〆切り?|しめきり|提出期限|報告期限|期限|いつまで|いつから|受付期間|報告期間|提出期間"
    r"|あと何日|残り何日|何日まで"
)
_REPORTER = re.compile(r"(?:誰|だれ)が.*(?:報告|提出|入力)|報告者|提出者|(?:報告|提出)した(?:人|方|の)(?:は|って)?(?:誰|だれ)")
_ACHIEVED = re.compile(r"(?P<not>未達成|達成していない|達成してない|達成できていない|達成できなかった)|達成した|達成済|達成できた")
# Words of a question about something else (金沢市長は誰?): declined when nothing in the plan holds it.
_OFF_TOPIC = re.compile(r"誰|だれ|いつ|なぜ|どうして|何時|天気|いくら|どこ|美味しい|おいしい|おすすめ")
_QUANTITY = re.compile(r"[△▲\-−]?\s*(?:約)?\s*[\d,.]+\s*\S{0,4}")

# A greeting or thanks is not a search for "こん": answer it with the short help.
_GREETING = re.compile(
    r"(?:こんにちは|こんばんは|おはよう(?:ございます)?|お疲れ様です|おつかれさまです|"
    r"ありがとう(?:ございます|ございました)?|よろしく(?:お願いします)?|はじめまして|"
    r"hi|hello|hey|thanks?(?: you)?)[!.。!?? ]*",
    re.IGNORECASE,
)


def parse(text: str, view: CatalogView, today: datetime) -> Question:
    """Read one question. Never raises: what it cannot read becomes `Topic.UNKNOWN`."""
    t = normalize(text)
    if not t:
        return Question(Topic.UNKNOWN)
    if _GREETING.fullmatch(t):
        return Question(Topic.GREETING)
    forced = _forced_search(t)
    fys, rest = _fiscal_years(t, view, today)
    if forced is not None:
        return Question(Topic.SEARCH, keyword=forced, fys=fys)
    if _ROUND.search(rest):
        return Question(Topic.ROUND, fys=fys)
    if _is_quantity(t):
        return Question(Topic.NUMBER_ONLY, keyword=t)
    kinds = _kinds(rest)
    if _TREND.search(t) and set(kinds) <= {Kind.RESULTS}:  # 推移, 実績の推移; not 目標の推移
        kinds = (Kind.TREND,)
    numbers, rest_no_numbers = _explicit_numbers(rest)
    if numbers:
        if _REPORTER.search(rest_no_numbers):
            return Question(Topic.MEASURE, (Kind.REPORTER,), numbers=numbers, fys=fys)
        return Question(Topic.MEASURE, _measure_kinds(kinds), numbers=numbers, fys=fys)
    achieved = _ACHIEVED.search(rest_no_numbers)
    if achieved and not _full_department_names(rest_no_numbers, view):
        own = bool(_OWN_DEPARTMENT.search(rest_no_numbers))
        return Question(Topic.ACHIEVEMENT, (Kind.RESULTS,), fys=fys, own_department=own,
                        achieved=achieved.group("not") is None)
    bare = _BARE_NO.findall(rest_no_numbers)
    content_words = _content(rest_no_numbers)
    if len(bare) == 1 and not content_words:
        no = int(bare[0])
        if kinds or re.search(r"\d\s*(?:の|は|って)", rest_no_numbers):
            return Question(Topic.MEASURE, _measure_kinds(kinds), numbers=(no,), fys=fys)
        return Question(Topic.AMBIGUOUS_NUMBER, numbers=(no,), fys=fys)
    return _without_number(rest_no_numbers, kinds, fys, view)


def _without_number(t: str, kinds: tuple[Kind, ...], fys: tuple[FiscalYear, ...], view: CatalogView) -> Question:
    full = _full_department_names(t, view)
    status = bool(_STATUS.search(t))
    if full:
        return Question(Topic.DEPARTMENT, _department_kinds(kinds, status), fys=fys, departments=full)
    if _OWN_DEPARTMENT.search(t):
        return Question(Topic.DEPARTMENT, _department_kinds(kinds, status), fys=fys, own_department=True)
    words = _content(_OWN_DEPARTMENT.sub(" ", t))
    if status and not words:
        return Question(Topic.STATUS, (Kind.RESULTS,), fys=fys)
    listing_targets = Kind.TARGET in kinds and bool(_LIST_WORDS.search(t))  # 目標一覧
    if (_NUMERIC.search(t) or listing_targets) and not words:
        results = Kind.RESULTS in kinds
        return Question(Topic.NUMERIC, (Kind.RESULTS,) if results else (Kind.TARGET,), fys=fys)
    if words:
        partial = _partial_departments(words[0], view)
        has_context = bool(kinds) or bool(_LIST_WORDS.search(t))
        if partial and has_context and len(words) == 1:
            topic = Topic.DEPARTMENT if len(partial) == 1 else Topic.AMBIGUOUS_DEPARTMENT
            return Question(topic, _department_kinds(kinds, status), fys=fys, departments=partial, keyword=words[0])
        keyword = " ".join(words)
        if not partial and len(words) == 1 and _DEPARTMENT_SUFFIX.search(words[0]):
            close = _close_departments(words[0], view)
            if close:
                return Question(Topic.DID_YOU_MEAN, _department_kinds(kinds, status), fys=fys,
                                departments=close, keyword=words[0])
        if _OFF_TOPIC.search(t) and not view.index.exact(keyword):
            return Question(Topic.DECLINE, keyword=t)
        if partial and len(words) == 1:
            # "危機管理" alone: a department, or a word to search for; the dispatcher decides.
            return Question(Topic.AMBIGUOUS_DEPARTMENT, kinds, fys=fys, departments=partial, keyword=keyword)
        return Question(Topic.SEARCH, _search_kinds(kinds), fys=fys, keyword=keyword)
    if Kind.RESULTS in kinds:
        return Question(Topic.STATUS, (Kind.RESULTS,), fys=fys, own_department=True)
    if kinds:
        return Question(Topic.NEED_MEASURE, kinds, fys=fys)
    return Question(Topic.UNKNOWN, fys=fys)


# --- pieces --------------------------------------------------------------------------------------


def _forced_search(t: str) -> str | None:
    match = _FORCED_SEARCH.search(t)
    if match is None:
        return None
    word = next(g for g in match.groups() if g is not None).strip()
    return word or None


def _fiscal_years(t: str, view: CatalogView, today: datetime) -> tuple[tuple[FiscalYear, ...], str]:
    """The fiscal years asked (in order, no repeats) and the text without them."""
    found: list[FiscalYear] = []
    for match in _FY_SPAN.finditer(t):
        fy = find_fiscal_year(match.group(0), today)
        if fy is not None and fy not in found:
            found.append(fy)
    if not found:
        fy = find_fiscal_year(t, today)
        if fy is not None:
            found.append(fy)
    rest = _FY_SPAN.sub(" ", t)
    if _ALL_YEARS.search(rest) and view.measures:
        found = [FiscalYear(y) for y in range(view.first_fy, view.last_fy + 1)]
        rest = _ALL_YEARS.sub(" ", rest)
    elif len(found) == 2 and re.search(r"(?:〜|~|から|-)", t):
        low, high = sorted(f.year for f in found)
        found = [FiscalYear(y) for y in range(low, high + 1)]
    return tuple(found), rest


def _kinds(t: str) -> tuple[Kind, ...]:
    kinds: list[Kind] = []
    for match in _KIND_PATTERN.finditer(t):
        kind = _KIND_WORDS[match.group(0)]
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def _measure_kinds(kinds: tuple[Kind, ...]) -> tuple[Kind, ...]:
    """Results include the target and the plan's year; an overview is only asked alone."""
    out = list(kinds)
    if Kind.RESULTS in out:
        out = [k for k in out if k not in (Kind.TARGET, Kind.PLAN)]
    if len(out) > 1:
        out = [k for k in out if k is not Kind.OVERVIEW]
    return tuple(out) or (Kind.OVERVIEW,)


def _department_kinds(kinds: tuple[Kind, ...], status: bool) -> tuple[Kind, ...]:
    if status or Kind.RESULTS in kinds:
        return (Kind.RESULTS,)
    for kind in (Kind.TARGET, Kind.PLAN):
        if kind in kinds:
            return (kind,)
    return (Kind.OVERVIEW,)


def _search_kinds(kinds: tuple[Kind, ...]) -> tuple[Kind, ...]:
    return _measure_kinds(kinds) if kinds else ()


def _explicit_numbers(t: str) -> tuple[tuple[int, ...], str]:
    numbers: list[int] = []
    for match in _EXPLICIT_NO.finditer(t):
        first = next(g for g in match.groups()[:1] + match.groups()[2:] if g is not None)
        more = re.findall(r"\d{1,4}", match.group(2) or "")
        for n in [first, *more]:
            if int(n) not in numbers:
                numbers.append(int(n))
    return tuple(numbers), _EXPLICIT_NO.sub(" ", t)


def _content(t: str) -> list[str]:
    """The words left when the question's frame is taken away: what to search for."""
    t = _STATUS.sub(" ", t)
    t = _NUMERIC.sub(" ", t)
    t = _KIND_PATTERN.sub(" ", t)
    t = _LIST_WORDS.sub(" ", t)
    t = _FLUFF.sub(" ", t)
    t = _BARE_NO.sub(" ", t)
    words = []
    for word in _PARTICLES.split(t):
        word = word.strip("?!。.-〜~ ")
        if _is_content(word) and word not in words:
            words.append(word)
    return words


def _is_content(word: str) -> bool:
    if word in _STOPWORDS or not word:
        return False
    if re.fullmatch(r"[\d.,%]+", word):
        return False
    return len(word) >= 2 and word not in _LEFTOVER_KANA


def _full_department_names(t: str, view: CatalogView) -> tuple[str, ...]:
    """Departments named in full (or by a known alias), in the order they appear."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    names = sorted([*view.departments, *view.aliases], key=len, reverse=True)
    for name in names:
        start = t.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(s < end and start < e for s, e in taken):
                canonical = view.canonical_department(name)
                if canonical is not None:
                    found.append((start, canonical))
                    taken.append((start, end))
            start = t.find(name, end)
    return _unique(name for _, name in sorted(found))


def _partial_departments(word: str, view: CatalogView) -> tuple[str, ...]:
    """Departments whose name holds the word (`危機管理` → 危機管理課), if the word is specific."""
    if len(word) < 2:
        return ()
    bare = _DEPARTMENT_SUFFIX.sub("", word) or word
    hits = [name for name in view.by_department if bare in name] or [
        name for name in view.departments if bare in name
    ]
    if len(hits) > _MAX_DEPARTMENTS_FOR_A_WORD:
        return ()
    return tuple(sorted(hits, key=lambda n: (not n.startswith(bare), n)))


def _close_departments(word: str, view: CatalogView) -> tuple[str, ...]:
    """Department names a misspelled one probably meant (危機管里課 → 危機管理課), best first."""
    if word in view.departments or word in view.aliases:
        return ()
    return tuple(difflib.get_close_matches(word, list(view.departments), n=3, cutoff=0.6))


def _is_quantity(t: str) -> bool:
    """A figure typed alone (1,652名, 8億円, 97%): not a measure number, not a question."""
    if not _QUANTITY.fullmatch(t) or re.fullmatch(r"\d{1,4}", t) or re.search(r"[のはをがにで番号第#]", t):
        return False
    try:
        quantity = parse_quantity(t)
    except NumberParseError:
        return False
    return quantity.unit is not None or bool(re.search(r"[,.]", t))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return tuple(out)
