# 対応ワークフロー、対応キュー、担当システム、優先度ポリシー
# （DESIGN §3–§4、手順は seed 003 §3.3 に沿う）。

nav-findings = 検出一覧
nav-my = 担当システム
nav-policy = 優先度ポリシー

wf-status-new = 未着手
wf-status-investigating = ① 調査中
wf-status-direction = ② 影響と対応方針
wf-status-planning = ③ 作業計画
wf-status-implementing = ④ 対策実施中
wf-status-verified = 対策済み（確認済み）
wf-status-not-affected = 影響なし
wf-status-mitigated = 回避策で緩和
wf-status-risk-accepted = リスク受容

wf-step-start = 調査を始める
wf-step-investigated = 調査結果を記録する
wf-step-direct = 対応方針を決める
wf-step-plan = 作業計画を記録する
wf-step-agree = 所管部門として合意する
wf-step-implement = 作業を始める
wf-step-verify = 対策を確認する
wf-step-mitigate = 回避策を記録する
wf-step-not-affected = 影響なし
wf-step-request-acceptance = リスク受容を申請する
wf-step-approve-acceptance = リスク受容を承認する
wf-step-reject-acceptance = リスク受容を却下する
wf-step-reopen = 再オープン
wf-step-expired = リスク受容の期限切れ
wf-step-match-changed = 再オープン：照合結果が変わった
wf-step-fix-available = 再オープン：修正版が公開された

wf-hint-start = この検出を引き受け、問題が実際にあるかを確かめます。
wf-hint-investigated = ① 脆弱な機能はここで使われているか、どのような条件で悪用されうるかを記録します。
wf-hint-direct = ② 対策が業務に与える影響と、対応方針（パッチ適用、WAF/IPS や設定変更による回避策、修正までサービスを止める）を決めます。
wf-hint-plan = ③ 作業日、停止時間、事前に試す環境、費用、担当者を記録します。計画を変えると所管部門の合意はやり直しになります。
wf-hint-agree = システムを所管する部門が計画と停止時間に合意します。合意がないと作業は始められません。
wf-hint-implement = ④ 計画に合意が得られたので作業を始めます。
wf-hint-verify = 対策をどう確かめたか（バージョン確認、スキャン、動作試験）を記録します。
wf-hint-mitigate = どの回避策を入れたかを記録します。あとで修正版が公開されると、この検出は再び開きます。
wf-hint-not-affected = このシステムが影響を受けない理由を VEX の区分で記録します。照合結果そのものが変わるまで判断は維持されます。
wf-hint-request-acceptance = 対策せずにリスクを受け入れることを、理由を添えて経営層に申請します。
wf-hint-approve-acceptance = 期限を決めてリスクを受け入れます。期限が来ると検出は再び開きます。
wf-hint-reject-acceptance = 申請を却下します。検出は ② のまま続きます。
wf-hint-reopen = 検出を未着手に戻し、ワークフローの記録を消します（履歴は残ります）。

wf-field-note = メモ
wf-field-conditions = 調査結果（問題はあるか、どの条件で起きるか）
wf-field-direction = 対応方針
wf-field-impact = 業務への影響
wf-field-scheduled = 作業予定日
wf-field-downtime = 停止時間
wf-field-test-environment = 事前検証の環境
wf-field-cost = 費用
wf-field-people = 作業担当者
wf-field-reason = 理由
wf-field-expires = 受容期限
wf-field-justification = 理由の区分
wf-field-plan = 作業計画
wf-field-fix-known = 修正版の有無
wf-field-expires-ms = 受容期限
wf-field-accepted-until = 受容期限

wf-direction-patch = パッチ・アップデートを適用する
wf-direction-workaround = 回避策（WAF/IPS のルール、設定変更）
wf-direction-stop-service = 修正までサービスを停止する

wf-testenv-substitute = 代替機
wf-testenv-virtual = 仮想環境
wf-testenv-none = 検証環境なし（本番に直接適用）

wf-err-state = 現在の状態ではこの操作はできません。ページを再読み込みしてください。
wf-err-permission = あなたの役割ではこの検出にこの操作はできません。
wf-err-missing = 「{ $field }」を入力してください。
wf-err-no-plan = 先に作業計画を記録してください。
wf-err-no-agreement = 所管部門がまだ計画に合意していません。
wf-err-no-request = 承認待ちのリスク受容申請がありません。
wf-err-self-approval = この申請はあなたが出したものです。別の人が承認してください。
wf-err-expiry = 受容期限は明日以降、1年以内の日付にしてください。
wf-err-justification = 一覧にある理由の区分を選んでください。
wf-err-stale = この検出は他の人によって更新されました。現在の状態を表示しています。確認してからもう一度操作してください。

wf-priority = 優先度
wf-why = 理由
wf-due = 対応期限
wf-overdue = 期限超過
wf-agreed = 所管部門の合意
wf-agreed-by = { $who }（{ $when }）
wf-not-agreed = 未合意
wf-acceptance-requested = { $who } がリスク受容を申請中
wf-accepted = { $who } が { $until } まで受容
wf-next-steps = 次の操作
wf-no-steps = この検出について、今あなたが行う操作はありません。
wf-history = 履歴
wf-history-empty = まだ操作はありません。
wf-col-when = 日時
wf-col-who = 担当
wf-col-step = 操作
wf-col-change = 状態
wf-col-notes = 記録内容
wf-saved = 保存しました。

queue-title = 検出一覧（対応キュー）
queue-intro = 閲覧できるすべての検出を、期限の近い順に表示します。
queue-filter-status = 状態
queue-status-open = 未完了（要対応）
queue-status-all = すべて
queue-filter-priority = 優先度
queue-filter-department = 部門
queue-overdue-only = 期限超過のみ
queue-kev-only = 悪用確認済み（KEV）のみ
queue-search = 脆弱性・システム・製品
queue-apply = 表示
queue-count = { $n } 件
queue-empty = 該当する検出はありません。
queue-select = 選択
queue-select-all = このページをすべて選択
queue-col-system = システム
queue-bulk-heading = 選択した検出に対して
queue-bulk-step = 操作
queue-bulk-apply = 実行
queue-bulk-done = { $done } 件を更新しました。{ $failed } 件は更新できませんでした（現在の状態では行えないか、役割上の権限がありません）。
queue-bulk-none = 検出を1件以上選んでください。
queue-export = CSV で書き出す

my-title = 担当システム：いつまでに何を直すか
my-intro = あなたが担当するシステムの未完了の検出を、期限の近い順に、優先度の根拠とともに表示します。
my-overdue = 期限超過 { $n } 件
my-open = 未完了 { $n } 件
my-empty = 担当システムに対応の必要な検出はありません。

policy-title = 優先度ポリシー
policy-intro = 優先度ごとの対応日数と、悪用の可能性が高いとみなす EPSS のしきい値です。保存すると、すべての検出の優先度と期限を計算し直します。
policy-field-p1-days = P1 緊急：対応日数
policy-field-p2-days = P2 高：対応日数
policy-field-p3-days = P3 中：対応日数
policy-field-p4-days = P4 低：対応日数
policy-field-kev-internet-days = インターネット公開システムで悪用確認済み：対応日数
policy-field-epss-likely = EPSS：悪用の可能性ありとする値
policy-field-epss-very-likely = EPSS：悪用の可能性が高いとする値
policy-save = ポリシーを保存
policy-saved = ポリシーを保存しました。{ $n } 件の検出の優先度または期限が変わりました。
prio-short-rto = 早期の復旧が必要（RTO）
policy-field-rto-urgent-hours = RTO がこの時間以下のシステムは優先度を上げる（時間）
