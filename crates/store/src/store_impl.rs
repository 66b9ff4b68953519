//! `impl Store for SqlStore`, and the `Reader` / `Writer` units of work it hands out: each
//! trait method boxes the matching query function of the sibling modules, run on the unit's
//! connection (for reads a pooled connection taken on first use, for writes the write
//! transaction).

use bulwark_core::Timestamp;
use bulwark_core::approvals::{Approval, ApprovalFilter, Decision};
use bulwark_core::assets::{Asset, AssetKind};
use bulwark_core::audit::{AuditEntry, AuditFilter, AuditRecord};
use bulwark_core::compliance::controls::{ControlSummary, Evidence, Mapping};
use bulwark_core::compliance::coverage::MappedControl;
use bulwark_core::compliance::frameworks::{Framework, FrameworkContent};
use bulwark_core::compliance::risks::{HeatMap, Risk, RiskSettings};
use bulwark_core::identity::accounts::{Account, ApiToken, Session};
use bulwark_core::identity::mfa::TotpFactor;
use bulwark_core::identity::scim::{Member, ScimDepartment, ScimPerson, ScimProfile, ScimToken};
use bulwark_core::identity::sso::PendingSignIn;
use bulwark_core::ids::{
    AccountId, AssetId, CampaignId, ChecklistId, ControlId, DepartmentId, EvidenceId, FrameworkId, IncidentId,
    PersonId, PolicyId, ReportId, RiskId, TokenId,
};
use bulwark_core::incidents::disclosure::{DisclosureSettings, ReportMessage, VulnReport};
use bulwark_core::incidents::{Event, Incident, Link};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::organisation::departments::Department;
use bulwark_core::organisation::lifecycle::{Offboarding, OffboardingItem, OnboardingRecord};
use bulwark_core::policies::checklists::{Answer, Checklist};
use bulwark_core::time_util::to_micros;

use bulwark_core::notify::{Channel, OutboxMessage, TaskMail};
use bulwark_core::organisation::people::Person;
use bulwark_core::policies::campaigns::{Campaign, DepartmentCompletion, Participant, PinnedVersion, Task};
use bulwark_core::policies::{Policy, PolicyVersion};
use bulwark_core::records::{Named, Record, RecordType, Scope, Target};
use bulwark_core::scheduler::{Job, JobKind};
use bulwark_core::store::{Backend, Counts, Reader, Store, StoreFuture, Writer};
use sqlx::AnyConnection;
use std::sync::Arc;

use crate::acquire::{Acquire, Lazy};
use crate::list::Reads;
use crate::native::NativeReads;
use crate::write::{self, WriteTx, map_err};
use crate::{
    SqlStore, accounts, approvals, assets, audit, campaigns, checklists, controls, disclosure, frameworks, incidents,
    jobs, lifecycle, mfa, notify, org, people, policies, records, risks, scim, sso,
};

/// A unit of work on connection `C` (a pooled connection taken on first use, or a write
/// transaction) of a backend, with the native read path for a pooled reader's lists and lookups.
pub(crate) struct Unit<C>(C, Backend, Option<Arc<NativeReads>>);

impl<C: Acquire> Unit<C> {
    /// The unit's connection source and where its lists are read from.
    fn reads(&mut self) -> (&mut dyn Acquire, Reads<'_>) {
        (&mut self.0, Reads { backend: self.1, native: self.2.as_deref() })
    }
}

impl Unit<WriteTx> {
    fn c(&mut self) -> &mut AnyConnection {
        &mut self.0
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
            let conn = Lazy::new(self.pool.clone());
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
        skipped: &'a [&'static JobKind],
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

    fn take_slots<'a>(&'a self, slot: &'a str, keys: &'a [String], at: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::take_slots(&mut conn, slot, keys, at).await
        })
    }

    fn release_slot<'a>(&'a self, slot: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::release_slot(&mut conn, slot).await
        })
    }

    fn trust_device<'a>(&'a self, hash: &'a str, email: &'a str, at: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::trust_device(&mut conn, hash, email, at).await
        })
    }

    fn device_is_trusted<'a>(&'a self, hash: &'a str, email: &'a str, now: Timestamp) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await.map_err(map_err)?;
            accounts::device_is_trusted(&mut conn, hash, email, now).await
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

impl<C: Acquire> Reader for Unit<C> {
    fn counts(&mut self) -> StoreFuture<'_, Counts> {
        Box::pin(async move { audit::counts(self.0.conn().await?).await })
    }

    fn list_people<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Person>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            people::list(c, reads, query).await
        })
    }

    fn find_person(&mut self, id: PersonId) -> StoreFuture<'_, Option<Person>> {
        Box::pin(async move { people::by(self.0.conn().await?, "id", id.to_string()).await })
    }

    fn find_person_by_email<'a>(&'a mut self, email: &'a str) -> StoreFuture<'a, Option<Person>> {
        Box::pin(async move { people::by(self.0.conn().await?, "email", email.to_lowercase()).await })
    }

    fn list_departments<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Department>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            org::departments(c, reads, query).await
        })
    }

    fn list_department_names(&mut self) -> StoreFuture<'_, Vec<(DepartmentId, String)>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            org::department_names(c, reads.native).await
        })
    }

    fn find_department(&mut self, id: DepartmentId) -> StoreFuture<'_, Option<Department>> {
        Box::pin(async move { org::department(self.0.conn().await?, id).await })
    }

    fn list_policies<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Policy>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            policies::list(c, reads, query).await
        })
    }

    fn find_policy(&mut self, id: PolicyId) -> StoreFuture<'_, Option<Policy>> {
        Box::pin(async move { policies::find(self.0.conn().await?, id).await })
    }

    fn list_policy_versions(&mut self, policy: PolicyId) -> StoreFuture<'_, Vec<PolicyVersion>> {
        Box::pin(async move { policies::versions(self.0.conn().await?, policy).await })
    }

    fn find_policy_version(&mut self, policy: PolicyId, number: i64) -> StoreFuture<'_, Option<PolicyVersion>> {
        Box::pin(async move { policies::find_version(self.0.conn().await?, policy, number).await })
    }

    fn list_campaigns<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Campaign>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            campaigns::list(c, reads, query).await
        })
    }

    fn list_open_campaigns(&mut self) -> StoreFuture<'_, Vec<Campaign>> {
        Box::pin(async move { campaigns::open(self.0.conn().await?).await })
    }

    fn find_campaign(&mut self, id: CampaignId) -> StoreFuture<'_, Option<Campaign>> {
        Box::pin(async move { campaigns::find(self.0.conn().await?, id).await })
    }

    fn list_campaign_versions(&mut self, id: CampaignId) -> StoreFuture<'_, Vec<PinnedVersion>> {
        Box::pin(async move { campaigns::versions(self.0.conn().await?, id).await })
    }

    fn campaign_completion(&mut self, id: CampaignId) -> StoreFuture<'_, Vec<DepartmentCompletion>> {
        Box::pin(async move { campaigns::completion(self.0.conn().await?, id).await })
    }

    fn list_participants(
        &mut self,
        id: CampaignId,
        missing: bool,
        after: Option<(String, PersonId)>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Participant>> {
        let backend = self.1;
        Box::pin(async move { campaigns::participants(self.0.conn().await?, backend, id, missing, after, limit).await })
    }

    fn find_acknowledgment(&mut self, id: CampaignId, person: PersonId) -> StoreFuture<'_, Option<Timestamp>> {
        Box::pin(async move { campaigns::find_acknowledgment(self.0.conn().await?, id, person).await })
    }

    fn find_task<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Task>> {
        Box::pin(async move { campaigns::find_task(self.0.conn().await?, id).await })
    }

    fn list_overdue_tasks<'a>(&'a mut self, kind: &'a str, now: Timestamp, limit: u32) -> StoreFuture<'a, Vec<Task>> {
        Box::pin(async move { campaigns::overdue_tasks(self.0.conn().await?, kind, now, limit).await })
    }

    fn list_tasks<'a>(&'a mut self, person: PersonId, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Task>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            campaigns::tasks(c, reads, person, query).await
        })
    }

    fn list_channels(&mut self) -> StoreFuture<'_, Vec<Channel>> {
        Box::pin(async move { notify::channels(self.0.conn().await?).await })
    }

    fn list_checklists<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Checklist>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            checklists::list(c, reads, query).await
        })
    }

    fn find_checklist(&mut self, id: ChecklistId) -> StoreFuture<'_, Option<Checklist>> {
        Box::pin(async move { checklists::find(self.0.conn().await?, id).await })
    }

    fn list_answers(&mut self, campaign: CampaignId, person: PersonId) -> StoreFuture<'_, Vec<Answer>> {
        Box::pin(async move { checklists::answers(self.0.conn().await?, campaign, person).await })
    }

    fn find_approval<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Approval>> {
        Box::pin(async move { approvals::find(self.0.conn().await?, id).await })
    }

    fn find_pending_approval<'a>(
        &'a mut self,
        subject_type: &'a str,
        subject_id: &'a str,
    ) -> StoreFuture<'a, Option<Approval>> {
        Box::pin(async move { approvals::find_pending(self.0.conn().await?, subject_type, subject_id).await })
    }

    fn list_approvals<'a>(&'a mut self, filter: &'a ApprovalFilter, limit: u32) -> StoreFuture<'a, Vec<Approval>> {
        Box::pin(async move { approvals::list(self.0.conn().await?, filter, limit).await })
    }

    fn list_decisions<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Vec<Decision>> {
        Box::pin(async move { approvals::decisions(self.0.conn().await?, id).await })
    }

    fn list_pending_jobs(&mut self, limit: u32) -> StoreFuture<'_, Vec<Job>> {
        Box::pin(async move { jobs::pending(self.0.conn().await?, limit).await })
    }

    fn list_undelivered(&mut self, limit: u32) -> StoreFuture<'_, Vec<OutboxMessage>> {
        Box::pin(async move { notify::undelivered(self.0.conn().await?, limit).await })
    }

    fn list_accounts<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Account>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            accounts::list(c, reads, query).await
        })
    }

    fn find_account(&mut self, id: AccountId) -> StoreFuture<'_, Option<Account>> {
        Box::pin(async move { Ok(accounts::by(self.0.conn().await?, "id", id.to_string()).await?.map(|(a, _)| a)) })
    }

    fn find_account_for_person(&mut self, person: PersonId) -> StoreFuture<'_, Option<Account>> {
        Box::pin(async move {
            Ok(accounts::by(self.0.conn().await?, "person_id", person.to_string()).await?.map(|(a, _)| a))
        })
    }

    fn find_account_by_email<'a>(&'a mut self, email: &'a str) -> StoreFuture<'a, Option<(Account, Option<String>)>> {
        Box::pin(async move { accounts::by(self.0.conn().await?, "email", email.to_lowercase()).await })
    }

    fn find_password_reset<'a>(&'a mut self, hash: &'a str, now: Timestamp) -> StoreFuture<'a, Option<AccountId>> {
        Box::pin(async move { accounts::find_reset(self.0.conn().await?, hash, now).await })
    }

    fn find_session<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, Option<Session>> {
        Box::pin(async move { accounts::find_session(self.0.conn().await?, id_hash).await })
    }

    fn list_assets<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Asset>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            assets::list(c, reads, query).await
        })
    }

    fn find_asset(&mut self, id: AssetId) -> StoreFuture<'_, Option<Asset>> {
        Box::pin(async move { assets::find(self.0.conn().await?, id).await })
    }

    fn list_records<'a>(
        &'a mut self,
        ty: &'static RecordType,
        query: &'a ListQuery,
    ) -> StoreFuture<'a, ListPage<Record>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            records::list(c, reads, ty, query).await
        })
    }

    fn find_record<'a>(&'a mut self, ty: &'static RecordType, id: &'a str) -> StoreFuture<'a, Option<Record>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            records::find(c, reads, ty, id).await
        })
    }

    fn in_scope<'a>(
        &'a mut self,
        ty: &'static RecordType,
        id: &'a str,
        scope: Scope,
        person: PersonId,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            records::in_scope(c, reads, ty, id, scope, &person.to_string()).await
        })
    }

    fn record_taken<'a>(
        &'a mut self,
        ty: &'static RecordType,
        id: &'a str,
        values: &'a [(&'static str, String)],
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            records::taken(c, reads, ty, id, values).await
        })
    }

    fn find_named<'a>(&'a mut self, target: &'static Target, typed: &'a str) -> StoreFuture<'a, Vec<Named>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            records::find_named(c, reads, target, typed).await
        })
    }

    fn named_options(&mut self, target: &'static Target) -> StoreFuture<'_, Vec<Named>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            records::named_options(c, reads, target).await
        })
    }

    fn list_risks<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Risk>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            risks::list(c, reads, query).await
        })
    }

    fn find_risk(&mut self, id: RiskId) -> StoreFuture<'_, Option<Risk>> {
        Box::pin(async move { risks::find(self.0.conn().await?, id).await })
    }

    fn risk_heat_map(&mut self) -> StoreFuture<'_, HeatMap> {
        Box::pin(async move { risks::heat_map(self.0.conn().await?).await })
    }

    fn risk_settings(&mut self) -> StoreFuture<'_, RiskSettings> {
        Box::pin(async move { risks::settings(self.0.conn().await?).await })
    }

    fn risk_controls(&mut self, id: RiskId) -> StoreFuture<'_, Vec<ControlSummary>> {
        Box::pin(async move { controls::of_risk(self.0.conn().await?, id).await })
    }

    fn control_risks(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Risk>> {
        Box::pin(async move { risks::of_control(self.0.conn().await?, id).await })
    }

    fn list_reports<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<VulnReport>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            disclosure::list(c, reads, query).await
        })
    }

    fn find_report(&mut self, id: ReportId) -> StoreFuture<'_, Option<VulnReport>> {
        Box::pin(async move { disclosure::find(self.0.conn().await?, id).await })
    }

    fn report_by_secret<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ReportId>> {
        Box::pin(async move { disclosure::by_secret(self.0.conn().await?, hash).await })
    }

    fn report_messages(&mut self, id: ReportId) -> StoreFuture<'_, Vec<ReportMessage>> {
        Box::pin(async move { disclosure::messages(self.0.conn().await?, id).await })
    }

    fn disclosure_settings(&mut self) -> StoreFuture<'_, DisclosureSettings> {
        Box::pin(async move { disclosure::settings(self.0.conn().await?).await })
    }

    fn list_incidents<'a>(&'a mut self, query: &'a ListQuery) -> StoreFuture<'a, ListPage<Incident>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            incidents::list(c, reads, query).await
        })
    }

    fn incidents_of(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Incident>> {
        Box::pin(async move { incidents::of_person(self.0.conn().await?, person).await })
    }

    fn find_incident(&mut self, id: IncidentId) -> StoreFuture<'_, Option<Incident>> {
        Box::pin(async move { incidents::find(self.0.conn().await?, id).await })
    }

    fn incident_events(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<Event>> {
        Box::pin(async move { incidents::events(self.0.conn().await?, id).await })
    }

    fn incident_members(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<(PersonId, String)>> {
        Box::pin(async move { incidents::members(self.0.conn().await?, id).await })
    }

    fn incident_links(&mut self, id: IncidentId) -> StoreFuture<'_, Vec<Link>> {
        Box::pin(async move { incidents::links(self.0.conn().await?, id).await })
    }

    fn incident_plan(&mut self) -> StoreFuture<'_, Option<PolicyId>> {
        Box::pin(async move { incidents::plan(self.0.conn().await?).await })
    }

    fn incidents_owing_notification(&mut self, limit: u32) -> StoreFuture<'_, Vec<Incident>> {
        Box::pin(async move { incidents::owing_notification(self.0.conn().await?, limit).await })
    }

    fn find_framework_by_uuid<'a>(&'a mut self, uuid: &'a str) -> StoreFuture<'a, Option<Framework>> {
        Box::pin(async move { frameworks::by_uuid(self.0.conn().await?, uuid).await })
    }

    fn list_frameworks(&mut self) -> StoreFuture<'_, Vec<Framework>> {
        Box::pin(async move { frameworks::list(self.0.conn().await?).await })
    }

    fn framework_content(&mut self, id: FrameworkId) -> StoreFuture<'_, Option<FrameworkContent>> {
        Box::pin(async move { frameworks::content(self.0.conn().await?, id).await })
    }

    fn framework_outline(&mut self, id: FrameworkId) -> StoreFuture<'_, Option<FrameworkContent>> {
        Box::pin(async move { controls::outline(self.0.conn().await?, id).await })
    }

    fn framework_mappings(&mut self, id: FrameworkId, now: Timestamp) -> StoreFuture<'_, Vec<(String, MappedControl)>> {
        Box::pin(async move { controls::framework_mappings(self.0.conn().await?, id, now).await })
    }

    fn applicability(&mut self, id: FrameworkId) -> StoreFuture<'_, Vec<(String, bool, String)>> {
        Box::pin(async move { controls::applicability(self.0.conn().await?, id).await })
    }

    fn control_mappings(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Mapping>> {
        Box::pin(async move { controls::mappings(self.0.conn().await?, id).await })
    }

    fn control_evidence(&mut self, id: ControlId) -> StoreFuture<'_, Vec<Evidence>> {
        Box::pin(async move { controls::evidence_of(self.0.conn().await?, id).await })
    }

    fn evidence_content(&mut self, id: EvidenceId) -> StoreFuture<'_, Option<(Evidence, Vec<u8>)>> {
        Box::pin(async move { controls::evidence_content(self.0.conn().await?, id).await })
    }

    fn list_scim_tokens(&mut self) -> StoreFuture<'_, Vec<ScimToken>> {
        Box::pin(async move { scim::tokens(self.0.conn().await?).await })
    }

    fn find_scim_token<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ScimToken>> {
        Box::pin(async move { scim::token_by_hash(self.0.conn().await?, hash).await })
    }

    fn scim_person(&mut self, id: PersonId) -> StoreFuture<'_, Option<ScimPerson>> {
        Box::pin(async move { scim::person(self.0.conn().await?, id).await })
    }

    fn scim_person_named<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<ScimPerson>> {
        Box::pin(async move { scim::person_named(self.0.conn().await?, key).await })
    }

    fn scim_people(&mut self, offset: i64, limit: i64) -> StoreFuture<'_, (Vec<ScimPerson>, i64)> {
        Box::pin(async move { scim::people(self.0.conn().await?, offset, limit).await })
    }

    fn scim_department(&mut self, id: DepartmentId) -> StoreFuture<'_, Option<ScimDepartment>> {
        Box::pin(async move { scim::department(self.0.conn().await?, id).await })
    }

    fn scim_departments(&mut self, offset: i64, limit: i64) -> StoreFuture<'_, (Vec<ScimDepartment>, i64)> {
        Box::pin(async move { scim::departments(self.0.conn().await?, offset, limit).await })
    }

    fn department_members(&mut self, id: DepartmentId) -> StoreFuture<'_, Vec<Member>> {
        Box::pin(async move { scim::members(self.0.conn().await?, id).await })
    }

    fn assets_assigned_to(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Asset>> {
        Box::pin(async move { assets::assigned_to(self.0.conn().await?, person).await })
    }

    fn directory_services(&mut self) -> StoreFuture<'_, Vec<(String, AssetKind)>> {
        Box::pin(async move { lifecycle::directory_services(self.0.conn().await?).await })
    }

    fn onboarding_records(&mut self, person: PersonId) -> StoreFuture<'_, Vec<OnboardingRecord>> {
        Box::pin(async move { lifecycle::records(self.0.conn().await?, person).await })
    }

    fn offboardings_of(&mut self, person: PersonId) -> StoreFuture<'_, Vec<Offboarding>> {
        Box::pin(async move { lifecycle::of_person(self.0.conn().await?, person).await })
    }

    fn open_offboarding(&mut self, person: PersonId) -> StoreFuture<'_, Option<Offboarding>> {
        Box::pin(async move { lifecycle::open_of(self.0.conn().await?, person).await })
    }

    fn find_offboarding<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, Option<Offboarding>> {
        Box::pin(async move { lifecycle::find(self.0.conn().await?, id).await })
    }

    fn find_sso_identity<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<AccountId>> {
        Box::pin(async move { sso::find_identity(self.0.conn().await?, key).await })
    }

    fn sso_identity_of(&mut self, account: AccountId) -> StoreFuture<'_, Option<String>> {
        Box::pin(async move { sso::identity_of(self.0.conn().await?, account).await })
    }

    fn find_totp(&mut self, account: AccountId) -> StoreFuture<'_, Option<TotpFactor>> {
        Box::pin(async move { mfa::find(self.0.conn().await?, account).await })
    }

    fn count_recovery_codes(&mut self, account: AccountId) -> StoreFuture<'_, u64> {
        Box::pin(async move { mfa::count_codes(self.0.conn().await?, account).await })
    }

    fn find_session_with_account<'a>(&'a mut self, id_hash: &'a str) -> StoreFuture<'a, Option<(Session, Account)>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            accounts::session_with_account(c, reads.native, id_hash).await
        })
    }

    fn find_token_with_account<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<(ApiToken, Account)>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            accounts::token_with_account(c, reads.native, hash).await
        })
    }

    fn list_tokens<'a>(&'a mut self, account: AccountId, query: &'a ListQuery) -> StoreFuture<'a, ListPage<ApiToken>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            accounts::tokens_of(c, reads, account, query).await
        })
    }

    fn count_usable_tokens(&mut self, account: AccountId, now: Timestamp) -> StoreFuture<'_, u64> {
        Box::pin(async move { accounts::count_usable_tokens(self.0.conn().await?, account, now).await })
    }

    fn find_token(&mut self, id: TokenId) -> StoreFuture<'_, Option<ApiToken>> {
        Box::pin(async move { accounts::token_by(self.0.conn().await?, "id", id.to_string()).await })
    }

    fn find_token_by_hash<'a>(&'a mut self, hash: &'a str) -> StoreFuture<'a, Option<ApiToken>> {
        Box::pin(async move { accounts::token_by(self.0.conn().await?, "token_hash", hash.to_string()).await })
    }

    fn list_audit<'a>(&'a mut self, filter: &'a AuditFilter, limit: u32) -> StoreFuture<'a, ListPage<AuditEntry>> {
        Box::pin(async move {
            let (c, reads) = self.reads();
            audit::list(c, reads.native, filter, limit).await
        })
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

    fn lock_row<'a>(&'a mut self, table: &'static str, id: &'a str) -> StoreFuture<'a, ()> {
        let backend = self.1;
        Box::pin(write::lock_row(self.c(), backend, table, id))
    }

    fn insert_record<'a>(&'a mut self, record: &'a Record) -> StoreFuture<'a, ()> {
        Box::pin(records::insert(self.c(), record))
    }

    fn update_record<'a>(&'a mut self, before: &'a Record, after: &'a Record) -> StoreFuture<'a, ()> {
        Box::pin(records::update(self.c(), before, after))
    }

    fn delete_record<'a>(&'a mut self, record: &'a Record, now: Timestamp) -> StoreFuture<'a, ()> {
        Box::pin(records::delete(self.c(), record, to_micros(now)))
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

    fn expect_report_email_confirmation<'a>(&'a mut self, id: ReportId, hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(disclosure::expect_email_confirmation(self.c(), id, hash))
    }

    fn confirm_report_email<'a>(&'a mut self, hash: &'a str, at: Timestamp) -> StoreFuture<'a, Option<ReportId>> {
        Box::pin(disclosure::confirm_email(self.c(), hash, at))
    }

    fn report_email_confirmed(&mut self, id: ReportId) -> StoreFuture<'_, bool> {
        Box::pin(disclosure::email_confirmed(self.c(), id))
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
            let (role, people, except) = (Some(role), &[][..], &[][..]);
            let task = approvals::RoleTask { role, people, kind, subject_type, subject_id, title, due_at, except };
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

    fn revoke_tokens_of(&mut self, account: AccountId, at: Timestamp) -> StoreFuture<'_, u64> {
        Box::pin(accounts::revoke_tokens_of(self.c(), account, at))
    }

    fn upsert_channel<'a>(&'a mut self, c: &'a Channel) -> StoreFuture<'a, ()> {
        Box::pin(notify::upsert_channel(self.c(), c))
    }

    fn retarget_outbox<'a>(&'a mut self, c: &'a Channel, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(notify::retarget(self.c(), c, now))
    }

    fn retry_outbox<'a>(&'a mut self, id: &'a str, now: Timestamp) -> StoreFuture<'a, bool> {
        Box::pin(notify::retry_now(self.c(), id, now))
    }

    fn discard_outbox<'a>(&'a mut self, id: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(notify::discard(self.c(), id))
    }

    fn delete_channel<'a>(&'a mut self, name: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(notify::delete_channel(self.c(), name))
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

    fn replan_job<'a>(&'a mut self, job: &'a Job) -> StoreFuture<'a, ()> {
        Box::pin(jobs::replan(self.c(), job))
    }

    fn finish_job<'a>(&'a mut self, id: &'a str, now: Timestamp) -> StoreFuture<'a, bool> {
        Box::pin(jobs::finish(self.c(), id, now))
    }

    fn insert_campaign<'a>(&'a mut self, c: &'a Campaign, versions: &'a [PinnedVersion]) -> StoreFuture<'a, ()> {
        Box::pin(campaigns::insert(self.c(), c, versions))
    }

    fn enroll_campaign_audience<'a>(
        &'a mut self,
        c: &'a Campaign,
        now: Timestamp,
        enrol: bulwark_core::policies::campaigns::Enrol,
    ) -> StoreFuture<'a, u64> {
        Box::pin(campaigns::enroll(self.c(), c, now, enrol))
    }

    fn repin_open_campaigns<'a>(
        &'a mut self,
        policy: PolicyId,
        number: i64,
        hash: &'a str,
    ) -> StoreFuture<'a, Vec<CampaignId>> {
        Box::pin(campaigns::repin(self.c(), policy, number, hash))
    }

    fn close_campaign<'a>(&'a mut self, c: &'a Campaign, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(campaigns::close(self.c(), c, now))
    }

    fn cancel_campaign<'a>(&'a mut self, c: &'a Campaign, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(campaigns::cancel(self.c(), c, now))
    }

    fn move_campaign_due<'a>(&'a mut self, c: &'a Campaign, due: Timestamp, now: Timestamp) -> StoreFuture<'a, u64> {
        Box::pin(campaigns::move_due(self.c(), c, due, now))
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
        let backend = self.1;
        Box::pin(campaigns::insert_task(self.c(), backend, t))
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
        let backend = self.1;
        Box::pin(campaigns::insert_acknowledgment(self.c(), backend, id, person, at, by, versions))
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
