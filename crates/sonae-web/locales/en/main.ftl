## Application
app-name = sonae
nav-label = Main menu
nav-home = Home
nav-import = Import
nav-audit = Audit log
nav-users = Users

## Home
home-title = Home
home-intro = Keep track of your systems, software, information assets, contacts and vendors in one place, so you can act quickly when a vulnerability or incident hits.
home-role = You are signed in as { $role }.

## Actions
action-login = Sign in
action-logout = Sign out
action-create-admin = Create administrator
action-new = New
action-export-csv = Export CSV
action-filter = Filter
action-save = Save
action-cancel = Cancel
action-edit = Edit
action-delete = Delete
action-import = Import
action-add-component = Add component
action-change-password = Change password
action-create-token = Create token
action-revoke = Revoke
action-add-user = Add user
action-export-audit = Export audit log

## Login and setup
login-title = Sign in
setup-title = Initial setup
setup-hint = Create the first administrator account. This page disappears once it has been created.

## Lists and forms
filter-search = Search
filter-any = Any
list-count = { $count } records
page-prev = Previous
page-next = Next
form-required = Required
value-yes = Yes
value-no = No
hint-cpe = CPE 2.3 name, e.g. cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*
hint-purl = Package URL, e.g. pkg:npm/lodash@4.17.21
title-new = New { $kind }
title-edit = Edit { $name }
title-edit-generic = Edit record
record-meta = Version { $version }, last updated { $time }
empty-components = No components registered yet.
history-title = Change history
flash-saved = Saved.
flash-deleted = Deleted.

## Save conflicts
stale-title = Someone else changed this record
stale-message = While you were editing, this record was saved by someone else (now version { $version }, at { $time }). Review their changes below, then enter your changes again.
stale-col-field = Field
stale-col-before = Before
stale-col-after = Now

## Importance (CIA)
cia-1 = Low
cia-2 = Medium
cia-3 = High

## Import
import-title = Import CSV
import-kind = Record type
import-file = CSV file
import-columns = Columns
import-columns-hint = Use the column names below as the header on the first row. Save the file as UTF-8 (with or without BOM) or Shift_JIS (as Excel does). Reference columns hold the name of the referenced record. If any line has an error, the whole file is rejected and nothing is saved. Maximum file size: 10 MiB.
import-done = Imported { $count } { $kind } records.
import-failed = Nothing was imported. Fix the errors below and upload the file again.
import-line-error = Line { $line }, column “{ $column }” (#{ $number }): { $error }
import-err-encoding = Line { $line } is not valid UTF-8 or Shift_JIS. Save the file as UTF-8 or Shift_JIS and try again.
import-err-utf16 = The file is in UTF-16. Save it as UTF-8 or Shift_JIS (for example “CSV UTF-8” in Excel) and try again.
import-err-empty = The file is empty. Add a header row and at least one data row.
import-err-empty-header = Column { $number } has no name in the header row. Add the column name or remove the column.
import-err-duplicate-header = Column “{ $column }” appears more than once in the header row. Keep only one.
import-err-field-count = Line { $line } has { $found } columns but the header has { $expected }. Check for missing or extra commas.
import-err-quote = A quoted value starting on line { $line } is never closed. Add the missing double quote (").
import-err-syntax = Line { $line } could not be read as CSV. Check quotes and commas on that line.
import-err-syntax-generic = The file could not be read. Check that it is a valid CSV or JSON file.
import-err-unencodable = Line { $line }, column { $number } contains characters that cannot be written in the chosen encoding. Choose UTF-8 instead.
import-err-json = Invalid JSON at line { $line }, column { $number }. Check the file's syntax.
import-err-unknown-column = Unknown column “{ $column }”. Valid columns are: { $known }
import-err-missing-column = Required column “{ $column }” is missing. Add it to the header row.
import-err-sbom-not-json = The SBOM is not a JSON file. Upload a CycloneDX or SPDX file in JSON format.
import-err-sbom-unknown = The SBOM format was not recognized. Upload a CycloneDX or SPDX file in JSON format.
import-err-sbom-version = SBOM version { $version } is not supported. Export the SBOM in a supported version and try again.

## SBOM
sbom-title = Import SBOM
sbom-file = SBOM file (CycloneDX or SPDX, JSON)
sbom-hint = The components listed in the SBOM are added to this system.
sbom-done = Added { $count } components ({ $skipped } skipped).
sbom-dropped-ids = {" "}{ $count } identifiers (CPE/purl) were invalid and were left empty.
sbom-component-error = Component #{ $index }: { $error }

## Account
account-title = Account
account-password = Password
account-tokens = API tokens
password-hint = At least { $min } characters. A long passphrase is best.
token-shown-once = Copy this token now. It will not be shown again.
token-created = Created
token-last-used = Last used
token-state = Status
token-active = Active
token-revoked = Revoked
token-revoked-flash = The token has been revoked.

## Users
users-title = Users
users-add = Add user
users-added = User { $name } has been added.
users-saved = User { $name } has been saved.

## Audit log
audit-title = Audit log
audit-intact = The audit log is intact ({ $count } entries checked).
audit-broken = The audit log has been tampered with or damaged: { $count } broken links found. Contact your administrator.
audit-col-seq = No.
audit-col-time = Time
audit-col-actor = User
audit-col-action = Action
audit-col-object = Object
audit-col-changes = Changes
audit-action-create = Created
audit-action-update = Updated
audit-action-delete = Deleted
audit-action-login = Signed in
audit-action-password = Password changed
audit-action-revoke = Revoked

## Errors
error-title = Error
error-forbidden-title = Not permitted
error-not-found-title = Not found
error-too-large-title = File too large
error-forbidden = You do not have permission to do this. Ask an administrator if you need access.
error-not-found = The page or record was not found. It may have been deleted.
error-in-use = This record is still referenced by other records. Change or delete those first.
error-internal = Something went wrong on the server. Try again later; if it keeps happening, contact your administrator.
error-bad-json = The request body is not valid JSON.
error-bad-request = The request was not valid. Reload the page and try again.
error-bad-upload = The upload could not be read. Choose the file again and retry.
error-api-token = A valid API token is required. Send it as “Authorization: Bearer <token>”.
error-form = Some fields need attention. Fix the errors below and save again.
error-csrf = Your session has expired or the form is outdated. Reload the page and try again.
error-too-large = The file is too large. The maximum is { $limit } MiB.
error-stale-delete = The record was changed by someone else after you opened it. Reload the page and check it before deleting.
error-login-failed = Wrong username or password.
error-login-throttled = Too many failed sign-in attempts. Wait a few minutes and try again.
error-username = Use up to 64 letters, digits and the symbols “.”, “_”, “-” or “@” (no spaces).
error-password-short = The password is too short. Use a longer password.
error-password-username = The password must not be the same as the username.
error-current-password = The current password is wrong.
error-user-self = You cannot remove your own administrator role or disable your own account.
error-user-stale = Someone else changed this account while you were editing. The current values are shown; make your change again.
error-owner-needs-department = A system owner must belong to a department. Choose one.
error-vendor-needs-vendor = A vendor user must be linked to a vendor. Choose one.

## Field errors
err-required = Required. Please enter a value.
err-too-long = Too long. Use at most { $max } characters.
err-not-integer = Enter a whole number.
err-out-of-range = Enter a number from { $min } to { $max }.
err-not-bool = Enter yes or no (1/0, true/false).
err-not-date = Enter a date as YYYY-MM-DD.
err-not-in-list = Choose one of the listed values.
err-not-email = Enter a valid email address.
err-bad-cpe = Not a valid CPE 2.3 name (cpe:2.3:…).
err-bad-purl = Not a valid package URL (pkg:…).
err-unknown-reference = No such record. Check the name, or register it first.
err-duplicate = This value is already used. Choose another.
err-out-of-scope = You may not set this value. Choose one within your responsibility.
err-end-before-start = The end date is before the start date.
err-out-of-order = This value is out of order with the related ones (a higher priority may not get more days; the second threshold may not be below the first).
err-not-probability = Enter a probability between 0 and 1.

## Record types
kind-departments = Departments
kind-departments-one = Department
kind-people = Contacts
kind-people-one = Contact
kind-vendors = Vendors
kind-vendors-one = Vendor
kind-systems = Systems
kind-systems-one = System
kind-components = Components
kind-components-one = Component
kind-assets = Information assets
kind-assets-one = Information asset

## Fields
field-name = Name
field-code = Code
field-notes = Notes
field-affiliation = Affiliation
field-contact-role = Role in incidents
field-department-id = Department
field-organization = Organization
field-title = Job title
field-email = Email
field-phone = Phone
field-reachable-hours = Reachable hours
field-after-hours-phone = After-hours phone
field-last-verified = Last verified
field-contact-name = Contact person
field-contract-start = Contract start
field-contract-end = Contract end
field-contract-new-vulns = Fixing newly published vulnerabilities (who pays)
field-contract-known-vulns = Fixing known critical vulnerabilities at vendor's cost
field-contract-vuln-testing = Vulnerability testing included
field-contract-emergency-costs = Cost sharing in emergencies
field-purpose = Purpose
field-owner-department-id = Owner department
field-administrator-id = Administrator
field-vendor-id = Operating vendor
field-location = Location
field-exposure = Exposure
field-personal-data = Personal data
field-customer-data = Customer data
field-critical-data = Business-critical data
field-confidentiality = Confidentiality
field-integrity = Integrity
field-availability = Availability
field-end-of-support = End of support
field-system-id = System
field-vendor = Vendor
field-product = Product
field-version = Version
field-cpe = CPE
field-purl = Package URL
field-source = Source
field-description = Description
field-storage-place = Storage location
field-username = Username
field-password = Password
field-display-name = Display name
field-role = Role
field-disabled = Disabled
field-current-password = Current password
field-new-password = New password
field-token-name = Token name

## Choices
choice-on-premises = On premises
choice-cloud = Cloud
choice-data-center = Data center
choice-internet = Internet-facing
choice-intranet = Internal network
choice-isolated = Isolated / standalone
choice-internal = Internal
choice-external = External
choice-ciso = CISO
choice-incident-lead = Incident response lead
choice-first-responder = First responder
choice-pr = Public relations
choice-legal = Legal
choice-general-affairs = General affairs
choice-it-admin = IT administrator
choice-executive = Executive
choice-ipa = IPA
choice-jpcert = JPCERT/CC
choice-police = Police (cybercrime desk)
choice-ppc = Personal Information Protection Commission
choice-vendor = Vendor
choice-insurer = Insurer
choice-lawyer = Lawyer
choice-other = Other
choice-manual = Manual entry
choice-csv = CSV
choice-sbom = SBOM
choice-collector = Collector
choice-unset = Not checked
choice-agreed = Agreed
choice-not-agreed = Not agreed
choice-not-applicable = Not applicable

## Roles
role-admin = Administrator
role-security-officer = Security officer
role-system-owner = System owner
role-vendor = Vendor
role-executive = Executive
role-auditor = Auditor

## Vulnerabilities and feeds
nav-vulns = Vulnerabilities
nav-feeds = Feed status
feed-nvd = NVD
feed-jvn = JVN iPedia
feed-kev = CISA KEV
feed-epss = FIRST EPSS
feed-osv = OSV
vulns-title = Vulnerabilities
vulns-filter-text = Text (Japanese or English) or ID
vulns-filter-cvss-min = CVSS from
vulns-filter-cvss-max = CVSS to
vulns-filter-kev = Known exploited only
vulns-filter-epss = EPSS at least (%)
vulns-filter-product = Vendor or product
vulns-filter-from = Published from
vulns-filter-to = Published to
vulns-filter-feed = Source
vulns-col-id = ID
vulns-col-title = Title
vulns-col-cvss = CVSS
vulns-col-kev = Known exploited
vulns-col-epss = EPSS
vulns-col-published = Published
vulns-col-sources = Sources
vulns-empty = No vulnerability matches these filters. Load feeds with “sonae import” if the list is empty.
vuln-not-vulnerable = platform, not itself vulnerable
vuln-title = Title
vuln-title-ja = Title (Japanese)
vuln-description = Description
vuln-status = Status
vuln-cvss = CVSS
vuln-severity = Severity
vuln-cwe = Weaknesses (CWE)
vuln-published = Published
vuln-modified = Last modified
vuln-affected = Affected products
vuln-packages = Affected packages
vuln-kev = Known exploited
vuln-kev-detail = Added { $added }, remediation due { $due }. { $action }
vuln-ransomware = Used in ransomware campaigns
vuln-source-meta = { $id } — last synchronized { $time }
vuln-epss-detail = { $score }% probability of exploitation in 30 days (percentile { $percentile }%, scored { $date })
vuln-aliases = Other IDs
vuln-sources = What each source says
vuln-configurations = Affected configurations
vuln-references = References
feeds-title = Feed status
feeds-col-feed = Feed
feeds-col-success = Last success
feeds-col-age = Age of the data
feeds-col-records = Records
feeds-col-skipped = Skipped records
feeds-col-error = Last error
feeds-never = never
feeds-age-days = { $days } days
feeds-stale = { $feed } has not been updated for { $hours } hours. Vulnerability data may be out of date.
feeds-skipped-heading = Records skipped by { $feed }
feeds-import-hint = Sites without Internet access load feed files with “sonae import nvd|jvn|kev|epss|osv FILE…” (gzip and zip files are read as they ship).

## Findings
findings-title = Vulnerabilities found
findings-col-vuln = Vulnerability
findings-col-component = Component
findings-col-certainty = Certainty
findings-col-reason = Why it matched
findings-certainty-confirmed = Confirmed (version in the affected range)
findings-certainty-possible = Possible (version unknown)
findings-empty = No finding. Components are matched by their CPE names when “sonae match” runs.
findings-col-priority = Priority (why)
findings-col-due = Fix by
prio-level-p1 = P1 urgent
prio-level-p2 = P2 high
prio-level-p3 = P3 medium
prio-level-p4 = P4 low
prio-cvss-critical = CVSS critical
prio-cvss-high = CVSS high
prio-cvss-medium = CVSS medium
prio-cvss-low = CVSS low
prio-cvss-unknown = no CVSS score yet
prio-kev = known exploited
prio-epss-very-likely = exploitation very likely (EPSS)
prio-epss-likely = exploitation likely (EPSS)
prio-internet = internet-facing
prio-isolated = isolated system
prio-important = important system (CIA 3)
prio-unimportant = low importance (CIA 1)
prio-personal-data = handles personal data
findings-col-status = Status
findings-justification = Justification
findings-note = Note
findings-decided-by = Decided by
vex-component-not-present = The component is not present
vex-vulnerable-code-not-present = The vulnerable code is not present
vex-vulnerable-code-not-in-execute-path = The vulnerable code is never run
vex-vulnerable-code-cannot-be-controlled-by-adversary = An attacker cannot reach the vulnerable code
vex-inline-mitigations-already-exist = Mitigations are already in place
findings-export = Export all findings (CSV; OpenVEX at /findings/openvex.json; CycloneDX VEX at /findings/cyclonedx-vex.json)
