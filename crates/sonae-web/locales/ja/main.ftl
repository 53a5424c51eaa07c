## Application
app-name = sonae（備え）
nav-label = メインメニュー
nav-home = ホーム
nav-import = 一括登録
nav-audit = 監査ログ
nav-users = ユーザー管理

## Home
home-title = ホーム
home-intro = 情報システム・ソフトウェア・情報資産・連絡先・委託先を一か所で管理し、脆弱性の公表やインシデントの発生時にすぐ動けるようにします。
home-role = { $role }としてログインしています。

## Actions
action-login = ログイン
action-logout = ログアウト
action-create-admin = 管理者を作成
action-new = 新規登録
action-export-csv = CSV出力
action-filter = 絞り込み
action-save = 保存
action-cancel = キャンセル
action-edit = 編集
action-delete = 削除
action-import = 取り込み
action-add-component = 構成要素を追加
action-change-password = パスワードを変更
action-create-token = トークンを発行
action-revoke = 失効
action-add-user = ユーザーを追加
action-export-audit = 監査ログを出力

## Login and setup
login-title = ログイン
setup-title = 初期設定
setup-hint = 最初の管理者アカウントを作成します。作成後、このページは表示されなくなります。

## Lists and forms
filter-search = キーワード検索
filter-any = すべて
list-count = { $count } 件
page-prev = 前へ
page-next = 次へ
form-required = 必須
value-yes = はい
value-no = いいえ
hint-cpe = CPE 2.3 形式の名前（例: cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*）
hint-purl = パッケージURL（例: pkg:npm/lodash@4.17.21）
title-new = { $kind }の新規登録
title-edit = { $name }の編集
title-edit-generic = 記録の編集
record-meta = 第 { $version } 版・最終更新 { $time }
empty-components = 構成要素はまだ登録されていません。
history-title = 変更履歴
flash-saved = 保存しました。
flash-deleted = 削除しました。

## Save conflicts
stale-title = 他の人がこの記録を変更しました
stale-message = 編集中に、他の人がこの記録を保存しました（現在 第 { $version } 版、{ $time }）。下の変更内容を確認してから、もう一度入力してください。
stale-col-field = 項目
stale-col-before = 変更前
stale-col-after = 現在

## Importance (CIA)
cia-1 = 低
cia-2 = 中
cia-3 = 高

## Import
import-title = CSV一括登録
import-kind = 登録する種類
import-file = CSVファイル
import-columns = 列の一覧
import-columns-hint = 1行目に下記の列名を見出しとして入れてください。文字コードは UTF-8（BOM あり・なし）または Shift_JIS（Excel の標準）に対応しています。他の記録を参照する列には、その記録の名称を入れてください。1行でもエラーがあるとファイル全体を取り込みません。ファイルサイズの上限は 10 MiB です。
import-done = { $kind }を { $count } 件取り込みました。
import-failed = 取り込みませんでした。下のエラーを修正して、もう一度アップロードしてください。
import-line-error = { $line } 行目・「{ $column }」列（{ $number } 列目）: { $error }
import-err-encoding = { $line } 行目の文字コードを読み取れません。UTF-8 または Shift_JIS で保存し直してください。
import-err-utf16 = ファイルが UTF-16 で保存されています。UTF-8 または Shift_JIS（Excel なら「CSV UTF-8」）で保存し直してください。
import-err-empty = ファイルが空です。見出し行と1行以上のデータを入れてください。
import-err-empty-header = 見出し行の { $number } 列目に列名がありません。列名を入れるか、その列を削除してください。
import-err-duplicate-header = 見出し行に「{ $column }」列が複数あります。1つだけにしてください。
import-err-field-count = { $line } 行目の列数が { $found } 個で、見出しの { $expected } 個と合いません。カンマの過不足を確認してください。
import-err-quote = { $line } 行目から始まる引用符（"）が閉じられていません。閉じる引用符を追加してください。
import-err-syntax = { $line } 行目を CSV として読み取れません。その行の引用符とカンマを確認してください。
import-err-syntax-generic = ファイルを読み取れません。正しい CSV または JSON ファイルか確認してください。
import-err-unencodable = { $line } 行目・{ $number } 列目に、選んだ文字コードで表せない文字があります。UTF-8 を選んでください。
import-err-json = JSON の { $line } 行目・{ $number } 文字目に誤りがあります。ファイルの書式を確認してください。
import-err-unknown-column = 「{ $column }」は不明な列です。使える列: { $known }
import-err-missing-column = 必須の「{ $column }」列がありません。見出し行に追加してください。
import-err-sbom-not-json = SBOM が JSON 形式ではありません。JSON 形式の CycloneDX または SPDX ファイルをアップロードしてください。
import-err-sbom-unknown = SBOM の形式を判別できません。JSON 形式の CycloneDX または SPDX ファイルをアップロードしてください。
import-err-sbom-version = SBOM のバージョン { $version } には対応していません。対応するバージョンで出力し直してください。

## SBOM
sbom-title = SBOM取り込み
sbom-file = SBOMファイル（CycloneDX または SPDX、JSON 形式）
sbom-hint = SBOM に記載された構成要素を、このシステムに追加します。
sbom-done = 構成要素を { $count } 件追加しました（{ $skipped } 件は対象外）。
sbom-dropped-ids = { $count } 件の識別子（CPE/purl）は形式が正しくないため空欄にしました。
sbom-component-error = { $index } 番目の構成要素: { $error }

## Account
account-title = アカウント
account-password = パスワード
account-tokens = APIトークン
password-hint = { $min } 文字以上。長いパスフレーズがおすすめです。
token-shown-once = このトークンを今すぐコピーしてください。再表示はできません。
token-created = 発行日時
token-last-used = 最終利用
token-state = 状態
token-active = 有効
token-revoked = 失効済み
token-revoked-flash = トークンを失効させました。

## Users
users-title = ユーザー管理
users-add = ユーザーの追加
users-added = ユーザー { $name } を追加しました。
users-saved = ユーザー { $name } を保存しました。

## Audit log
audit-title = 監査ログ
audit-intact = 監査ログは改ざんされていません（{ $count } 件を検証）。
audit-broken = 監査ログに改ざんまたは破損があります（不整合 { $count } 件）。管理者に連絡してください。
audit-col-seq = 番号
audit-col-time = 日時
audit-col-actor = 操作者
audit-col-action = 操作
audit-col-object = 対象
audit-col-changes = 変更内容
audit-action-create = 作成
audit-action-update = 更新
audit-action-delete = 削除
audit-action-login = ログイン
audit-action-password = パスワード変更
audit-action-revoke = 失効

## Errors
error-title = エラー
error-forbidden-title = 権限がありません
error-not-found-title = 見つかりません
error-too-large-title = ファイルが大きすぎます
error-forbidden = この操作を行う権限がありません。必要な場合は管理者に依頼してください。
error-not-found = ページまたは記録が見つかりません。削除された可能性があります。
error-in-use = この記録は他の記録から参照されています。先にそちらを変更または削除してください。
error-internal = サーバーでエラーが発生しました。しばらくしてから再度お試しください。繰り返す場合は管理者に連絡してください。
error-bad-json = リクエストの本文が正しい JSON ではありません。
error-bad-request = リクエストが正しくありません。ページを再読み込みしてやり直してください。
error-bad-upload = アップロードされたファイルを読み取れません。ファイルを選び直してもう一度お試しください。
error-api-token = 有効な API トークンが必要です。「Authorization: Bearer <トークン>」ヘッダーで送ってください。
error-form = 入力内容に誤りがあります。下のエラーを修正してから保存してください。
error-csrf = セッションの有効期限が切れたか、フォームが古くなっています。ページを再読み込みしてやり直してください。
error-too-large = ファイルが大きすぎます。上限は { $limit } MiB です。
error-stale-delete = 開いた後に他の人がこの記録を変更しました。ページを再読み込みして内容を確認してから削除してください。
error-login-failed = ユーザー名またはパスワードが違います。
error-login-throttled = ログインの失敗が続いたため、一時的に制限しています。数分待ってからやり直してください。
error-username = 64 文字以内の半角英数字と記号「.」「_」「-」「@」で入力してください（空白は使えません）。
error-password-short = パスワードが短すぎます。もっと長いパスワードにしてください。
error-password-username = ユーザー名と同じパスワードは使えません。
error-current-password = 現在のパスワードが違います。
error-user-self = 自分自身の管理者権限を外したり、自分のアカウントを無効にしたりすることはできません。
error-user-stale = 編集中に他の人がこのアカウントを変更しました。現在の内容を表示しています。もう一度変更してください。
error-owner-needs-department = システムオーナーには所属部門が必要です。部門を選んでください。
error-vendor-needs-vendor = 委託先ユーザーには委託先の指定が必要です。委託先を選んでください。

## Field errors
err-required = 必須項目です。入力してください。
err-too-long = 長すぎます。{ $max } 文字以内で入力してください。
err-not-integer = 整数で入力してください。
err-out-of-range = { $min } から { $max } までの数値で入力してください。
err-not-bool = はい／いいえ（1/0、true/false）で入力してください。
err-not-date = 日付は YYYY-MM-DD の形式で入力してください。
err-not-in-list = 選択肢の中から選んでください。
err-not-email = 正しいメールアドレスを入力してください。
err-bad-cpe = CPE 2.3 形式（cpe:2.3:…）になっていません。
err-bad-purl = パッケージURL の形式（pkg:…）になっていません。
err-unknown-reference = 該当する記録がありません。名称を確認するか、先に登録してください。
err-duplicate = この値はすでに使われています。別の値にしてください。
err-out-of-scope = この値は設定できません。担当範囲内の値を選んでください。
err-end-before-start = 終了日が開始日より前になっています。
err-out-of-order = 関連する値との順序が合いません（高い優先度ほど日数は短く、2つ目のしきい値は1つ目以上にしてください）。
err-not-probability = 0から1までの確率を入力してください。

## Record types
kind-departments = 部門
kind-departments-one = 部門
kind-people = 連絡先
kind-people-one = 連絡先
kind-vendors = 委託先
kind-vendors-one = 委託先
kind-systems = 情報システム
kind-systems-one = 情報システム
kind-components = 構成要素
kind-components-one = 構成要素
kind-assets = 情報資産
kind-assets-one = 情報資産

## Fields
field-name = 名称
field-code = コード
field-notes = 備考
field-affiliation = 所属区分
field-contact-role = 対応時の役割
field-department-id = 所属部門
field-organization = 組織名
field-title = 役職
field-email = メールアドレス
field-phone = 電話番号
field-reachable-hours = 連絡可能時間帯
field-after-hours-phone = 時間外連絡先電話番号
field-last-verified = 最終確認日
field-contact-name = 担当者名
field-contract-start = 契約開始日
field-contract-end = 契約終了日
field-contract-new-vulns = 納品後に公表された脆弱性の対応費用負担
field-contract-known-vulns = 既知の重大な脆弱性の委託先負担での修正
field-contract-vuln-testing = 脆弱性診断の実施
field-contract-emergency-costs = 緊急時の費用負担
field-purpose = 用途
field-owner-department-id = オーナー部門
field-administrator-id = システム管理者
field-vendor-id = 運用委託先
field-location = 設置場所
field-exposure = 公開範囲
field-personal-data = 個人情報
field-customer-data = 顧客情報
field-critical-data = 重要情報
field-confidentiality = 機密性
field-integrity = 完全性
field-availability = 可用性
field-end-of-support = サポート終了日
field-system-id = 情報システム
field-vendor = ベンダー
field-product = 製品名
field-version = バージョン
field-cpe = CPE
field-purl = パッケージURL
field-source = 登録元
field-description = 内容
field-storage-place = 保管場所
field-username = ユーザー名
field-password = パスワード
field-display-name = 表示名
field-role = 権限
field-disabled = 無効
field-current-password = 現在のパスワード
field-new-password = 新しいパスワード
field-token-name = トークン名

## Choices
choice-on-premises = オンプレミス
choice-cloud = クラウド
choice-data-center = データセンター
choice-internet = インターネット公開
choice-intranet = 社内ネットワーク
choice-isolated = 閉域・スタンドアロン
choice-internal = 社内
choice-external = 社外
choice-ciso = CISO
choice-incident-lead = インシデント対応責任者
choice-first-responder = 初動対応担当
choice-pr = 広報
choice-legal = 法務
choice-general-affairs = 総務
choice-it-admin = システム管理者
choice-executive = 経営者
choice-ipa = IPA
choice-jpcert = JPCERT/CC
choice-police = 警察（サイバー犯罪相談窓口）
choice-ppc = 個人情報保護委員会
choice-vendor = 委託先
choice-insurer = 保険会社
choice-lawyer = 弁護士
choice-other = その他
choice-manual = 手入力
choice-csv = CSV
choice-sbom = SBOM
choice-collector = 自動収集
choice-unset = 未確認
choice-agreed = 合意済み
choice-not-agreed = 未合意
choice-not-applicable = 対象外

## Roles
role-admin = 管理者
role-security-officer = セキュリティ担当者
role-system-owner = システムオーナー
role-vendor = 委託先
role-executive = 経営者
role-auditor = 監査担当者

## 脆弱性情報とフィード
nav-vulns = 脆弱性情報
nav-feeds = フィード状況
feed-nvd = NVD
feed-jvn = JVN iPedia
feed-kev = CISA KEV
feed-epss = FIRST EPSS
feed-osv = OSV
vulns-title = 脆弱性情報
vulns-filter-text = キーワード（日本語・英語）または ID
vulns-filter-cvss-min = CVSS 下限
vulns-filter-cvss-max = CVSS 上限
vulns-filter-kev = 悪用が確認されたもののみ
vulns-filter-epss = EPSS 下限（%）
vulns-filter-product = ベンダー・製品名
vulns-filter-from = 公開日（から）
vulns-filter-to = 公開日（まで）
vulns-filter-feed = 情報源
vulns-col-id = ID
vulns-col-title = タイトル
vulns-col-cvss = CVSS
vulns-col-kev = 悪用の確認
vulns-col-epss = EPSS
vulns-col-published = 公開日
vulns-col-sources = 情報源
vulns-empty = 条件に合う脆弱性はありません。一覧が空の場合は「sonae import」でフィードを読み込んでください。
vuln-not-vulnerable = 稼働環境（それ自体は脆弱ではない）
vuln-title = タイトル
vuln-title-ja = タイトル（日本語）
vuln-description = 概要
vuln-status = 状態
vuln-cvss = CVSS
vuln-severity = 深刻度
vuln-cwe = 脆弱性の種類（CWE）
vuln-published = 公開日
vuln-modified = 最終更新日
vuln-affected = 影響を受ける製品
vuln-packages = 影響を受けるパッケージ
vuln-kev = 悪用の確認
vuln-kev-detail = { $added } に追加、対応期限 { $due }。{ $action }
vuln-ransomware = ランサムウェアでの悪用あり
vuln-source-meta = { $id } — 最終同期 { $time }
vuln-epss-detail = 30 日以内に悪用される確率 { $score }%（パーセンタイル { $percentile }%、{ $date } 時点）
vuln-aliases = 別の ID
vuln-sources = 情報源ごとの内容
vuln-configurations = 影響を受ける構成
vuln-references = 参考情報
feeds-title = フィード状況
feeds-col-feed = フィード
feeds-col-success = 最終成功
feeds-col-age = データの古さ
feeds-col-records = 件数
feeds-col-skipped = 読み飛ばした件数
feeds-col-error = 直近のエラー
feeds-never = 未取得
feeds-age-days = { $days } 日
feeds-stale = { $feed } が { $hours } 時間更新されていません。脆弱性情報が古い可能性があります。
feeds-skipped-heading = { $feed } で読み飛ばしたレコード
feeds-import-hint = インターネットに接続できない環境では「sonae import nvd|jvn|kev|epss|osv ファイル…」でフィードのファイルを読み込めます（gzip・zip はそのまま読めます）。

## 検出結果
findings-title = 検出された脆弱性
findings-col-vuln = 脆弱性
findings-col-component = 構成要素
findings-col-certainty = 確度
findings-col-reason = 該当と判断した理由
findings-certainty-confirmed = 該当（影響を受けるバージョンの範囲内）
findings-certainty-possible = 可能性あり（バージョン不明）
findings-empty = 検出はありません。構成要素は「sonae match」の実行時に CPE 名で照合されます。
findings-col-priority = 優先度（理由）
findings-col-due = 対応期限
prio-level-p1 = P1 緊急
prio-level-p2 = P2 高
prio-level-p3 = P3 中
prio-level-p4 = P4 低
prio-cvss-critical = CVSS 緊急
prio-cvss-high = CVSS 重要
prio-cvss-medium = CVSS 警告
prio-cvss-low = CVSS 注意
prio-cvss-unknown = CVSS 未評価
prio-kev = 悪用が確認済み
prio-epss-very-likely = 悪用の可能性が非常に高い（EPSS）
prio-epss-likely = 悪用の可能性が高い（EPSS）
prio-internet = インターネット公開
prio-isolated = 閉域のシステム
prio-important = 重要なシステム（CIA 3）
prio-unimportant = 重要度が低い（CIA 1）
prio-personal-data = 個人情報を扱う
findings-col-status = 状態
findings-justification = 根拠
findings-note = 補足
findings-decided-by = 判断者
vex-component-not-present = 該当する構成要素が存在しない
vex-vulnerable-code-not-present = 脆弱なコードが含まれていない
vex-vulnerable-code-not-in-execute-path = 脆弱なコードが実行されない
vex-vulnerable-code-cannot-be-controlled-by-adversary = 攻撃者が脆弱なコードに到達できない
vex-inline-mitigations-already-exist = 緩和策が既に講じられている
findings-export = 全検出結果を出力（CSV。OpenVEX は /findings/openvex.json、CycloneDX VEX は /findings/cyclonedx-vex.json）
