//! The storage traits: everything the domain needs from a database.
//!
//! An operation asks the `Store` for a unit of work: `read()` gives a `Reader` (one pooled
//! connection), `write()` opens the one write transaction of the operation as a `Writer`.
//! Services call any repository methods on the writer — the reads their validation depends
//! on included — queue the operation's audit records with `Writer::audit`, and call
//! `commit()` exactly once. The commit appends the queued records to the hash chain and then
//! commits, so change and audit land together or not at all; dropping a writer rolls back.

use crate::approvals::{Approval, ApprovalFilter, Decision};
use crate::assets::{Asset, AssetKind};
use crate::audit::{AuditEntry, AuditFilter, AuditRecord};
use crate::compliance::controls::{ControlSummary, Evidence, Mapping};
use crate::compliance::coverage::MappedControl;
use crate::compliance::frameworks::{Framework, FrameworkContent};
use crate::compliance::risks::{HeatMap, Risk, RiskSettings};
use crate::error::{StoreError, StoreResult};
use crate::identity::accounts::{Account, ApiToken, Session};
use crate::identity::mfa::TotpFactor;
use crate::identity::scim::{Member, ScimDepartment, ScimPerson, ScimProfile, ScimToken};
use crate::identity::sso::PendingSignIn;
use crate::ids::{
    AccountId, AssetId, CampaignId, ChecklistId, ControlId, DepartmentId, EvidenceId, FrameworkId, IncidentId,
    PersonId, PolicyId, ReportId, RiskId, TokenId,
};
use crate::incidents::disclosure::{DisclosureSettings, ReportMessage, VulnReport};
use crate::incidents::{Event, Incident, Link};
use crate::list::{ListPage, ListQuery};
use crate::notify::{Channel, OutboxMessage, TaskMail};
use crate::organisation::departments::Department;
use crate::organisation::lifecycle::{Offboarding, OffboardingItem, OnboardingRecord};
use crate::organisation::people::Person;
use crate::policies::campaigns::{Campaign, DepartmentCompletion, Participant, PinnedVersion, Task};
use crate::policies::checklists::{Answer, Checklist};
use crate::policies::{Policy, PolicyVersion};
use crate::records::{Named, Record, RecordType, Scope, Target};
use crate::scheduler::{Job, JobKind};
use crate::time_util::Timestamp;
use std::future::Future;
use std::pin::Pin;

/// The boxed future every store method returns, so trait objects work.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// Counts shown on the dashboard.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    pub people: i64,
    pub departments: i64,
    pub areas: i64,
    pub accounts: i64,
    pub active_tokens: i64,
    pub audit_entries: i64,
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// Answers when the database is reachable.
    fn ping(&self) -> StoreFuture<'_, ()>;
    /// A connection for reads.
    fn read(&self) -> StoreFuture<'_, Box<dyn Reader>>;
    /// Opens the write transaction of one operation. Writers queue in the process before
    /// they take the database's write lock, so waiting is fair and short.
    fn write(&self) -> StoreFuture<'_, Box<dyn Writer>>;
    /// Records the last use of a token (not audited: it changes no record of the program).
    fn touch_token(&self, id: TokenId, now: Timestamp) -> StoreFuture<'_, ()>;
    /// Records a SCIM token's last use (operational state, not audited).
    fn touch_scim_token(&self, id: TokenId, now: Timestamp) -> StoreFuture<'_, ()>;
    /// Attempts recorded under `key` at or after `since` (throttling; not audited).
    fn failures_since<'a>(&'a self, key: &'a str, since: Timestamp) -> StoreFuture<'a, i64>;
    /// Records one attempt under each key as `slot`, committed before it returns, and forgets
    /// attempts older than a day.
    fn take_slots<'a>(&'a self, slot: &'a str, keys: &'a [String], at: Timestamp) -> StoreFuture<'a, ()>;
    /// Forgets the attempts recorded as `slot` (it succeeded, or was refused unchecked).
    fn release_slot<'a>(&'a self, slot: &'a str) -> StoreFuture<'a, ()>;
    /// Remembers a browser that signed in as `email` (its device cookie's hash) for a year.
    fn trust_device<'a>(&'a self, hash: &'a str, email: &'a str, at: Timestamp) -> StoreFuture<'a, ()>;
    /// Whether the browser with this device cookie hash signed in as `email` within a year.
    fn device_is_trusted<'a>(&'a self, hash: &'a str, email: &'a str, now: Timestamp) -> StoreFuture<'a, bool>;
    /// Records that a session was used (for the idle timeout; not audited).
    fn touch_session<'a>(&'a self, id_hash: &'a str, now: Timestamp) -> StoreFuture<'a, ()>;
    /// Claims up to `limit` undelivered messages due at `now` for this worker: their next
    /// attempt moves to `lease_until`, so no other instance takes them meanwhile (PostgreSQL:
    /// `FOR UPDATE SKIP LOCKED`). Delivery bookkeeping, not audited.
    fn claim_outbox(&self, now: Timestamp, lease_until: Timestamp, limit: u32) -> StoreFuture<'_, Vec<OutboxMessage>>;
    /// Records a delivery (`error` None) or a failed attempt to retry at `retry_at`.
    fn finish_outbox<'a>(
        &'a self,
        id: &'a str,
        now: Timestamp,
        error: Option<&'a str>,
        retry_at: Timestamp,
    ) -> StoreFuture<'a, ()>;
    /// Claims up to `limit` jobs due at `now` that no worker holds: their lease runs to
    /// `lease_until` (PostgreSQL: `FOR UPDATE SKIP LOCKED`), leaving jobs of the `skipped`
    /// kinds to instances that can run them. Scheduler bookkeeping, not audited.
    fn claim_jobs<'a>(
        &'a self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
        skipped: &'a [&'static JobKind],
    ) -> StoreFuture<'a, Vec<Job>>;
    /// Records why a job failed; it is tried again when its lease ends.
    fn fail_job<'a>(&'a self, id: &'a str, error: &'a str) -> StoreFuture<'a, ()>;
    /// Remembers a single sign-on in progress under the hash of its `state`, and forgets
    /// those begun before `PENDING_LIFETIME` (operational, not audited).
    fn put_sso_login<'a>(&'a self, state_hash: &'a str, pending: &'a PendingSignIn) -> StoreFuture<'a, ()>;
    /// Takes (removes and returns) a single sign-on in progress; ones begun before
    /// `oldest` are dropped on the way.
    fn take_sso_login<'a>(&'a self, state_hash: &'a str, oldest: Timestamp) -> StoreFuture<'a, Option<PendingSignIn>>;
    /// Audit entries with `seq > after_seq`, in stored order, at most `limit`.
    fn audit_batch(&self, after_seq: i64, limit: i64) -> StoreFuture<'_, Vec<AuditEntry>>;
}

/// Repository reads, on a pooled connection or inside a write transaction.
pub trait Reader: Send {
    fn counts(&mut self) -> StoreFuture<'_, Counts>;

    fn list_people<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Person>>;
    fn find_person(&mut self, id: PersonId) -> StoreFuture<'_, Option<Person>>;
    fn find_person_by_email<'a>(&'a mut self, email: &'a str) -> StoreFuture<'a, Option<Person>>;

    fn list_departments<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Department>>;
    /// (id, name) of every department by name, for pickers: cheaper than `list_departments`.
    fn list_department_names(&mut self) -> StoreFuture<'_, Vec<(DepartmentId, String)>>;
    fn find_department(&mut self, id: DepartmentId) -> StoreFuture<'_, Option<Department>>;

    fn list_accounts<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Account>>;
    fn find_account(&mut self, id: AccountId) -> StoreFuture<'_, Option<Account>>;
    fn find_account_for_person(&mut self, person: PersonId) -> StoreFuture<'_, Option<Account>>;
    /// The account and its password hash, if any.
    fn find_account_by_email<'a>(&'a mut self, email: &'a str) -> StoreFuture<'a, Option<(Account, Option<String>)>>;
    /// The account of an unused, unexpired set-password link.
    fn find_password_reset<'a>(&'a mut self, hash: &'a str, now: Timestamp) -> StoreFuture<'a, Option<AccountId>>;

    fn find_session<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, Option<Session>>;
    /// The account an identity of the single sign-on provider (`issuer|subject`) is linked to.
    fn find_sso_identity<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<AccountId>>;
    /// The provider identity an account is linked to.
    fn sso_identity_of(&mut self, account: AccountId) -> StoreFuture<'_, Option<String>>;
    fn list_assets<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Asset>>;
    fn find_asset(&mut self, id: AssetId) -> StoreFuture<'_, Option<Asset>>;
    /// A page of a kit record type (a `scope` filter keeps the records in a person's scope).
    fn list_records<'a>(
        &'a mut self,
        ty: &'static RecordType,
        query: &'a ListQuery,
    ) -> StoreFuture<'a, ListPage<Record>>;
    /// A kit record with the names of what it refers to and links.
    fn find_record<'a>(&'a mut self, ty: &'static RecordType, id: &'a str) -> StoreFuture<'a, Option<Record>>;
    /// Whether the record is in the person's scope.
    fn in_scope<'a>(
        &'a mut self,
        ty: &'static RecordType,
        id: &'a str,
        scope: Scope,
        person: PersonId,
    ) -> StoreFuture<'a, bool>;
    /// Whether another record of `ty` than `id` holds every one of these (column, value) pairs.
    fn record_taken<'a>(
        &'a mut self,
        ty: &'static RecordType,
        id: &'a str,
        values: &'a [(&'static str, String)],
    ) -> StoreFuture<'a, bool>;
    /// The records of `target` whose id is `typed` or whose name is, case aside (at most a few).
    fn find_named<'a>(&'a mut self, target: &'static Target, typed: &'a str) -> StoreFuture<'a, Vec<Named>>;
    /// The first names of `target`, by name (pickers' suggestions).
    fn named_options(&mut self, target: &'static Target) -> StoreFuture<'_, Vec<Named>>;
    /// The assets assigned to a person, by name.
    fn assets_assigned_to(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Asset>>;
    /// Name and kind of the SaaS and software in the inventory (where people have accounts).
    fn directory_services(&mut self) -> StoreFuture<'_, Vec<(String, AssetKind)>>;
    /// A person's onboarding records, newest first.
    fn onboarding_records(&mut self, person: PersonId) -> StoreFuture<'_, Vec<OnboardingRecord>>;
    /// A person's offboardings with their items, newest first.
    fn offboardings_of(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Offboarding>>;
    /// The person's offboarding that is not closed, if any.
    fn open_offboarding(&mut self, person: PersonId) -> StoreFuture<'_, Option<Offboarding>>;
    fn find_offboarding<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Offboarding>>;
    fn list_risks<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Risk>>;
    fn find_risk(&mut self, id: RiskId) -> StoreFuture<'_, Option<Risk>>;
    /// How many risks sit in each cell of the probability × impact grid.
    fn risk_heat_map(&mut self) -> StoreFuture<'_, HeatMap>;
    fn risk_settings(&mut self) -> StoreFuture<'_, RiskSettings>;
    /// The controls a risk relies on, by title.
    fn risk_controls(&mut self, id: RiskId) -> StoreFuture<'_, Vec<ControlSummary>>;
    /// The risks relying on a control, highest score first.
    fn control_risks(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Risk>>;
    fn list_reports<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<VulnReport>>;
    fn find_report(&mut self, id: ReportId) -> StoreFuture<'_, Option<VulnReport>>;
    /// The report whose secret link has this SHA-256.
    fn report_by_secret<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ReportId>>;
    /// A report's messages, oldest first.
    fn report_messages(&mut self, id: ReportId) -> StoreFuture<'_, Vec<ReportMessage>>;
    fn disclosure_settings(&mut self) -> StoreFuture<'_, DisclosureSettings>;
    fn list_incidents<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Incident>>;
    /// The incidents a person reported or was added to, newest first (at most 500).
    fn incidents_of(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Incident>>;
    fn find_incident(&mut self, id: IncidentId) -> StoreFuture<'_, Option<Incident>>;
    /// An incident's timeline, oldest first.
    fn incident_events(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<Event>>;
    /// (person, name) of the people added to an incident, by name.
    fn incident_members(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<(PersonId, String)>>;
    fn incident_links(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<Link>>;
    /// The policy chosen as the incident response plan.
    fn incident_plan(&mut self) -> StoreFuture<'_, Option<PolicyId>>;
    /// Incidents whose authority notification is owed, the longest owed first, at most `limit`.
    fn incidents_owing_notification(&mut self, limit: u32) -> StoreFuture<'_, Vec<Incident>>;
    fn find_framework_by_uuid<'a>(&'a mut self, uuid: &'a str) -> StoreFuture<'a, Option<Framework>>;
    /// Every framework, by title.
    fn list_frameworks(&mut self) -> StoreFuture<'_, Vec<Framework>>;
    /// A framework with its groups and requirements in document order.
    fn framework_content(&mut self, id: FrameworkId) -> StoreFuture<'_, Option<FrameworkContent>>;
    /// A framework's groups and requirements without their OSCAL bodies.
    fn framework_outline(&mut self, id: FrameworkId) -> StoreFuture<'_, Option<FrameworkContent>>;
    /// Every control mapped into the framework, by requirement, with whether it has fresh evidence.
    fn framework_mappings(&mut self, id: FrameworkId, now: Timestamp) -> StoreFuture<'_, Vec<(String, MappedControl)>>;
    /// (requirement, applicable, justification) of the requirements marked.
    fn applicability(&mut self, id: FrameworkId) -> StoreFuture<'_, Vec<(String, bool, String)>>;
    fn control_mappings(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Mapping>>;
    /// A control's evidence, newest first (without file contents).
    fn control_evidence(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Evidence>>;
    /// An evidence file with its content.
    fn evidence_content(&mut self, id: EvidenceId) -> StoreFuture<'_, Option<(Evidence, Vec<u8>)>>;
    /// Every SCIM token, newest first.
    fn list_scim_tokens(&mut self) -> StoreFuture<'_, Vec<ScimToken>>;
    fn find_scim_token<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ScimToken>>;
    /// A person with their SCIM profile (deleted Users included).
    fn scim_person(&mut self, id: PersonId) -> StoreFuture<'_, Option<ScimPerson>>;
    /// The person whose userName is `key` (lower-cased), by index.
    fn scim_person_named<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<ScimPerson>>;
    /// A page of the Users that are not deleted (id order) and how many there are.
    fn scim_people(&mut self, offset: i64, limit: i64) -> StoreFuture<'_, (Vec<ScimPerson>, i64)>;
    /// A department with its SCIM state (deleted Groups included).
    fn scim_department(&mut self, id: DepartmentId) -> StoreFuture<'_, Option<ScimDepartment>>;
    /// A page of the Groups that are not deleted (id order) and how many there are.
    fn scim_departments(&mut self, offset: i64, limit: i64) -> StoreFuture<'_, (Vec<ScimDepartment>, i64)>;
    /// The people of a department who are Users, by name.
    fn department_members(&mut self, id: DepartmentId) -> StoreFuture<'_, Vec<Member>>;

    /// The account's authenticator, confirmed or waiting for its first code.
    fn find_totp(&mut self, account: AccountId) -> StoreFuture<'_, Option<TotpFactor>>;
    /// How many of the account's recovery codes are unused.
    fn count_recovery_codes(&mut self, account: AccountId) -> StoreFuture<'_, u64>;
    /// The session and its account in one read (every signed-in request does this).
    fn find_session_with_account<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, Option<(Session, Account)>>;
    /// The token and its account in one read (every token-authenticated request does this).
    fn find_token_with_account<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<(ApiToken, Account)>>;

    /// The tokens of one account (the query's filters apply on top).
    fn list_tokens<'a>(&'a mut self, account: AccountId, query: &'a ListQuery) -> StoreFuture<'a, ListPage<ApiToken>>;
    /// How many of the account's tokens are neither revoked nor expired at `now`.
    fn count_usable_tokens(&mut self, account: AccountId, now: Timestamp) -> StoreFuture<'_, u64>;
    fn find_token(&mut self, id: TokenId) -> StoreFuture<'_, Option<ApiToken>>;
    fn find_token_by_hash<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ApiToken>>;

    fn list_policies<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Policy>>;
    fn find_policy(&mut self, id: PolicyId) -> StoreFuture<'_, Option<Policy>>;
    /// Every version of the policy, oldest first.
    fn list_policy_versions(&mut self, policy: PolicyId) -> StoreFuture<'_, Vec<PolicyVersion>>;
    fn find_policy_version(&mut self, policy: PolicyId, number: i64) -> StoreFuture<'_, Option<PolicyVersion>>;

    fn list_campaigns<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Campaign>>;
    /// Campaigns not closed (to enroll people who join).
    fn list_open_campaigns(&mut self) -> StoreFuture<'_, Vec<Campaign>>;
    fn find_campaign(&mut self, id: CampaignId) -> StoreFuture<'_, Option<Campaign>>;
    fn list_campaign_versions(&mut self, id: CampaignId) -> StoreFuture<'_, Vec<PinnedVersion>>;
    /// Tasks given and signed per department (no department last).
    fn campaign_completion(&mut self, id: CampaignId) -> StoreFuture<'_, Vec<DepartmentCompletion>>;
    /// People with the campaign's task by (name, id) after `after`; with `missing`, only
    /// those who have not signed.
    fn list_participants(
        &mut self,
        id: CampaignId,
        missing: bool,
        after: Option<(String, PersonId)>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Participant>>;
    /// When the person signed the campaign, if they have.
    fn find_acknowledgment(&mut self, id: CampaignId, person: PersonId) -> StoreFuture<'_, Option<Timestamp>>;
    fn find_task<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Task>>;
    /// Open tasks of `kind` due before `now`, most overdue first, at most `limit`.
    fn list_overdue_tasks<'a>(&'a mut self, kind: &'a str, now: Timestamp, limit: u32) -> StoreFuture<'a, Vec<Task>>;
    /// One person's tasks (the query's filters apply on top).
    fn list_tasks<'a>(&'a mut self, person: PersonId, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Task>>;

    fn list_checklists<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Checklist>>;
    /// The checklist with its items.
    fn find_checklist(&mut self, id: ChecklistId) -> StoreFuture<'_, Option<Checklist>>;
    /// One person's answers in a checklist campaign, by item.
    fn list_answers(&mut self, campaign: CampaignId, person: PersonId) -> StoreFuture<'_, Vec<Answer>>;

    fn find_approval<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Approval>>;
    /// The pending request about a record, if any.
    fn find_pending_approval<'a>(
        &'a mut self,
        subject_type: &'a str,
        subject_id: &'a str,
    ) -> StoreFuture<'a, Option<Approval>>;
    /// Requests by the filter, newest first, at most `limit`.
    fn list_approvals<'a>(&'a mut self, filter: &'a ApprovalFilter, limit: u32) -> StoreFuture<'a, Vec<Approval>>;
    /// The decisions on a request, oldest first.
    fn list_decisions<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Vec<Decision>>;

    fn list_channels(&mut self) -> StoreFuture<'_, Vec<Channel>>;
    /// Jobs not run yet, soonest first, at most `limit`.
    fn list_pending_jobs(&mut self, limit: u32) -> StoreFuture<'_, Vec<Job>>;
    /// Messages not delivered yet, the most tried first, at most `limit`.
    fn list_undelivered(&mut self, limit: u32) -> StoreFuture<'_, Vec<OutboxMessage>>;

    /// Newest first, at most `limit`, before `filter.before_seq` when set; `next` names the
    /// sequence number the following page starts before.
    fn list_audit<'a>(&'a mut self, filter: &'a AuditFilter, limit: u32) -> StoreFuture<'a, ListPage<AuditEntry>>;

    // `get_*`: like `find_*` but `NotFound` when absent.
    fn get_person(&mut self, id: PersonId) -> StoreFuture<'_, Person> {
        Box::pin(async move { self.find_person(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_department(&mut self, id: DepartmentId) -> StoreFuture<'_, Department> {
        Box::pin(async move { self.find_department(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_account(&mut self, id: AccountId) -> StoreFuture<'_, Account> {
        Box::pin(async move { self.find_account(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_token(&mut self, id: TokenId) -> StoreFuture<'_, ApiToken> {
        Box::pin(async move { self.find_token(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_policy(&mut self, id: PolicyId) -> StoreFuture<'_, Policy> {
        Box::pin(async move { self.find_policy(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_asset(&mut self, id: AssetId) -> StoreFuture<'_, Asset> {
        Box::pin(async move { self.find_asset(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_offboarding<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Offboarding> {
        Box::pin(async move { self.find_offboarding(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_risk(&mut self, id: RiskId) -> StoreFuture<'_, Risk> {
        Box::pin(async move { self.find_risk(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_report(&mut self, id: ReportId) -> StoreFuture<'_, VulnReport> {
        Box::pin(async move { self.find_report(id).await?.ok_or(StoreError::NotFound) })
    }
    fn get_incident(&mut self, id: IncidentId) -> StoreFuture<'_, Incident> {
        Box::pin(async move { self.find_incident(id).await?.ok_or(StoreError::NotFound) })
    }
}

/// The write transaction of one operation. Updates take the record as it was read (`before`)
/// and fail with `Conflict` if the stored record changed since.
pub trait Writer: Reader {
    /// Queues an audit record; `commit` appends the queue to the chain.
    fn audit(&mut self, record: AuditRecord);
    /// Appends the queued audit records and commits. Refuses a transaction with no record.
    fn commit(self: Box<Self>) -> StoreFuture<'static, ()>;

    fn insert_person<'a>(&'a mut self, person: &'a Person) -> StoreFuture<'a, ()>;
    fn insert_asset<'a>(&'a mut self, asset: &'a Asset) -> StoreFuture<'a, ()>;
    /// Stores `after` if the stored asset is still `before` (same `updated_at`).
    fn update_asset<'a>(&'a mut self, before: &'a Asset, after: &'a Asset) -> StoreFuture<'a, ()>;
    /// Locks a row until commit where writers run side by side (PostgreSQL: `FOR UPDATE`), so
    /// a decision read from several rows (the decisions of an approval) is taken one at a time;
    /// SQLite writers are one at a time already.
    fn lock_row<'a>(&'a mut self, table: &'static str, id: &'a str) -> StoreFuture<'a, ()>;
    /// Adds a kit record with its links.
    fn insert_record<'a>(&'a mut self, record: &'a Record) -> StoreFuture<'a, ()>;
    /// Stores `after` if the stored record is still `before` (same `updated_at`).
    fn update_record<'a>(&'a mut self, before: &'a Record, after: &'a Record) -> StoreFuture<'a, ()>;
    /// Deletes a kit record if unchanged, its links both ways, and withdraws its open tasks.
    fn delete_record<'a>(&'a mut self, record: &'a Record, now: Timestamp) -> StoreFuture<'a, ()>;
    fn insert_onboarding_record<'a>(&'a mut self, record: &'a OnboardingRecord) -> StoreFuture<'a, ()>;
    /// Adds an offboarding with its items.
    fn insert_offboarding<'a>(&'a mut self, o: &'a Offboarding) -> StoreFuture<'a, ()>;
    /// Checks off an item not checked off yet (`Conflict` if it was meanwhile).
    fn update_offboarding_item<'a>(&'a mut self, id: &'a str, item: &'a OffboardingItem) -> StoreFuture<'a, ()>;
    /// Closes an open offboarding (`Conflict` if it was closed meanwhile).
    fn close_offboarding<'a>(&'a mut self, id: &'a str, at: Timestamp) -> StoreFuture<'a, ()>;
    /// Gives every active holder of `role` a task about the record; returns how many got it.
    #[allow(clippy::too_many_arguments)]
    fn give_role_task<'a>(
        &'a mut self,
        role: crate::Role,
        kind: &'a str,
        subject_type: &'a str,
        subject_id: &'a str,
        title: &'a str,
        due_at: Timestamp,
        now: Timestamp,
    ) -> StoreFuture<'a, u64>;
    /// Stores a new risk with its control links.
    fn insert_risk<'a>(&'a mut self, risk: &'a Risk) -> StoreFuture<'a, ()>;
    /// Stores `after` (and its control links) if the stored risk is still `before`.
    fn update_risk<'a>(&'a mut self, before: &'a Risk, after: &'a Risk) -> StoreFuture<'a, ()>;
    /// Stores `after` if the stored settings are still `before`.
    fn update_risk_settings<'a>(&'a mut self, before: &'a RiskSettings, after: &'a RiskSettings)
    -> StoreFuture<'a, ()>;
    /// Stores a new report with the SHA-256 of its reporter's secret link.
    fn insert_report<'a>(&'a mut self, report: &'a VulnReport, secret_hash: &'a str) -> StoreFuture<'a, ()>;
    /// Waits for the reporter to confirm their address with the secret hashed as `hash`.
    fn expect_report_email_confirmation<'a>(&'a mut self, id: ReportId, hash: &'a str) -> StoreFuture<'a, ()>;
    /// Confirms the address whose confirmation secret hashes to `hash` (once); its report.
    fn confirm_report_email<'a>(&'a mut self, hash: &'a str, at: Timestamp) -> StoreFuture<'a, Option<ReportId>>;
    /// Whether the report's reporter confirmed their e-mail address.
    fn report_email_confirmed(&mut self, id: ReportId) -> StoreFuture<'_, bool>;
    fn update_report<'a>(&'a mut self, before: &'a VulnReport, after: &'a VulnReport) -> StoreFuture<'a, ()>;
    fn insert_report_message<'a>(&'a mut self, message: &'a ReportMessage) -> StoreFuture<'a, ()>;
    fn insert_incident<'a>(&'a mut self, incident: &'a Incident) -> StoreFuture<'a, ()>;
    fn update_incident<'a>(&'a mut self, before: &'a Incident, after: &'a Incident) -> StoreFuture<'a, ()>;
    fn insert_incident_event<'a>(&'a mut self, event: &'a Event) -> StoreFuture<'a, ()>;
    /// Adds a person to an incident (adding them twice changes nothing).
    fn add_incident_member(&mut self, id: IncidentId, person: PersonId) -> StoreFuture<'_, ()>;
    /// Links an incident to a record (linking it twice changes nothing).
    fn insert_incident_link<'a>(&'a mut self, id: IncidentId, link: &'a Link) -> StoreFuture<'a, ()>;
    fn set_incident_plan(&mut self, policy: PolicyId) -> StoreFuture<'_, ()>;
    fn update_disclosure_settings<'a>(
        &'a mut self,
        before: &'a DisclosureSettings,
        after: &'a DisclosureSettings,
    ) -> StoreFuture<'a, ()>;
    /// Adds a mapping; false when it existed.
    fn insert_mapping<'a>(&'a mut self, m: &'a Mapping, now: Timestamp) -> StoreFuture<'a, bool>;
    fn delete_mapping<'a>(&'a mut self, m: &'a Mapping) -> StoreFuture<'a, ()>;
    fn insert_evidence<'a>(&'a mut self, e: &'a Evidence, content: Option<&'a [u8]>) -> StoreFuture<'a, ()>;
    fn put_applicability<'a>(
        &'a mut self,
        id: FrameworkId,
        requirement: &'a str,
        applicable: bool,
        justification: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, ()>;
    /// Writes a framework and its content (`replace`: it exists, its old content goes).
    fn put_framework<'a>(&'a mut self, content: &'a FrameworkContent, replace: bool) -> StoreFuture<'a, ()>;
    fn insert_scim_token<'a>(&'a mut self, t: &'a ScimToken, hash: &'a str) -> StoreFuture<'a, ()>;
    fn revoke_scim_token(&mut self, id: TokenId, at: Timestamp) -> StoreFuture<'_, ()>;
    /// Inserts or replaces a person's SCIM profile.
    fn put_scim_profile<'a>(&'a mut self, profile: &'a ScimProfile) -> StoreFuture<'a, ()>;
    /// Inserts or replaces a department's SCIM state.
    fn put_scim_department<'a>(
        &'a mut self,
        id: DepartmentId,
        external_id: Option<&'a str>,
        deleted_at: Option<Timestamp>,
    ) -> StoreFuture<'a, ()>;
    fn update_person<'a>(&'a mut self, before: &'a Person, after: &'a Person) -> StoreFuture<'a, ()>;
    /// Writes many departments and people at once (seeding, imports).
    fn import_directory<'a>(&'a mut self, departments: &'a [Department], people: &'a [Person]) -> StoreFuture<'a, ()>;

    fn insert_department<'a>(&'a mut self, d: &'a Department) -> StoreFuture<'a, ()>;
    fn update_department<'a>(&'a mut self, before: &'a Department, after: &'a Department) -> StoreFuture<'a, ()>;

    fn insert_account<'a>(&'a mut self, a: &'a Account, password_hash: Option<&'a str>) -> StoreFuture<'a, ()>;
    fn update_account<'a>(&'a mut self, before: &'a Account, after: &'a Account) -> StoreFuture<'a, ()>;
    /// Sets the password hash, ends every session of the account and cancels its
    /// set-password links.
    fn set_password_hash<'a>(&'a mut self, id: AccountId, hash: &'a str) -> StoreFuture<'a, ()>;
    /// Stores a set-password link; it replaces any earlier link of the account.
    fn insert_password_reset<'a>(
        &'a mut self,
        hash: &'a str,
        id: AccountId,
        created_at: Timestamp,
        expires_at: Timestamp,
    ) -> StoreFuture<'a, ()>;
    /// Marks the link used, once; `NotFound` if already used, superseded or expired.
    fn consume_password_reset<'a>(&'a mut self, hash: &'a str, now: Timestamp) -> StoreFuture<'a, AccountId>;

    fn insert_session<'a>(&'a mut self, s: &'a Session) -> StoreFuture<'a, ()>;
    fn delete_session<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, ()>;
    /// Links a provider identity to an account.
    fn link_sso_identity<'a>(&'a mut self, key: &'a str, account: AccountId, at: Timestamp) -> StoreFuture<'a, ()>;
    /// Ends every session of the account.
    fn end_sessions(&mut self, account: AccountId) -> StoreFuture<'_, ()>;
    /// Records that the session's holder proved who they are at `at`.
    fn mark_session_verified<'a>(&'a mut self, id_hash: &'a str, at: Timestamp) -> StoreFuture<'a, ()>;
    /// Stores an unconfirmed authenticator in place of any earlier one.
    fn put_totp<'a>(&'a mut self, factor: &'a TotpFactor) -> StoreFuture<'a, ()>;
    /// Confirms the account's authenticator with the step of its first code.
    fn confirm_totp(&mut self, account: AccountId, at: Timestamp, step: i64) -> StoreFuture<'_, ()>;
    /// Records `step` as the last accepted one if it is later than the stored one; false if
    /// it is not (the code was used already).
    fn use_totp_step(&mut self, account: AccountId, step: i64) -> StoreFuture<'_, bool>;
    /// Removes the account's authenticator and recovery codes.
    fn delete_totp(&mut self, account: AccountId) -> StoreFuture<'_, ()>;
    /// Stores these recovery code hashes in place of the account's earlier ones.
    fn replace_recovery_codes<'a>(
        &'a mut self,
        account: AccountId,
        hashes: &'a [String],
        at: Timestamp,
    ) -> StoreFuture<'a, ()>;
    /// Uses up an unused recovery code; false if there is none with that hash.
    fn use_recovery_code<'a>(&'a mut self, account: AccountId, hash: &'a str, at: Timestamp) -> StoreFuture<'a, bool>;

    fn insert_token<'a>(&'a mut self, t: &'a ApiToken, hash: &'a str) -> StoreFuture<'a, ()>;
    fn revoke_token<'a>(&'a mut self, after: &'a ApiToken) -> StoreFuture<'a, ()>;
    /// Revokes every token of the account not revoked yet; returns how many.
    fn revoke_tokens_of(&mut self, account: AccountId, at: Timestamp) -> StoreFuture<'_, u64>;

    fn upsert_channel<'a>(&'a mut self, c: &'a Channel) -> StoreFuture<'a, ()>;
    fn insert_outbox<'a>(&'a mut self, m: &'a OutboxMessage) -> StoreFuture<'a, ()>;
    /// Undelivered messages of the channel go to its new destination, from `now`; how many.
    fn retarget_outbox<'a>(&'a mut self, c: &'a Channel, now: Timestamp) -> StoreFuture<'a, u64>;
    /// An undelivered message is tried again at `now`; false if there is none with that id.
    fn retry_outbox<'a>(&'a mut self, id: &'a str, now: Timestamp) -> StoreFuture<'a, bool>;
    /// Removes an undelivered message; false if there is none with that id.
    fn discard_outbox<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, bool>;
    /// Removes a channel and its undelivered messages; false if there is no such channel.
    fn delete_channel<'a>(&'a mut self, name: &'a str) -> StoreFuture<'a, bool>;
    /// Queues one e-mail to the assignee of each task `mail` selects (people who left
    /// excepted); returns how many. One statement, however many tasks.
    fn mail_open_tasks<'a>(&'a mut self, mail: &'a TaskMail<'a>, now: Timestamp) -> StoreFuture<'a, u64>;

    fn insert_checklist<'a>(&'a mut self, k: &'a Checklist) -> StoreFuture<'a, ()>;
    /// Stores a person's answers (replacing earlier answers to the same items) and the export
    /// line on their completion record.
    fn save_answers<'a>(
        &'a mut self,
        campaign: CampaignId,
        person: PersonId,
        answers: &'a [Answer],
        summary: &'a str,
    ) -> StoreFuture<'a, ()>;

    fn insert_approval<'a>(&'a mut self, a: &'a Approval) -> StoreFuture<'a, ()>;
    /// Records the outcome of a pending request; `Conflict` if it was decided meanwhile.
    fn update_approval<'a>(&'a mut self, before: &'a Approval, after: &'a Approval) -> StoreFuture<'a, ()>;
    /// Gives every active holder of the request's role (the requester excepted) a task;
    /// returns how many.
    fn assign_approvers<'a>(&'a mut self, a: &'a Approval, now: Timestamp) -> StoreFuture<'a, u64>;
    fn insert_decision<'a>(&'a mut self, d: &'a Decision) -> StoreFuture<'a, ()>;

    /// Adds a job; one with the same id is left as it is.
    /// Adds a job; false if one with its id exists (nothing changes then).
    fn insert_job<'a>(&'a mut self, job: &'a Job) -> StoreFuture<'a, bool>;
    /// Adds the job, or plans the one with its id afresh (new due time, not done).
    fn replan_job<'a>(&'a mut self, job: &'a Job) -> StoreFuture<'a, ()>;
    /// Marks the job done; false if it was done already (by this or another instance).
    fn finish_job<'a>(&'a mut self, id: &'a str, now: Timestamp) -> StoreFuture<'a, bool>;

    fn insert_campaign<'a>(&'a mut self, c: &'a Campaign, versions: &'a [PinnedVersion]) -> StoreFuture<'a, ()>;
    /// Gives everyone in the campaign's audience its task (people who left excepted); returns
    /// how many people it has. One statement, however large the audience.
    fn enroll_campaign_audience<'a>(
        &'a mut self,
        c: &'a Campaign,
        now: Timestamp,
        enrol: crate::policies::campaigns::Enrol,
    ) -> StoreFuture<'a, u64>;
    /// Closes the campaign (`Conflict` if it was closed meanwhile) and marks its open tasks
    /// missed; returns how many were missed.
    fn close_campaign<'a>(&'a mut self, c: &'a Campaign, now: Timestamp) -> StoreFuture<'a, u64>;
    /// Cancels the campaign (`Conflict` if it was closed meanwhile): closed and marked
    /// cancelled, its open tasks withdrawn (`cancelled`); returns how many were withdrawn.
    fn cancel_campaign<'a>(&'a mut self, c: &'a Campaign, now: Timestamp) -> StoreFuture<'a, u64>;
    /// Moves an open campaign's due date (`Conflict` if it changed or closed meanwhile) and
    /// its open tasks' with it; returns how many tasks moved.
    fn move_campaign_due<'a>(&'a mut self, c: &'a Campaign, due: Timestamp, now: Timestamp) -> StoreFuture<'a, u64>;
    /// Open campaigns that ask for another version of `policy` ask for version `number`
    /// (with its hash) from now on; returns them.
    fn repin_open_campaigns<'a>(
        &'a mut self,
        policy: PolicyId,
        number: i64,
        hash: &'a str,
    ) -> StoreFuture<'a, Vec<CampaignId>>;
    /// Marks the open tasks of `kind` about one record done (their obligation was met).
    fn close_subject_tasks<'a>(
        &'a mut self,
        kind: &'a str,
        subject_type: &'a str,
        subject_id: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, ()>;
    /// Adds a task; one that exists already (same id) is left as it is.
    fn insert_task<'a>(&'a mut self, t: &'a Task) -> StoreFuture<'a, ()>;
    fn update_task<'a>(&'a mut self, before: &'a Task, after: &'a Task) -> StoreFuture<'a, ()>;
    fn insert_acknowledgment<'a>(
        &'a mut self,
        id: CampaignId,
        person: PersonId,
        at: Timestamp,
        by: &'a str,
        versions: &'a str,
    ) -> StoreFuture<'a, ()>;

    fn insert_policy<'a>(&'a mut self, p: &'a Policy) -> StoreFuture<'a, ()>;
    fn update_policy<'a>(&'a mut self, before: &'a Policy, after: &'a Policy) -> StoreFuture<'a, ()>;
    fn insert_policy_version<'a>(&'a mut self, v: &'a PolicyVersion) -> StoreFuture<'a, ()>;
    /// Refused (`Conflict`) for a published or superseded version: those never change but for
    /// the one step from published to superseded.
    fn update_policy_version<'a>(
        &'a mut self,
        before: &'a PolicyVersion,
        after: &'a PolicyVersion,
    ) -> StoreFuture<'a, ()>;
}
