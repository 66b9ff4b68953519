//! Approval requests and the decisions on them. Approvers get their tasks with one
//! `INSERT … SELECT` over the accounts holding the request's role or named by its rule. A
//! rule's people are kept as space-separated person ids.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::approvals::{APPROVE, Approval, ApprovalFilter, ApprovalState, Decision};
use bulwark_core::ids::PersonId;
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::rows::{Columns, int, opt_parsed, opt_text, opt_time, text};
use crate::write::{expect_one, map_err};

const COLUMNS: &str = "id, subject_type, subject_id, title, link, role, needed, state, requested_by, \
     requested_by_person, created_at, decided_at, people, excluded";

fn joined(people: &[PersonId]) -> String {
    people.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

fn split(r: &dyn Columns, column: &str) -> Result<Vec<PersonId>, StoreError> {
    let all = text(r, column)?;
    all.split_whitespace().map(|p| p.parse().map_err(|_| crate::rows::corrupt(column, p))).collect()
}

fn approval(r: &dyn Columns) -> Result<Approval, StoreError> {
    let bad = |what: String| StoreError::Other(anyhow::anyhow!(what));
    let state = text(r, "state")?;
    Ok(Approval {
        id: text(r, "id")?,
        subject_type: text(r, "subject_type")?,
        subject_id: text(r, "subject_id")?,
        title: text(r, "title")?,
        link: text(r, "link")?,
        role: match text(r, "role")?.as_str() {
            "" => None,
            role => Some(role.parse().map_err(bad)?),
        },
        people: split(r, "people")?,
        excluded: split(r, "excluded")?,
        needed: int(r, "needed")?,
        state: ApprovalState::parse(&state).ok_or_else(|| bad(format!("unknown approval state {state}")))?,
        requested_by: text(r, "requested_by")?,
        requested_by_person: opt_text(r, "requested_by_person")?
            .map(|p| p.parse().map_err(|_| bad(format!("bad person id {p}"))))
            .transpose()?,
        created_at: from_micros(int(r, "created_at")?),
        decided_at: opt_time(r, "decided_at")?,
    })
}

pub(crate) async fn insert(conn: &mut AnyConnection, a: &Approval) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO approvals ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ))
    .bind(&a.id)
    .bind(&a.subject_type)
    .bind(&a.subject_id)
    .bind(&a.title)
    .bind(&a.link)
    .bind(a.role.map_or("", |r| r.as_str()))
    .bind(a.needed)
    .bind(a.state.as_str())
    .bind(&a.requested_by)
    .bind(a.requested_by_person.map(|p| p.to_string()))
    .bind(to_micros(a.created_at))
    .bind(a.decided_at.map(to_micros))
    .bind(joined(&a.people))
    .bind(joined(&a.excluded))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Only a pending request changes, and only once.
pub(crate) async fn update(conn: &mut AnyConnection, before: &Approval, after: &Approval) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE approvals SET state = $1, decided_at = $2 WHERE id = $3 AND state = $4")
        .bind(after.state.as_str())
        .bind(after.decided_at.map(to_micros))
        .bind(&before.id)
        .bind(before.state.as_str())
        .execute(conn)
        .await
        .map_err(map_err)?;
    expect_one(done.rows_affected(), "the approval")
}

pub(crate) async fn assign(conn: &mut AnyConnection, a: &Approval, now: Timestamp) -> Result<u64, StoreError> {
    let task = RoleTask {
        role: a.role,
        people: &a.people,
        kind: APPROVE,
        subject_type: "approval",
        subject_id: &a.id,
        title: &format!("Decide: {}", a.title),
        due_at: now + time::Duration::days(7),
        except: &a.excluded.iter().copied().chain(a.requested_by_person).collect::<Vec<_>>(),
    };
    give_role_task(conn, &task, now).await
}

/// A task for every active holder of a role, and the people named.
pub(crate) struct RoleTask<'a> {
    pub role: Option<bulwark_core::Role>,
    pub people: &'a [PersonId],
    pub kind: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub title: &'a str,
    pub due_at: Timestamp,
    /// People who never get it (the requester of an approval, those its rule excludes).
    pub except: &'a [PersonId],
}

/// Gives the task to every person with an active account holding the role or named (people
/// who left, and those excepted, aside), with one statement; returns how many got it. A task
/// given before is left as is.
pub(crate) async fn give_role_task(
    conn: &mut AnyConnection,
    t: &RoleTask<'_>,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "INSERT INTO tasks (id, kind, assignee_person_id, subject_type, subject_id, title, due_at, state, done_at, \
         created_at, updated_at, assignee_department_id) \
         SELECT $1 || ':' || $2 || ':' || p.id, $1, p.id, $8, $2, $3, $4, 'open', NULL, $5, $5, p.department_id \
         FROM people p WHERE p.status <> 'left' AND (' ' || $6 || ' ') NOT LIKE ('% ' || p.id || ' %') \
         AND EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.status = 'active' \
         AND ((' ' || a.roles || ' ') LIKE $7 OR (' ' || $9 || ' ') LIKE ('% ' || p.id || ' %'))) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(t.kind)
    .bind(t.subject_id)
    .bind(t.title)
    .bind(to_micros(t.due_at))
    .bind(to_micros(now))
    .bind(joined(t.except))
    // No role: a pattern no roles match.
    .bind(t.role.map_or(String::new(), |r| format!("% {} %", r.as_str())))
    .bind(t.subject_type)
    .bind(joined(t.people))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(done.rows_affected())
}

pub(crate) async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Approval>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM approvals WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| approval(r)).transpose()
}

pub(crate) async fn find_pending(
    conn: &mut AnyConnection,
    subject_type: &str,
    subject_id: &str,
) -> Result<Option<Approval>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM approvals WHERE subject_type = $1 AND subject_id = $2 AND state = 'pending' \
         ORDER BY created_at DESC LIMIT 1"
    );
    let row = sqlx::query(&sql).bind(subject_type).bind(subject_id).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| approval(r)).transpose()
}

pub(crate) async fn list(
    conn: &mut AnyConnection,
    filter: &ApprovalFilter,
    limit: u32,
) -> Result<Vec<Approval>, StoreError> {
    let mut clauses = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    if let Some(state) = filter.state {
        binds.push(state.as_str().into());
        clauses.push(format!("state = ${}", binds.len()));
    }
    if let Some(roles) = &filter.visible_to_roles {
        // Deciders: holders of its role or named by it, unless it excludes them.
        let mut deciders = Vec::new();
        for role in roles {
            binds.push(role.as_str().into());
            deciders.push(format!("role = ${}", binds.len()));
        }
        let not_excluded = match filter.person {
            Some(person) => {
                binds.push(format!("% {person} %"));
                deciders.push(format!("(' ' || people || ' ') LIKE ${}", binds.len()));
                format!("(' ' || excluded || ' ') NOT LIKE ${}", binds.len())
            }
            // Someone not known as a person cannot be told apart from those excluded.
            None => "excluded = ''".to_string(),
        };
        binds.push(filter.requested_by.clone());
        let asked = format!("requested_by = ${}", binds.len());
        let deciders = if deciders.is_empty() { "1 = 0".to_string() } else { deciders.join(" OR ") };
        clauses.push(format!("((({deciders}) AND {not_excluded}) OR {asked})"));
    }
    let filter_sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    let sql = format!("SELECT {COLUMNS} FROM approvals{filter_sql} ORDER BY created_at DESC, id LIMIT {limit}");
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(conn).await.map_err(map_err)?;
    rows.iter().map(|r| approval(r)).collect()
}

pub(crate) async fn insert_decision(conn: &mut AnyConnection, d: &Decision) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO approval_decisions (approval_id, decided_by, approve, comment, decided_at, decided_by_person) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&d.approval_id)
    .bind(&d.decided_by)
    .bind(i64::from(d.approve))
    .bind(&d.comment)
    .bind(to_micros(d.decided_at))
    .bind(d.decided_by_person.map(|p| p.to_string()))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn decisions(conn: &mut AnyConnection, id: &str) -> Result<Vec<Decision>, StoreError> {
    let rows = sqlx::query(
        "SELECT approval_id, decided_by, approve, comment, decided_at, decided_by_person FROM approval_decisions \
         WHERE approval_id = $1 ORDER BY decided_at, decided_by",
    )
    .bind(id)
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok(Decision {
                approval_id: text(r, "approval_id")?,
                decided_by: text(r, "decided_by")?,
                approve: int(r, "approve")? != 0,
                comment: text(r, "comment")?,
                decided_at: from_micros(int(r, "decided_at")?),
                decided_by_person: opt_parsed(r, "decided_by_person")?,
            })
        })
        .collect()
}
