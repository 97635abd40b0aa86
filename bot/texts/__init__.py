"""User-facing texts shared by the core (dialog wording lives in conversations/*.yaml).

{coordinator} is the coordinating division, always filled from `Settings.coordinator_department`
(`core.DEFAULT_COORDINATOR_DEPARTMENT` is its default, the one place its name is written).
"""

HELP = """kaikaku-bot でできること:
・報告: 取組の実施結果と実績値を報告します(例: 報告 34)
・状況: あなたの課の報告状況と、報告の締切・残りの営業日を表示します(「締切はいつ?」でも答えます)
・承認 / 差戻し: (管理職の方)提出された報告を承認、または理由を添えて差し戻します(例: 承認 34、差戻し 34 理由)
・設定: あなたの表示名を変更します
・質問: 「No.34の目標は?」「No.34の進捗は?」「危機管理課の取組は?」「未提出の課は?」
・ダッシュボード: 報告状況をブラウザで見るためのリンクを受け取ります(1対1のチャットで)
・登録 コード: 配布された登録コードでアカウントを課に登録します
・取りまとめ担当の方: 「招待 課名」で登録コードを発行、「未登録の課は?」で一覧、「異動 @名前 課名」で課を変更、「登録 @名前 課名」で登録
・キャンセル / 戻る: 入力中の報告を中断する / 一つ前に戻ります"""

UNREGISTERED = (
    "このアカウントはまだ課に登録されていません。"
    "{coordinator}から届いた登録コードを「登録 コード」の形で送ってください。"
)

INTERNAL_ERROR = "申し訳ありません。処理中に問題が発生しました。これまでの入力は保存されています。少し時間をおいて、もう一度送ってください。"
