# The handling workflow, the findings queue, "my systems" and the priority
# policy (DESIGN §3–§4; steps after seed 003 §3.3).

nav-findings = Findings
nav-my = My systems
nav-policy = Priority policy

wf-status-new = New
wf-status-investigating = ① Investigating
wf-status-direction = ② Impact and direction
wf-status-planning = ③ Work plan
wf-status-implementing = ④ Implementing
wf-status-verified = Fixed and verified
wf-status-not-affected = Not affected
wf-status-mitigated = Mitigated (workaround)
wf-status-risk-accepted = Risk accepted

wf-step-start = Start investigating
wf-step-investigated = Record the investigation
wf-step-direct = Decide the direction
wf-step-plan = Record the work plan
wf-step-agree = Agree as the owner department
wf-step-implement = Start the work
wf-step-verify = Confirm the fix
wf-step-mitigate = Record a workaround
wf-step-not-affected = Not affected
wf-step-request-acceptance = Ask to accept the risk
wf-step-approve-acceptance = Approve the risk acceptance
wf-step-reject-acceptance = Decline the risk acceptance
wf-step-reopen = Re-open
wf-step-expired = Risk acceptance ran out
wf-step-match-changed = Re-opened: the match changed
wf-step-fix-available = Re-opened: a fix is now available

wf-hint-start = Take the finding on: check whether the problem is really there.
wf-hint-investigated = ① Is the vulnerable function in use here, and under which conditions could it be exploited?
wf-hint-direct = ② What would the fix cost the business, and how will you deal with it: apply the patch, put a workaround in place (WAF/IPS rule, configuration), or stop the service until it is fixed?
wf-hint-plan = ③ When will the work be done, how long will the service be down, where will it be tested first, what will it cost and who will do it? Changing the plan asks the owner department to agree again.
wf-hint-agree = The department that owns the system agrees to the plan and its downtime. The work cannot start before.
wf-hint-implement = ④ The plan is agreed; the work starts.
wf-hint-verify = How did you confirm the fix (version seen, scan, test)?
wf-hint-mitigate = Which workaround is in place? When the feeds later name a fixed version, the finding opens again.
wf-hint-not-affected = Record why this system is not affected, in the terms of VEX. The decision stays until the match itself changes.
wf-hint-request-acceptance = Ask an executive to accept the risk instead of fixing it, with the reason.
wf-hint-approve-acceptance = Accept the risk until a date; then the finding opens again.
wf-hint-reject-acceptance = Decline the request; the finding goes on in ②.
wf-hint-reopen = Put the finding back to new, clearing its workflow record (the history stays).

wf-field-note = Note
wf-field-conditions = Findings of the investigation (present? under which conditions?)
wf-field-direction = Direction
wf-field-impact = Impact on the business
wf-field-scheduled = Scheduled for
wf-field-downtime = Downtime
wf-field-test-environment = Tested first on
wf-field-cost = Cost
wf-field-people = People doing the work
wf-field-reason = Reason
wf-field-expires = Accepted until
wf-field-justification = Justification
wf-field-plan = Work plan
wf-field-fix-known = A fix was known
wf-field-expires-ms = Accepted until
wf-field-accepted-until = Accepted until

wf-direction-patch = Apply the patch or update
wf-direction-workaround = Workaround (WAF/IPS rule, configuration change)
wf-direction-stop-service = Stop the service until it is fixed

wf-testenv-substitute = A substitute machine
wf-testenv-virtual = A virtual environment
wf-testenv-none = No test environment (applied directly)

wf-err-state = This step does not apply to the finding as it is now. Reload the page.
wf-err-permission = Your role may not take this step on this finding.
wf-err-missing = Fill in “{ $field }”.
wf-err-no-plan = Record the work plan first.
wf-err-no-agreement = The owner department has not agreed to the plan yet.
wf-err-no-request = There is no pending request to accept the risk.
wf-err-self-approval = You asked for this risk acceptance; someone else must approve it.
wf-err-expiry = The acceptance must end on a date after today and within a year.
wf-err-justification = Choose one of the listed justifications.
wf-err-stale = Someone changed this finding meanwhile. Here is the current state; please check and try again.

wf-priority = Priority
wf-why = Why
wf-due = Fix by
wf-overdue = Overdue
wf-agreed = Owner department agreed
wf-agreed-by = { $who }, { $when }
wf-not-agreed = Not yet agreed
wf-acceptance-requested = Risk acceptance asked for by { $who }
wf-accepted = Accepted by { $who } until { $until }
wf-next-steps = Next steps
wf-no-steps = There is nothing for you to do on this finding now.
wf-history = History
wf-history-empty = No step taken yet.
wf-col-when = When
wf-col-who = Who
wf-col-step = Step
wf-col-change = Status
wf-col-notes = Notes
wf-saved = Saved.

queue-title = Findings queue
queue-intro = Every finding you may see, most urgent due date first.
queue-filter-status = Status
queue-status-open = Open (to be fixed)
queue-status-all = All
queue-filter-priority = Priority
queue-filter-department = Department
queue-overdue-only = Overdue only
queue-kev-only = Known exploited only
queue-search = Vulnerability, system or product
queue-apply = Show
queue-count = { $n } findings
queue-empty = No finding matches.
queue-select = Select
queue-select-all = Select all on this page
queue-col-system = System
queue-bulk-heading = With the selected findings
queue-bulk-step = Step
queue-bulk-apply = Apply
queue-bulk-done = { $done } findings updated, { $failed } not (the step does not apply to them or your role may not take it).
queue-bulk-none = Select at least one finding.
queue-export = Export (CSV)

my-title = My systems: what to fix by when
my-intro = Open findings of the systems you are responsible for, the nearest due date first, with the facts behind each priority.
my-overdue = { $n } overdue
my-open = { $n } open
my-empty = Nothing to fix on your systems.

policy-title = Priority policy
policy-intro = Days to fix each priority and the EPSS thresholds that count as likely exploitation. Saving re-computes the priority and due date of every finding.
policy-field-p1-days = P1 urgent: days to fix
policy-field-p2-days = P2 high: days to fix
policy-field-p3-days = P3 medium: days to fix
policy-field-p4-days = P4 low: days to fix
policy-field-kev-internet-days = Known exploited on an internet-facing system: days to fix
policy-field-epss-likely = EPSS: exploitation likely from
policy-field-epss-very-likely = EPSS: exploitation very likely from
policy-save = Save the policy
policy-saved = Policy saved; { $n } findings got a new priority or due date.
prio-short-rto = must be back quickly (RTO)
policy-field-rto-urgent-hours = A system whose RTO is at most this many hours raises the priority
