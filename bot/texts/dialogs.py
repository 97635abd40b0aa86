"""The generic words of every dialog (conversations/*.yaml), said once here.

A dialog's YAML may word any of these its own way under `messages:` (the report says 報告を中断
しました。 where a dialog in general says 中断しました。); a key it does not give comes from here.
"""

MESSAGES: dict[str, str] = {
    "unclear": "すみません、お答えを読み取れませんでした。",
    "example": "例: {example}",
    "choose": "選択肢の番号か言葉でお答えください。",
    "empty": "空のメッセージは受け付けられません。",
    "too_long": (
        "{max_chars:,}文字以内でお願いします(いまの入力は{length:,}文字です)。"
        "入力された文章は消さずに残しています。短くしてからもう一度送ってください。"
    ),
    "back_at_start": "これより前の質問はありません。",
    "back": "一つ前の質問に戻ります。",
    "help_common": "「戻る」で一つ前の質問へ、「キャンセル」で中断します。",
    "cancelled": "中断しました。",
    "timed_out": "前回の入力から{hours}時間以上たちました。",
    "confirm_yes": "はい(この値で進む)",
    "confirm_no": "いいえ(入力し直す)",
    "conflict": "ほぼ同時に届いた別のメッセージを先に処理しました。お手数ですが、もう一度送ってください。",
    "continue_after_question": "{title}の続きです。",
    "already_answered": "そのボタンの質問には、すでにお答えいただいています。",
    "current_value": "いまの回答: {current}\n変えないときは「そのまま」と送ってください。",
    "keep": "そのまま",
    "kept": "前の回答のままにしました。",
    "replace_long": "いまの回答({length:,}文字の文章)を「{new}」に置き換えますか?",
}
"""Keys the engine and the conversation manager use; placeholders are filled from the dialog's data."""

NOTHING_TO_CANCEL = "いま中断する入力はありません。報告を始めるときは「報告」と送ってください。"
"""キャンセル / 戻る outside any dialog."""

# --- a dialog file refused at load (said to whoever edits conversations/*.yaml) --------------------

LOAD_REFUSED = "{file}: 会話ファイルに問題があるため読み込みません"
LOAD_BAD_CHOICES = "{where}: choices は一覧か関数名です"
LOAD_CHOICE_WITHOUT_LABEL = "{where}: choices の項目には label が必要です"
LOAD_BAD_DATA = "{where}: data は文中で使う名前の一覧です"
LOAD_BAD_FORMAT = "{where}: {what} の書式が正しくありません ({error})"
LOAD_UNKNOWN_NAME = "{where}: {what} の {{{name}}} は data にも手順にもない名前です"
LOAD_UNREGISTERED = "{where}: {what} 「{name}」が登録されていません"
LOAD_NO_START = "{where}: start 「{name}」という手順はありません"
LOAD_BAD_KIND = "{where}: kind 「{kind}」は {kinds} のいずれかです"
LOAD_EMPTY_PROMPT = "{where}: prompt が空です"
LOAD_BAD_NEXT = "{where}: next は手順名か対応表です"
LOAD_NO_SUCH_STEP = "{where}: 次の手順 「{name}」はありません"
LOAD_NEXT_NOT_A_CHOICE = "{where}: next の 「{answer}」は選択肢の値にありません"
LOAD_NO_CHOICES = "{where}: choices が空です"
LOAD_CHOICE_NEEDS_CHOICES = "{where}: choice には choices が必要です"
LOAD_LONGTEXT_NEEDS_MAX = "{where}: longtext には max_chars が必要です"
LOAD_EMPTY = "{where}: 空です"
