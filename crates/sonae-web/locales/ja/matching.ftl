# 製品名の別名と CPE 名の候補（issue 4、照合）。
nav-aliases = 製品名の別名
alias-title = 製品名の別名
alias-intro = 台帳のベンダー名・製品名と、脆弱性情報が使う CPE 名との対応です。CPE 名のない構成要素は、この表で照合します（例：「Apache httpd」→ apache:http_server）。変更すると、関係する構成要素を照合し直します。
alias-col-vendor = 台帳のベンダー
alias-col-product = 台帳の製品
alias-col-cpe = CPE ベンダー:製品
alias-col-records = 記載のある件数
alias-any-vendor = ベンダーを問わない
alias-add = 別名を追加
alias-delete = 削除
alias-field-vendor = 台帳のベンダー（空欄：問わない）
alias-field-product = 台帳の製品
alias-field-cpe-vendor = CPE ベンダー
alias-field-cpe-product = CPE 製品
alias-suggest-heading = CPE 名を探す
alias-suggest-intro = 保存している NVD データに現れるベンダー:製品の組を検索します。構成要素の CPE 名や別名を決めるときに使います。
alias-suggest-search = 検索
