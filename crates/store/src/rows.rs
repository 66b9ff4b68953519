//! Turning database rows into domain values. A value the domain does not know is a
//! corrupt row and reported as an internal error naming the column.

use bulwark_core::StoreError;
use bulwark_core::audit::AuditEntry;
use bulwark_core::identity::accounts::{Account, AccountStatus, ApiToken, Session};
use bulwark_core::organisation::departments::Department;
use bulwark_core::organisation::people::{Person, PersonKind, PersonStatus};
use bulwark_core::time_util::from_micros;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::str::FromStr;

use crate::write::map_err;

pub(crate) const PERSON_SELECT: &str = "p.id, p.name, p.email, p.kind, p.department_id, d.name AS department_name, \
     p.status, p.created_at, p.updated_at";
pub(crate) const PERSON_FROM: &str = "people p LEFT JOIN departments d ON d.id = p.department_id";

pub(crate) const DEPARTMENT_SELECT: &str = "d.id, d.name, d.head_person_id, h.name AS head_name, \
     (SELECT COUNT(*) FROM people x WHERE x.department_id = d.id) AS people_count, d.created_at, d.updated_at";
pub(crate) const DEPARTMENT_FROM: &str = "departments d LEFT JOIN people h ON h.id = d.head_person_id";

pub(crate) const ACCOUNT_COLUMNS: &str = "a.id, a.person_id, a.email, p.name, a.roles, a.status, a.password_hash, \
     a.last_login_at, a.created_at, a.updated_at FROM accounts a JOIN people p ON p.id = a.person_id";

pub(crate) const TOKEN_SELECT: &str = "id, account_id, name, prefix, created_at, expires_at, last_used_at, revoked_at";

pub(crate) const AUDIT_COLUMNS: &str = "seq, at, actor_id, actor_label, action, entity_type, entity_id, before_json, after_json, prev_hash, hash FROM audit_log";

/// A row's columns read by name: a row of sqlx's `Any` driver, or one read by the native
/// SQLite read path (`native`). Every decoder below reads through it, so one decoder serves
/// both.
pub(crate) trait Columns {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
}

impl Columns for AnyRow {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.try_get(col).map_err(map_err)
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.try_get(col).map_err(map_err)
    }

    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.try_get(col).map_err(map_err)
    }

    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(col).map_err(map_err)
    }
}

pub(crate) fn text(r: &dyn Columns, col: &str) -> Result<String, StoreError> {
    r.text(col)
}

pub(crate) fn opt_text(r: &dyn Columns, col: &str) -> Result<Option<String>, StoreError> {
    r.opt_text(col)
}

pub(crate) fn int(r: &dyn Columns, col: &str) -> Result<i64, StoreError> {
    r.int(col)
}

pub(crate) fn opt_int(r: &dyn Columns, col: &str) -> Result<Option<i64>, StoreError> {
    r.opt_int(col)
}

/// A `YYYY-MM-DD` column.
pub(crate) fn date(r: &dyn Columns, col: &str) -> Result<time::Date, StoreError> {
    let v = text(r, col)?;
    bulwark_core::time_util::parse_date(&v).ok_or_else(|| corrupt(col, &v))
}

pub(crate) fn opt_time(r: &dyn Columns, col: &str) -> Result<Option<bulwark_core::Timestamp>, StoreError> {
    Ok(r.opt_int(col)?.map(from_micros))
}

pub(crate) fn parsed<T: FromStr>(r: &dyn Columns, col: &str) -> Result<T, StoreError> {
    let s = text(r, col)?;
    s.parse().map_err(|_| corrupt(col, &s))
}

pub(crate) fn opt_parsed<T: FromStr>(r: &dyn Columns, col: &str) -> Result<Option<T>, StoreError> {
    match opt_text(r, col)? {
        Some(s) => s.parse().map(Some).map_err(|_| corrupt(col, &s)),
        None => Ok(None),
    }
}

pub(crate) fn corrupt(col: &str, value: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!("unexpected value {value:?} in column {col}"))
}

pub(crate) fn person(r: &dyn Columns) -> Result<Person, StoreError> {
    let kind = text(r, "kind")?;
    let status = text(r, "status")?;
    Ok(Person {
        id: parsed(r, "id")?,
        name: text(r, "name")?,
        email: text(r, "email")?,
        kind: PersonKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        department_id: opt_parsed(r, "department_id")?,
        department_name: opt_text(r, "department_name")?,
        status: PersonStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

pub(crate) fn department(r: &dyn Columns) -> Result<Department, StoreError> {
    Ok(Department {
        id: parsed(r, "id")?,
        name: text(r, "name")?,
        head_person_id: opt_parsed(r, "head_person_id")?,
        head_name: opt_text(r, "head_name")?,
        people_count: int(r, "people_count")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

/// The account and its password hash.
pub(crate) fn account(r: &dyn Columns) -> Result<(Account, Option<String>), StoreError> {
    let roles_text = text(r, "roles")?;
    let roles =
        bulwark_core::access::parse_roles(roles_text.split_whitespace()).map_err(|_| corrupt("roles", &roles_text))?;
    let status = text(r, "status")?;
    let hash = opt_text(r, "password_hash")?;
    let account = Account {
        id: parsed(r, "id")?,
        person_id: parsed(r, "person_id")?,
        email: text(r, "email")?,
        name: text(r, "name")?,
        roles,
        status: AccountStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        has_password: hash.is_some(),
        last_login_at: opt_time(r, "last_login_at")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    };
    Ok((account, hash))
}

pub(crate) fn roles_text(a: &Account) -> String {
    a.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")
}

pub(crate) fn token(r: &dyn Columns) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: parsed(r, "id")?,
        account_id: parsed(r, "account_id")?,
        name: text(r, "name")?,
        prefix: text(r, "prefix")?,
        created_at: from_micros(int(r, "created_at")?),
        expires_at: opt_time(r, "expires_at")?,
        last_used_at: opt_time(r, "last_used_at")?,
        revoked_at: opt_time(r, "revoked_at")?,
    })
}

pub(crate) fn session(r: &dyn Columns) -> Result<Session, StoreError> {
    Ok(Session {
        id_hash: text(r, "id_hash")?,
        account_id: parsed(r, "account_id")?,
        csrf_token: text(r, "csrf_token")?,
        created_at: from_micros(int(r, "created_at")?),
        expires_at: from_micros(int(r, "expires_at")?),
        last_seen_at: from_micros(int(r, "last_seen_at")?),
        stage: bulwark_core::identity::mfa::SessionStage::parse(&text(r, "stage")?),
        verified_at: from_micros(int(r, "verified_at")?),
    })
}

pub(crate) fn audit_entry(r: &dyn Columns) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: int(r, "seq")?,
        at: from_micros(int(r, "at")?),
        actor_id: opt_text(r, "actor_id")?,
        actor_label: text(r, "actor_label")?,
        action: text(r, "action")?,
        entity_type: text(r, "entity_type")?,
        entity_id: text(r, "entity_id")?,
        before: text(r, "before_json")?,
        after: text(r, "after_json")?,
        prev_hash: text(r, "prev_hash")?,
        hash: text(r, "hash")?,
    })
}

pub(crate) fn all<T>(rows: Vec<AnyRow>, f: fn(&dyn Columns) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    rows.iter().map(|r| f(r)).collect()
}
