//! The `Store` trait: everything the domain needs from a database. Every method that changes
//! data takes the `AuditRecord` describing the change, and the implementation appends it to
//! the audit chain in the same transaction, so change and audit land together or not at all.

use crate::accounts::{Account, ApiToken, Session};
use crate::audit::{AuditEntry, AuditFilter, AuditRecord};
use crate::error::StoreResult;
use crate::ids::{AccountId, AreaId, DepartmentId, PersonId, TokenId};
use crate::org::{Area, AreaMember, Department};
use crate::page::{PageRequest, Paged};
use crate::people::{PeopleFilter, Person};
use crate::time_util::Timestamp;
use std::future::Future;
use std::pin::Pin;

/// The boxed future every store method returns, so `dyn Store` works.
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
    fn counts(&self) -> StoreFuture<'_, Counts>;

    // People
    fn list_people<'a>(&'a self, filter: &'a PeopleFilter, page: PageRequest) -> StoreFuture<'a, Paged<Person>>;
    fn find_person(&self, id: PersonId) -> StoreFuture<'_, Option<Person>>;
    fn find_person_by_email<'a>(&'a self, email: &'a str) -> StoreFuture<'a, Option<Person>>;
    fn insert_person<'a>(&'a self, person: &'a Person, audit: AuditRecord) -> StoreFuture<'a, ()>;
    /// Fails with `Conflict` if the stored person no longer equals `before`.
    fn update_person<'a>(&'a self, before: &'a Person, after: &'a Person, audit: AuditRecord) -> StoreFuture<'a, ()>;
    /// Writes many departments and people at once (seeding, imports), audited as one record.
    fn import_directory<'a>(
        &'a self,
        departments: &'a [Department],
        people: &'a [Person],
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()>;

    // Departments and areas
    fn list_departments(&self) -> StoreFuture<'_, Vec<Department>>;
    fn find_department(&self, id: DepartmentId) -> StoreFuture<'_, Option<Department>>;
    fn insert_department<'a>(&'a self, d: &'a Department, audit: AuditRecord) -> StoreFuture<'a, ()>;
    fn update_department<'a>(
        &'a self,
        before: &'a Department,
        after: &'a Department,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()>;
    fn list_areas(&self) -> StoreFuture<'_, Vec<Area>>;
    fn find_area(&self, id: AreaId) -> StoreFuture<'_, Option<Area>>;
    fn insert_area<'a>(&'a self, a: &'a Area, audit: AuditRecord) -> StoreFuture<'a, ()>;
    fn update_area<'a>(&'a self, before: &'a Area, after: &'a Area, audit: AuditRecord) -> StoreFuture<'a, ()>;
    fn list_area_members(&self, area: AreaId) -> StoreFuture<'_, Vec<AreaMember>>;
    fn insert_area_member<'a>(&'a self, m: &'a AreaMember, audit: AuditRecord) -> StoreFuture<'a, ()>;
    fn delete_area_member(&self, area: AreaId, person: PersonId, audit: AuditRecord) -> StoreFuture<'_, ()>;

    // Accounts
    fn list_accounts<'a>(&'a self, q: Option<&'a str>, page: PageRequest) -> StoreFuture<'a, Paged<Account>>;
    fn find_account(&self, id: AccountId) -> StoreFuture<'_, Option<Account>>;
    fn find_account_for_person(&self, person: PersonId) -> StoreFuture<'_, Option<Account>>;
    /// The account and its password hash, if any.
    fn find_account_by_email<'a>(&'a self, email: &'a str) -> StoreFuture<'a, Option<(Account, Option<String>)>>;
    fn insert_account<'a>(
        &'a self,
        a: &'a Account,
        password_hash: Option<&'a str>,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()>;
    fn update_account<'a>(&'a self, before: &'a Account, after: &'a Account, audit: AuditRecord)
    -> StoreFuture<'a, ()>;
    /// Sets the password hash and ends every session of the account.
    fn set_password_hash<'a>(&'a self, id: AccountId, hash: &'a str, audit: AuditRecord) -> StoreFuture<'a, ()>;
    fn insert_password_reset<'a>(
        &'a self,
        hash: &'a str,
        id: AccountId,
        expires_at: Timestamp,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()>;
    /// The account of an unused, unexpired set-password link.
    fn find_password_reset<'a>(&'a self, hash: &'a str, now: Timestamp) -> StoreFuture<'a, Option<AccountId>>;
    /// Marks the link used and sets the password, once; `NotFound` if already used or expired.
    fn consume_password_reset<'a>(
        &'a self,
        hash: &'a str,
        now: Timestamp,
        password_hash: &'a str,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()>;

    // Sessions
    fn insert_session<'a>(&'a self, s: &'a Session, audit: AuditRecord) -> StoreFuture<'a, ()>;
    fn find_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<Session>>;
    fn delete_session<'a>(&'a self, id_hash: &'a str, audit: AuditRecord) -> StoreFuture<'a, ()>;

    // API tokens
    fn list_tokens(&self, account: AccountId) -> StoreFuture<'_, Vec<ApiToken>>;
    fn find_token(&self, id: TokenId) -> StoreFuture<'_, Option<ApiToken>>;
    fn find_token_by_hash<'a>(&'a self, hash: &'a str) -> StoreFuture<'a, Option<ApiToken>>;
    fn insert_token<'a>(&'a self, t: &'a ApiToken, hash: &'a str, audit: AuditRecord) -> StoreFuture<'a, ()>;
    fn revoke_token<'a>(&'a self, after: &'a ApiToken, audit: AuditRecord) -> StoreFuture<'a, ()>;
    /// Records the last use of a token (not audited: it changes no record of the program).
    fn touch_token(&self, id: TokenId, now: Timestamp) -> StoreFuture<'_, ()>;

    // Audit log
    fn list_audit<'a>(&'a self, filter: &'a AuditFilter, page: PageRequest) -> StoreFuture<'a, Paged<AuditEntry>>;
    /// Entries with `seq > after_seq`, in stored order, at most `limit`.
    fn audit_batch(&self, after_seq: i64, limit: i64) -> StoreFuture<'_, Vec<AuditEntry>>;
    /// Appends records that are themselves the event (seeding, system events).
    fn append_audit(&self, records: Vec<AuditRecord>) -> StoreFuture<'_, ()>;
}

/// `get_*` helpers: like `find_*` but `NotFound` when absent.
impl dyn Store {
    pub async fn get_person(&self, id: PersonId) -> StoreResult<Person> {
        self.find_person(id).await?.ok_or(crate::StoreError::NotFound)
    }
    pub async fn get_department(&self, id: DepartmentId) -> StoreResult<Department> {
        self.find_department(id).await?.ok_or(crate::StoreError::NotFound)
    }
    pub async fn get_area(&self, id: AreaId) -> StoreResult<Area> {
        self.find_area(id).await?.ok_or(crate::StoreError::NotFound)
    }
    pub async fn get_account(&self, id: AccountId) -> StoreResult<Account> {
        self.find_account(id).await?.ok_or(crate::StoreError::NotFound)
    }
    pub async fn get_token(&self, id: TokenId) -> StoreResult<ApiToken> {
        self.find_token(id).await?.ok_or(crate::StoreError::NotFound)
    }
}
