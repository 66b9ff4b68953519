//! `impl Store for SqlStore`: each method boxes the matching query in the sibling modules.

use bulwark_core::accounts::{Account, ApiToken, Session};
use bulwark_core::audit::{AuditEntry, AuditFilter, AuditRecord};
use bulwark_core::ids::{AccountId, AreaId, DepartmentId, PersonId, TokenId};
use bulwark_core::org::{Area, AreaMember, Department};
use bulwark_core::page::{PageRequest, Paged};
use bulwark_core::people::{PeopleFilter, Person};
use bulwark_core::store::{Backend, Counts, Store, StoreFuture};
use bulwark_core::{StoreError, Timestamp};

use crate::SqlStore;
use crate::write::map_err;

fn first<T>(v: Result<Vec<T>, StoreError>) -> Result<Option<T>, StoreError> {
    v.map(|v| v.into_iter().next())
}

impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move { sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ()).map_err(map_err) })
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        Box::pin(self.count_all())
    }

    fn list_people<'a>(&'a self, filter: &'a PeopleFilter, page: PageRequest) -> StoreFuture<'a, Paged<Person>> {
        Box::pin(self.people_list(filter, page))
    }

    fn find_person(&self, id: PersonId) -> StoreFuture<'_, Option<Person>> {
        Box::pin(self.person_by("id", id.to_string()))
    }

    fn find_person_by_email<'a>(&'a self, email: &'a str) -> StoreFuture<'a, Option<Person>> {
        Box::pin(self.person_by("email", email.to_lowercase()))
    }

    fn insert_person<'a>(&'a self, person: &'a Person, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.person_insert(person, audit))
    }

    fn update_person<'a>(&'a self, before: &'a Person, after: &'a Person, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.person_update(before, after, audit))
    }

    fn import_directory<'a>(
        &'a self,
        departments: &'a [Department],
        people: &'a [Person],
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.directory_import(departments, people, audit))
    }

    fn list_departments(&self) -> StoreFuture<'_, Vec<Department>> {
        Box::pin(self.departments(None))
    }

    fn find_department(&self, id: DepartmentId) -> StoreFuture<'_, Option<Department>> {
        Box::pin(async move { first(self.departments(Some(id.to_string())).await) })
    }

    fn insert_department<'a>(&'a self, d: &'a Department, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.department_insert(d, audit))
    }

    fn update_department<'a>(
        &'a self,
        before: &'a Department,
        after: &'a Department,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.department_update(before, after, audit))
    }

    fn list_areas(&self) -> StoreFuture<'_, Vec<Area>> {
        Box::pin(self.areas(None))
    }

    fn find_area(&self, id: AreaId) -> StoreFuture<'_, Option<Area>> {
        Box::pin(async move { first(self.areas(Some(id.to_string())).await) })
    }

    fn insert_area<'a>(&'a self, a: &'a Area, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.area_insert(a, audit))
    }

    fn update_area<'a>(&'a self, before: &'a Area, after: &'a Area, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.area_update(before, after, audit))
    }

    fn list_area_members(&self, area: AreaId) -> StoreFuture<'_, Vec<AreaMember>> {
        Box::pin(self.area_members(area))
    }

    fn insert_area_member<'a>(&'a self, m: &'a AreaMember, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.area_member_insert(m, audit))
    }

    fn delete_area_member(&self, area: AreaId, person: PersonId, audit: AuditRecord) -> StoreFuture<'_, ()> {
        Box::pin(self.area_member_delete(area, person, audit))
    }

    fn list_accounts<'a>(&'a self, q: Option<&'a str>, page: PageRequest) -> StoreFuture<'a, Paged<Account>> {
        Box::pin(self.accounts_list(q, page))
    }

    fn find_account(&self, id: AccountId) -> StoreFuture<'_, Option<Account>> {
        Box::pin(async move { Ok(self.account_by("id", id.to_string()).await?.map(|(a, _)| a)) })
    }

    fn find_account_for_person(&self, person: PersonId) -> StoreFuture<'_, Option<Account>> {
        Box::pin(async move { Ok(self.account_by("person_id", person.to_string()).await?.map(|(a, _)| a)) })
    }

    fn find_account_by_email<'a>(&'a self, email: &'a str) -> StoreFuture<'a, Option<(Account, Option<String>)>> {
        Box::pin(self.account_by("email", email.to_lowercase()))
    }

    fn insert_account<'a>(
        &'a self,
        a: &'a Account,
        password_hash: Option<&'a str>,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.account_insert(a, password_hash, audit))
    }

    fn update_account<'a>(
        &'a self,
        before: &'a Account,
        after: &'a Account,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.account_update(before, after, audit))
    }

    fn set_password_hash<'a>(&'a self, id: AccountId, hash: &'a str, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.password_set(id, hash, audit))
    }

    fn insert_password_reset<'a>(
        &'a self,
        hash: &'a str,
        id: AccountId,
        expires_at: Timestamp,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.reset_insert(hash, id, expires_at, audit))
    }

    fn find_password_reset<'a>(&'a self, hash: &'a str, now: Timestamp) -> StoreFuture<'a, Option<AccountId>> {
        Box::pin(self.reset_find(hash, now))
    }

    fn consume_password_reset<'a>(
        &'a self,
        hash: &'a str,
        now: Timestamp,
        password_hash: &'a str,
        audit: AuditRecord,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.reset_consume(hash, now, password_hash, audit))
    }

    fn insert_session<'a>(&'a self, s: &'a Session, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.session_insert(s, audit))
    }

    fn find_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<Session>> {
        Box::pin(self.session_find(id_hash))
    }

    fn delete_session<'a>(&'a self, id_hash: &'a str, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.session_delete(id_hash, audit))
    }

    fn list_tokens(&self, account: AccountId) -> StoreFuture<'_, Vec<ApiToken>> {
        Box::pin(self.tokens_of(account))
    }

    fn find_token(&self, id: TokenId) -> StoreFuture<'_, Option<ApiToken>> {
        Box::pin(self.token_by("id", id.to_string()))
    }

    fn find_token_by_hash<'a>(&'a self, hash: &'a str) -> StoreFuture<'a, Option<ApiToken>> {
        Box::pin(self.token_by("token_hash", hash.to_string()))
    }

    fn insert_token<'a>(&'a self, t: &'a ApiToken, hash: &'a str, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.token_insert(t, hash, audit))
    }

    fn revoke_token<'a>(&'a self, after: &'a ApiToken, audit: AuditRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.token_revoke(after, audit))
    }

    fn touch_token(&self, id: TokenId, now: Timestamp) -> StoreFuture<'_, ()> {
        Box::pin(self.token_touch(id, now))
    }

    fn list_audit<'a>(&'a self, filter: &'a AuditFilter, page: PageRequest) -> StoreFuture<'a, Paged<AuditEntry>> {
        Box::pin(self.audit_list(filter, page))
    }

    fn audit_batch(&self, after_seq: i64, limit: i64) -> StoreFuture<'_, Vec<AuditEntry>> {
        Box::pin(self.audit_after(after_seq, limit))
    }

    fn append_audit(&self, records: Vec<AuditRecord>) -> StoreFuture<'_, ()> {
        Box::pin(self.audit_append(records))
    }
}
