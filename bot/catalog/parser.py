"""Parse the plan document (text extracted from the plan PDF) into catalog entries.

The document is a sequence of measure blocks, one per measure, under 方針 headings (``# ■ 方針1
…``) and ①② sub-headings. A block is a run of tab-separated rows::

    No.N    title … 【数値目標】 … departments
    概要     summary cells …
    めざす姿  vision cells …
    関連計画  related plans … 確保する 行政資源  ヒト ○ カネ … モノ … 情報 …
            令和5年度  令和6年度  令和7年度  令和8年度
    実施計画  R5 cell   R6 cell   R7 cell   R8 cell        (and continuation rows)
    実施結果

The extraction is damaged: cells are split, repeated or shifted, words are cut at cell edges with
the edge character repeated, HTML tags and OCR glyph swaps are mixed in. The parser repairs what it
can with rules that do not depend on this particular document (no measure numbers, no titles), and
reports per measure what it could not read cleanly. The reviewed catalog stays the source of
truth; the parser output is a draft for it and a way to read the next plan of the same format.

Public API: :func:`parse_plan`, :class:`ParseResult`, :class:`NotAPlanError`,
:func:`diff_against`, :data:`GLYPH_FIXES`.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bot.catalog.schema import FY_KEYS, Correction, Direction, MeasureEntry, Resource, Target

__all__ = ["GLYPH_FIXES", "NotAPlanError", "ParseResult", "diff_against", "parse_plan"]

#: OCR glyph swaps seen in extracted plan documents: characters (or pairs) that do not occur in
#: Japanese administrative text, mapped to what they stand for. Applied to every cell.
GLYPH_FIXES: dict[str, str] = {
    "ŧΙ": "モノ",  # Latin t-stroke + Greek iota
    "ŧノ": "モノ",
    "ŧ": "モ",
    "力ネ": "カネ",  # kanji 力 for katakana カ
    "仓": "危",  # simplified form in 危機管理課
    "劦": "協",  # 協働
    "设": "設",  # simplified 設
    "课": "課",  # simplified 課
    "ΑI": "AI",  # Greek capital alpha
}

#: Department names end with one of these.
DEPARTMENT_SUFFIXES = ("課", "室", "局", "センター")

_LABELS = {
    "概要": "summary",
    "めざす姿": "vision",
    "関連計画": "related",
    "実施計画": "plans",
    "実施結果": "results",
}
_RESOURCES: tuple[Resource, ...] = ("ヒト", "カネ", "モノ", "情報")
_MARKS = {"0", "○", "〇", "◯", "O", "o", "О", "①", "🔾", "◎", "●"}
_DASHES = {"-", "‐", "−", "－", "ー", "一", "_", "―"}
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
# Endings after which a plan cell is a complete phrase (general administrative vocabulary).
_COMPLETE_ENDINGS = (
    "実施", "検討", "運用", "開催", "推進", "拡充", "導入", "構築", "策定", "開始", "継続", "更新",
    "促進", "設置", "支援", "整備", "参加", "発信", "公開", "育成", "公募", "管理", "工事", "設計",
    "決定", "締結", "充実", "選定", "実験", "活用", "見直し", "連携", "検証", "把握", "周知",
    ")", "）", "件", "名", "%", "人", "地区", "世帯", "団体", "円", "未満", "以下", "まで",
)  # fmt: skip
_NON_INITIAL = set(")）、。,，.ー～〜%％」』】ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ")
_CONTINUED_RE = re.compile(r"[(（「『【・、]$")


class NotAPlanError(ValueError):
    """The text is not a plan document of the supported format."""


@dataclass
class ParseResult:
    """What :func:`parse_plan` read.

    ``warnings`` maps a measure number to short descriptions of what could not be read cleanly;
    key 0 holds warnings about the document as a whole. ``repeats`` lists the titles of the
    【再掲】 blocks (repeats of a measure under another heading, not measures of their own).
    ``fiscal_years`` are the keys of ``plans`` (``R5``..``R8`` for this plan; the next plan's
    table headers give its own).
    """

    measures: list[MeasureEntry] = field(default_factory=list)
    warnings: dict[int, list[str]] = field(default_factory=dict)
    repeats: list[str] = field(default_factory=list)
    fiscal_years: tuple[str, ...] = FY_KEYS  # the plan's year keys, read from its table headers


# --------------------------------------------------------------------------------------------
# Text helpers


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" and ch != "・"


def _is_hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def _is_kanji(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch in "々〆"


def _is_jp(ch: str) -> bool:
    """A Japanese letter: kanji, kana or the long-vowel mark."""
    return _is_kanji(ch) or _is_kana(ch)


def _has_jp(text: str) -> bool:
    return any(_is_jp(c) for c in text)


def _strip_tags(text: str) -> str:
    """Remove HTML tags; superscripts are OCR noise, list items become lines."""
    text = re.sub(r"<(sup|sub)\b[^>]*>.*?</\1\s*>", "", text, flags=re.S | re.I)
    if len(re.findall(r"<li\b", text, flags=re.I)) > 1:
        text = re.sub(r"<li\b[^>]*>\s*(?![・·])", "<li>・", text, flags=re.I)
    text = re.sub(r"</li>\s*<li\b[^>]*>", "\n", text, flags=re.I)
    text = re.sub(r"<[^<>]{1,40}>", "", text)
    text = text.replace("$\\circ$", "○")
    return re.sub(r"\$\\?[A-Za-z]{1,12}\$", "", text)


def _fix_glyphs(text: str) -> str:
    for bad in sorted(GLYPH_FIXES, key=len, reverse=True):
        text = text.replace(bad, GLYPH_FIXES[bad])
    return text


def _clean(cell: str) -> str:
    """One cell as text: tags stripped, glyphs fixed, spaces collapsed (line breaks kept)."""
    text = _fix_glyphs(_strip_tags(cell)).replace("\u3000", " ")
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _nospace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_noise(text: str) -> bool:
    """A cell that carries no words: stray digits, marks, Latin letters, punctuation."""
    t = _nospace(text)
    if not t:
        return True
    if _has_jp(t):
        return False
    if re.fullmatch(r"\d[\d,.]*\s*[%％]", t):
        return False
    return len(t) <= 3 or not re.search(r"[A-Za-z]{2,}|\d{2,}", t)


# --------------------------------------------------------------------------------------------
# A corpus of the document's own words, to check joins of split fragments


def _grams(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for piece in re.split(r"\s+", text):
        for n in range(1, 6):
            counts.update(piece[i : i + n] for i in range(len(piece) - n + 1))
    return counts


@dataclass(frozen=True)
class _Corpus:
    """The n-grams (1..5 characters) occurring inside the document's cells.

    ``without(cells)`` gives a view that ignores some cells (the fragments being joined, so that
    a damaged fragment does not vouch for itself).
    """

    text: str
    counts: Counter[str]
    excluded: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, pieces: Iterable[str]) -> _Corpus:
        text = "\n".join(p for p in pieces if p)
        return cls(text, _grams(text))

    def without(self, cells: Iterable[str]) -> _Corpus:
        return _Corpus(self.text, self.counts, _grams("\n".join(cells)))

    def has(self, gram: str) -> bool:
        return self.counts[gram] > self.excluded[gram]

    def support(self, text: str, lo: int, hi: int) -> int:
        """Weighted count of corpus n-grams of ``text`` covering positions ``lo`` .. ``hi``."""
        score = 0
        for n in range(2, 6):
            for start in range(max(0, hi - n + 1), min(lo, len(text) - n) + 1):
                gram = text[start : start + n]
                if not re.search(r"\s", gram) and self.has(gram):
                    score += n - 1
        return score

    def substitute(self, left: str, right: str) -> str | None:
        """The character the corpus most often has between ``left`` and ``right``."""
        if not left or not right:
            return None
        found = re.findall(re.escape(left) + r"(\S)" + re.escape(right), self.text)
        found = [c for c in found if (_is_jp(c) or c in "、") and self.has(left[-1:] + c + right[:1])]
        return Counter(found).most_common(1)[0][0] if found else None


# --------------------------------------------------------------------------------------------
# Joining fragments of text split across cells


def _overlap(a: str, b: str) -> int:
    """Length of the longest suffix of ``a`` that is a prefix of ``b`` (not digits only)."""
    for k in range(min(len(a), len(b)), 0, -1):
        if a.endswith(b[:k]) and not b[:k].isdigit():
            return k
    return 0


def _normalise_dash(text: str) -> str:
    return re.sub(r"^[-‐−]", "ー", text)


def _restart_merge(a: str, b: str) -> str | None:
    """``b`` repeats ``a`` (start damaged) and goes on: keep ``a``'s start and ``b``'s end."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    i, j, size = matcher.find_longest_match(0, len(a), 0, len(b))
    if size < 4 or size < 0.5 * min(len(a), len(b)):
        return None
    if len(a) - (i + size) > 2 or j > 3:
        return None
    return a[: i + size] + b[j + size :]


def _substitutions(a: str, b: str, corpus: _Corpus) -> list[tuple[int, str, str]]:
    """Joins where a damaged edge character is replaced by what the document has there.

    Variants: ``b``'s first character replaced, ``a``'s last replaced, or both read as one
    character. Each is scored by how much context matched and how well the result is attested;
    an edge that itself reads as a word is not replaced.
    """
    out: list[tuple[int, str, str]] = []
    a_ok, b_ok = corpus.has(a[-2:]), corpus.has(b[:2])
    variants = (
        (not b_ok, a, b[1:], b[:1]),
        (not a_ok, a[:-1], b, a[-1:]),
        (not (a_ok and b_ok), a[:-1], b[1:], a[-1:] + b[:1]),
    )
    for rank, (damaged, head, tail, replaced) in enumerate(variants):
        if not damaged or any(_is_hiragana(c) for c in replaced):
            continue  # an edge that reads as a word, or a particle, is kept as is
        for left_n, right_n in ((3, 2), (2, 3), (2, 2), (3, 1), (1, 3), (2, 1), (1, 2), (1, 1)):
            left, right = head[-left_n:], tail[:right_n]
            if len(left) < left_n or len(right) < right_n:
                continue
            x = corpus.substitute(left, right)
            if x:
                text = head + x + tail
                score = 2 * (left_n + right_n) + corpus.support(text, len(head), len(head)) - rank
                out.append((score, text, f"read '{replaced}' as '{x}'"))
                break
    return out


@dataclass(frozen=True)
class _Mode:
    """How boldly fragments of one kind of text are repaired when joined."""

    min_repeat: int  # shortest fragment dropped as a repeat of text already read
    drop_support: int | None  # corpus support a dropped edge character needs; None: no drops
    substitutions: bool


_TITLE = _Mode(min_repeat=2, drop_support=0, substitutions=True)
_PLAN = _Mode(min_repeat=8, drop_support=1, substitutions=False)
_PROSE = _Mode(min_repeat=8, drop_support=3, substitutions=False)
_NAME = _Mode(min_repeat=3, drop_support=None, substitutions=False)


def _drops(a: str, b: str, corpus: _Corpus, min_support: int) -> list[tuple[int, str, str]]:
    """Joins without one edge character (a damaged repeat of its neighbour), with scores.

    Dropping is likelier right when the edge does not read as a word, and when the character
    occurs nowhere else in the document (an OCR glyph of its own). Only letters are dropped, and
    a line-final kana only when the next line also starts with one (a repeated particle).
    """
    cut = len(a)
    out: list[tuple[int, str, str]] = []
    if len(b) > 1 and _is_jp(b[0]):
        text = a + b[1:]
        support = corpus.support(text, cut - 1, cut)
        bonus = (0 if corpus.has(b[:2]) else 3) + (0 if corpus.has(b[0]) else 2)
        if support >= min_support:
            out.append((support + bonus, text, f"dropped '{b[0]}'"))
    if len(a) > 1 and _is_jp(a[-1]) and (not _is_hiragana(a[-1]) or _is_hiragana(b[0])):
        text = a[:-1] + b
        support = corpus.support(text, cut - 2, cut - 1)
        bonus = (0 if corpus.has(a[-2:]) else 3) + (0 if corpus.has(a[-1]) else 2)
        if support >= min_support:
            out.append((support + bonus, text, f"dropped '{a[-1]}'"))
    return out


def _boundary(a: str, b: str, corpus: _Corpus, mode: _Mode) -> tuple[str, str | None]:
    """Join ``a`` + ``b`` where a cell edge may have damaged or repeated one character.

    Candidates: as is, without ``b``'s first character, without ``a``'s last, or (titles) with a
    damaged edge character replaced by the one the document has between the same neighbours. A
    candidate replaces the plain join only when the plain join is not the document's wording and
    the candidate is clearly supported by it.
    """
    plain = a + b
    if mode.drop_support is None or not a or not b or not (_is_jp(a[-1]) or _is_jp(b[0])):
        return plain, None
    if corpus.support(plain, len(a) - 1, len(a)) > 1:
        return plain, None  # the join reads as the document's own words
    tries = [(_drops(a, b, corpus, mode.drop_support), 6)]
    if mode.substitutions:
        tries.append((_substitutions(a, b, corpus), 9))
    for candidates, threshold in tries:
        if candidates:
            best = max(candidates, key=lambda c: c[0])
            if best[0] >= threshold:
                return best[1], f"'{a[-2:]}|{b[:2]}' {best[2]}"
    return plain, None


def _join_pair(a: str, b: str, corpus: _Corpus, mode: _Mode) -> tuple[str, str | None]:
    """Join two fragments: drop exact repeats, merge restarts, repair the edge."""
    b = _normalise_dash(b) if a.endswith("ー") else b
    if len(b) >= mode.min_repeat and b in a:
        return a, f"repeated fragment '{b}' dropped"
    if len(a) >= mode.min_repeat and a in b:
        return b, None
    k = _overlap(a, b)
    if k >= 2 or (k == 1 and (_is_jp(b[0]) or b[0] in "、。")):
        # A character repeated at a cell edge is the PDF's; keep a real double ('と|ともに').
        if k == 1 and corpus.support(a + b, len(a) - 1, len(a)) > corpus.support(
            a + b[1:], len(a) - 1, len(a)
        ):
            return a + b, None
        return a + b[k:], None
    restarted = _restart_merge(a, b)
    if restarted is not None:
        return restarted, "repeated fragments merged"
    return _boundary(a, b, corpus, mode)


def _join_fragments(frags: Sequence[str], corpus: _Corpus, mode: _Mode) -> tuple[str, list[str]]:
    """Join text fragments in reading order; return the text and notes on repairs."""
    text, notes = "", []
    for frag in frags:
        frag = frag.strip()
        if not frag:
            continue
        if not text:
            text = frag
            continue
        text, note = _join_pair(text, frag, corpus, mode)
        if note:
            notes.append(note)
    return text, notes


def _strip_lead_noise(frag: str) -> str:
    """Drop what cannot start a continued fragment: stray marks and symbols, a lone digit."""
    while frag and (unicodedata.category(frag[0])[0] == "S" or frag[0] in "·•†‡*=~^'\"`|]!"):
        frag = frag[1:].lstrip()
    frag = re.sub(r"^[-‐]\s+", "", frag)
    frag = re.sub(r"^\d{1,2}\s+(?=[^\d\s])", "", frag)
    return frag.strip()


def _strip_tail_noise(frag: str) -> str:
    frag = re.sub(r"\s+[^\s\u3040-\u9fff]{1,2}$", "", frag)
    frag = re.sub(r"(?<=[\u3040-\u9fff])[=|'\"`~^\]]+$", "", frag)
    frag = re.sub(r"[・…‥.]{3,}$", "", frag)
    return frag.strip()


def _close_wrap_spaces(text: str, corpus: _Corpus) -> str:
    """Remove a PDF line-wrap space inside a word (``誘導強 化`` → ``誘導強化``)."""

    def fix(m: re.Match[str]) -> str:
        pair = m.group(1) + m.group(2)
        return pair if corpus.has(pair) else m.group(0)

    text = re.sub(r"令\s*和\s*(\d{1,2})\s*年", r"令和\1年", text)
    text = re.sub(r"(?<![\d,.])(\d+) (?=[\u3040-\u30fa\u4e00-\u9fff])", r"\1", text)
    return re.sub(r"(?<=\S)([\u3040-\u30fa\u30fc-\u9fff]) ([\u3040-\u30fa\u30fc-\u9fff])", fix, text)


def _bullets_to_lines(text: str) -> str:
    text = re.sub(r"\s+(?=・)", "\n", text)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


# --------------------------------------------------------------------------------------------
# Document structure: rows, blocks, headings


@dataclass
class _Row:
    cells: list[str]  # cleaned cells, index 0 is the label column
    raw: list[str]  # the cells as they stand in the document

    @property
    def label(self) -> str:
        return _nospace(self.cells[0]) if self.cells else ""

    def values(self) -> list[tuple[int, str]]:
        """Non-empty cells after the label, with their column index."""
        return [(i, c) for i, c in enumerate(self.cells) if i > 0 and c]

    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


@dataclass
class _Block:
    no: int | None  # None for a 【再掲】 block
    rows: list[_Row]
    policy: str | None
    section: str | None


_NO_RE = re.compile(r"^\s*No\s*[.．]\s*(\d{1,3})\s*$", re.I)


def _title_no(cells: list[str]) -> tuple[bool, int | None]:
    """Whether a row opens a block, and its measure number (None for a 【再掲】 block)."""
    if not cells:
        return False, None
    m = _NO_RE.match(cells[0])
    if m:
        return True, int(m.group(1))
    if cells[0].strip() in _DASHES and "再掲" in "".join(cells[1:]):
        return True, None
    return False, None


def _heading(line: str) -> tuple[str, str] | None:
    """('policy' | 'section' | 'other', text) for a heading line, None otherwise."""
    if "\t" in line:
        return None
    text = _flat(_strip_tags(line.lstrip("#").strip()))
    if not text:
        return None
    if text.startswith("■") or re.match(r"^方針\s*\d", text):
        text = re.sub(r"方針\s+(\d)", r"方針\1", text.lstrip("■").strip())
        return "policy", text
    if text[0] in _CIRCLED:
        return "section", _nospace(text)
    if line.lstrip().startswith("#"):
        return "other", text
    return None


@dataclass
class _Headings:
    """Tracks the 方針 heading and ①② sub-heading measures stand under."""

    policy: str | None = None
    section: str | None = None
    last_section_no: int = 0

    def see(self, kind: str, text: str) -> None:
        """Take a heading line into account."""
        if kind == "policy":
            if text != self.policy:  # a repeated page header keeps the section
                self.policy, self.section, self.last_section_no = text, None, 0
        elif kind == "section":
            n = _CIRCLED.index(text[0]) + 1
            if n <= self.last_section_no:
                # The numbering restarts with no 方針 heading: the document lost one.
                self.policy = None
            self.section, self.last_section_no = text, n


def _split_blocks(text: str) -> list[_Block]:
    """The document's measure blocks (and 【再掲】 blocks) with the headings they stand under."""
    blocks: list[_Block] = []
    heads = _Headings()
    current: _Block | None = None
    for line in text.splitlines():
        head = _heading(line)
        if head is not None:
            heads.see(*head)
            current = None
            continue
        if "\t" not in line:
            continue
        raw = line.split("\t")
        row = _Row([_clean(c) for c in raw], raw)
        opens, no = _title_no(raw)
        if opens:
            current = _Block(no=no, rows=[row], policy=heads.policy, section=heads.section)
            blocks.append(current)
        elif current is not None:
            current.rows.append(row)
    return blocks


def _looks_like_block(block: _Block) -> bool:
    return any(_LABELS.get(row.label) for row in block.rows[1:])


# --------------------------------------------------------------------------------------------
# Block rows by field


_YEAR_RE = re.compile(r"令\s*和\s*(\d{1,2})\s*年|和\s*(\d{1,2})\s*年|(?<!\d)(\d{1,2})\s*年\s*度")


def _row_years(cell: str) -> list[int]:
    return [int(next(g for g in m.groups() if g)) for m in _YEAR_RE.finditer(cell)]


def _is_year_header(row: _Row) -> bool:
    """The 令和5年度 … 令和8年度 row heading the 実施計画 table (cells may be split or damaged)."""
    years = sum(len(_row_years(c)) for c in row.cells[1:])
    return years >= 2 or (years == 1 and "年度" in _nospace(row.text()))


@dataclass
class _Parts:
    title: _Row
    rows: dict[str, list[_Row]]
    header: _Row | None


def _label_of(row: _Row) -> str | None:
    label = row.label
    if label in _LABELS:
        return _LABELS[label]
    close = difflib.get_close_matches(label, list(_LABELS), n=1, cutoff=0.75) if label else []
    return _LABELS[close[0]] if close else None


def _sort_rows(block: _Block) -> _Parts:
    """Assign each row of a block to its field, using labels and the order of the rows."""
    rows: dict[str, list[_Row]] = {k: [] for k in ("summary", "vision", "related", "plans", "results")}
    header: _Row | None = None
    state = "title"
    for row in block.rows[1:]:
        label = _label_of(row)
        if label is None and header is None and state != "plans" and _is_year_header(row):
            header, state = row, "plans"
            continue
        if label is not None:
            state = label
        elif state == "title":
            state = "summary"  # an unreadable label right after the title row: 概要
        rows[state].append(row)
    return _Parts(title=block.rows[0], rows=rows, header=header)


# --------------------------------------------------------------------------------------------
# Title row: title, 【数値目標】, departments

_MARKER_RE = re.compile(r"【[^【】]{0,14}?】|【?\s*数\s*値\s*目\s*標\s*】?")


def _marker_span(text: str) -> tuple[int, int] | None:
    """Where the 【数値目標】 marker stands in the joined title row (tags may split it)."""
    for m in _MARKER_RE.finditer(text):
        inner = re.sub(r"[\s\x1f\x1e\d]", "", m.group(0))
        if "数値" in inner or "値目" in inner or "目標" in inner:
            return m.start(), m.end()
    return None


@dataclass
class _TitleRow:
    title_frags: list[str]
    dept_frags: list[str]
    dept_source: str  # the raw cells the departments were read from
    numeric_goal: bool


def _tokens(cells: list[str]) -> tuple[list[str], list[int]]:
    """Cells split on spaces (an empty cell becomes a gap marker ''), with each token's cell."""
    tokens: list[str] = []
    owners: list[int] = []
    for i, cell in enumerate(cells):
        words = _flat(cell).split(" ") if cell else [""]
        tokens.extend(words)
        owners.extend([i] * len(words))
    return tokens, owners


def _is_dept_end(token: str) -> bool:
    t = re.sub(r"[^\u3040-\u9fff、]", "", token).rstrip("、")
    return len(t) >= 2 and t.endswith(DEPARTMENT_SUFFIXES + ("ター",))


def _jp_len(text: str) -> int:
    return sum(1 for c in text if _is_jp(c))


def _dept_like(token: str, *, lenient: bool) -> bool:
    """Whether a token can be part of a department name (it has no title-like wording)."""
    if _is_dept_end(token) or token.endswith("、"):
        return True
    hiragana = any(_is_hiragana(c) for c in token)
    if lenient:
        return not (hiragana and _jp_len(token) > 7)
    return not hiragana and _jp_len(token) <= 6


def _dept_tail(tokens: list[str]) -> int:
    """Index where the departments start in a title row's tokens (len(tokens) when none).

    Departments stand at the right end of the row, usually after a run of empty cells; a name may
    be split over several cells ('デ', 'ジタル', '行政戦', '略課').
    """
    runs = [list(g) for k, g in itertools.groupby(range(len(tokens)), key=lambda i: bool(tokens[i])) if k]
    groups = [g for g in ([i for i in run if not _is_noise(tokens[i])] for run in runs) if g]
    if not groups:
        return len(tokens)
    last = groups[-1]
    if not _is_dept_end("".join(tokens[i] for i in last)):
        end = last[-1]
        # A short trailing fragment after the title (e.g. '障:') is a damaged department.
        if (len(groups) > 1 or len(last) > 1) and _jp_len(tokens[end]) <= 2:
            return end
        return len(tokens)
    lenient = len(groups) > 1
    start = last[-1]
    for i in reversed(last[:-1]):
        if not _dept_like(tokens[i], lenient=lenient):
            break
        start = i
    if not lenient and start == last[0]:
        return last[-1] if len(last) > 1 else len(tokens)
    return start


def _marker_cut(tokens: list[str]) -> tuple[int, int] | None:
    """Token range of the 【数値目標】 marker (it may be split over tokens and cells)."""
    offsets, pos = [], 0
    for t in tokens:
        offsets.append(pos)
        pos += len(t) + 1
    joined = "\x1f".join(t if t else "\x1e" for t in tokens)
    span = _marker_span(joined)
    if span is None:
        return None
    first = max(i for i, o in enumerate(offsets) if o <= span[0])
    last = max(i for i, o in enumerate(offsets) if o < span[1])
    return first, last


def _read_title_row(row: _Row) -> _TitleRow:
    """Split a title row into title fragments, 【数値目標】 and department fragments."""
    cells = [c.replace("【再掲】", "").replace("再掲", "") for c in row.cells[1:]]
    tokens, owners = _tokens(cells)
    marker = _marker_cut(tokens)
    if marker is not None:
        first, last = marker
        head = tokens[first].split("【")[0] if "【" in tokens[first] else ""
        tail = tokens[last].split("】")[-1] if "】" in tokens[last] else ""
        title_tokens = [*tokens[:first], head]
        dept_tokens, dept_start = [tail, *tokens[last + 1 :]], last + 1
    else:
        cut = _dept_tail(tokens)
        title_tokens, dept_tokens, dept_start = tokens[:cut], tokens[cut:], cut
    dept_frags = _words(dept_tokens)
    source = ""
    if dept_frags:
        first_cell = owners[dept_start] if dept_start < len(owners) else owners[-1]
        source = "\t".join(row.raw[1 + first_cell :]).strip("\t")
    return _TitleRow(_words(title_tokens), dept_frags, source, marker is not None)


def _words(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t and (not _is_noise(t) or re.search(r"[()()]", t))]


def _build_title(frags: list[str], corpus: _Corpus, dept_first: str | None) -> tuple[str, list[str]]:
    """Reconstruct the title from its fragments (prefix, wrapped parts, repeated full version)."""
    # A lone Latin letter before Japanese words is OCR debris ('D推進'); so are stray marks.
    rest = [re.sub(r"^[A-Za-z](?=[\u3040-\u9fff])", "", _strip_lead_noise(f)) for f in frags[1:]]
    frags = [frags[0], *rest] if frags else []
    frags = [_strip_tail_noise(f) for f in frags if f]
    title, notes = "", []
    for frag in frags:
        if title and frag[:1] in ")）" and not _unbalanced(title):
            frag = frag[1:].strip()  # a stray closing bracket
        if not frag:
            continue
        title, more = _join_fragments([title, frag], corpus, _TITLE)
        notes += more
    title = re.sub(r"\s+", "", title) if not re.search(r"[A-Za-z] [A-Za-z]", title) else _flat(title)
    if dept_first and len(title) > 4 and title.endswith(dept_first[0]) and not title.endswith(dept_first):
        # The department's first character bled into the title cell.
        title = title[:-1]
        notes.append(f"trailing '{dept_first[0]}' (start of the department) dropped")
    return title, notes


# --------------------------------------------------------------------------------------------
# Departments


@dataclass
class _DeptIndex:
    """Known department names: given by the caller, or those the document itself attests."""

    names: list[str]
    given: bool

    def resolve(self, name: str) -> tuple[str | None, str | None]:
        """(canonical name or None, note) for a name read from the document.

        With names given by the caller, a damaged or incomplete name is matched when exactly one
        known name fits it well. With names the document attests, only a same-length repair of a
        glyph or a repeated character is made; anything that looks like a department is kept.
        """
        if name in self.names:
            return name, None
        whole = [k for k in self.names if name in k and self._comparable(name, k)]
        if self.given and len(whole) == 1:  # the one known name that keeps every character read
            return whole[0], f"departments: '{name}' read as '{whole[0]}'"
        scored = sorted(
            ((self._score(name, k), k) for k in self.names if self._comparable(name, k)), reverse=True
        )
        if scored and scored[0][0] >= 0.72 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.05):
            return scored[0][1], f"departments: '{name}' read as '{scored[0][1]}'"
        if not self.given and name.endswith(DEPARTMENT_SUFFIXES) and len(name) >= 3:
            return name, None
        return None, f"departments: fragment '{name}' not a known name"

    def _comparable(self, name: str, known: str) -> bool:
        if not self.given:  # repair stray or swapped characters, never complete a name
            return -1 <= len(name) - len(known) <= 2
        if name in known:  # an incomplete name: it must carry most of the known one
            return len(name) >= 0.7 * len(known)
        return True

    @staticmethod
    def _score(name: str, known: str) -> float:
        ratio = difflib.SequenceMatcher(None, name, known, autojunk=False).ratio()
        if len(name) >= 3 and (known.endswith(name) or known.startswith(name)):
            ratio = max(ratio, 0.8)
        return ratio


def _dept_names(frags: list[str], corpus: _Corpus) -> list[str]:
    """Join department fragments and split them into names."""
    pieces = [re.sub(r"[^\u3040-\u9fff、,，]", "", f).replace(",", "、").replace("，", "、") for f in frags]
    text, _ = _join_fragments([p for p in pieces if p.strip("、")], corpus, _NAME)
    text = re.sub(r"(課|室)(?=[\u3040-\u9fff])", r"\1、", text)
    names: list[str] = []
    for name in text.split("、"):
        if name and name not in names:
            names.append(name)
    # A piece of a name printed twice ('企画調整課 企画調整課 企画 調整課') is not a name.
    return [n for n in names if not any(n != m and n in m for m in names)]


def _attested_departments(title_rows: Iterable[_TitleRow], corpus: _Corpus) -> list[str]:
    """Names that stand complete in the document: read from whole cells, or joined twice."""
    weight: dict[str, float] = {}
    for row in title_rows:
        whole = len(row.dept_frags) == 1 or all(_is_dept_end(f) for f in row.dept_frags)
        for name in _dept_names(row.dept_frags, corpus):
            if name.endswith(DEPARTMENT_SUFFIXES) and len(name) >= 3:
                weight[name] = weight.get(name, 0.0) + (1.0 if whole else 0.5)
    return [n for n, w in weight.items() if w >= 1]


# --------------------------------------------------------------------------------------------
# Summary, vision, related plans, resources


def _split_last_line(cells: list[str]) -> tuple[list[str], str | None]:
    """The PDF puts a cell's last line after its first line: 'first line … last line。'.

    Returns the cells without it and the last line (to be put back at the end).
    """
    if len(cells) < 2:
        return cells, None
    m = re.match(r"^(.{6,}?)\s+(\S{1,20}。)$", cells[0])
    if not m:
        return cells, None
    return [m.group(1), *cells[1:]], m.group(2)


def _append_last_line(text: str, last: str) -> str:
    """Put a relocated last line back; if the text already ends with a damaged copy, replace it."""
    tail = text[-len(last) :]
    if text.endswith(last):
        return text
    if difflib.SequenceMatcher(None, tail, last, autojunk=False).ratio() >= 0.6:
        return text[: -len(last)] + last
    return text + last


def _prose_cells(rows: list[_Row]) -> tuple[list[str], bool]:
    """A prose field's cells, and whether a stray mark stood after its last words."""
    cells = [c for row in rows for _, c in row.values()]
    stop = bool(cells) and _is_noise(cells[-1]) and len(_nospace(cells[-1])) <= 4
    cells = [c for c in cells if not _is_noise(c)]
    cells = [re.sub(r"(?:^|\s)(?:確保する|行政資源)(?=\s|$)", " ", c).strip() for c in cells]
    cells = [re.sub(r"(?<=[ァ-ヶ])[-‐](?=\s*[ァ-ヶ]|$)|^[-‐](?=\s*[ァ-ヶ])", "ー", c) for c in cells]
    return [c for c in cells if c], stop


def _prose(rows: list[_Row], corpus: _Corpus) -> tuple[str | None, list[str], str | None]:
    """Summary or vision text from its rows: (text, notes, trailing words after the last 。).

    Trailing words that are not a sentence (no kana) are split off: they are debris or a
    related plan's name printed in the wrong row.
    """
    cells, stop = _prose_cells(rows)
    cells, last = _split_last_line(cells)
    if not cells:
        return None, [], None
    text, notes = cells[0], []
    for cell in cells[1:]:
        frag = _strip_lead_noise(cell)
        if frag[:1] in ")）" and not _unbalanced(text):
            frag = frag[1:]
        if (
            frag[:1].isascii()
            and frag[:1].isalpha()
            and len(frag) > 1
            and _is_jp(frag[1])
            and _is_jp(text[-1])
        ):
            frag = frag[1:]  # a lone stray letter between Japanese words
        text, note = _join_pair(text, frag, corpus, _PROSE) if frag else (text, None)
        if note:
            notes.append(note)
    if last:
        text = _append_last_line(text, last)
    text = re.sub(r"([、。])\1+", r"\1", _close_wrap_spaces(_flat(text), corpus))
    text = re.sub(r"(?<=[\u3040-\u9fff])[:;](?=[\u3040-\u309f])", "", text)
    if stop and not text.endswith("。") and text[-1:] not in "」)":
        text += "。"
        notes.append("full stop read from a stray mark after the last cell")
    trailing = None
    m = re.match(r"^(.*。)\s*(\S.*)$", text)
    if m and (len(m.group(2)) <= 4 or not any(_is_hiragana(c) for c in m.group(2).replace("の", ""))):
        text, trailing = m.group(1), m.group(2).strip()
    return text or None, notes, trailing


_RESOURCE_START = re.compile(r"確保(?:する)?|行政資源|令\s*和\s*\d|(?:^|\s)(?:ヒト|カネ|モノ|情報)(?=\s|$)")


def _related_cells(parts: _Parts) -> list[list[str]]:
    """Per row, the 関連計画 cells before the resource box (確保する 行政資源 …) starts."""
    rows = list(parts.rows["related"])
    if parts.header is not None:
        rows.append(parts.header)
    out = []
    for row in rows:
        cells: list[str] = []
        for _, cell in row.values():
            m = _RESOURCE_START.search(cell)
            if m is None:
                cells.append(cell.strip())
                continue
            if cell[: m.start()].strip():
                cells.append(cell[: m.start()].strip())
            break
        out.append(cells)
    return out


def _related_plans(parts: _Parts) -> tuple[list[str], bool]:
    """関連計画 items; the flag tells whether the document says anything there (even '-')."""
    items: list[str] = []
    said = False
    for cells in _related_cells(parts):
        for cell in cells:
            if cell.split(" ")[0] in _DASHES:
                said = True
                break  # '-': no related plan (what follows in the cell is debris)
            for piece in re.split(r"(?=[・·])", cell):
                starts = piece.strip()[:1] in ("・", "·")
                piece = piece.strip().lstrip("・·").strip()
                if not piece:
                    continue
                said = True
                if (
                    items
                    and not starts
                    and not re.search(r"(計画|プラン|戦略|方針|ビジョン)(\d*|\(.*\))$", items[-1])
                ):
                    items[-1] += piece  # a name wrapped over two cells
                else:
                    items.append(piece)
    return _tidy_plan_names(items), said


def _tidy_plan_names(items: list[str]) -> list[str]:
    """Plan names split on 、, spaces around digits closed, repeats and debris dropped."""
    out: list[str] = []
    for item in items:
        for name in re.split(r"、(?![^(（]*[)）])", item):
            name = re.sub(r"(?<=[^\s\dA-Za-z])\s+(?=\d)|(?<=\d)\s+(?=[^\s\dA-Za-z])", "", name).strip()
            name = re.sub(r"([A-Za-z])\s+(\d)", r"\1\2", name)
            if len(re.sub(r"[^\u4e00-\u9fff\u30a0-\u30ff]", "", name)) < 3:
                continue
            if any(difflib.SequenceMatcher(None, name, o).ratio() >= 0.8 for o in out):
                continue
            out.append(name)
    return out


_MARK_TOKEN = "\x00mark"
_EMPTY_TOKEN = "\x00empty"


def _resource_label(token: str) -> str | None:
    t = _nospace(token)
    if t in _RESOURCES:
        return t
    if t in ("ヒ", "ト"):
        return "ヒト"
    if t in ("カ", "ネ"):
        return "カネ"
    if t.startswith("モ") and len(t) <= 2:
        return "モノ"
    if t.startswith("情") and len(t) <= 2:
        return "情報"
    return None


def _resource_tokens(parts: _Parts) -> list[str]:
    """The resource box as tokens: labels, marks, empty cells; from its first word on."""
    rows = list(parts.rows["related"])
    if parts.header is not None and _RESOURCE_START.search(re.sub(r"令\s*和\s*\d", "", parts.header.text())):
        rows.append(parts.header)
    tokens: list[str] = []
    started = False
    for row in rows:
        for cell in row.cells[1:]:
            words = [w for w in _flat(cell).split(" ") if w] if cell else []
            if not started:
                hits = [i for i, w in enumerate(words) if w.startswith("確保") or _resource_label(w)]
                if not hits:
                    continue
                started, words = True, words[hits[0] :]
            if not words:
                tokens.append(_EMPTY_TOKEN)
            for word in words:
                if word.startswith("確保") or word == "行政資源" or _row_years(word):
                    continue
                label = _resource_label(word)
                tokens.append(label or (_MARK_TOKEN if word in _MARKS else word))
        if started:
            tokens.append(_EMPTY_TOKEN)  # a row ends
    return tokens


def _infer_missing_label(tokens: list[str]) -> list[str]:
    """One unreadable label between its neighbours (e.g. '۲١' where ヒト stands) is that label."""
    missing = [r for r in _RESOURCES if r not in tokens]
    if len(missing) != 1:
        return tokens
    n = _RESOURCES.index(missing[0])
    after = _RESOURCES[n - 1] if n else None
    before = _RESOURCES[n + 1] if n + 1 < len(_RESOURCES) else None
    lo = tokens.index(after) + 1 if after else 0
    hi = tokens.index(before) if before else len(tokens)
    unknown = [
        i for i in range(lo, hi) if tokens[i] not in (_MARK_TOKEN, _EMPTY_TOKEN) and tokens[i] not in _DASHES
    ]
    if len(unknown) != 1:
        return tokens
    return [missing[0] if i == unknown[0] else t for i, t in enumerate(tokens)]


def _resources(parts: _Parts) -> list[Resource] | None:
    """Resources marked ○ in the box 確保する行政資源; None when the marks cannot be read.

    A label followed by a mark (○, 0, ① …) is marked; followed by an empty cell, the next label
    or the end, it is not; followed by anything else, the box is unreadable. A box without any
    mark is unreadable too (every measure secures some resource).
    """
    tokens = _infer_missing_label(_resource_tokens(parts))
    if any(tokens.count(r) != 1 for r in _RESOURCES):
        return None
    marked: list[Resource] = []
    for res in _RESOURCES:
        i = tokens.index(res)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else _EMPTY_TOKEN
        if nxt == _MARK_TOKEN:
            marked.append(res)
        elif nxt != _EMPTY_TOKEN and nxt not in _RESOURCES:
            return None
    strays = [t for t in tokens if t not in (*_RESOURCES, _MARK_TOKEN, _EMPTY_TOKEN)]
    if strays:
        return None
    return marked or None  # no mark at all: the marks were lost, not absent


# --------------------------------------------------------------------------------------------
# 実施計画: cells to fiscal years


def _fy_keys(blocks: list[_Block]) -> tuple[str, ...]:
    """The four fiscal-year keys of the plan, from the years its table headers name."""
    firsts: Counter[int] = Counter()
    for block in blocks:
        parts = _sort_rows(block)
        if parts.header is not None:
            years = [y for c in parts.header.cells for y in _row_years(c)]
            if years:
                firsts[min(years)] += 1
    if not firsts:
        return FY_KEYS
    first = firsts.most_common(1)[0][0]
    return tuple(f"R{first + i}" for i in range(4))


def _header_starts(header: _Row | None, keys: tuple[str, ...]) -> dict[int, int]:
    """Column index where each year's header starts (year position 0..3 → index).

    Empty when the header is unusable: a cell naming several years means the columns were
    merged, and then no index can be trusted.
    """
    if header is None or any(len(_row_years(c)) > 1 for c in header.cells):
        return {}
    wanted = {int(k[1:]): n for n, k in enumerate(keys)}
    starts: dict[int, int] = {}
    for i, cell in enumerate(header.cells):
        for year in _row_years(cell):
            if year in wanted and wanted[year] not in starts:
                start = i
                prev = header.cells[i - 1] if i > 1 else ""
                if (
                    not re.match(r"^\s*令", cell)
                    and prev
                    and len(_nospace(prev)) <= 2
                    and not _row_years(prev)
                ):
                    start = i - 1  # '令' (or its damaged glyph) split off into the cell before
                starts[wanted[year]] = start
    return starts


@dataclass
class _Cell:
    index: int
    text: str


def _unbalanced(text: str) -> bool:
    return text.count("(") + text.count("（") > text.count(")") + text.count("）")


def _plan_cells(row: _Row, corpus: _Corpus) -> list[_Cell]:
    """A plan row's cells that carry words (stray marks and lone damaged characters dropped)."""
    kept: list[_Cell] = []
    for i, text in row.values():
        prev = kept[-1].text if kept else ""
        if _is_noise(text):
            if ")" in text and prev and _unbalanced(prev):
                kept.append(_Cell(i, ")"))  # the closing bracket of a split cell
            continue
        t = _nospace(text)
        if len(t) == 1 and _is_kanji(t) and (not prev or not corpus.has(prev[-1] + t)):
            continue  # a lone damaged character
        kept.append(_Cell(i, re.sub(r"(?<=[\u3040-\u9fff])[=|'\"`~^\]!]+$", "", text)))
    return [c for c in kept if c.text]


def _is_garbage_row(row: _Row) -> bool:
    """A row of OCR debris (e.g. a header line read twice): no cell with six letters of text."""
    return all(_jp_len(c) < 6 for _, c in row.values())


def _pair_score(a: str, b: str, earlier: Sequence[str], corpus: _Corpus) -> float:
    """Positive when ``b`` continues ``a`` in the same year's cell, negative when it starts one.

    ``earlier`` are the row's cells before ``b``: a cell that starts like one of them is the
    same plan repeated for another year.
    """
    score = 0.0
    b = _strip_lead_noise(b) or b
    if b[0] in _NON_INITIAL or _is_hiragana(b[0]):
        score += 3
    if _CONTINUED_RE.search(a) or _unbalanced(a):
        score += 3
    if b[0].isdigit() and (a[-1].isdigit() or _is_jp(a[-1])) and not a.endswith(_COMPLETE_ENDINGS):
        score += 2
    if b.startswith("・"):
        score -= 2
    if len(b) >= 3 and any(e[:3] == b[:3] for e in earlier):
        score -= 3
    if a.endswith(_COMPLETE_ENDINGS) and len(b) >= 4:
        score -= 2
    score += min(corpus.support(a[-3:] + b[:3], len(a[-3:]) - 1, len(a[-3:])), 6) / 3
    return score


def _align_penalty(index: int, year: int, starts: dict[int, int]) -> float:
    if year not in starts:
        return 0.0
    lo = starts[year]
    later = [s for y, s in starts.items() if y > year and s > lo]
    hi = min(later) if later else 10**6
    if lo <= index < hi:
        return 0.0
    dist = lo - index if index < lo else index - hi + 1
    return 1.5 * min(dist, 3)


def _score_years(
    years: Sequence[int], cells: list[_Cell], pair: list[float], starts: dict[int, int], empty_cost: float
) -> float:
    score = -sum(_align_penalty(c.index, y, starts) for c, y in zip(cells, years, strict=True))
    score += sum(p if a == b else -p for p, a, b in zip(pair, years, years[1:], strict=False))
    score -= empty_cost * (4 - len(set(years)))
    return score - 0.01 * sum(years)  # ties: the earlier years


def _best_years(
    cells: list[_Cell], pair: list[float], starts: dict[int, int], empty_cost: float
) -> list[int]:
    """The non-decreasing year sequence maximising :func:`_score_years` (dynamic programming)."""

    def local(i: int, year: int) -> float:
        return -_align_penalty(cells[i].index, year, starts) - 0.01 * year

    score = [[local(0, y) for y in range(4)]]
    back: list[list[int]] = [[0] * 4]
    for i in range(1, len(cells)):
        row, links = [], []
        for y in range(4):
            options = [
                (score[-1][prev] + (pair[i - 1] if prev == y else empty_cost - pair[i - 1]), prev)
                for prev in range(y + 1)
            ]
            value, prev = max(options, key=lambda o: o[0])
            row.append(value + local(i, y))
            links.append(prev)
        score.append(row)
        back.append(links)
    year = max(range(4), key=lambda y: score[-1][y])
    years = [year]
    for links in reversed(back[1:]):
        year = links[year]
        years.append(year)
    return years[::-1]


def _assign_years(
    cells: list[_Cell], starts: dict[int, int], corpus: _Corpus, *, anchor: bool
) -> tuple[list[int], bool]:
    """Year position (0..3) of each cell, and whether the plain reading was overruled.

    The assignment is the best-scoring non-decreasing one: neighbouring fragments that continue
    each other stay in one year, a cell that starts like the row's first cell starts a year, and
    cells stay near the column where the header puts their year. In the main (anchor) row an
    empty year costs a point, and four cells are read in order unless the evidence is strong.
    """
    n = len(cells)
    texts = [c.text for c in cells]
    pair = [_pair_score(texts[i], texts[i + 1], texts[: i + 1], corpus) for i in range(n - 1)]
    empty_cost = 1.5 if anchor else 0.0
    best = _best_years(cells, pair, starts, empty_cost)
    if anchor and n == 4:
        in_order = (0, 1, 2, 3)
        gain = _score_years(best, cells, pair, starts, empty_cost) - _score_years(
            in_order, cells, pair, starts, empty_cost
        )
        if gain < 3:
            return list(in_order), False
        return list(best), True
    return list(best), False


def _relocate_in_group(frags: list[str], corpus: _Corpus) -> list[str]:
    """Put fragments printed out of reading order back.

    A cell's last line printed after its first ('実績を、 設定' + 'ふまえた…') goes to the end;
    a middle line's end printed after the cell's later lines goes back to that line
    (see :func:`_continue_middle_line`).
    """
    if len(frags) < 2:
        return frags
    moved = _continue_middle_line(frags, corpus)
    if moved is not None:
        return moved
    if not (frags[1][0] in _NON_INITIAL or _is_hiragana(frags[1][0])):
        return frags
    m = re.match(r"^(.+?)\s+([^\s・]{1,12})$", frags[0])
    if not m:
        return frags
    return [m.group(1), *frags[1:], m.group(2)]


def _continue_middle_line(frags: list[str], corpus: _Corpus) -> list[str] | None:
    """A cell of several printed lines ('L1 L2 L3') whose middle line goes on in the next
    fragments ('公募の実施(体育 スポーツ施設、金 体育館、老人福祉' + '沢プール' + '、障害者'):
    the fragments go after the line they continue, when the document attests the word across
    that junction ('金沢') clearly better than across the end of the cell ('福祉沢').
    """
    lines = frags[0].split()
    if len(lines) < 3 or any(len(line) < 2 for line in lines):
        return None
    nxt = _strip_lead_noise(frags[1]) or frags[1]
    corpus = corpus.without(frags)

    def support(line: str) -> int:
        joined = line[-3:] + nxt[:3]
        return corpus.support(joined, len(line[-3:]) - 1, len(line[-3:]))

    at_end = support(lines[-1])
    best = max(range(1, len(lines) - 1), key=lambda i: support(lines[i]))
    if support(lines[best]) < at_end + 3:
        return None
    head = " ".join(lines[: best + 1])
    tail = " ".join(lines[best + 1 :])
    return [head, *frags[1:], " " + tail]


def _join_year_text(frags: list[str], corpus: _Corpus) -> str:
    """One year's fragments of one row joined into a cell's text."""
    frags = _relocate_in_group(frags, corpus)
    corpus = corpus.without(frags)
    text = ""
    for frag in frags:
        if not text:
            text = frag
        elif text[-1].isdigit() or frag[0].isdigit():
            text += " " + frag if frag[0].isdigit() and _is_jp(text[-1]) else frag
        else:
            text, _ = _join_pair(text, _strip_lead_noise(frag) or frag, corpus, _PLAN)
    return text


def _plan_rows(parts: _Parts, corpus: _Corpus) -> list[tuple[_Row, list[_Cell]]]:
    """Rows of the 実施計画 table with their cells; debris before the labelled row dropped."""
    rows = parts.rows["plans"]
    labelled = next((i for i, r in enumerate(rows) if r.label == "実施計画"), 0)
    out = []
    for i, row in enumerate(rows):
        if i < labelled and _is_garbage_row(row):
            continue
        cells = _plan_cells(row, corpus)
        if cells:
            out.append((row, cells))
    return out


def _anchor_row(rows_cells: list[tuple[_Row, list[_Cell]]]) -> int:
    """The row that fixes the columns: the labelled 実施計画 row, else one with four cells."""

    def rank(item: tuple[int, tuple[_Row, list[_Cell]]]) -> tuple[bool, bool, int]:
        _, (row, cells) = item
        return (row.label == "実施計画", len(cells) == 4, len(cells))

    return max(enumerate(rows_cells), key=rank)[0]


def _plans(parts: _Parts, keys: tuple[str, ...], corpus: _Corpus) -> tuple[dict[str, str | None], list[str]]:
    """実施計画 by year, with warnings on cells that could not be aligned cleanly."""
    rows_cells = _plan_rows(parts, corpus)
    if not rows_cells:
        return dict.fromkeys(keys), ["plans: no 実施計画 cells found"]
    warnings: list[str] = []
    anchor = _anchor_row(rows_cells)
    anchor_cells = rows_cells[anchor][1]
    starts = _header_starts(parts.header, keys)
    anchor_years, overruled = _assign_years(anchor_cells, starts, corpus, anchor=True)
    if overruled:
        warnings.append(
            "plans: four cells not read in order; the header columns put them in other years (check)"
        )
    elif len(anchor_cells) != 4:
        warnings.append(
            f"plans: cells for 4 years could not be aligned one to one ({len(anchor_cells)} cells; joined by content and header)"
        )
    columns = {
        y: min(c.index for c, yy in zip(anchor_cells, anchor_years, strict=True) if yy == y)
        for y in set(anchor_years)
    }
    by_year: list[list[str]] = [[] for _ in keys]
    for n, (_, cells) in enumerate(rows_cells):
        years = anchor_years if n == anchor else _assign_years(cells, columns, corpus, anchor=False)[0]
        row_frags: list[list[str]] = [[] for _ in keys]
        for cell, year in zip(cells, years, strict=True):
            row_frags[year].append(cell.text)
        for year, frags in enumerate(row_frags):
            if frags:
                by_year[year].append(_join_year_text(frags, corpus))
    plans: dict[str, str | None] = {}
    for key, texts in zip(keys, by_year, strict=True):
        plans[key] = _plan_text(texts, corpus) if texts else None
        if plans[key] is None:
            warnings.append(f"plans.{key}: empty cell")
    return plans, warnings


def _plan_text(texts: list[str], corpus: _Corpus) -> str:
    """One year's plan: rows joined (wrapped sentence without a space), bullets one per line."""
    text = ""
    for piece in texts:
        piece = "\n".join(_close_wrap_spaces(_flat(line), corpus) for line in piece.split("\n"))
        if not text:
            text = piece
        elif piece.startswith("・"):
            text += "\n" + piece
        elif text.endswith(_COMPLETE_ENDINGS) or text[-1].isdigit():
            text += " " + piece
        else:
            text += piece
    return _bullets_to_lines(text)


# --------------------------------------------------------------------------------------------
# Targets (opt-in, unreviewed)

_TARGET_RE = re.compile(
    r"(?P<metric>[\u3040-\u9fffA-Za-z]{2,}?)\s*(?P<value>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>千円|%|％|件|名|人|地区|世帯|団体|t)(?P<per>\s*/\s*年)?(?P<cmp>以下|未満)?"
)


def _targets(plans: dict[str, str | None]) -> list[Target]:
    """'metric number unit' patterns in the plan cells (a simple, unreviewed extractor)."""
    out: list[Target] = []
    for key, text in plans.items():
        for m in _TARGET_RE.finditer(text or ""):
            try:
                value = Decimal(m.group("value").replace(",", ""))
            except InvalidOperation:
                continue
            metric = re.sub(r"^(の|を|に|は|が)", "", m.group("metric"))
            direction: Direction = "at_most" if m.group("cmp") else "at_least"
            qualifier = m.group("cmp") or ("/年" if m.group("per") else None)
            out.append(
                Target(
                    fy=key,
                    metric=metric,
                    value=value,
                    unit=m.group("unit").replace("％", "%"),
                    direction=direction,
                    qualifier=qualifier,
                    text=m.group(0).strip(),
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# One measure


@dataclass
class _Context:
    corpus: _Corpus
    depts: _DeptIndex
    keys: tuple[str, ...]
    extract_targets: bool


def _departments(row: _TitleRow, ctx: _Context) -> tuple[list[str], list[str], list[Correction], str | None]:
    """(departments, warnings, corrections, notes) of one measure."""
    if not row.dept_frags:
        return [], ["departments: not found"], [], None
    names = _dept_names(row.dept_frags, ctx.corpus)
    if not names:
        return [], ["departments: not found"], [], None
    found: list[str] = []
    warnings: list[str] = []
    corrections: list[Correction] = []
    unresolved: list[str] = []
    for name in names:
        canonical, note = ctx.depts.resolve(name)
        if note:
            warnings.append(note)
        if canonical is None:
            unresolved.append(name)
        elif canonical not in found:
            found.append(canonical)
    source = row.dept_source
    if unresolved:
        notes = f"department fragments not resolved: {'、'.join(unresolved)} (cells: {source})"
        return [], warnings, [], notes
    joined = "、".join(found)
    if joined != _nospace("".join(row.dept_frags)):
        corrections.append(
            Correction(
                field="departments",
                source=source,
                reading=joined,
                note="split/damaged department cells joined and matched",
            )
        )
    return found, warnings, corrections, None


def _without_rows(corpus: _Corpus, rows: list[_Row]) -> _Corpus:
    return corpus.without(c for row in rows for c in row.cells)


@dataclass
class _Texts:
    """The prose fields of one measure and what reading them produced."""

    summary: str | None
    vision: str | None
    related: list[str]
    warnings: list[str]


def _texts(parts: _Parts, corpus: _Corpus) -> _Texts:
    """概要, めざす姿 and 関連計画; words printed after the last 。 that name a plan go to 関連計画."""
    summary, notes_s, extra_s = _prose(parts.rows["summary"], _without_rows(corpus, parts.rows["summary"]))
    vision, notes_v, extra_v = _prose(parts.rows["vision"], _without_rows(corpus, parts.rows["vision"]))
    warnings = [f"summary: {n}" for n in notes_s] + [f"vision: {n}" for n in notes_v]
    related, said = _related_plans(parts)
    for name, extra in (("summary", extra_s), ("vision", extra_v)):
        if extra:
            warnings.append(f"{name}: trailing words after the last 。 dropped: '{extra}'")
            if re.search(r"(計画|プラン|戦略|ビジョン)\d*", extra):
                related = _tidy_plan_names([*related, *re.split(r"[・·]", extra)])
    if not said and not related:
        warnings.append("related_plans: not found")
    for name, value in (("summary", summary), ("vision", vision)):
        if value is None:
            warnings.append(f"{name}: not found")
    return _Texts(summary, vision, related, warnings)


def _missing(depts: list[str], texts: _Texts, plans: dict[str, str | None]) -> list[str]:
    missing = [] if depts else ["departments"]
    missing += [
        name for name, value in (("summary", texts.summary), ("vision", texts.vision)) if value is None
    ]
    return missing + [f"plans.{k}" for k, v in plans.items() if v is None]


def _measure(block: _Block, ctx: _Context) -> tuple[MeasureEntry, list[str]]:
    """One measure block as a catalog entry, with the warnings its reading produced."""
    parts = _sort_rows(block)
    title_row = _read_title_row(parts.title)
    depts, warnings, corrections, notes = _departments(title_row, ctx)
    own = ctx.corpus.without(parts.title.cells)
    title, title_notes = _build_title(title_row.title_frags, own, depts[0] if depts else None)
    warnings += [f"title: {n}" for n in title_notes] + ([] if title else ["title: not found"])
    texts = _texts(parts, ctx.corpus)
    resources = _resources(parts)
    plans, plan_warnings = _plans(parts, ctx.keys, ctx.corpus)
    warnings += (
        texts.warnings + (["resources: ○ marks not readable"] if resources is None else []) + plan_warnings
    )
    if block.policy is None:
        warnings.append("policy: no 方針 heading stands before this measure")
    targets = _targets(plans) if ctx.extract_targets and title_row.numeric_goal else []
    warnings += [f"targets.{t.fy}: auto-extracted '{t.text}' (unreviewed)" for t in targets]
    entry = MeasureEntry(
        no=block.no or 0,
        title=title,
        numeric_goal=title_row.numeric_goal,
        departments=depts,
        policy=block.policy,
        section=block.section,
        summary=texts.summary,
        vision=texts.vision,
        related_plans=texts.related,
        resources=resources,
        plans=plans,
        targets=targets,
        missing=_missing(depts, texts, plans),
        corrections=corrections,
        notes=notes,
    )
    return entry, warnings


# --------------------------------------------------------------------------------------------
# Public API


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise NotAPlanError(f"expected the document's text (str), got {type(text).__name__}")
    if not text.strip():
        raise NotAPlanError("the text is empty")
    return text


def parse_plan(
    text: str, departments: Iterable[str] | None = None, *, extract_targets: bool = False
) -> ParseResult:
    """Parse a plan document into one :class:`MeasureEntry` per measure, with warnings.

    ``departments``: canonical department names known to the city (e.g. from the reviewed
    catalog), used to repair split or damaged names; without it, names that look like departments
    are kept and repaired against names the document itself attests. ``extract_targets`` turns on
    a simple 'metric number unit' extractor for 【数値目標】 measures (its output is marked in the
    warnings as unreviewed). Raises :class:`NotAPlanError` when the text is not such a document.
    """
    text = _check_text(text)
    blocks = _split_blocks(text)
    if not blocks:
        raise NotAPlanError("no measure blocks ('No.1<TAB>title …' rows) found; not a plan document")
    if not any(_looks_like_block(b) for b in blocks):
        raise NotAPlanError("'No.N' rows found but none has 概要/実施計画 rows; not a plan document")
    corpus = _Corpus.of(c for b in blocks for r in b.rows for c in r.cells)
    title_rows = [_read_title_row(b.rows[0]) for b in blocks]
    known = [d for d in dict.fromkeys(departments or []) if d]
    index = _DeptIndex(known, True) if known else _DeptIndex(_attested_departments(title_rows, corpus), False)
    ctx = _Context(corpus, index, _fy_keys(blocks), extract_targets)
    result = ParseResult(fiscal_years=ctx.keys)
    for block, title_row in zip(blocks, title_rows, strict=True):
        if block.no is None:
            title, _ = _build_title(title_row.title_frags, corpus.without(block.rows[0].cells), None)
            result.repeats.append(title)
            continue
        entry, warnings = _measure(block, ctx)
        result.measures.append(entry)
        if warnings:
            result.warnings.setdefault(entry.no, []).extend(warnings)
    _check_numbering(result)
    return result


def _check_numbering(result: ParseResult) -> None:
    nos = [m.no for m in result.measures]
    doc: list[str] = []
    dupes = sorted(n for n, c in Counter(nos).items() if c > 1)
    if dupes:
        doc.append(f"measures: numbers appear twice: {dupes}")
    if nos and nos != sorted(nos):
        doc.append("measures: numbers are not in order")
    if nos:
        gaps = sorted(set(range(1, max(nos) + 1)) - set(nos))
        if gaps:
            doc.append(f"measures: numbers missing: {gaps}")
    if doc:
        result.warnings.setdefault(0, []).extend(doc)


def _norm(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(_norm(v) for v in value)
    return _nospace(str(value))


def diff_against(parsed: MeasureEntry, reviewed: MeasureEntry) -> list[str]:
    """Fields where a parsed entry and the reviewed one disagree (whitespace ignored).

    Compares title, departments, numeric_goal and each plans.RN; returns lines like
    ``"title: parsed '…' != reviewed '…'"``.
    """
    out: list[str] = []
    pairs: list[tuple[str, object, object]] = [
        ("title", parsed.title, reviewed.title),
        ("departments", parsed.departments, reviewed.departments),
        ("numeric_goal", parsed.numeric_goal, reviewed.numeric_goal),
    ]
    keys = list(dict.fromkeys([*reviewed.plans, *parsed.plans]))
    pairs += [(f"plans.{k}", parsed.plans.get(k), reviewed.plans.get(k)) for k in keys]
    for name, mine, theirs in pairs:
        if _norm(mine) != _norm(theirs):
            out.append(f"{name}: parsed {mine!r} != reviewed {theirs!r}")
    return out
