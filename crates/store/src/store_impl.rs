//! `impl Store for SqlStore`, and the `Reader` / `Writer` units of work it hands out: each
//! trait method boxes the matching query function of the sibling modules, run on the unit's
//! connection (a pooled connection for reads, the write transaction for writes).

use bulwark_core::Timestamp;
use bulwark_core::accounts::{Account, ApiToken, Session};
use bulwark_core::approvals::{Approval, ApprovalFilter, Decision};
use bulwark_core::assets::{Asset, AssetKind};
use bulwark_core::audit::{AuditEntry, AuditFilter, AuditRecord};
use bulwark_core::checklists::{Answer, Checklist};
use bulwark_core::controls::{Control, Evidence, Mapping};
use bulwark_core::coverage::MappedControl;
use bulwark_core::disclosure::{DisclosureSettings, ReportMessage, VulnReport};
use bulwark_core::frameworks::{Framework, FrameworkContent};
use bulwark_core::ids::{
    AccountId, AreaId, AssetId, CampaignId, ChecklistId, ControlId, DepartmentId, EvidenceId, FrameworkId, IncidentId,
    KeyId, PersonId, PolicyId, ReportId, RiskId, TokenId,
};
use bulwark_core::incidents::{Event, Incident, Link};
use bulwark_core::keys::CryptoKey;
use bulwark_core::lifecycle::{Offboarding, OffboardingItem, OnboardingRecord};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::mfa::TotpFactor;
use bulwark_core::org::{Area, AreaMember, Department};
use bulwark_core::risks::{HeatMap, Risk, RiskSettings};
use bulwark_core::scim::{Member, ScimDepartment, ScimPerson, ScimProfile, ScimToken};
use bulwark_core::sso::PendingSignIn;

use bulwark_core::campaigns::{Campaign, DepartmentCompletion, Participant, PinnedVersion, Task};
use bulwark_core::notify::{Channel, OutboxMessage, TaskMail};
use bulwark_core::people::Person;
use bulwark_core::policies::{Policy, PolicyVersion};
use bulwark_core::scheduler::{Job, JobKind};
use bulwark_core::store::{Backend, Counts, Reader, Store, StoreFuture, Writer};
use sqlx::AnyConnection;
use sqlx::pool::PoolConnection;
use std::ops::DerefMut;
use std::sync::Arc;

use crate::list::Reads;
use crate::native::NativeReads;
use crate::write::{WriteTx, map_err};
use crate::{
    SqlStore, accounts, approvals, assets, audit, campaigns, checklists, controls, disclosure, frameworks, incidents,
    jobs, keys, lifecycle, mfa, notify, org, people, policies, risks, scim, sso,
};

/// A unit of work on connection `C` (a pooled connection or a write transaction) of a backend,
/// with SQLite's native read path for a pooled reader's list pages.
pub(crate) struct Unit<C>(C, Backend, Option<Arc<NativeReads>>);

impl<C: DerefMut<Target = AnyConnection>> Unit<C> {
    fn c(&mut self) -> &mut AnyConnection {
        &mut self.0
    }

    /// The connection and where the unit's lists are read from.
    fn reads(&mut self) -> (&mut AnyConnection, Reads<'_>) {
        (&mut self.0, Reads { backend: self.1, native: self.2.as_deref() })
    }
}

impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move { sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ()).map_err(map_err) })
    }

    fn read(&self) -> StoreFuture<'_, Box<dyn Reader>> {
        Box::pin(async move {
            let conn: PoolConnection<sqlx::Any> = self.pool.acquire().await.map_err(map_err)?;
            Ok(Box::new(Unit(conn, self.backend, self.native.clone())) as Box<dyn Reader>)
        })
    }

    fn write(&self) -> StoreFuture<'_, Box<dyn Writer>> {
        Box::pin(async move { Ok(Box::new(Unit(self.begin_write().await?, self.backend, None)) as Box<dyn Writer>) })
    }

    fn claim_outbox(&self, now: Timestamp, lease_until: Timestamp, limit: u32) -> StoreFuture<'_, Vec<OutboxMessage>> {
        Box::pin(async move {
            let _turn = self.claim_turn().await;
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            notify::claim(&mut conn, self.backend, now, lease_until, limit).await
        })
    }

    fn claim_jobs<'a>(
        &'a self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
        skipped: &'a [JobKind],
    ) -> StoreFuture<'a, Vec<Job>> {
        Box::pin(async move {
            let _turn = self.claim_turn().await;
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            jobs::claim(&mut conn, self.backend, now, lease_until, limit, skipped).await
        })
    }

    fn fail_job<'a>(&'a self, id: &'a str, error: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            jobs::fail(&mut conn, id, error).await
        })
    }

    fn finish_outbox<'a>(
        &'a self,
        id: &'a str,
        now: Timestamp,
        error: Option<&'a str>,
        retry_at: Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            notify::finish(&mut conn, id, now, error, retry_at).await
        })
    }

    fn touch_token(&self, id: TokenId, now: Timestamp) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::touch_token(&mut conn, id, now).await
        })
    }

    fn touch_scim_token(&self, id: TokenId, now: Timestamp) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            scim::touch_token(&mut conn, id, now).await
        })
    }

    fn failures_since<'a>(&'a self, key: &'a str, since: Timestamp) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::failures_since(&mut conn, key, since).await
        })
    }

    fn record_failures<'a>(&'a self, keys: &'a [String], at: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::record_failures(&mut conn, keys, at).await
        })
    }

    fn put_sso_login<'a>(&'a self, state_hash: &'a str, pending: &'a PendingSignIn) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            sso::put_login(&mut conn, state_hash, pending).await
        })
    }

    fn take_sso_login<'a>(&'a self, state_hash: &'a str, oldest: Timestamp) -> StoreFuture<'a, Option<PendingSignIn>> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            sso::take_login(&mut conn, state_hash, oldest).await
        })
    }

    fn touch_session<'a>(&'a self, id_hash: &'a str, now: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::touch_session(&mut conn, id_hash, now).await
        })
    }

    fn audit_batch(&self, after_seq: i64, limit: i64) -> StoreFuture<'_, Vec<AuditEntry>> {
        Box::pin(self.audit_after(after_seq, limit))
    }
}

impl<C: DerefMut<Target = AnyConnection> + Send> Reader for Unit<C> {
    fn counts(&mut self) -> StoreFuture<'_, Counts> {
        Box::pin(audit::counts(self.c()))
    }

    fn list_people<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Person>> {
        let (c, reads) = self.reads();
        Box::pin(people::list(c, reads, query))
    }

    fn find_person(&mut self, id: PersonId) -> StoreFuture<'_, Option<Person>> {
        Box::pin(people::by(self.c(), "id", id.to_string()))
    }

    fn find_person_by_email<'a>(&'a mut self, email: &'a str) -> StoreFuture<'a, Option<Person>> {
        Box::pin(people::by(self.c(), "email", email.to_lowercase()))
    }

    fn list_departments<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Department>> {
        let (c, reads) = self.reads();
        Box::pin(org::departments(c, reads, query))
    }

    fn list_department_names(&mut self) -> StoreFuture<'_, Vec<(DepartmentId, String)>> {
        let (c, reads) = self.reads();
        Box::pin(org::department_names(c, reads.native))
    }

    fn find_department(&mut self, id: DepartmentId) -> StoreFuture<'_, Option<Department>> {
        Box::pin(org::department(self.c(), id))
    }

    fn list_areas<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Area>> {
        let (c, reads) = self.reads();
        Box::pin(org::areas(c, reads, query))
    }

    fn find_area(&mut self, id: AreaId) -> StoreFuture<'_, Option<Area>> {
        Box::pin(org::area(self.c(), id))
    }

    fn list_area_members(&mut self, area: AreaId) -> StoreFuture<'_, Vec<AreaMember>> {
        Box::pin(org::area_members(self.c(), area))
    }

    fn list_policies<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Policy>> {
        let (c, reads) = self.reads();
        Box::pin(policies::list(c, reads, query))
    }

    fn find_policy(&mut self, id: PolicyId) -> StoreFuture<'_, Option<Policy>> {
        Box::pin(policies::find(self.c(), id))
    }

    fn list_policy_versions(&mut self, policy: PolicyId) -> StoreFuture<'_, Vec<PolicyVersion>> {
        Box::pin(policies::versions(self.c(), policy))
    }

    fn find_policy_version(&mut self, policy: PolicyId, number: i64) -> StoreFuture<'_, Option<PolicyVersion>> {
        Box::pin(policies::find_version(self.c(), policy, number))
    }

    fn list_campaigns<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Campaign>> {
        let (c, reads) = self.reads();
        Box::pin(campaigns::list(c, reads, query))
    }

    fn list_open_campaigns(&mut self) -> StoreFuture<'_, Vec<Campaign>> {
        Box::pin(campaigns::open(self.c()))
    }

    fn find_campaign(&mut self, id: CampaignId) -> StoreFuture<'_, Option<Campaign>> {
        Box::pin(campaigns::find(self.c(), id))
    }

    fn list_campaign_versions(&mut self, id: CampaignId) -> StoreFuture<'_, Vec<PinnedVersion>> {
        Box::pin(campaigns::versions(self.c(), id))
    }

    fn campaign_completion(&mut self, id: CampaignId) -> StoreFuture<'_, Vec<DepartmentCompletion>> {
        Box::pin(campaigns::completion(self.c(), id))
    }

    fn list_participants(
        &mut self,
        id: CampaignId,
        missing: bool,
        after: Option<(String, PersonId)>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Participant>> {
        let backend = self.1;
        Box::pin(campaigns::participants(self.c(), backend, id, missing, after, limit))
    }

    fn find_acknowledgment(&mut self, id: CampaignId, person: PersonId) -> StoreFuture<'_, Option<Timestamp>> {
        Box::pin(campaigns::find_acknowledgment(self.c(), id, person))
    }

    fn find_task<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Task>> {
        Box::pin(campaigns::find_task(self.c(), id))
    }

    fn list_overdue_tasks<'a>(&'a mut self, kind: &'a str, now: Timestamp, limit: u32) -> StoreFuture<'a, Vec<Task>> {
        Box::pin(campaigns::overdue_tasks(self.c(), kind, now, limit))
    }

    fn list_tasks<'a>(&'a mut self, person: PersonId, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Task>> {
        let (c, reads) = self.reads();
        Box::pin(campaigns::tasks(c, reads, person, query))
    }

    fn list_channels(&mut self) -> StoreFuture<'_, Vec<Channel>> {
        Box::pin(notify::channels(self.c()))
    }

    fn list_checklists<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Checklist>> {
        let (c, reads) = self.reads();
        Box::pin(checklists::list(c, reads, query))
    }

    fn find_checklist(&mut self, id: ChecklistId) -> StoreFuture<'_, Option<Checklist>> {
        Box::pin(checklists::find(self.c(), id))
    }

    fn list_answers(&mut self, campaign: CampaignId, person: PersonId) -> StoreFuture<'_, Vec<Answer>> {
        Box::pin(checklists::answers(self.c(), campaign, person))
    }

    fn find_approval<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Approval>> {
        Box::pin(approvals::find(self.c(), id))
    }

    fn find_pending_approval<'a>(
        &'a mut self,
        subject_type: &'a str,
        subject_id: &'a str,
    ) -> StoreFuture<'a, Option<Approval>> {
        Box::pin(approvals::find_pending(self.c(), subject_type, subject_id))
    }

    fn list_approvals<'a>(&'a mut self, filter: &'a ApprovalFilter, limit: u32) -> StoreFuture<'a, Vec<Approval>> {
        Box::pin(approvals::list(self.c(), filter, limit))
    }

    fn list_decisions<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Vec<Decision>> {
        Box::pin(approvals::decisions(self.c(), id))
    }

    fn list_pending_jobs(&mut self, limit: u32) -> StoreFuture<'_, Vec<Job>> {
        Box::pin(jobs::pending(self.c(), limit))
    }

    fn list_undelivered(&mut self, limit: u32) -> StoreFuture<'_, Vec<OutboxMessage>> {
        Box::pin(notify::undelivered(self.c(), limit))
    }

    fn list_accounts<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Account>> {
        let (c, reads) = self.reads();
        Box::pin(accounts::list(c, reads, query))
    }

    fn find_account(&mut self, id: AccountId) -> StoreFuture<'_, Option<Account>> {
        Box::pin(async move { Ok(accounts::by(self.c(), "id", id.to_string()).await?.map(|(a, _)| a)) })
    }

    fn find_account_for_person(&mut self, person: PersonId) -> StoreFuture<'_, Option<Account>> {
        Box::pin(async move { Ok(accounts::by(self.c(), "person_id", person.to_string()).await?.map(|(a, _)| a)) })
    }

    fn find_account_by_email<'a>(&'a mut self, email: &'a str) -> StoreFuture<'a, Option<(Account, Option<String>)>> {
        Box::pin(accounts::by(self.c(), "email", email.to_lowercase()))
    }

    fn find_password_reset<'a>(&'a mut self, hash: &'a str, now: Timestamp) -> StoreFuture<'a, Option<AccountId>> {
        Box::pin(accounts::find_reset(self.c(), hash, now))
    }

    fn find_session<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, Option<Session>> {
        Box::pin(accounts::find_session(self.c(), id_hash))
    }

    fn list_assets<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Asset>> {
        let (c, reads) = self.reads();
        Box::pin(assets::list(c, reads, query))
    }

    fn find_asset(&mut self, id: AssetId) -> StoreFuture<'_, Option<Asset>> {
        Box::pin(assets::find(self.c(), id))
    }

    fn list_keys<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<CryptoKey>> {
        let (c, reads) = self.reads();
        Box::pin(keys::list(c, reads, query))
    }

    fn find_key(&mut self, id: KeyId) -> StoreFuture<'_, Option<CryptoKey>> {
        Box::pin(keys::find(self.c(), id))
    }

    fn list_risks<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Risk>> {
        let (c, reads) = self.reads();
        Box::pin(risks::list(c, reads, query))
    }

    fn find_risk(&mut self, id: RiskId) -> StoreFuture<'_, Option<Risk>> {
        Box::pin(risks::find(self.c(), id))
    }

    fn risk_heat_map(&mut self) -> StoreFuture<'_, HeatMap> {
        Box::pin(risks::heat_map(self.c()))
    }

    fn risk_settings(&mut self) -> StoreFuture<'_, RiskSettings> {
        Box::pin(risks::settings(self.c()))
    }

    fn risk_controls(&mut self, id: RiskId) -> StoreFuture<'_, Vec<Control>> {
        Box::pin(risks::controls_of(self.c(), id))
    }

    fn control_risks(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Risk>> {
        Box::pin(risks::of_control(self.c(), id))
    }

    fn list_reports<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<VulnReport>> {
        let (c, reads) = self.reads();
        Box::pin(disclosure::list(c, reads, query))
    }

    fn find_report(&mut self, id: ReportId) -> StoreFuture<'_, Option<VulnReport>> {
        Box::pin(disclosure::find(self.c(), id))
    }

    fn report_by_secret<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ReportId>> {
        Box::pin(disclosure::by_secret(self.c(), hash))
    }

    fn report_messages(&mut self, id: ReportId) -> StoreFuture<'_, Vec<ReportMessage>> {
        Box::pin(disclosure::messages(self.c(), id))
    }

    fn disclosure_settings(&mut self) -> StoreFuture<'_, DisclosureSettings> {
        Box::pin(disclosure::settings(self.c()))
    }

    fn list_incidents<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Incident>> {
        let (c, reads) = self.reads();
        Box::pin(incidents::list(c, reads, query))
    }

    fn incidents_of(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Incident>> {
        Box::pin(incidents::of_person(self.c(), person))
    }

    fn find_incident(&mut self, id: IncidentId) -> StoreFuture<'_, Option<Incident>> {
        Box::pin(incidents::find(self.c(), id))
    }

    fn incident_events(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<Event>> {
        Box::pin(incidents::events(self.c(), id))
    }

    fn incident_members(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<(PersonId, String)>> {
        Box::pin(incidents::members(self.c(), id))
    }

    fn incident_links(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<Link>> {
        Box::pin(incidents::links(self.c(), id))
    }

    fn incident_plan(&mut self) -> StoreFuture<'_, Option<PolicyId>> {
        Box::pin(incidents::plan(self.c()))
    }

    fn incidents_owing_notification(&mut self, limit: u32) -> StoreFuture<'_, Vec<Incident>> {
        Box::pin(incidents::owing_notification(self.c(), limit))
    }

    fn find_framework_by_uuid<'a>(&'a mut self, uuid: &'a str) -> StoreFuture<'a, Option<Framework>> {
        Box::pin(frameworks::by_uuid(self.c(), uuid))
    }

    fn list_frameworks(&mut self) -> StoreFuture<'_, Vec<Framework>> {
        Box::pin(frameworks::list(self.c()))
    }

    fn framework_content(&mut self, id: FrameworkId) -> StoreFuture<'_, Option<FrameworkContent>> {
        Box::pin(frameworks::content(self.c(), id))
    }

    fn framework_outline(&mut self, id: FrameworkId) -> StoreFuture<'_, Option<FrameworkContent>> {
        Box::pin(controls::outline(self.c(), id))
    }

    fn framework_mappings(&mut self, id: FrameworkId, now: Timestamp) -> StoreFuture<'_, Vec<(String, MappedControl)>> {
        Box::pin(controls::framework_mappings(self.c(), id, now))
    }

    fn applicability(&mut self, id: FrameworkId) -> StoreFuture<'_, Vec<(String, bool, String)>> {
        Box::pin(controls::applicability(self.c(), id))
    }

    fn list_controls<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Control>> {
        let (c, reads) = self.reads();
        Box::pin(controls::list(c, reads, query))
    }

    fn find_control(&mut self, id: ControlId) -> StoreFuture<'_, Option<Control>> {
        Box::pin(controls::find(self.c(), id))
    }

    fn control_mappings(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Mapping>> {
        Box::pin(controls::mappings(self.c(), id))
    }

    fn control_evidence(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Evidence>> {
        Box::pin(controls::evidence_of(self.c(), id))
    }

    fn evidence_content(&mut self, id: EvidenceId) -> StoreFuture<'_, Option<(Evidence, Vec<u8>)>> {
        Box::pin(controls::evidence_content(self.c(), id))
    }

    fn list_scim_tokens(&mut self) -> StoreFuture<'_, Vec<ScimToken>> {
        Box::pin(scim::tokens(self.c()))
    }

    fn find_scim_token<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ScimToken>> {
        Box::pin(scim::token_by_hash(self.c(), hash))
    }

    fn scim_person(&mut self, id: PersonId) -> StoreFuture<'_, Option<ScimPerson>> {
        Box::pin(scim::person(self.c(), id))
    }

    fn scim_person_named<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<ScimPerson>> {
        Box::pin(scim::person_named(self.c(), key))
    }

    fn scim_people(&mut self, offset: i64, limit: i64) -> StoreFuture<'_, (Vec<ScimPerson>, i64)> {
        Box::pin(scim::people(self.c(), offset, limit))
    }

    fn scim_department(&mut self, id: DepartmentId) -> StoreFuture<'_, Option<ScimDepartment>> {
        Box::pin(scim::department(self.c(), id))
    }

    fn scim_departments(&mut self, offset: i64, limit: i64) -> StoreFuture<'_, (Vec<ScimDepartment>, i64)> {
        Box::pin(scim::departments(self.c(), offset, limit))
    }

    fn department_members(&mut self, id: DepartmentId) -> StoreFuture<'_, Vec<Member>> {
        Box::pin(scim::members(self.c(), id))
    }

    fn assets_assigned_to(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Asset>> {
        Box::pin(assets::assigned_to(self.c(), person))
    }

    fn directory_services(&mut self) -> StoreFuture<'_, Vec<(String, AssetKind)>> {
        Box::pin(lifecycle::directory_services(self.c()))
    }

    fn onboarding_records(&mut self, person: PersonId) -> StoreFuture<'_, Vec<OnboardingRecord>> {
        Box::pin(lifecycle::records(self.c(), person))
    }

    fn offboardings_of(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Offboarding>> {
        Box::pin(lifecycle::of_person(self.c(), person))
    }

    fn open_offboarding(&mut self, person: PersonId) -> StoreFuture<'_, Option<Offboarding>> {
        Box::pin(lifecycle::open_of(self.c(), person))
    }

    fn find_offboarding<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Offboarding>> {
        Box::pin(lifecycle::find(self.c(), id))
    }

    fn find_sso_identity<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<AccountId>> {
        Box::pin(sso::find_identity(self.c(), key))
    }

    fn sso_identity_of(&mut self, account: AccountId) -> StoreFuture<'_, Option<String>> {
        Box::pin(sso::identity_of(self.c(), account))
    }

    fn find_totp(&mut self, account: AccountId) -> StoreFuture<'_, Option<TotpFactor>> {
        Box::pin(mfa::find(self.c(), account))
    }

    fn count_recovery_codes(&mut self, account: AccountId) -> StoreFuture<'_, u64> {
        Box::pin(mfa::count_codes(self.c(), account))
    }

    fn find_session_with_account<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, Option<(Session, Account)>> {
        let (c, reads) = self.reads();
        Box::pin(accounts::session_with_account(c, reads.native, id_hash))
    }

    fn find_token_with_account<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<(ApiToken, Account)>> {
        let (c, reads) = self.reads();
        Box::pin(accounts::token_with_account(c, reads.native, hash))
    }

    fn list_tokens<'a>(&'a mut self, account: AccountId, query: &'a ListQuery) -> StoreFuture<'a, ListPage<ApiToken>> {
        let (c, reads) = self.reads();
        Box::pin(accounts::tokens_of(c, reads, account, query))
    }

    fn count_usable_tokens(&mut self, account: AccountId, now: Timestamp) -> StoreFuture<'_, u64> {
        Box::pin(accounts::count_usable_tokens(self.c(), account, now))
    }

    fn find_token(&mut self, id: TokenId) -> StoreFuture<'_, Option<ApiToken>> {
        Box::pin(accounts::token_by(self.c(), "id", id.to_string()))
    }

    fn find_token_by_hash<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ApiToken>> {
        Box::pin(accounts::token_by(self.c(), "token_hash", hash.to_string()))
    }

    fn list_audit<'a>(&'a mut self, filter: &'a AuditFilter, limit: u32) -> StoreFuture<'a, ListPage<AuditEntry>> {
        let (c, reads) = self.reads();
        Box::pin(audit::list(c, reads.native, filter, limit))
    }
}

impl Writer for Unit<WriteTx> {
    fn audit(&mut self, record: AuditRecord) {
        self.0.queue(record);
    }

    fn commit(self: Box<Self>) -> StoreFuture<'static, ()> {
        Box::pin(self.0.commit())
    }

    fn insert_person<'a>(&'a mut self, person: &'a Person) -> StoreFuture<'a, ()> {
        Box::pin(people::insert(self.c(), person))
    }

    fn update_person<'a>(&'a mut self, before: &'a Person, after: &'a Person) -> StoreFuture<'a, ()> {
        Box::pin(people::update(self.c(), before, after))
    }

    fn import_directory<'a>(&'a mut self, departments: &'a [Department], people: &'a [Person]) -> StoreFuture<'a, ()> {
        Box::pin(people::import_directory(self.c(), departments, people))
    }

    fn insert_department<'a>(&'a mut self, d: &'a Department) -> StoreFuture<'a, ()> {
        Box::pin(org::insert_department(self.c(), d))
    }

    fn update_department<'a>(&'a mut self, before: &'a Department, after: &'a Department) -> StoreFuture<'a, ()> {
        Box::pin(org::update_department(self.c(), before, after))
    }

    fn insert_area<'a>(&'a mut self, a: &'a Area) -> StoreFuture<'a, ()> {
        Box::pin(org::insert_area(self.c(), a))
    }

    fn update_area<'a>(&'a mut self, before: &'a Area, after: &'a Area) -> StoreFuture<'a, ()> {
        Box::pin(org::update_area(self.c(), before, after))
    }

    fn insert_area_member<'a>(&'a mut self, m: &'a AreaMember) -> StoreFuture<'a, ()> {
        Box::pin(org::insert_area_member(self.c(), m))
    }

    fn delete_area_member(&mut self, area: AreaId, person: PersonId) -> StoreFuture<'_, ()> {
        Box::pin(org::delete_area_member(self.c(), area, person))
    }

    fn insert_account<'a>(&'a mut self, a: &'a Account, password_hash: Option<&'a str>) -> StoreFuture<'a, ()> {
        Box::pin(accounts::insert(self.c(), a, password_hash))
    }

    fn update_account<'a>(&'a mut self, before: &'a Account, after: &'a Account) -> StoreFuture<'a, ()> {
        Box::pin(accounts::update(self.c(), before, after))
    }

    fn set_password_hash<'a>(&'a mut self, id: AccountId, hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(accounts::set_password_hash(self.c(), id, hash))
    }

    fn insert_password_reset<'a>(
        &'a mut self,
        hash: &'a str,
        id: AccountId,
        created_at: Timestamp,
        expires_at: Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(accounts::insert_reset(self.c(), hash, id, created_at, expires_at))
    }

    fn consume_password_reset<'a>(&'a mut self, hash: &'a str, now: Timestamp) -> StoreFuture<'a, AccountId> {
        Box::pin(accounts::consume_reset(self.c(), hash, now))
    }

    fn insert_session<'a>(&'a mut self, s: &'a Session) -> StoreFuture<'a, ()> {
        Box::pin(accounts::insert_session(self.c(), s))
    }

    fn delete_session<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(accounts::delete_session(self.c(), id_hash))
    }

    fn insert_asset<'a>(&'a mut self, asset: &'a Asset) -> StoreFuture<'a, ()> {
        Box::pin(assets::insert(self.c(), asset))
    }

    fn update_asset<'a>(&'a mut self, before: &'a Asset, after: &'a Asset) -> StoreFuture<'a, ()> {
        Box::pin(assets::update(self.c(), before, after))
    }

    fn insert_key<'a>(&'a mut self, key: &'a CryptoKey) -> StoreFuture<'a, ()> {
        Box::pin(keys::insert(self.c(), key))
    }

    fn update_key<'a>(&'a mut self, before: &'a CryptoKey, after: &'a CryptoKey) -> StoreFuture<'a, ()> {
        Box::pin(keys::update(self.c(), before, after))
    }

    fn insert_control<'a>(&'a mut self, c: &'a Control) -> StoreFuture<'a, ()> {
        Box::pin(controls::insert(self.c(), c))
    }

    fn update_control<'a>(&'a mut self, before: &'a Control, after: &'a Control) -> StoreFuture<'a, ()> {
        Box::pin(controls::update(self.c(), before, after))
    }

    fn insert_risk<'a>(&'a mut self, risk: &'a Risk) -> StoreFuture<'a, ()> {
        Box::pin(risks::insert(self.c(), risk))
    }

    fn update_risk<'a>(&'a mut self, before: &'a Risk, after: &'a Risk) -> StoreFuture<'a, ()> {
        Box::pin(risks::update(self.c(), before, after))
    }

    fn update_risk_settings<'a>(
        &'a mut self,
        before: &'a RiskSettings,
        after: &'a RiskSettings,
    ) -> StoreFuture<'a, ()> {
        Box::pin(risks::update_settings(self.c(), before, after))
    }

    fn insert_report<'a>(&'a mut self, report: &'a VulnReport, secret_hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(disclosure::insert(self.c(), report, secret_hash))
    }

    fn update_report<'a>(&'a mut self, before: &'a VulnReport, after: &'a VulnReport) -> StoreFuture<'a, ()> {
        Box::pin(disclosure::update(self.c(), before, after))
    }

    fn insert_report_message<'a>(&'a mut self, message: &'a ReportMessage) -> StoreFuture<'a, ()> {
        Box::pin(disclosure::insert_message(self.c(), message))
    }

    fn insert_incident<'a>(&'a mut self, incident: &'a Incident) -> StoreFuture<'a, ()> {
        Box::pin(incidents::insert(self.c(), incident))
    }

    fn update_incident<'a>(&'a mut self, before: &'a Incident, after: &'a Incident) -> StoreFuture<'a, ()> {
        Box::pin(incidents::update(self.c(), before, after))
    }

    fn insert_incident_event<'a>(&'a mut self, event: &'a Event) -> StoreFuture<'a, ()> {
        Box::pin(incidents::insert_event(self.c(), event))
    }

    fn add_incident_member(&mut self, id: IncidentId, person: PersonId) -> StoreFuture<'_, ()> {
        Box::pin(incidents::add_member(self.c(), id, person))
    }

    fn insert_incident_link<'a>(&'a mut self, id: IncidentId, link: &'a Link) -> StoreFuture<'a, ()> {
        Box::pin(incidents::insert_link(self.c(), id, link))
    }

    fn set_incident_plan(&mut self, policy: PolicyId) -> StoreFuture<'_, ()> {
        Box::pin(incidents::set_plan(self.c(), policy))
    }

    fn update_disclosure_settings<'a>(
        &'a mut self,
        before: &'a DisclosureSettings,
        after: &'a DisclosureSettings,
    ) -> StoreFuture<'a, ()> {
        Box::pin(disclosure::update_settings(self.c(), before, after))
    }

    fn insert_mapping<'a>(&'a mut self, m: &'a Mapping, now: Timestamp) -> StoreFuture<'a, bool> {
        Box::pin(controls::insert_mapping(self.c(), m, now))
    }

    fn delete_mapping<'a>(&'a mut self, m: &'a Mapping) -> StoreFuture<'a, ()> {
        Box::pin(controls::delete_mapping(self.c(), m))
    }

    fn insert_evidence<'a>(&'a mut self, e: &'a Evidence, content: Option<&'a [u8]>) -> StoreFuture<'a, ()> {
        Box::pin(controls::insert_evidence(self.c(), e, content))
    }

    fn put_applicability<'a>(
        &'a mut self,
        id: FrameworkId,
        requirement: &'a str,
        applicable: bool,
        justification: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(controls::put_applicability(self.c(), id, requirement, applicable, justification, now))
    }

    fn put_framework<'a>(&'a mut self, content: &'a FrameworkContent, replace: bool) -> StoreFuture<'a, ()> {
        Box::pin(frameworks::put(self.c(), content, replace))
    }

    fn insert_scim_token<'a>(&'a mut self, t: &'a ScimToken, hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(scim::insert_token(self.c(), t, hash))
    }

    fn revoke_scim_token(&mut self, id: TokenId, at: Timestamp) -> StoreFuture<'_, ()> {
        Box::pin(scim::revoke_token(self.c(), id, at))
    }

    fn put_scim_profile<'a>(&'a mut self, profile: &'a ScimProfile) -> StoreFuture<'a, ()> {
        Box::pin(scim::put_profile(self.c(), profile))
    }

    fn put_scim_department<'a>(
        &'a mut self,
        id: DepartmentId,
        external_id: Option<&'a str>,
        deleted_at: Option<Timestamp>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(scim::put_department(self.c(), id, external_id, deleted_at))
    }

    fn insert_onboarding_record<'a>(&'a mut self, record: &'a OnboardingRecord) -> StoreFuture<'a, ()> {
        Box::pin(lifecycle::insert_record(self.c(), record))
    }

    fn insert_offboarding<'a>(&'a mut self, o: &'a Offboarding) -> StoreFuture<'a, ()> {
        Box::pin(lifecycle::insert(self.c(), o))
    }

    fn update_offboarding_item<'a>(&'a mut self, id: &'a str, item: &'a OffboardingItem) -> StoreFuture<'a, ()> {
        Box::pin(lifecycle::update_item(self.c(), id, item))
    }

    fn close_offboarding<'a>(&'a mut self, id: &'a str, at: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(lifecycle::close(self.c(), id, at))
    }

    fn give_role_task<'a>(
        &'a mut self,
        role: bulwark_core::Role,
        kind: &'a str,
        subject_type: &'a str,
        subject_id: &'a str,
        title: &'a str,
        due_at: Timestamp,
        now: Timestamp,
    ) -> StoreFuture<'a, u64> {
        Box::pin(async move {
            let task = approvals::RoleTask { role, kind, subject_type, subject_id, title, due_at, except: None };
            approvals::give_role_task(self.c(), &task, now).await
        })
    }

    fn link_sso_identity<'a>(&'a mut self, key: &'a str, account: AccountId, at: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(sso::link(self.c(), key, account, at))
    }

    fn end_sessions(&mut self, account: AccountId) -> StoreFuture<'_, ()> {
        Box::pin(accounts::end_sessions(self.c(), account))
    }

    fn mark_session_verified<'a>(&'a mut self, id_hash: &'a str, at: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(mfa::mark_verified(self.c(), id_hash, at))
    }

    fn put_totp<'a>(&'a mut self, factor: &'a TotpFactor) -> StoreFuture<'a, ()> {
        Box::pin(mfa::put(self.c(), factor))
    }

    fn confirm_totp(&mut self, account: AccountId, at: Timestamp, step: i64) -> StoreFuture<'_, ()> {
        Box::pin(mfa::confirm(self.c(), account, at, step))
    }

    fn use_totp_step(&mut self, account: AccountId, step: i64) -> StoreFuture<'_, bool> {
        Box::pin(mfa::use_step(self.c(), account, step))
    }

    fn delete_totp(&mut self, account: AccountId) -> StoreFuture<'_, ()> {
        Box::pin(mfa::delete(self.c(), account))
    }

    fn replace_recovery_codes<'a>(
        &'a mut self,
        account: AccountId,
        hashes: &'a [String],
        at: Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(mfa::replace_codes(self.c(), account, hashes, at))
    }

    fn use_recovery_code<'a>(&'a mut self, account: AccountId, hash: &'a str, at: Timestamp) -> StoreFuture<'a, bool> {
        Box::pin(mfa::use_code(self.c(), account, hash, at))
    }

    fn insert_token<'a>(&'a mut self, t: &'a ApiToken, hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(accounts::insert_token(self.c(), t, hash))
    }

    fn revoke_token<'a>(&'a mut self, after: &'a ApiToken) -> StoreFuture<'a, ()> {
        Box::pin(accounts::revoke_token(self.c(), after))
    }

    fn upsert_channel<'a>(&'a mut self, c: &'a Channel) -> StoreFuture<'a, ()> {
        Box::pin(notify::upsert_channel(self.c(), c))
    }

    fn insert_outbox<'a>(&'a mut self, m: &'a OutboxMessage) -> StoreFuture<'a, ()> {
        Box::pin(notify::insert(self.c(), m))
    }

    fn mail_open_tasks<'a>(&'a mut self, mail: &'a TaskMail<'a>, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(notify::mail_open_tasks(self.c(), mail, now))
    }

    fn insert_checklist<'a>(&'a mut self, k: &'a Checklist) -> StoreFuture<'a, ()> {
        Box::pin(checklists::insert(self.c(), k))
    }

    fn save_answers<'a>(
        &'a mut self,
        campaign: CampaignId,
        person: PersonId,
        answers: &'a [Answer],
        summary: &'a str,
    ) -> StoreFuture<'a, ()> {
        Box::pin(checklists::save_answers(self.c(), campaign, person, answers, summary))
    }

    fn insert_approval<'a>(&'a mut self, a: &'a Approval) -> StoreFuture<'a, ()> {
        Box::pin(approvals::insert(self.c(), a))
    }

    fn update_approval<'a>(&'a mut self, before: &'a Approval, after: &'a Approval) -> StoreFuture<'a, ()> {
        Box::pin(approvals::update(self.c(), before, after))
    }

    fn assign_approvers<'a>(&'a mut self, a: &'a Approval, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(approvals::assign(self.c(), a, now))
    }

    fn insert_decision<'a>(&'a mut self, d: &'a Decision) -> StoreFuture<'a, ()> {
        Box::pin(approvals::insert_decision(self.c(), d))
    }

    fn insert_job<'a>(&'a mut self, job: &'a Job) -> StoreFuture<'a, bool> {
        Box::pin(jobs::insert(self.c(), job))
    }

    fn finish_job<'a>(&'a mut self, id: &'a str, now: Timestamp) -> StoreFuture<'a, bool> {
        Box::pin(jobs::finish(self.c(), id, now))
    }

    fn insert_campaign<'a>(&'a mut self, c: &'a Campaign, versions: &'a [PinnedVersion]) -> StoreFuture<'a, ()> {
        Box::pin(campaigns::insert(self.c(), c, versions))
    }

    fn enroll_campaign_audience<'a>(&'a mut self, c: &'a Campaign, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(campaigns::enroll(self.c(), c, now))
    }

    fn close_campaign<'a>(&'a mut self, c: &'a Campaign, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(campaigns::close(self.c(), c, now))
    }

    fn close_subject_tasks<'a>(
        &'a mut self,
        kind: &'a str,
        subject_type: &'a str,
        subject_id: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(campaigns::close_subject_tasks(self.c(), kind, subject_type, subject_id, now))
    }

    fn insert_task<'a>(&'a mut self, t: &'a Task) -> StoreFuture<'a, ()> {
        Box::pin(campaigns::insert_task(self.c(), t))
    }

    fn update_task<'a>(&'a mut self, before: &'a Task, after: &'a Task) -> StoreFuture<'a, ()> {
        Box::pin(campaigns::update_task(self.c(), before, after))
    }

    fn insert_acknowledgment<'a>(
        &'a mut self,
        id: CampaignId,
        person: PersonId,
        at: Timestamp,
        by: &'a str,
        versions: &'a str,
    ) -> StoreFuture<'a, ()> {
        Box::pin(campaigns::insert_acknowledgment(self.c(), id, person, at, by, versions))
    }

    fn insert_policy<'a>(&'a mut self, p: &'a Policy) -> StoreFuture<'a, ()> {
        Box::pin(policies::insert(self.c(), p))
    }

    fn update_policy<'a>(&'a mut self, before: &'a Policy, after: &'a Policy) -> StoreFuture<'a, ()> {
        Box::pin(policies::update(self.c(), before, after))
    }

    fn insert_policy_version<'a>(&'a mut self, v: &'a PolicyVersion) -> StoreFuture<'a, ()> {
        Box::pin(policies::insert_version(self.c(), v))
    }

    fn update_policy_version<'a>(
        &'a mut self,
        before: &'a PolicyVersion,
        after: &'a PolicyVersion,
    ) -> StoreFuture<'a, ()> {
        Box::pin(policies::update_version(self.c(), before, after))
    }
}
