# Product aliases and CPE suggestions (issue 4, matching).
nav-aliases = Product aliases
alias-title = Product aliases
alias-intro = How the inventory's vendor and product names map to the CPE names the feeds use. Components without a CPE name are matched through this table (e.g. “Apache httpd” → apache:http_server). Changes re-match the components they concern.
alias-col-vendor = Inventory vendor
alias-col-product = Inventory product
alias-col-cpe = CPE vendor:product
alias-col-records = Records naming it
alias-any-vendor = any vendor
alias-add = Add an alias
alias-delete = Delete
alias-field-vendor = Inventory vendor (empty: any)
alias-field-product = Inventory product
alias-field-cpe-vendor = CPE vendor
alias-field-cpe-product = CPE product
alias-suggest-heading = Find a CPE name
alias-suggest-intro = Search the vendor:product pairs named in the stored NVD data, to fill a component's CPE name or an alias.
alias-suggest-search = Search
