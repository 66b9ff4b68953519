//! Campaigns, their pinned policy versions, signatures, and tasks. Enrolling an audience is one
//! `INSERT … SELECT` over people, so a campaign for 100,000 people is one statement. The
//! counts per department are kept as counters changed by the same statements' transaction:
//! enrolling, giving a joiner the task, and signing; a campaign's totals are their sum. Each
//! count is spread over slot rows (see [`counter_slot`]) so that concurrent writers on
//! PostgreSQL do not queue on one row.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::ids::{CampaignId, PersonId, PolicyId};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::organisation::people::PersonKind;
use bulwark_core::policies::campaigns::{Campaign, DepartmentCompletion, Enrol, Participant, PinnedVersion, Task};
use bulwark_core::store::Backend;
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::{AnyConnection, Row};

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, int, opt_text, opt_time, parsed, text};
use crate::write::{expect_one, map_err};

const SELECT: &str = "c.id, c.title, c.audience_departments, c.audience_kinds, c.audience_roles, c.checklist_id, c.joiners_only, c.due_at, \
     c.closed_at, c.cancelled_at, c.repeat_months, c.created_by, c.created_at, c.updated_at, \
     (SELECT CAST(COALESCE(SUM(cd.assigned), 0) AS BIGINT) FROM campaign_departments cd WHERE cd.campaign_id = c.id) AS assigned, \
     (SELECT CAST(COALESCE(SUM(cd.signed), 0) AS BIGINT) FROM campaign_departments cd WHERE cd.campaign_id = c.id) AS signed";

/// The counter row a write adds to: on PostgreSQL one of 16 per count, chosen by the
/// transaction's id, so that concurrent transactions mostly add to different rows (and one
/// transaction always to the same one); SQLite's writers are one at a time and use one row.
fn counter_slot(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "CAST(txid_current() % 16 AS INTEGER)",
        Backend::Sqlite => "0",
    }
}

const TABLE: Table = Table {
    columns: SELECT,
    from: "campaigns c",
    count_from: "campaigns c",
    id: "c.id",
    filters: &[("state", "(CASE WHEN c.closed_at IS NULL THEN 'open' ELSE 'closed' END)")],
    sorts: &[("due", "c.due_at"), ("title", "c.title"), ("created", "c.created_at")],
    search: Some(("c.search_text", None)),
    total: None,
};

fn campaign(r: &dyn Columns) -> Result<Campaign, StoreError> {
    let words = |col: &str| -> Result<Vec<String>, StoreError> {
        Ok(text(r, col)?.split_whitespace().map(str::to_string).collect())
    };
    let departments = words("audience_departments")?
        .iter()
        .map(|d| d.parse().map_err(|_| StoreError::Other(anyhow::anyhow!("bad department id {d}"))))
        .collect::<Result<_, _>>()?;
    let kinds = words("audience_kinds")?
        .iter()
        .map(|k| PersonKind::parse(k).ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad kind {k}"))))
        .collect::<Result<_, _>>()?;
    let roles = words("audience_roles")?
        .iter()
        .map(|k| k.parse().map_err(|e: String| StoreError::Other(anyhow::anyhow!(e))))
        .collect::<Result<_, _>>()?;
    Ok(Campaign {
        id: parsed(r, "id")?,
        title: text(r, "title")?,
        audience_departments: departments,
        audience_kinds: kinds,
        audience_roles: roles,
        joiners_only: int(r, "joiners_only")? != 0,
        checklist_id: opt_text(r, "checklist_id")?
            .map(|k| k.parse().map_err(|_| StoreError::Other(anyhow::anyhow!("bad checklist id {k}"))))
            .transpose()?,
        due_at: from_micros(int(r, "due_at")?),
        closed_at: opt_time(r, "closed_at")?,
        cancelled_at: opt_time(r, "cancelled_at")?,
        repeat_months: int(r, "repeat_months")?,
        created_by: text(r, "created_by")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
        assigned: int(r, "assigned")?,
        signed: int(r, "signed")?,
    })
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    q: &ListQuery,
) -> Result<ListPage<Campaign>, StoreError> {
    list::page(conn, reads, &TABLE, q, campaign).await
}

pub(crate) async fn open(conn: &mut AnyConnection) -> Result<Vec<Campaign>, StoreError> {
    let sql = format!("SELECT {SELECT} FROM campaigns c WHERE c.closed_at IS NULL");
    let rows = sqlx::query(&sql).fetch_all(conn).await.map_err(map_err)?;
    rows.iter().map(|r| campaign(r)).collect()
}

pub(crate) async fn find(conn: &mut AnyConnection, id: CampaignId) -> Result<Option<Campaign>, StoreError> {
    let sql = format!("SELECT {SELECT} FROM campaigns c WHERE c.id = $1");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| campaign(r)).transpose()
}

pub(crate) async fn repin(
    conn: &mut AnyConnection,
    policy: PolicyId,
    number: i64,
    hash: &str,
) -> Result<Vec<CampaignId>, StoreError> {
    let rows = sqlx::query(
        "UPDATE campaign_policies SET version_number = $2, content_hash = $3 WHERE policy_id = $1 \
         AND version_number <> $2 AND campaign_id IN (SELECT id FROM campaigns WHERE closed_at IS NULL) \
         RETURNING campaign_id",
    )
    .bind(policy.to_string())
    .bind(number)
    .bind(hash)
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter().map(|r| parsed(r, "campaign_id")).collect()
}

pub(crate) async fn versions(conn: &mut AnyConnection, id: CampaignId) -> Result<Vec<PinnedVersion>, StoreError> {
    let rows = sqlx::query(
        "SELECT cp.policy_id, cp.version_number, cp.content_hash, p.title FROM campaign_policies cp \
         JOIN policies p ON p.id = cp.policy_id WHERE cp.campaign_id = $1 ORDER BY p.title",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok(PinnedVersion {
                policy_id: parsed(r, "policy_id")?,
                number: int(r, "version_number")?,
                content_hash: text(r, "content_hash")?,
                title: text(r, "title")?,
            })
        })
        .collect()
}

pub(crate) async fn insert(conn: &mut AnyConnection, c: &Campaign, pins: &[PinnedVersion]) -> Result<(), StoreError> {
    let join = |v: Vec<String>| v.join(" ");
    sqlx::query(
        "INSERT INTO campaigns (id, title, audience_departments, audience_kinds, due_at, closed_at, search_text, \
         created_by, created_at, updated_at, audience_roles, checklist_id, joiners_only, repeat_months) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(c.id.to_string())
    .bind(&c.title)
    .bind(join(c.audience_departments.iter().map(|d| d.to_string()).collect()))
    .bind(join(c.audience_kinds.iter().map(|k| k.as_str().to_string()).collect()))
    .bind(to_micros(c.due_at))
    .bind(c.closed_at.map(to_micros))
    .bind(c.title.to_lowercase())
    .bind(&c.created_by)
    .bind(to_micros(c.created_at))
    .bind(to_micros(c.updated_at))
    .bind(join(c.audience_roles.iter().map(|r| r.as_str().to_string()).collect()))
    .bind(c.checklist_id.map(|k| k.to_string()))
    .bind(i64::from(c.joiners_only))
    .bind(c.repeat_months)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    for v in pins {
        sqlx::query(
            "INSERT INTO campaign_policies (campaign_id, policy_id, version_number, content_hash) VALUES ($1, $2, $3, $4)",
        )
        .bind(c.id.to_string())
        .bind(v.policy_id.to_string())
        .bind(v.number)
        .bind(&v.content_hash)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// `column IN (…)` for the given words (bound from `$start` on), or nothing when there are none.
fn any_of(column: &str, words: &[String], start: usize) -> String {
    if words.is_empty() {
        return String::new();
    }
    let params: Vec<String> = (0..words.len()).map(|i| format!("${}", start + i)).collect();
    format!(" AND {column} IN ({})", params.join(", "))
}

pub(crate) async fn enroll(
    conn: &mut AnyConnection,
    c: &Campaign,
    now: Timestamp,
    enrol: Enrol,
) -> Result<u64, StoreError> {
    let departments: Vec<String> = c.audience_departments.iter().map(|d| d.to_string()).collect();
    let kinds: Vec<String> = c.audience_kinds.iter().map(|k| k.as_str().to_string()).collect();
    // Roles are matched as whole words of the account's space-separated role list.
    let roles: Vec<String> = c.audience_roles.iter().map(|r| format!("% {} %", r.as_str())).collect();
    let first_role = 5 + departments.len() + kinds.len();
    let role_clause = if roles.is_empty() {
        String::new()
    } else {
        let each: Vec<String> =
            (0..roles.len()).map(|i| format!("(' ' || a.roles || ' ') LIKE ${}", first_role + i)).collect();
        format!(
            " AND EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.status = 'active' AND ({}))",
            each.join(" OR ")
        )
    };
    // See `Enrol::SparingThoseAsked`.
    let asked_already = if enrol == Enrol::Everyone || c.checklist_id.is_some() {
        ""
    } else {
        " AND NOT EXISTS (SELECT 1 FROM tasks o WHERE o.assignee_person_id = p.id AND o.state = 'open' \
         AND o.kind = 'acknowledge' AND o.subject_id <> $1 \
         AND EXISTS (SELECT 1 FROM campaign_policies pinned WHERE pinned.campaign_id = $1) AND NOT EXISTS (SELECT 1 FROM campaign_policies mine \
         WHERE mine.campaign_id = $1 AND NOT EXISTS (SELECT 1 FROM campaign_policies theirs \
         WHERE theirs.campaign_id = o.subject_id AND theirs.policy_id = mine.policy_id \
         AND theirs.version_number = mine.version_number)))"
    };
    let sql = format!(
        "INSERT INTO tasks (id, kind, assignee_person_id, subject_type, subject_id, title, due_at, state, done_at, \
         created_at, updated_at, assignee_department_id) \
         SELECT 'acknowledge:' || $1 || ':' || p.id, 'acknowledge', p.id, 'campaign', $1, $2, $3, 'open', NULL, $4, $4, \
         p.department_id \
         FROM people p WHERE p.status NOT IN ('left', 'offboarding'){}{}{role_clause}{asked_already} \
         ON CONFLICT (id) DO NOTHING",
        any_of("p.department_id", &departments, 5),
        any_of("p.kind", &kinds, 5 + departments.len()),
    );
    let mut q =
        sqlx::query(&sql).bind(c.id.to_string()).bind(c.task_title()).bind(to_micros(c.due_at)).bind(to_micros(now));
    for w in departments.iter().chain(&kinds).chain(&roles) {
        q = q.bind(w.as_str());
    }
    let enrolled = q.execute(&mut *conn).await.map_err(map_err)?.rows_affected();
    // The counters, recounted from the tasks: slot 0 holds the count less what other slots
    // hold (one statement, one snapshot, so a joiner's task added at once in another slot
    // still counts once).
    sqlx::query(
        "INSERT INTO campaign_departments (campaign_id, department_id, assigned, signed, slot) \
         SELECT $1, g.department_id, g.n - COALESCE((SELECT SUM(o.assigned) FROM campaign_departments o \
         WHERE o.campaign_id = $1 AND o.department_id = g.department_id AND o.slot <> 0), 0), 0, 0 \
         FROM (SELECT COALESCE(t.assignee_department_id, '') AS department_id, COUNT(*) AS n FROM tasks t \
         WHERE t.subject_type = 'campaign' AND t.subject_id = $1 GROUP BY COALESCE(t.assignee_department_id, '')) g \
         WHERE true ON CONFLICT (campaign_id, department_id, slot) DO UPDATE SET assigned = excluded.assigned",
    )
    .bind(c.id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(enrolled)
}

const TASK_COLUMNS: &str = "t.id, t.kind, t.assignee_person_id, t.subject_type, t.subject_id, t.title, t.due_at, t.state, t.done_at, t.created_at";

fn task(r: &dyn Columns) -> Result<Task, StoreError> {
    Ok(Task {
        id: text(r, "id")?,
        kind: text(r, "kind")?,
        assignee_person_id: parsed(r, "assignee_person_id")?,
        subject_type: text(r, "subject_type")?,
        subject_id: text(r, "subject_id")?,
        title: text(r, "title")?,
        due_at: from_micros(int(r, "due_at")?),
        state: text(r, "state")?,
        done_at: opt_time(r, "done_at")?,
        created_at: from_micros(int(r, "created_at")?),
    })
}

const TASKS: Table = Table {
    columns: TASK_COLUMNS,
    from: "tasks t",
    count_from: "tasks t",
    id: "t.id",
    filters: &[("assignee", "t.assignee_person_id"), ("state", "t.state")],
    sorts: &[("due", "t.due_at"), ("created", "t.created_at")],
    search: None,
    total: None,
};

pub(crate) async fn tasks(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    person: PersonId,
    query: &ListQuery,
) -> Result<ListPage<Task>, StoreError> {
    let mut query = query.clone();
    query.filters.push(("assignee", person.to_string()));
    list::page(conn, reads, &TASKS, &query, task).await
}

pub(crate) async fn find_task(conn: &mut AnyConnection, id: &str) -> Result<Option<Task>, StoreError> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| task(r)).transpose()
}

pub(crate) async fn insert_task(conn: &mut AnyConnection, backend: Backend, t: &Task) -> Result<(), StoreError> {
    let done = sqlx::query(
        "INSERT INTO tasks (id, kind, assignee_person_id, subject_type, subject_id, title, due_at, state, done_at, \
         created_at, updated_at, assignee_department_id) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, p.department_id FROM people p WHERE p.id = $3 \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&t.id)
    .bind(&t.kind)
    .bind(t.assignee_person_id.to_string())
    .bind(&t.subject_type)
    .bind(&t.subject_id)
    .bind(&t.title)
    .bind(to_micros(t.due_at))
    .bind(&t.state)
    .bind(t.done_at.map(to_micros))
    .bind(to_micros(t.created_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 1 && t.subject_type == "campaign" {
        let sql = format!(
            "INSERT INTO campaign_departments (campaign_id, department_id, assigned, signed, slot) \
             VALUES ($1, COALESCE((SELECT department_id FROM people WHERE id = $2), ''), 1, 0, {}) \
             ON CONFLICT (campaign_id, department_id, slot) DO UPDATE SET assigned = campaign_departments.assigned + 1",
            counter_slot(backend)
        );
        sqlx::query(&sql)
            .bind(&t.subject_id)
            .bind(t.assignee_person_id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn update_task(conn: &mut AnyConnection, before: &Task, after: &Task) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE tasks SET state = $1, done_at = $2, updated_at = $3 WHERE id = $4 AND state = $5")
        .bind(&after.state)
        .bind(after.done_at.map(to_micros))
        .bind(to_micros(after.done_at.unwrap_or(after.created_at)))
        .bind(&after.id)
        .bind(&before.state)
        .execute(conn)
        .await
        .map_err(map_err)?;
    expect_one(done.rows_affected(), "this task")
}

pub(crate) async fn insert_acknowledgment(
    conn: &mut AnyConnection,
    backend: Backend,
    id: CampaignId,
    person: PersonId,
    at: Timestamp,
    by: &str,
    versions: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO acknowledgments (campaign_id, person_id, signed_at, signed_by, versions) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(person.to_string())
    .bind(to_micros(at))
    .bind(by)
    .bind(versions)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let sql = format!(
        "INSERT INTO campaign_departments (campaign_id, department_id, assigned, signed, slot) \
         VALUES ($1, COALESCE((SELECT assignee_department_id FROM tasks WHERE id = 'acknowledge:' || $1 || ':' || $2), ''), \
         0, 1, {}) ON CONFLICT (campaign_id, department_id, slot) DO UPDATE SET signed = campaign_departments.signed + 1",
        counter_slot(backend)
    );
    sqlx::query(&sql).bind(id.to_string()).bind(person.to_string()).execute(&mut *conn).await.map_err(map_err)?;
    Ok(())
}

pub(crate) async fn find_acknowledgment(
    conn: &mut AnyConnection,
    id: CampaignId,
    person: PersonId,
) -> Result<Option<Timestamp>, StoreError> {
    let row = sqlx::query("SELECT signed_at FROM acknowledgments WHERE campaign_id = $1 AND person_id = $2")
        .bind(id.to_string())
        .bind(person.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.map(|r| r.try_get::<i64, _>(0).map(from_micros).map_err(map_err)).transpose()
}

pub(crate) async fn completion(
    conn: &mut AnyConnection,
    id: CampaignId,
) -> Result<Vec<DepartmentCompletion>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.name AS department, CAST(SUM(cd.assigned) AS BIGINT) AS assigned, \
         CAST(SUM(cd.signed) AS BIGINT) AS signed FROM campaign_departments cd \
         LEFT JOIN departments d ON d.id = cd.department_id WHERE cd.campaign_id = $1 \
         GROUP BY cd.department_id, d.name ORDER BY d.name IS NULL, d.name",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok(DepartmentCompletion {
                department: opt_text(r, "department")?,
                assigned: int(r, "assigned")?,
                signed: int(r, "signed")?,
            })
        })
        .collect()
}

pub(crate) async fn participants(
    conn: &mut AnyConnection,
    backend: Backend,
    id: CampaignId,
    missing: bool,
    after: Option<(String, PersonId)>,
    limit: u32,
) -> Result<Vec<Participant>, StoreError> {
    // People are walked in name order and each is looked up in the campaign by its task id,
    // so a page costs its own rows, not the whole audience.
    let name = if backend == Backend::Postgres { "p.name COLLATE \"C\"" } else { "p.name" };
    let mut sql = String::from(
        "SELECT p.id, p.name, p.email, d.name AS department, a.signed_at, COALESCE(a.versions, '') AS versions, \
         t.state AS task_state \
         FROM people p JOIN tasks t ON t.id = 'acknowledge:' || $1 || ':' || p.id \
         LEFT JOIN departments d ON d.id = p.department_id \
         LEFT JOIN acknowledgments a ON a.campaign_id = $1 AND a.person_id = p.id WHERE 1 = 1",
    );
    if missing {
        sql.push_str(" AND t.state <> 'done'");
    }
    if after.is_some() {
        sql.push_str(&format!(" AND ({name}, p.id) > ($3, $4)"));
    }
    sql.push_str(&format!(" ORDER BY {name}, p.id LIMIT $2"));
    let mut q = sqlx::query(&sql).bind(id.to_string()).bind(i64::from(limit));
    if let Some((n, p)) = &after {
        q = q.bind(n.as_str()).bind(p.to_string());
    }
    let rows = q.fetch_all(conn).await.map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok(Participant {
                person_id: parsed(r, "id")?,
                name: text(r, "name")?,
                email: text(r, "email")?,
                department: opt_text(r, "department")?,
                signed_at: opt_time(r, "signed_at")?,
                versions: text(r, "versions")?,
                task_state: text(r, "task_state")?,
            })
        })
        .collect()
}

/// Closes an open campaign: its open tasks are missed; returns how many.
pub(crate) async fn close(conn: &mut AnyConnection, c: &Campaign, now: Timestamp) -> Result<u64, StoreError> {
    end(conn, c, now, false).await
}

/// Cancels an open campaign: closed, marked cancelled, its open tasks withdrawn; returns how many.
pub(crate) async fn cancel(conn: &mut AnyConnection, c: &Campaign, now: Timestamp) -> Result<u64, StoreError> {
    end(conn, c, now, true).await
}

async fn end(conn: &mut AnyConnection, c: &Campaign, now: Timestamp, cancelled: bool) -> Result<u64, StoreError> {
    let (mark, task_state) = if cancelled { (", cancelled_at = $1", "cancelled") } else { ("", "missed") };
    let ended = sqlx::query(&format!(
        "UPDATE campaigns SET closed_at = $1, updated_at = $1{mark} WHERE id = $2 AND closed_at IS NULL"
    ))
    .bind(to_micros(now))
    .bind(c.id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    expect_one(ended.rows_affected(), "this campaign")?;
    let tasks = sqlx::query(
        "UPDATE tasks SET state = $3, updated_at = $1 \
         WHERE subject_type = 'campaign' AND subject_id = $2 AND kind = 'acknowledge' AND state = 'open'",
    )
    .bind(to_micros(now))
    .bind(c.id.to_string())
    .bind(task_state)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(tasks.rows_affected())
}

/// Moves an open campaign's due date and its open tasks' with it (a joiner's later date is
/// kept when it is later still); returns how many tasks moved.
pub(crate) async fn move_due(
    conn: &mut AnyConnection,
    c: &Campaign,
    due: Timestamp,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let moved = sqlx::query(
        "UPDATE campaigns SET due_at = $1, updated_at = $2 WHERE id = $3 AND closed_at IS NULL AND updated_at = $4",
    )
    .bind(to_micros(due))
    .bind(to_micros(now))
    .bind(c.id.to_string())
    .bind(to_micros(c.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    expect_one(moved.rows_affected(), "this campaign")?;
    let tasks = sqlx::query(
        "UPDATE tasks SET due_at = CASE WHEN due_at > $3 AND due_at > $1 THEN due_at ELSE $1 END, updated_at = $2 \
         WHERE subject_type = 'campaign' AND subject_id = $4 AND kind = 'acknowledge' AND state = 'open'",
    )
    .bind(to_micros(due))
    .bind(to_micros(now))
    .bind(to_micros(c.due_at))
    .bind(c.id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(tasks.rows_affected())
}

pub(crate) async fn close_subject_tasks(
    conn: &mut AnyConnection,
    kind: &str,
    subject_type: &str,
    subject_id: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE tasks SET state = 'done', done_at = $1, updated_at = $1 \
         WHERE kind = $2 AND subject_type = $3 AND subject_id = $4 AND state = 'open'",
    )
    .bind(to_micros(now))
    .bind(kind)
    .bind(subject_type)
    .bind(subject_id)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn overdue_tasks(
    conn: &mut AnyConnection,
    kind: &str,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<Task>, StoreError> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.kind = $1 AND t.state = 'open' AND t.due_at < $2 \
         ORDER BY t.due_at, t.id LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(kind)
        .bind(to_micros(now))
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    rows.iter().map(|r| task(r)).collect()
}
