//! The store contract: the same tests on every backend (SQLite always, PostgreSQL when
//! `BULWARK_TEST_POSTGRES_URL` is set).

use bulwark_core::audit::AuditFilter;
use bulwark_core::identity::accounts::{self, NewAccountInput, NewTokenInput};
use bulwark_core::identity::mfa::{self, MfaPolicy, SessionStage};
use bulwark_core::list::{ListQuery, RawListQuery};
use bulwark_core::organisation::areas::{AREA, AREA_MEMBER, ensure_default_areas};
use bulwark_core::organisation::departments::{self, DepartmentInput};
use bulwark_core::organisation::people::{self, PersonInput, PersonStatus};
use bulwark_core::records::{input::RawRecord, service};
use bulwark_core::store::{Backend, Reader};
use bulwark_core::{Actor, CoreError, Store, StoreError, time_util};
use bulwark_testkit::{TestDb, backends};
use std::sync::Arc;

fn person(name: &str, email: &str) -> PersonInput {
    PersonInput { name: name.into(), email: email.into(), ..Default::default() }
}

/// A policy with version 1 written by the CLI, ratified by someone else and published.
async fn published_policy(
    s: &dyn Store,
    now: time_util::Timestamp,
    title: &str,
    body: &str,
) -> bulwark_core::policies::Policy {
    use bulwark_core::policies::{self, PolicyInput, Transition};
    let cli = Actor::cli();
    let ratifier = Actor { label: "ratifier".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
    let input = PolicyInput { title: title.into(), body: body.into(), ..Default::default() };
    let p = policies::create(s, &cli, now, &input).await.unwrap();
    for (who, step) in [(&cli, Transition::Submit), (&ratifier, Transition::Ratify), (&cli, Transition::Publish)] {
        policies::transition(s, who, now, p.id, 1, step).await.unwrap();
    }
    p
}

/// A connection for reads.
async fn r(store: &dyn Store) -> Box<dyn Reader> {
    store.read().await.expect("read connection")
}

async fn audit_count(store: &dyn Store) -> i64 {
    r(store).await.counts().await.unwrap().audit_entries
}

/// A list query as a client would send it, checked by the people list's description.
fn query(pairs: &[(&str, &str)]) -> ListQuery {
    let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
    let raw = RawListQuery {
        q: get("q"),
        filters: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        sort: get("sort"),
        dir: get("dir"),
        after: get("after"),
        limit: get("per_page").and_then(|n| n.parse().ok()),
    };
    people::LIST.parse(&raw).expect("a valid query")
}

/// Every page of a query, following the cursors.
async fn all_pages(s: &dyn Store, pairs: &[(&str, &str)]) -> Vec<Vec<String>> {
    let mut q = query(pairs);
    let mut pages = Vec::new();
    loop {
        let page = r(s).await.list_people(&q).await.unwrap();
        pages.push(page.items.iter().map(|p| p.name.clone()).collect());
        match page.next {
            Some(next) => q.after = Some(next),
            None => return pages,
        }
    }
}

#[tokio::test]
async fn refreshing_statistics_merges_each_search_index_and_searches_alike() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        // One commit each: SQLite's full-text index writes a segment per transaction.
        for (i, name) in ["Zoë Ørsted", "Zoltán Kovács", "Łukasz Nowak", "Zola Ørsted"].iter().enumerate() {
            people::create(s, &Actor::cli(), time_util::now(), &person(name, &format!("z{i}@example.com")))
                .await
                .unwrap();
        }
        let names = |page: bulwark_core::list::ListPage<bulwark_core::organisation::people::Person>| {
            (page.total, page.items.into_iter().map(|p| p.name).collect::<Vec<_>>())
        };
        let before = names(r(s).await.list_people(&query(&[("q", "ØRST")])).await.unwrap());
        assert_eq!(before, (2, vec!["Zola Ørsted".to_string(), "Zoë Ørsted".to_string()]), "{backend:?}");
        let segments = || async {
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(db.url.expose()).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT segid) FROM people_fts_idx")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            sqlx::Connection::close(conn).await.unwrap();
            n
        };
        if backend == Backend::Sqlite {
            assert!(segments().await > 1, "one segment per commit before the merge");
        }
        db.store.refresh_statistics().await.unwrap();
        if backend == Backend::Sqlite {
            assert_eq!(segments().await, 1, "merged into one segment");
        }
        assert_eq!(names(r(s).await.list_people(&query(&[("q", "ØRST")])).await.unwrap()), before, "{backend:?}");
    }
}

#[tokio::test]
async fn a_write_unit_lists_its_own_uncommitted_rows_and_readers_see_them_after_the_commit() {
    use bulwark_core::audit::AuditRecord;
    use bulwark_core::ids::PersonId;
    use bulwark_core::organisation::people::{Person, PersonKind};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        people::create(s, &Actor::cli(), time_util::now(), &person("Łukasz Nowak", "lukasz@example.com"))
            .await
            .unwrap();
        let now = time_util::now();
        let zoe = Person {
            id: PersonId::new(),
            name: "Zoë Ørsted".into(),
            email: "zoe@example.com".into(),
            kind: PersonKind::Employee,
            department_id: None,
            department_name: None,
            status: PersonStatus::Active,
            created_at: now,
            updated_at: now,
        };
        let names = |page: bulwark_core::list::ListPage<Person>| {
            (page.total, page.items.into_iter().map(|p| p.name).collect::<Vec<_>>())
        };
        let mut tx = s.write().await.unwrap();
        tx.insert_person(&zoe).await.unwrap();
        // The unit reads through its own transaction: it lists, searches and pages what it wrote.
        let all = names(tx.list_people(&query(&[])).await.unwrap());
        assert_eq!(all, (2, vec!["Zoë Ørsted".to_string(), "Łukasz Nowak".to_string()]), "{backend:?}");
        let found = names(tx.list_people(&query(&[("q", "ørst")])).await.unwrap());
        assert_eq!(found, (1, vec!["Zoë Ørsted".to_string()]), "{backend:?}");
        let first = tx.list_people(&query(&[("per_page", "1")])).await.unwrap();
        let mut rest = query(&[("per_page", "1")]);
        rest.after = first.next.clone();
        assert_eq!(names(tx.list_people(&rest).await.unwrap()), (2, vec!["Łukasz Nowak".to_string()]), "{backend:?}");
        // A reader sees committed rows only, until the commit.
        assert_eq!(names(r(s).await.list_people(&query(&[])).await.unwrap()), (1, vec!["Łukasz Nowak".to_string()]));
        tx.audit(AuditRecord::new(&Actor::cli(), now, "person.create", "person", zoe.id, None::<&()>, Some(&zoe)));
        tx.commit().await.unwrap();
        assert_eq!(names(r(s).await.list_people(&query(&[])).await.unwrap()), all, "{backend:?}");
    }
}

#[tokio::test]
async fn a_reader_carries_on_after_postgres_ends_its_kept_connections() {
    // What a server restart, an administrator or a proxy's idle timeout does to the connections
    // an instance keeps between reads; SQLite has no server to end them.
    for backend in backends().into_iter().filter(|b| *b == Backend::Postgres) {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        people::create(s, &Actor::cli(), time_util::now(), &person("Zoë Ørsted", "zoe@example.com")).await.unwrap();
        let names = || async {
            r(s).await.list_people(&query(&[])).await.unwrap().items.into_iter().map(|p| p.name).collect::<Vec<_>>()
        };
        assert_eq!(names().await, ["Zoë Ørsted"]);
        let readers = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                       AND application_name = 'bulwark-reads'";
        assert!(db.store.count_raw(readers).await.unwrap() >= 1, "the list was read on a kept connection");
        db.store
            .execute_raw(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND application_name = 'bulwark-reads'",
            )
            .await
            .unwrap();
        for _ in 0..200 {
            if db.store.count_raw(readers).await.unwrap() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(db.store.count_raw(readers).await.unwrap(), 0, "the kept connections are gone");
        // Each read finds its kept connection broken and runs again on a new one.
        for _ in 0..3 {
            assert_eq!(names().await, ["Zoë Ørsted"]);
            assert!(r(s).await.find_session_with_account("no such session").await.unwrap().is_none());
        }
    }
}

/// The department names an instance offers (read as a page would), in byte order.
async fn department_names(store: &dyn Store) -> Vec<String> {
    let mut names: Vec<String> =
        r(store).await.list_department_names().await.unwrap().into_iter().map(|(_, name)| name).collect();
    names.sort();
    names
}

/// Each listed person's name and department name, in the order of a sort.
async fn listed_departments(store: &dyn Store, sort: &str) -> Vec<(String, Option<String>)> {
    let page = r(store).await.list_people(&query(&[("sort", sort)])).await.unwrap();
    page.items.into_iter().map(|p| (p.name, p.department_name)).collect()
}

/// Waits (up to 20 s) until `store` offers `expected`: another instance hears of a change by a
/// notification, a moment after its commit.
async fn offers_eventually(store: &dyn Store, expected: &[&str]) {
    for _ in 0..400 {
        if department_names(store).await == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(department_names(store).await, expected);
}

#[tokio::test]
async fn every_instance_offers_the_current_department_names_after_any_change() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let second = db.second_store().await;
        let (one, two): (&dyn Store, &dyn Store) = (&db.store, &second);
        let (cli, now) = (Actor::cli(), time_util::now());
        let input = |name: &str, version| DepartmentInput { name: String::from(name), version, ..Default::default() };
        assert!(department_names(two).await.is_empty());
        let d = departments::create_department(one, &cli, now, &input("Sécurité", None)).await.unwrap();
        let in_d = PersonInput { department_id: d.id.to_string(), ..person("Zoë Ørsted", "zoe@example.com") };
        people::create(one, &cli, now, &in_d).await.unwrap();
        // The instance that wrote offers it at once, and so do the others once notified.
        assert_eq!(department_names(one).await, ["Sécurité"], "{backend:?}");
        offers_eventually(two, &["Sécurité"]).await;
        assert_eq!(department_names(two).await, ["Sécurité"], "read twice: now kept on PostgreSQL");
        // The people list names each person's department, from the kept names where kept
        // (text sorts compare bytes: "Z" before "Ł", "S" before "É").
        let zoe = |d: &str| ("Zoë Ørsted".to_string(), Some(d.to_string()));
        let lukasz = |d: &str| ("Łukasz Nowak".to_string(), Some(d.to_string()));
        assert_eq!(listed_departments(two, "name").await, [zoe("Sécurité")]);
        assert_eq!(listed_departments(two, "department").await, [zoe("Sécurité")]);
        // A department another instance created a moment ago is named too.
        let e = departments::create_department(one, &cli, now, &input("Éthique", None)).await.unwrap();
        let in_e = PersonInput { department_id: e.id.to_string(), ..person("Łukasz Nowak", "lukasz@example.com") };
        people::create(one, &cli, now, &in_e).await.unwrap();
        for sort in ["name", "department"] {
            assert_eq!(listed_departments(two, sort).await, [zoe("Sécurité"), lukasz("Éthique")], "{backend:?}");
        }
        departments::update_department(one, &cli, now, d.id, &input("Sûreté", None)).await.unwrap();
        assert_eq!(department_names(one).await, ["Sûreté", "Éthique"], "{backend:?}");
        offers_eventually(two, &["Sûreté", "Éthique"]).await;
        assert_eq!(listed_departments(two, "name").await, [zoe("Sûreté"), lukasz("Éthique")], "{backend:?}");
        // A change by hand (or a restore) reaches every instance too.
        db.store.execute_raw("UPDATE departments SET name = 'Łódź' WHERE name = 'Sûreté'").await.unwrap();
        offers_eventually(one, &["Éthique", "Łódź"]).await;
        offers_eventually(two, &["Éthique", "Łódź"]).await;
        if backend == Backend::Postgres {
            // The names are kept: without the notification, an instance keeps offering them
            // until something else makes it forget (here: a write of its own).
            // (A notification still on its way may make it forget once: hence a few tries.)
            db.store.execute_raw("ALTER TABLE departments DISABLE TRIGGER departments_changed").await.unwrap();
            let mut kept = false;
            for name in ["Kraków", "Gdańsk", "Poznań"] {
                let offered = department_names(two).await;
                let rename = format!("UPDATE departments SET name = '{name}' WHERE name <> 'Éthique'");
                db.store.execute_raw(&rename).await.unwrap();
                if department_names(two).await == offered {
                    kept = true;
                    break;
                }
            }
            assert!(kept, "the names are read once and kept");
            db.store.execute_raw("UPDATE departments SET name = 'Wrocław' WHERE name <> 'Éthique'").await.unwrap();
            people::create(two, &cli, now, &person("Ada King", "ada@example.com")).await.unwrap();
            assert_eq!(department_names(two).await, ["Wrocław", "Éthique"], "a write of its own makes it forget");
            db.store.execute_raw("ALTER TABLE departments ENABLE TRIGGER departments_changed").await.unwrap();
        }
    }
}

#[tokio::test]
async fn people_filter_sort_search_and_page_alike_on_every_backend() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let actor = Actor::cli();
        let dept = departments::create_department(
            s,
            &actor,
            time_util::now(),
            &DepartmentInput { name: "Engineering".into(), ..Default::default() },
        )
        .await
        .unwrap();
        let names =
            ["Ada Lovelace", "Zoë Ørsted", "Łukasz Nowak", "李雷", "ÖZIL Straße", "Barbara 100%_Liskov", "Alan Turing"];
        for (i, name) in names.iter().enumerate() {
            let mut input = person(name, &format!("p{i}@example.com"));
            if i % 2 == 0 {
                input.department_id = dept.id.to_string();
            }
            people::create(s, &actor, time_util::now(), &input).await.unwrap();
        }
        // Byte order on both backends, in pages of two that follow their cursors.
        let pages = all_pages(s, &[("per_page", "2")]).await;
        assert_eq!(
            pages,
            [
                vec!["Ada Lovelace", "Alan Turing"],
                vec!["Barbara 100%_Liskov", "Zoë Ørsted"],
                vec!["ÖZIL Straße", "Łukasz Nowak"],
                vec!["李雷"],
            ],
            "{backend:?}"
        );
        let back = all_pages(s, &[("per_page", "3"), ("dir", "desc")]).await.concat();
        assert_eq!(back.first().map(String::as_str), Some("李雷"), "{backend:?}");
        assert_eq!(back.len(), names.len());
        let newest = all_pages(s, &[("per_page", "4"), ("sort", "created"), ("dir", "desc")]).await.concat();
        assert_eq!(newest.first().map(String::as_str), Some("Alan Turing"), "{backend:?}");

        let found = |pairs: &'static [(&'static str, &'static str)]| async move {
            let mut v = all_pages(s, pairs).await.concat();
            v.sort();
            v
        };
        assert_eq!(found(&[("q", "LOVE")]).await, ["Ada Lovelace"], "case-insensitive on {backend:?}");
        assert_eq!(found(&[("q", "zoë")]).await, ["Zoë Ørsted"], "{backend:?}");
        assert_eq!(found(&[("q", "ZOË")]).await, ["Zoë Ørsted"], "Unicode case on {backend:?}");
        assert_eq!(found(&[("q", "özil")]).await, ["ÖZIL Straße"], "ö finds Ö on {backend:?}");
        assert_eq!(found(&[("q", "STRASSE")]).await.len(), 0, "no transliteration on {backend:?}");
        assert_eq!(found(&[("q", "STRAßE")]).await, ["ÖZIL Straße"], "straße in any case on {backend:?}");
        assert_eq!(found(&[("q", "李")]).await, ["李雷"], "a one-character search on {backend:?}");
        assert_eq!(found(&[("q", "100%_")]).await, ["Barbara 100%_Liskov"], "wildcards are literal on {backend:?}");
        assert_eq!(found(&[("q", "%")]).await, ["Barbara 100%_Liskov"]);
        assert_eq!(found(&[("q", "p3@example")]).await, ["李雷"], "e-mail is searched too on {backend:?}");

        // An indexed search (three characters or more) pages its matches in the order and
        // with the total of the whole list, sorted by a joined table's column too.
        let everyone = [("q", "example"), ("sort", "department"), ("dir", "desc"), ("per_page", "50")];
        let whole = all_pages(s, &everyone).await;
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].len(), names.len(), "{backend:?}");
        let in_engineering: Vec<&str> = names.iter().step_by(2).copied().collect();
        assert!(whole[0][..4].iter().all(|n| in_engineering.contains(&n.as_str())), "{backend:?}: {whole:?}");
        let paged = all_pages(s, &[("q", "example"), ("sort", "department"), ("dir", "desc"), ("per_page", "2")]).await;
        assert_eq!(paged.concat(), whole[0], "{backend:?}");
        let matched = r(s).await.list_people(&query(&[("q", "example"), ("per_page", "2")])).await.unwrap();
        assert_eq!((matched.total, matched.items.len()), (names.len() as u64, 2), "{backend:?}");

        let dept_id = dept.id.to_string();
        let in_dept = r(s).await.list_people(&query(&[("department_id", &dept_id)])).await.unwrap();
        assert_eq!(in_dept.total, 4);
        let found_in_dept =
            r(s).await.list_people(&query(&[("department_id", &dept_id), ("q", "example")])).await.unwrap();
        assert_eq!(found_in_dept.total, 4, "a search and a filter on {backend:?}");
        assert!(in_dept.items.iter().all(|p| p.department_name.as_deref() == Some("Engineering")));
        assert_eq!(
            r(s).await.list_departments(&departments::DEPARTMENTS.first_page(50)).await.unwrap().items[0].people_count,
            4
        );

        // A renamed person is found by the new name only.
        let ada = r(s).await.find_person_by_email("p0@example.com").await.unwrap().unwrap();
        people::update(s, &actor, time_util::now(), ada.id, &person("Ada King", "p0@example.com")).await.unwrap();
        assert_eq!(found(&[("q", "lovelace")]).await.len(), 0, "{backend:?}");
        assert_eq!(found(&[("q", "king")]).await, ["Ada King"], "{backend:?}");
    }
}

#[tokio::test]
async fn every_write_lands_with_exactly_one_audit_entry_and_the_chain_verifies() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let actor = Actor::cli();
        let now = time_util::now();
        let mut expected = audit_count(s).await;
        let mut step = |what: &str, got: i64| {
            expected += 1;
            assert_eq!(got, expected, "{what} on {backend:?} must write one audit entry");
        };
        let p = people::create(s, &actor, now, &person("Ada Lovelace", "ada@example.com")).await.unwrap();
        step("person.create", audit_count(s).await);
        people::update(
            s,
            &actor,
            now,
            p.id,
            &PersonInput { status: "offboarding".into(), ..person("Ada King", "ada@example.com") },
        )
        .await
        .unwrap();
        step("person.update", audit_count(s).await);
        let d = departments::create_department(
            s,
            &actor,
            now,
            &DepartmentInput { name: "Research".into(), head_person_id: p.id.to_string(), version: None },
        )
        .await
        .unwrap();
        step("department.create", audit_count(s).await);
        let area = RawRecord::from_pairs([("name", "Offensive"), ("description", "Red team")]);
        service::create(s, &actor, &AREA, now, &area).await.unwrap();
        step("area.create", audit_count(s).await);
        let member =
            RawRecord::from_pairs([("area", "Offensive"), ("person", p.email.as_str()), ("specialty", "Fuzzing")]);
        service::create(s, &actor, &AREA_MEMBER, now, &member).await.unwrap();
        step("area_member.create", audit_count(s).await);
        let input = NewAccountInput {
            person_id: p.id.to_string(),
            roles: vec!["security".into()],
            password: Some("a long enough password".into()),
            ..Default::default()
        };
        let (account, link) = accounts::create_account(s, &actor, now, &input).await.unwrap();
        assert!(link.is_none());
        step("account.create", audit_count(s).await);
        let owner = account.actor(bulwark_core::access::Via::Session);
        let (token, _) =
            accounts::create_token(s, &owner, now, &NewTokenInput { name: "ci".into(), expires_days: None })
                .await
                .unwrap();
        step("token.create", audit_count(s).await);
        accounts::revoke_token(s, &owner, now, token.id).await.unwrap();
        step("token.revoke", audit_count(s).await);

        let updated = r(s).await.get_person(p.id).await.unwrap();
        assert_eq!((updated.name.as_str(), updated.status), ("Ada King", PersonStatus::Offboarding));
        assert_eq!(r(s).await.get_department(d.id).await.unwrap().head_name.as_deref(), Some("Ada King"));

        let history = r(s)
            .await
            .list_audit(
                &AuditFilter {
                    entity_type: Some("person".into()),
                    entity_id: Some(p.id.to_string()),
                    ..Default::default()
                },
                50,
            )
            .await
            .unwrap();
        assert_eq!(
            history.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["person.update", "person.create"]
        );
        assert!(history.items[0].before.contains("Ada Lovelace") && history.items[0].after.contains("Ada King"));
        assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(expected as u64));
    }
}

#[tokio::test]
async fn a_failed_write_changes_nothing_and_logs_nothing() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let actor = Actor::cli();
        let p = people::create(s, &actor, time_util::now(), &person("Ada", "ada@example.com")).await.unwrap();
        let before = audit_count(s).await;

        // A stale update (someone else changed the record meanwhile) is a conflict.
        let mut stale = p.clone();
        stale.updated_at = time_util::from_micros(1);
        let mut after = p.clone();
        after.name = "Mallory".into();
        let mut tx = s.write().await.unwrap();
        assert!(matches!(tx.update_person(&stale, &after).await, Err(StoreError::Conflict(_))), "{backend:?}");
        drop(tx);

        // A duplicate e-mail at the database level is a conflict too, and rolls back.
        let mut dup = p.clone();
        dup.id = bulwark_core::ids::PersonId::new();
        let mut tx = s.write().await.unwrap();
        assert!(matches!(tx.insert_person(&dup).await, Err(StoreError::Conflict(_))));
        drop(tx);

        // A write whose operation queued no audit record is refused at commit and rolled back.
        let mut tx = s.write().await.unwrap();
        let mut quiet = p.clone();
        quiet.id = bulwark_core::ids::PersonId::new();
        quiet.email = "quiet@example.com".into();
        tx.insert_person(&quiet).await.unwrap();
        assert!(tx.commit().await.is_err(), "a write without an audit record is refused on {backend:?}");
        assert!(r(s).await.find_person(quiet.id).await.unwrap().is_none());

        assert_eq!(r(s).await.get_person(p.id).await.unwrap().name, "Ada");
        assert_eq!(audit_count(s).await, before, "no audit entry for a write that did not happen on {backend:?}");
    }
}

#[tokio::test]
async fn concurrent_writers_append_one_linear_chain() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store: Arc<dyn Store> = Arc::new(db.store.clone());
        let second: Arc<dyn Store> = Arc::new(db.second_store().await);
        let mut tasks = Vec::new();
        for w in 0..8 {
            let s = if w % 2 == 0 { store.clone() } else { second.clone() };
            tasks.push(tokio::spawn(async move {
                for i in 0..15 {
                    let input = person(&format!("Writer {w} item {i}"), &format!("w{w}.i{i}@example.com"));
                    people::create(s.as_ref(), &Actor::cli(), time_util::now(), &input)
                        .await
                        .expect("concurrent create");
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(r(store.as_ref()).await.counts().await.unwrap().people, 120);
        assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(120), "one linear chain on {backend:?}");
    }
}

#[tokio::test]
async fn kept_counts_stay_exact_when_writers_add_at_once_and_a_recount_follows() {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store: Arc<dyn Store> = Arc::new(db.store.clone());
        let (cli, now) = (Actor::cli(), time_util::now());
        published_policy(store.as_ref(), now, "Acceptable use", "v1").await;
        let department = |name: &'static str| {
            let store = store.clone();
            async move {
                let input = DepartmentInput { name: name.into(), ..Default::default() };
                departments::create_department(store.as_ref(), &Actor::cli(), time_util::now(), &input)
                    .await
                    .unwrap()
                    .id
            }
        };
        let (sales, ops) = (department("Sales").await, department("Ops").await);
        let mut first = person("First", "first@example.com");
        first.department_id = sales.to_string();
        people::create(store.as_ref(), &cli, now, &first).await.unwrap();
        let due = (now + time::Duration::days(30)).date().to_string();
        let input = CampaignInput { title: "Everyone".into(), due_date: due, ..Default::default() };
        let campaign = campaigns::create(store.as_ref(), &cli, now, &input).await.unwrap();
        // Eight writers add people at once (on PostgreSQL, into different counter slots), each
        // joiner enrolled in the open campaign, and the first three sign.
        let mut writers = Vec::new();
        for w in 0..8 {
            let (s, home) = (store.clone(), if w % 2 == 0 { sales } else { ops });
            writers.push(tokio::spawn(async move {
                for i in 0..6 {
                    let mut input = person(&format!("Joiner {w}.{i}"), &format!("j{w}.{i}@example.com"));
                    input.department_id = home.to_string();
                    let joined = people::create(s.as_ref(), &Actor::cli(), time_util::now(), &input).await.unwrap();
                    if i < 3 {
                        let signer = Actor { person_id: Some(joined.id), ..Actor::cli() };
                        campaigns::acknowledge(s.as_ref(), &signer, time_util::now(), campaign.id).await.unwrap();
                    }
                }
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        let check = |when: &'static str| {
            let store = store.clone();
            async move {
                let mut rd = r(store.as_ref()).await;
                assert_eq!(rd.list_people(&query(&[])).await.unwrap().total, 49, "{when} on {backend:?}");
                let kept = rd.find_campaign(campaign.id).await.unwrap().unwrap();
                assert_eq!((kept.assigned, kept.signed), (49, 24), "{when} on {backend:?}");
                let by_department: Vec<_> = rd
                    .campaign_completion(campaign.id)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|d| (d.department.unwrap_or_default(), d.assigned, d.signed))
                    .collect();
                assert_eq!(by_department, [("Ops".into(), 24, 12), ("Sales".into(), 25, 12)], "{when} on {backend:?}");
            }
        };
        check("after the writers").await;
        // Enrolling the audience again gives nobody a second task and recounts to the same.
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.enroll_campaign_audience(&campaign, now, campaigns::Enrol::Everyone).await.unwrap(), 0);
        let id = campaign.id.to_string();
        tx.audit(bulwark_core::audit::AuditRecord::new(&cli, now, "test", "campaign", &id, None::<&()>, None::<&()>));
        tx.commit().await.unwrap();
        check("after a recount").await;
    }
}

#[tokio::test]
async fn the_audit_log_refuses_update_and_delete() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        people::create(&db.store, &Actor::cli(), time_util::now(), &person("Ada", "ada@example.com")).await.unwrap();
        assert!(db.store.execute_raw("UPDATE audit_log SET actor_label = 'mallory'").await.is_err(), "{backend:?}");
        assert!(db.store.execute_raw("DELETE FROM audit_log").await.is_err(), "{backend:?}");
        assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(1));
    }
}

/// Someone with direct database access disables the guard and rewrites history.
async fn disable_guard(db: &TestDb) {
    let sql = match db.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
    };
    db.store.execute_raw(sql).await.unwrap();
}

/// A database with five audited creations and the append-only guard removed.
async fn five_entries_unguarded(backend: Backend) -> TestDb {
    let db = TestDb::new(backend).await;
    for i in 0..5 {
        let input = person(&format!("P{i}"), &format!("p{i}@example.com"));
        people::create(&db.store, &Actor::cli(), time_util::now(), &input).await.unwrap();
    }
    disable_guard(&db).await;
    db
}

#[tokio::test]
async fn verification_names_the_first_edited_or_deleted_entry() {
    for backend in backends() {
        let db = five_entries_unguarded(backend).await;
        db.store.execute_raw("UPDATE audit_log SET after_json = '{}' WHERE seq = 3").await.unwrap();
        let broken = db.store.verify_audit_chain().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 3, "{backend:?}: {}", broken.reason);

        let db = five_entries_unguarded(backend).await;
        db.store.execute_raw("DELETE FROM audit_log WHERE seq = 2").await.unwrap();
        let broken = db.store.verify_audit_chain().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 2, "{backend:?}: {}", broken.reason);

        let db = five_entries_unguarded(backend).await;
        // Swap two entries' contents, keeping sequence numbers: the links no longer fit.
        db.store.execute_raw("UPDATE audit_log SET seq = 100 WHERE seq = 2").await.unwrap();
        db.store.execute_raw("UPDATE audit_log SET seq = 2 WHERE seq = 3").await.unwrap();
        db.store.execute_raw("UPDATE audit_log SET seq = 3 WHERE seq = 100").await.unwrap();
        let broken = db.store.verify_audit_chain().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 2, "{backend:?}: {}", broken.reason);
    }
}

#[tokio::test]
async fn sessions_tokens_and_set_password_links_work_once_and_store_only_hashes() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let now = time_util::now();
        let input = NewAccountInput {
            email: "ada@example.com".into(),
            name: "Ada".into(),
            roles: vec!["employee".into()],
            ..Default::default()
        };
        let (account, link) = accounts::create_account(s, &Actor::cli(), now, &input).await.unwrap();
        let link = link.expect("a set-password link when no password is given");
        assert!(!account.has_password);
        assert!(matches!(
            accounts::login(s, now, "ada@example.com", "anything at all", &accounts::SignInRules::default()).await,
            Err(CoreError::Invalid(_))
        ));

        accounts::complete_password_reset(s, now, &link.0, "a brand new password", "a brand new password")
            .await
            .unwrap();
        let again =
            accounts::complete_password_reset(s, now, &link.0, "another new password", "another new password").await;
        assert!(matches!(again, Err(CoreError::Invalid(_))), "a link works once on {backend:?}");

        let (secret, _, _) =
            accounts::login(s, now, "ADA@example.com", "a brand new password", &accounts::SignInRules::default())
                .await
                .unwrap();
        let (actor, _) = accounts::session_actor(s, now, &secret.0).await.unwrap().expect("live session");
        assert_eq!(actor.label, "ada@example.com");
        assert!(
            accounts::session_actor(s, now + time::Duration::hours(13), &secret.0).await.unwrap().is_none(),
            "sessions expire"
        );

        let (token, token_secret) = accounts::create_token(
            s,
            &actor,
            now,
            &NewTokenInput { name: "cli".into(), expires_days: Some("30".into()) },
        )
        .await
        .unwrap();
        assert!(token_secret.0.starts_with("bwk_"));
        assert!(accounts::token_actor(s, now, &token_secret.0).await.unwrap().is_some());
        assert!(
            accounts::token_actor(s, now + time::Duration::days(31), &token_secret.0).await.unwrap().is_none(),
            "tokens expire"
        );
        assert!(r(s).await.find_token_by_hash(&token_secret.0).await.unwrap().is_none(), "the raw token is not stored");
        // Last use is recorded at most once a minute, so reads stay reads.
        let token_text = token_secret.0.as_str();
        let use_at = |t| async move { accounts::token_actor(s, t, token_text).await.unwrap().unwrap().1 };
        assert_eq!(use_at(now).await, Some(token.id), "a first use is to be recorded");
        s.touch_token(token.id, now).await.unwrap();
        let recorded = r(s).await.find_token(token.id).await.unwrap().unwrap().last_used_at;
        assert_eq!(recorded.map(time_util::to_micros), Some(time_util::to_micros(now)), "{backend:?}");
        assert_eq!(use_at(now + time::Duration::seconds(30)).await, None, "not again within a minute");
        assert_eq!(use_at(now + time::Duration::seconds(61)).await, Some(token.id));
        accounts::revoke_token(s, &actor, now, token.id).await.unwrap();
        assert!(accounts::token_actor(s, now, &token_secret.0).await.unwrap().is_none(), "revoked tokens stop working");

        accounts::change_password(s, &actor, now, "a brand new password", "the third password", "the third password")
            .await
            .unwrap();
        assert!(accounts::session_actor(s, now, &secret.0).await.unwrap().is_none(), "a password change ends sessions");
        assert!(
            accounts::login(s, now, "ada@example.com", "the third password", &accounts::SignInRules::default())
                .await
                .is_ok()
        );
    }
}

#[tokio::test]
async fn a_new_instance_gets_the_default_security_areas_once() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let now = time_util::now();
        assert_eq!(ensure_default_areas(&db.store, now).await.unwrap(), 4);
        assert_eq!(ensure_default_areas(&db.store, now).await.unwrap(), 0);
        let names: Vec<_> = r(&db.store)
            .await
            .list_records(&AREA, &AREA.list_spec().first_page(50))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|a| a.name())
            .collect();
        assert_eq!(
            names,
            ["Application security", "Defensive security", "Governance, risk & compliance", "Offensive security"]
        );
        let history = r(&db.store)
            .await
            .list_audit(&AuditFilter { entity_type: Some("area".into()), ..Default::default() }, 50)
            .await
            .unwrap();
        assert_eq!(history.total, 4, "{backend:?}");
        assert!(history.items.iter().all(|e| e.actor_label == "bulwark"));
        // Keyset pages, newest first: three, then the one before them.
        let areas = AuditFilter { entity_type: Some("area".into()), ..Default::default() };
        let first = r(&db.store).await.list_audit(&areas, 3).await.unwrap();
        let seqs: Vec<i64> = first.items.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [4, 3, 2], "{backend:?}");
        let before = first.next.expect("a next page").key.parse().unwrap();
        let rest = AuditFilter { before_seq: Some(before), ..areas };
        let second = r(&db.store).await.list_audit(&rest, 3).await.unwrap();
        assert_eq!((second.items.iter().map(|e| e.seq).collect::<Vec<_>>(), second.next), (vec![1], None));
    }
}

#[tokio::test]
async fn area_members_are_parts_of_their_area_unique_per_person_and_go_with_it_alike_on_every_backend() {
    use bulwark_core::organisation::areas::security_team;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, cli, now) = (&db.store as &dyn Store, Actor::cli(), time_util::now());
        ensure_default_areas(s, now).await.unwrap();
        let zoe = people::create(s, &cli, now, &person("Zoë Ørsted", "zoe@example.com")).await.unwrap();
        let typed = |area: &'static str, specialty: &'static str| {
            RawRecord::from_pairs([("area", area), ("person", "zoe@example.com"), ("specialty", specialty)])
        };
        let member =
            service::create(s, &cli, &AREA_MEMBER, now, &typed("Offensive security", "Fuzzing")).await.unwrap();
        // The same person again in the same area is refused on the field; in another area, kept.
        let again = service::create(s, &cli, &AREA_MEMBER, now, &typed("Offensive security", "Other")).await;
        match again {
            Err(CoreError::Invalid(errors)) => {
                assert_eq!(
                    (errors[0].field.as_str(), errors[0].message.as_str()),
                    ("person", "is already a member of this area")
                )
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        service::create(s, &cli, &AREA_MEMBER, now, &typed("Defensive security", "Forensics")).await.unwrap();
        let taken = RawRecord::from_pairs([("name", "Defensive security")]);
        let clash = service::create(s, &cli, &AREA, now, &taken).await;
        assert!(matches!(&clash, Err(CoreError::Invalid(e)) if e[0].field == "name"), "{backend:?}: {clash:?}");
        let area = member.value("area").as_id().unwrap().to_string();
        let same = [("area", area.clone()), ("person", zoe.id.to_string())];
        assert!(r(s).await.record_taken(&AREA_MEMBER, "another", &same).await.unwrap());
        assert!(!r(s).await.record_taken(&AREA_MEMBER, &member.id, &same).await.unwrap(), "itself aside");

        // Each area counts its members, and its list sorts by that count.
        let mut by_members = AREA.list_spec().parse(&RawListQuery {
            sort: Some("members".into()),
            dir: Some("desc".into()),
            ..Default::default()
        });
        let by_members = by_members.as_mut().unwrap();
        let page = r(s).await.list_records(&AREA, by_members).await.unwrap();
        let mut counts: Vec<_> = page.items.iter().take(2).map(|a| (a.name(), a.value("members").plain())).collect();
        counts.sort();
        assert_eq!(counts, [("Defensive security".into(), "1".into()), ("Offensive security".into(), "1".into())]);
        assert_eq!(page.items[3].value("members").plain(), "0", "{backend:?}");
        // Everyone signed in sees the team with e-mail and specialty.
        let employee = Actor { person_id: Some(zoe.id), roles: vec![], ..Actor::cli() };
        let team = security_team(s, &employee).await.unwrap();
        let offensive = team.iter().find(|(a, _)| a.name() == "Offensive security").unwrap();
        assert_eq!((offensive.1[0].email.as_str(), offensive.1[0].specialty.as_str()), ("zoe@example.com", "Fuzzing"));

        // Deleting the area deletes its members, each audited.
        service::delete(s, &cli, &AREA, now, &area, None).await.unwrap();
        let left = r(s).await.list_records(&AREA_MEMBER, &AREA_MEMBER.list_spec().first_page(10)).await.unwrap();
        assert_eq!(left.items.iter().map(|m| m.value("specialty").plain()).collect::<Vec<_>>(), ["Forensics"]);
        let gone = AuditFilter { entity_type: Some("area_member".into()), ..Default::default() };
        let actions: Vec<_> =
            r(s).await.list_audit(&gone, 10).await.unwrap().items.into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["area_member.delete", "area_member.create", "area_member.create"], "{backend:?}");
    }
}

/// Makes every insert into `table` fail inside the database, as a crash or a constraint
/// would in the middle of an operation.
async fn fail_inserts_into(db: &TestDb, table: &str) {
    let sql = match db.backend {
        Backend::Sqlite => {
            format!("CREATE TRIGGER forced_failure BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'forced'); END;")
        }
        Backend::Postgres => format!(
            "CREATE FUNCTION forced_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER forced_failure BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION forced_failure();"
        ),
    };
    db.store.execute_raw(&sql).await.unwrap();
}

#[tokio::test]
async fn an_operation_that_fails_halfway_leaves_nothing_behind() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let before = audit_count(s).await;
        // Creating an account for a new person writes the person, the account and its
        // set-password link; the third write fails.
        fail_inserts_into(&db, "password_resets").await;
        let input = NewAccountInput {
            email: "zoë.ørsted@example.com".into(),
            name: "Zoë Ørsted".into(),
            roles: vec!["employee".into()],
            ..Default::default()
        };
        let failed = accounts::create_account(s, &Actor::cli(), time_util::now(), &input).await;
        assert!(failed.is_err(), "{backend:?}");
        let mut reader = r(s).await;
        assert!(reader.find_person_by_email("zoë.ørsted@example.com").await.unwrap().is_none(), "{backend:?}");
        assert!(reader.find_account_by_email("zoë.ørsted@example.com").await.unwrap().is_none(), "{backend:?}");
        assert_eq!(audit_count(s).await, before, "no audit entry for a rolled-back operation on {backend:?}");
        assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(before as u64));

        // The same operation succeeds once the failure is gone, committing everything at once.
        let drop_trigger = match backend {
            Backend::Sqlite => "DROP TRIGGER forced_failure",
            Backend::Postgres => "DROP TRIGGER forced_failure ON password_resets",
        };
        db.store.execute_raw(drop_trigger).await.unwrap();
        let (account, link) = accounts::create_account(s, &Actor::cli(), time_util::now(), &input).await.unwrap();
        assert!(link.is_some());
        assert_eq!(account.name, "Zoë Ørsted");
        assert_eq!(audit_count(s).await, before + 3, "person, account and link on {backend:?}");
        assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(before as u64 + 3));
    }
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_overwrites_nothing() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let actor = Actor::cli();
        let p =
            people::create(s, &actor, time_util::now(), &person("Łukasz Nowak", "lukasz@example.com")).await.unwrap();
        let opened = bulwark_core::version::version_of(p.updated_at);
        // Someone else saves first.
        let theirs =
            PersonInput { version: Some(opened.clone()), ..person("Łukasz Nowak-Kowalski", "lukasz@example.com") };
        people::update(s, &actor, time_util::now(), p.id, &theirs).await.unwrap();
        // The edit based on the version that was opened is refused.
        let mine = PersonInput { version: Some(opened), ..person("李雷", "lukasz@example.com") };
        let refused = people::update(s, &actor, time_util::now(), p.id, &mine).await;
        assert!(matches!(refused, Err(CoreError::Stale(_))), "{backend:?}: {refused:?}");
        assert_eq!(r(s).await.get_person(p.id).await.unwrap().name, "Łukasz Nowak-Kowalski", "{backend:?}");
    }
}

#[tokio::test]
async fn a_new_set_password_link_or_a_new_password_ends_earlier_links() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let now = time_util::now();
        let input = NewAccountInput {
            email: "li.lei@example.com".into(),
            name: "李雷".into(),
            roles: vec!["employee".into()],
            ..Default::default()
        };
        let (account, first) = accounts::create_account(s, &Actor::cli(), now, &input).await.unwrap();
        let first = first.unwrap();
        let second = accounts::issue_password_reset(s, &Actor::cli(), now, account.id).await.unwrap();
        assert!(!accounts::password_reset_is_live(s, now, &first.0).await.unwrap(), "superseded on {backend:?}");
        assert!(accounts::password_reset_is_live(s, now, &second.0).await.unwrap());
        let owner = account.actor(bulwark_core::access::Via::Session);
        let third = accounts::issue_password_reset(s, &Actor::cli(), now, account.id).await.unwrap();
        accounts::complete_password_reset(s, now, &third.0, "a long new password", "a long new password")
            .await
            .unwrap();
        let fourth = accounts::issue_password_reset(s, &Actor::cli(), now, account.id).await.unwrap();
        accounts::change_password(
            s,
            &owner,
            now,
            "a long new password",
            "another long password",
            "another long password",
        )
        .await
        .unwrap();
        assert!(!accounts::password_reset_is_live(s, now, &fourth.0).await.unwrap(), "a new password ends links");
    }
}

/// Every repository method, called directly on a unit of work, does what it says on both
/// backends (the services above exercise them through the domain rules).
#[tokio::test]
async fn every_repository_method_round_trips() {
    use bulwark_core::identity::accounts::{Account, AccountStatus, ApiToken, Session};
    use bulwark_core::ids::{AccountId, DepartmentId, PersonId, TokenId};
    use bulwark_core::organisation::departments::Department;
    use bulwark_core::organisation::people::{Person, PersonKind};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        s.ping().await.unwrap();
        let now = time_util::from_micros(time_util::to_micros(time_util::now()));
        let audit = |what: &str| {
            bulwark_core::audit::AuditRecord::new(&Actor::cli(), now, what, "test", "x", None::<&()>, None::<&()>)
        };
        let dept = Department {
            id: DepartmentId::new(),
            name: "Forschung & Entwicklung".into(),
            head_person_id: None,
            head_name: None,
            people_count: 0,
            created_at: now,
            updated_at: now,
        };
        let person = Person {
            id: PersonId::new(),
            name: "Zoë Ørsted".into(),
            email: "zoe@example.com".into(),
            kind: PersonKind::Employee,
            department_id: Some(dept.id),
            department_name: None,
            status: PersonStatus::Active,
            created_at: now,
            updated_at: now,
        };
        let mut tx = s.write().await.unwrap();
        tx.import_directory(std::slice::from_ref(&dept), std::slice::from_ref(&person)).await.unwrap();
        let renamed = Department {
            name: "R&D".into(),
            head_person_id: Some(person.id),
            updated_at: now + time::Duration::seconds(1),
            ..dept.clone()
        };
        tx.update_department(&dept, &renamed).await.unwrap();
        let other =
            Department { id: DepartmentId::new(), name: "李雷's team".into(), head_person_id: None, ..dept.clone() };
        tx.insert_department(&other).await.unwrap();
        let account = Account {
            id: AccountId::new(),
            person_id: person.id,
            email: person.email.clone(),
            name: person.name.clone(),
            roles: vec![bulwark_core::Role::Employee],
            status: AccountStatus::Active,
            has_password: false,
            last_login_at: None,
            created_at: now,
            updated_at: now,
        };
        tx.insert_account(&account, None).await.unwrap();
        // A namesake without an account: an accounts search counts accounts, not the people
        // the search index matches.
        let namesake = Person {
            id: PersonId::new(),
            name: "Zoë Berg".into(),
            email: "zoe.berg@example.com".into(),
            department_id: None,
            ..person.clone()
        };
        tx.insert_person(&namesake).await.unwrap();
        let promoted = Account {
            roles: vec![bulwark_core::Role::Auditor],
            updated_at: now + time::Duration::seconds(1),
            ..account.clone()
        };
        tx.update_account(&account, &promoted).await.unwrap();
        tx.insert_password_reset("link-hash", account.id, now, now + time::Duration::hours(1)).await.unwrap();
        let session = Session {
            id_hash: "session-hash".into(),
            account_id: account.id,
            csrf_token: "c".into(),
            created_at: now,
            expires_at: now + time::Duration::hours(1),
            last_seen_at: now,
            stage: SessionStage::Code,
            verified_at: now,
        };
        tx.insert_session(&session).await.unwrap();
        let token = ApiToken {
            id: TokenId::new(),
            account_id: account.id,
            name: "ci".into(),
            prefix: "bwk_abc".into(),
            created_at: now,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
        };
        tx.insert_token(&token, "token-hash").await.unwrap();
        tx.audit(audit("test.setup"));
        tx.commit().await.unwrap();

        let mut rd = r(s).await;
        assert_eq!(rd.get_department(dept.id).await.unwrap().head_name.as_deref(), Some("Zoë Ørsted"), "{backend:?}");
        assert_eq!(rd.find_department(other.id).await.unwrap().unwrap().name, "李雷's team");
        let names: Vec<String> = rd.list_department_names().await.unwrap().into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["R&D", "李雷's team"], "byte order on {backend:?}");
        assert_eq!(rd.get_account(account.id).await.unwrap().roles, [bulwark_core::Role::Auditor]);
        assert_eq!(rd.find_account(account.id).await.unwrap().unwrap().email, "zoe@example.com");
        assert_eq!(rd.find_account_for_person(person.id).await.unwrap().unwrap().id, account.id);
        let accounts_matching = |q: &str| {
            bulwark_core::identity::accounts::LIST
                .parse(&RawListQuery { q: Some(q.into()), ..Default::default() })
                .expect("a valid query")
        };
        let zoe = rd.list_accounts(&accounts_matching("ZOË")).await.unwrap();
        assert_eq!((zoe.total, zoe.items.len()), (1, 1), "{backend:?}");
        assert_eq!(rd.list_accounts(&accounts_matching("ØRSTED")).await.unwrap().total, 1, "{backend:?}");
        assert_eq!(rd.list_accounts(&accounts_matching("%")).await.unwrap().total, 0, "{backend:?}");
        assert_eq!(rd.find_password_reset("link-hash", now).await.unwrap(), Some(account.id));
        assert_eq!(rd.find_session("session-hash").await.unwrap().unwrap().account_id, account.id);
        let (joined, owner) = rd.find_session_with_account("session-hash").await.unwrap().unwrap();
        assert_eq!(
            (joined.csrf_token.as_str(), joined.expires_at, joined.stage, owner.name.as_str()),
            ("c", session.expires_at, SessionStage::Code, "Zoë Ørsted")
        );
        let (t, owner) = rd.find_token_with_account("token-hash").await.unwrap().unwrap();
        assert_eq!((t.id, t.name.as_str(), owner.id), (token.id, "ci", account.id), "{backend:?}");
        assert!(rd.find_token_with_account("no-such-hash").await.unwrap().is_none());
        assert_eq!(rd.get_token(token.id).await.unwrap().name, "ci");
        assert_eq!(rd.list_tokens(account.id, &accounts::TOKENS.first_page(50)).await.unwrap().items.len(), 1);
        assert_eq!(rd.count_usable_tokens(account.id, now).await.unwrap(), 1);
        drop(rd);

        s.touch_session("session-hash", now + time::Duration::minutes(5)).await.unwrap();
        let seen = r(s).await.find_session("session-hash").await.unwrap().unwrap().last_seen_at;
        assert_eq!(seen, now + time::Duration::minutes(5));
        let keys = vec!["login-pair:zoë@example.com|192.0.2.1".to_string()];
        s.take_slots("one", &keys, now).await.unwrap();
        s.take_slots("two", &keys, now + time::Duration::minutes(1)).await.unwrap();
        assert_eq!(s.failures_since(&keys[0], now).await.unwrap(), 2);
        assert_eq!(s.failures_since(&keys[0], now + time::Duration::seconds(30)).await.unwrap(), 1);
        s.release_slot("two").await.unwrap();
        assert_eq!(s.failures_since(&keys[0], now).await.unwrap(), 1, "a slot given back counts no more");
        s.trust_device("device-hash", "zoë@example.com", now).await.unwrap();
        assert!(s.device_is_trusted("device-hash", "zoë@example.com", now).await.unwrap());
        assert!(!s.device_is_trusted("device-hash", "eve@example.com", now).await.unwrap(), "for its own account");
        let next_year = now + time::Duration::days(366);
        assert!(!s.device_is_trusted("device-hash", "zoë@example.com", next_year).await.unwrap(), "for a year");

        let mut tx = s.write().await.unwrap();
        assert_eq!(tx.consume_password_reset("link-hash", now).await.unwrap(), account.id);
        tx.set_password_hash(account.id, "$argon2id$test").await.unwrap();
        tx.delete_session("session-hash").await.unwrap();
        tx.revoke_token(&ApiToken { revoked_at: Some(now), ..token.clone() }).await.unwrap();
        tx.audit(audit("test.teardown"));
        tx.commit().await.unwrap();
        let mut rd = r(s).await;
        assert!(rd.find_password_reset("link-hash", now).await.unwrap().is_none(), "used once on {backend:?}");
        assert!(rd.find_account_by_email("zoe@example.com").await.unwrap().unwrap().1.is_some(), "password set");
        assert!(rd.find_session("session-hash").await.unwrap().is_none());
        assert_eq!(rd.find_token_by_hash("token-hash").await.unwrap().unwrap().revoked_at, Some(now), "{backend:?}");
        let batch = s.audit_batch(0, 10).await.unwrap();
        assert_eq!(batch.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["test.setup", "test.teardown"]);
    }
}

#[tokio::test]
async fn departments_areas_and_tokens_page_by_their_sort_keys_alike_on_every_backend() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, actor, now) = (&db.store as &dyn Store, Actor::cli(), time_util::now());
        // Departments with 0, 1 and 2 people; areas with 0 and 1 member.
        let mut ids = Vec::new();
        for name in ["Łódź office", "Ärzte", "Zoë's team"] {
            let input = DepartmentInput { name: name.into(), ..Default::default() };
            ids.push(departments::create_department(s, &actor, now, &input).await.unwrap().id);
        }
        for (i, dept) in [1, 2, 2].into_iter().enumerate() {
            let mut p = person(&format!("P{i}"), &format!("p{i}@example.com"));
            p.department_id = ids[dept].to_string();
            people::create(s, &actor, now, &p).await.unwrap();
        }
        let by_people = |after| {
            let mut q = departments::DEPARTMENTS
                .parse(&RawListQuery {
                    sort: Some("people".into()),
                    dir: Some("desc".into()),
                    limit: Some(2),
                    ..Default::default()
                })
                .unwrap();
            q.after = after;
            q
        };
        let first = r(s).await.list_departments(&by_people(None)).await.unwrap();
        let counts: Vec<_> = first.items.iter().map(|d| (d.name.as_str(), d.people_count)).collect();
        assert_eq!(counts, [("Zoë's team", 2), ("Ärzte", 1)], "{backend:?}");
        assert_eq!(first.total, 3);
        let second = r(s).await.list_departments(&by_people(first.next)).await.unwrap();
        assert_eq!(second.items.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["Łódź office"]);
        assert!(second.next.is_none());
        let by_name = r(s).await.list_departments(&departments::DEPARTMENTS.first_page(10)).await.unwrap();
        let names: Vec<_> = by_name.items.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["Zoë's team", "Ärzte", "Łódź office"], "byte order on {backend:?}");

        ensure_default_areas(s, now).await.unwrap();
        let areas = r(s).await.list_records(&AREA, &AREA.list_spec().first_page(3)).await.unwrap();
        assert_eq!((areas.items.len(), areas.total, areas.next.is_some()), (3, 4, true));

        let account = accounts::create_account(
            s,
            &actor,
            now,
            &NewAccountInput {
                email: "t@example.com".into(),
                name: "T".into(),
                roles: vec!["employee".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .0;
        let owner = Actor { account_id: Some(account.id), ..Actor::cli() };
        for name in ["b", "a", "c"] {
            let input = NewTokenInput { name: name.into(), expires_days: None };
            accounts::create_token(s, &owner, now, &input).await.unwrap();
        }
        let page = r(s).await.list_tokens(account.id, &accounts::TOKENS.first_page(2)).await.unwrap();
        assert_eq!(page.items.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        let mut rest = accounts::TOKENS.first_page(2);
        rest.after = page.next;
        let rest = r(s).await.list_tokens(account.id, &rest).await.unwrap();
        assert_eq!((rest.items[0].name.as_str(), rest.total), ("c", 3));
        let other = r(s).await.list_tokens(bulwark_core::ids::AccountId::new(), &accounts::TOKENS.first_page(2)).await;
        assert_eq!(other.unwrap().total, 0, "only the account's own tokens");
    }
}

#[tokio::test]
async fn policies_move_through_their_versions_and_published_text_never_changes() {
    use bulwark_core::policies::{self, PolicyInput, Transition, VersionStatus};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let writer =
            Actor { label: "writer@example.com".into(), roles: vec![bulwark_core::Role::Security], ..Actor::cli() };
        let ratifier =
            Actor { label: "ceo@example.com".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
        let input = |title: &str, parent: &str, body: &str| PolicyInput {
            title: title.into(),
            parent_id: parent.into(),
            body: body.into(),
            ..Default::default()
        };
        let root =
            policies::create(s, &writer, now, &input("Information security policy", "", "# Scope\n")).await.unwrap();
        let crypto = policies::create(s, &writer, now, &input("Kryptografie & Schlüssel", &root.id.to_string(), "v1"))
            .await
            .unwrap();
        let step = |t| {
            policies::transition(s, if t == Transition::Ratify { &ratifier } else { &writer }, now, crypto.id, 1, t)
        };
        for t in [Transition::Submit, Transition::Ratify, Transition::Publish] {
            step(t).await.unwrap();
        }
        let published = r(s).await.find_policy_version(crypto.id, 1).await.unwrap().unwrap();
        assert_eq!(published.status, VersionStatus::Published);
        assert_eq!(published.content_hash.as_deref(), Some(policies::content_hash("v1").as_str()));
        let mut tampered = published.clone();
        tampered.body = "changed".into();
        let mut tx = s.write().await.unwrap();
        let refused = tx.update_policy_version(&published, &tampered).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{backend:?}: {refused:?}");
        drop(tx);

        // The repository functions directly, in a transaction that is dropped (rolled back).
        let original = r(s).await.find_policy(crypto.id).await.unwrap().unwrap();
        let mut tx = s.write().await.unwrap();
        let copy = bulwark_core::policies::Policy {
            id: bulwark_core::ids::PolicyId::new(),
            title: "Łódź copy".into(),
            ..original.clone()
        };
        tx.insert_policy(&copy).await.unwrap();
        let renamed = bulwark_core::policies::Policy {
            title: "Renamed".into(),
            updated_at: now + time::Duration::seconds(1),
            ..copy.clone()
        };
        tx.update_policy(&copy, &renamed).await.unwrap();
        let v9 = bulwark_core::policies::PolicyVersion {
            id: bulwark_core::ids::PolicyVersionId::new(),
            number: 9,
            policy_id: copy.id,
            ..published.clone()
        };
        tx.insert_policy_version(&v9).await.unwrap();
        assert_eq!(tx.find_policy_version(copy.id, 9).await.unwrap().unwrap().body, "v1");
        assert_eq!(tx.find_policy(copy.id).await.unwrap().unwrap().title, "Renamed");
        drop(tx);
        assert!(r(s).await.find_policy(copy.id).await.unwrap().is_none(), "rolled back on {backend:?}");

        // Editing after publication starts version 2; publishing it supersedes version 1.
        let mut edit = input("Kryptografie & Schlüssel", &root.id.to_string(), "v2");
        edit.version =
            Some(bulwark_core::version::version_of(r(s).await.get_policy(crypto.id).await.unwrap().updated_at));
        policies::update(s, &writer, now, crypto.id, &edit).await.unwrap();
        for t in [Transition::Submit, Transition::Ratify, Transition::Publish] {
            policies::transition(s, if t == Transition::Ratify { &ratifier } else { &writer }, now, crypto.id, 2, t)
                .await
                .unwrap();
        }
        let versions = r(s).await.list_policy_versions(crypto.id).await.unwrap();
        let states: Vec<_> = versions.iter().map(|v| (v.number, v.status)).collect();
        assert_eq!(states, [(1, VersionStatus::Superseded), (2, VersionStatus::Published)], "{backend:?}");

        // The owner's review task: due a year after publication, overdue after that, closed by
        // the next publication (a review task per published version).
        let owner = people::create(s, &Actor::cli(), now, &person("Olga Owner", "olga@example.com")).await.unwrap();
        let mut owned = input("Kryptografie & Schlüssel", &root.id.to_string(), "v3");
        owned.owner_person_id = owner.id.to_string();
        owned.version =
            Some(bulwark_core::version::version_of(r(s).await.get_policy(crypto.id).await.unwrap().updated_at));
        policies::update(s, &writer, now, crypto.id, &owned).await.unwrap();
        for t in [Transition::Submit, Transition::Ratify, Transition::Publish] {
            policies::transition(s, if t == Transition::Ratify { &ratifier } else { &writer }, now, crypto.id, 3, t)
                .await
                .unwrap();
        }
        let in_13_months = time_util::add_months(now, 13);
        let overdue = r(s).await.list_overdue_tasks("review", in_13_months, 10).await.unwrap();
        assert_eq!(overdue.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Review: Kryptografie & Schlüssel"]);
        assert_eq!(
            overdue[0].due_at,
            time_util::add_months(now, 12).replace_nanosecond(now.microsecond() * 1000).unwrap()
        );
        assert!(r(s).await.list_overdue_tasks("review", now, 10).await.unwrap().is_empty(), "not due yet");
        let mut tx = s.write().await.unwrap();
        tx.close_subject_tasks("review", "policy", &crypto.id.to_string(), now).await.unwrap();
        assert!(tx.list_overdue_tasks("review", in_13_months, 10).await.unwrap().is_empty(), "closed");
        drop(tx);

        let found = r(s).await.list_policies(&policy_query(&[("q", "SCHLÜSSEL")])).await.unwrap();
        assert_eq!(found.items.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["Kryptografie & Schlüssel"]);
        let item = &found.items[0];
        assert_eq!(
            (item.published_number, item.parent_title.as_deref()),
            (Some(3), Some("Information security policy"))
        );
        let unpublished = r(s).await.list_policies(&policy_query(&[("published", "no")])).await.unwrap();
        assert_eq!(
            unpublished.items.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
            ["Information security policy"]
        );
        let employee = Actor { roles: vec![bulwark_core::Role::Employee], ..Actor::cli() };
        let seen = policies::list(s, &employee, &policy_query(&[])).await.unwrap();
        assert_eq!(seen.total, 1, "an employee sees published policies only on {backend:?}");
        assert!(matches!(policies::get(s, &employee, root.id).await, Err(CoreError::NotFound)));
    }
}

fn policy_query(pairs: &[(&str, &str)]) -> ListQuery {
    let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
    let raw = RawListQuery {
        q: get("q"),
        filters: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Default::default()
    };
    bulwark_core::policies::LIST.parse(&raw).expect("a valid query")
}

#[tokio::test]
async fn a_campaign_gives_its_audience_tasks_and_records_signatures_alike_on_every_backend() {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    use bulwark_core::policies::{self, PolicyInput, Transition};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let cli = Actor::cli();
        let ratifier = Actor { label: "ratifier".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
        let policy = published_policy(s, now, "Acceptable use", "v1").await;
        let sales = departments::create_department(
            s,
            &cli,
            now,
            &DepartmentInput { name: "Sales".into(), ..Default::default() },
        )
        .await
        .unwrap();
        let mut people_ids = Vec::new();
        for (i, name) in ["Zoë Ørsted", "Łukasz Nowak", "李雷"].iter().enumerate() {
            let mut input = person(name, &format!("c{i}@example.com"));
            if i < 2 {
                input.department_id = sales.id.to_string();
            }
            people_ids.push(people::create(s, &cli, now, &input).await.unwrap().id);
        }
        let due = (now + time::Duration::days(30)).date().to_string();
        let input = CampaignInput {
            title: "Annual acknowledgment".into(),
            department_ids: vec![sales.id.to_string()],
            due_date: due.clone(),
            ..Default::default()
        };
        let campaign = campaigns::create(s, &cli, now, &input).await.unwrap();
        assert_eq!(campaign.assigned, 2, "only Sales on {backend:?}");
        let mut rd = r(s).await;
        assert_eq!(rd.list_campaign_versions(campaign.id).await.unwrap()[0].content_hash, policies::content_hash("v1"));
        assert_eq!(rd.list_open_campaigns().await.unwrap().len(), 1);
        let task_id = campaigns::task_id("acknowledge", &campaign.id.to_string(), people_ids[0]);
        assert_eq!(rd.find_task(&task_id).await.unwrap().unwrap().state, "open");
        let mine = rd.list_tasks(people_ids[0], &campaigns::TASKS.first_page(10)).await.unwrap();
        assert_eq!(
            mine.items.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(),
            ["Acknowledge: Annual acknowledgment"]
        );
        drop(rd);

        // A joiner in Sales is enrolled at once; one elsewhere is not.
        let mut joiner = person("Ada Joiner", "joiner@example.com");
        joiner.department_id = sales.id.to_string();
        let joiner = people::create(s, &cli, now, &joiner).await.unwrap();
        people::create(s, &cli, now, &person("Bob Elsewhere", "bob@example.com")).await.unwrap();
        assert_eq!(r(s).await.find_campaign(campaign.id).await.unwrap().unwrap().assigned, 3);

        let signer =
            Actor { person_id: Some(people_ids[1]), label: "c1@example.com".into(), roles: vec![], ..Actor::cli() };
        campaigns::acknowledge(s, &signer, now, campaign.id).await.unwrap();
        let again = campaigns::acknowledge(s, &signer, now, campaign.id).await;
        assert!(matches!(again, Err(CoreError::Invalid(_))), "signed once");
        let mut rd = r(s).await;
        assert_eq!(
            rd.find_acknowledgment(campaign.id, people_ids[1]).await.unwrap(),
            Some(now.replace_nanosecond(now.microsecond() * 1000).unwrap())
        );
        let by_department = rd.campaign_completion(campaign.id).await.unwrap();
        assert_eq!(
            (by_department[0].department.as_deref(), by_department[0].assigned, by_department[0].signed),
            (Some("Sales"), 3, 1)
        );
        let missing = rd.list_participants(campaign.id, true, None, 10).await.unwrap();
        assert_eq!(
            missing.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Ada Joiner", "Zoë Ørsted"],
            "byte order"
        );
        let after = rd.list_participants(campaign.id, false, Some(("Ada Joiner".into(), joiner.id)), 10).await.unwrap();
        assert_eq!(after.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Zoë Ørsted", "Łukasz Nowak"]);
        assert!(after[1].versions.ends_with(&policies::content_hash("v1")));
        let listed = rd.list_campaigns(&campaigns::LIST.first_page(10)).await.unwrap();
        assert_eq!((listed.total, listed.items[0].signed), (1, 1));
        drop(rd);

        // Direct task writes, rolled back with their transaction.
        let mut tx = s.write().await.unwrap();
        let task = tx.find_task(&task_id).await.unwrap().unwrap();
        let done = campaigns::Task { state: "done".into(), done_at: Some(now), ..task.clone() };
        tx.update_task(&task, &done).await.unwrap();
        assert!(tx.update_task(&task, &done).await.is_err(), "a task changed meanwhile is a conflict");
        tx.insert_task(&task).await.unwrap();
        assert_eq!(tx.find_task(&task_id).await.unwrap().unwrap().state, "done", "inserting an existing task keeps it");
        tx.insert_acknowledgment(campaign.id, people_ids[0], now, "x", "").await.unwrap();
        let fresh = campaigns::Campaign { id: bulwark_core::ids::CampaignId::new(), ..campaign.clone() };
        tx.insert_campaign(&fresh, &[]).await.unwrap();
        assert_eq!(tx.enroll_campaign_audience(&fresh, now, campaigns::Enrol::Everyone).await.unwrap(), 3);
        drop(tx);
        assert_eq!(r(s).await.find_task(&task_id).await.unwrap().unwrap().state, "open");

        // A new version published while the campaign runs: it asks for that one from then on;
        // a past due date or an empty audience is refused.
        let edit = PolicyInput {
            title: "Acceptable use".into(),
            body: "v2".into(),
            version: Some(bulwark_core::version::version_of(
                r(s).await.get_policy(policy.id).await.unwrap().updated_at,
            )),
            ..Default::default()
        };
        policies::update(s, &cli, now, policy.id, &edit).await.unwrap();
        for (who, step) in [(&cli, Transition::Submit), (&ratifier, Transition::Ratify), (&cli, Transition::Publish)] {
            policies::transition(s, who, now, policy.id, 2, step).await.unwrap();
        }
        let pinned = r(s).await.list_campaign_versions(campaign.id).await.unwrap();
        let v2 = r(s).await.find_policy_version(policy.id, 2).await.unwrap().unwrap();
        assert_eq!((pinned[0].number, Some(&pinned[0].content_hash)), (2, v2.content_hash.as_ref()), "{backend:?}");
        let zoe = Actor { person_id: Some(people_ids[0]), roles: vec![], ..Actor::cli() };
        campaigns::acknowledge(s, &zoe, now, campaign.id).await.unwrap();
        assert!(
            r(s).await.find_acknowledgment(campaign.id, people_ids[0]).await.unwrap().is_some(),
            "version 2 signed"
        );
        match campaigns::acknowledge(s, &zoe, now, campaign.id).await {
            Err(CoreError::Invalid(e)) => assert!(e[0].conflict, "signing twice is a conflict: {e:?}"),
            other => panic!("{other:?}"),
        }
        let past = CampaignInput { title: "Late".into(), due_date: "2020-01-01".into(), ..Default::default() };
        assert!(matches!(campaigns::create(s, &cli, now, &past).await, Err(CoreError::Invalid(_))));
        let nobody = CampaignInput {
            kinds: vec!["student".into()],
            due_date: due,
            title: "Students".into(),
            ..Default::default()
        };
        match campaigns::create(s, &cli, now, &nobody).await {
            Err(CoreError::Invalid(e)) => assert_eq!(e[0].field, "audience"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            r(s).await.list_campaigns(&campaigns::LIST.first_page(10)).await.unwrap().total,
            1,
            "nothing half-saved"
        );

        // The publisher decides that everyone signs version 3 again: a campaign for everyone
        // starts with it, except who is still asked to sign it in the open campaign (Ada).
        let edit = PolicyInput {
            body: "v3".into(),
            version: Some(bulwark_core::version::version_of(
                r(s).await.get_policy(policy.id).await.unwrap().updated_at,
            )),
            ..edit
        };
        policies::update(s, &cli, now, policy.id, &edit).await.unwrap();
        for (who, step) in [(&cli, Transition::Submit), (&ratifier, Transition::Ratify)] {
            policies::transition(s, who, now, policy.id, 3, step).await.unwrap();
        }
        let again = policies::PublishInput { everyone_signs_again: true, due_date: String::new() };
        policies::publish(s, &cli, now, policy.id, 3, &again).await.unwrap();
        let listed = r(s).await.list_campaigns(&campaigns::LIST.first_page(10)).await.unwrap().items;
        let resign = listed.iter().find(|c| c.id != campaign.id).expect("a campaign for everyone");
        assert_eq!(resign.title, "Acceptable use, version 3: everyone signs again");
        assert_eq!(
            (resign.assigned, resign.due_at.date()),
            (4, (now + time::Duration::days(30)).date()),
            "{backend:?}"
        );
        let mut rd = r(s).await;
        assert_eq!(rd.list_campaign_versions(resign.id).await.unwrap()[0].number, 3);
        let open_of = |tasks: bulwark_core::list::ListPage<campaigns::Task>| {
            tasks.items.iter().filter(|t| t.state == "open").count()
        };
        let zoe_tasks = rd.list_tasks(people_ids[0], &campaigns::TASKS.first_page(10)).await.unwrap();
        assert_eq!(open_of(zoe_tasks), 1, "who signed version 2 signs version 3 again");
        let ada_tasks = rd.list_tasks(joiner.id, &campaigns::TASKS.first_page(10)).await.unwrap();
        assert_eq!(open_of(ada_tasks), 1, "Ada signs version 3 in the campaign she was asked in, once");
        drop(rd);
        let edit = PolicyInput {
            body: "v4".into(),
            version: Some(bulwark_core::version::version_of(
                r(s).await.get_policy(policy.id).await.unwrap().updated_at,
            )),
            ..edit
        };
        policies::update(s, &cli, now, policy.id, &edit).await.unwrap();
        for (who, step) in [(&cli, Transition::Submit), (&ratifier, Transition::Ratify), (&cli, Transition::Publish)] {
            policies::transition(s, who, now, policy.id, 4, step).await.unwrap();
        }
        let total = r(s).await.list_campaigns(&campaigns::LIST.first_page(10)).await.unwrap().total;
        assert_eq!(total, 2, "a version published with signatures kept starts no campaign");
    }
}

#[tokio::test]
async fn outbox_messages_are_claimed_once_retried_after_their_backoff_and_delivered_once() {
    use bulwark_core::notify;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let cli = Actor::cli();
        let events = vec!["policy.publish".to_string()];
        notify::add_channel(s, &cli, now, "announcements", "webhook", "http://127.0.0.1:9/a", &events).await.unwrap();
        notify::add_channel(s, &cli, now, "compliance", "email", "old@example.com", &events).await.unwrap();
        notify::add_channel(s, &cli, now, "compliance", "email", "compliance@example.com", &events).await.unwrap();
        let channels = r(s).await.list_channels().await.unwrap();
        let targets: Vec<_> = channels.iter().map(|c| (c.name.as_str(), c.target.as_str())).collect();
        assert_eq!(targets, [("announcements", "http://127.0.0.1:9/a"), ("compliance", "compliance@example.com")]);

        published_policy(s, now, "Ünïcode", "x").await;
        assert_eq!(r(s).await.list_undelivered(10).await.unwrap().len(), 2, "queued with the publication");

        // Two workers at once take different messages; a leased message is nobody else's.
        let lease = now + time::Duration::minutes(5);
        let (a, b) = tokio::join!(s.claim_outbox(now, lease, 1), s.claim_outbox(now, lease, 1));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.len() + b.len(), 2, "{backend:?}");
        assert_ne!(a[0].id, b[0].id);
        assert!(s.claim_outbox(now, lease, 10).await.unwrap().is_empty(), "both are leased");

        let retry = notify::retry_at(now, 0);
        s.finish_outbox(&a[0].id, now, Some("webhook answered 503"), retry).await.unwrap();
        s.finish_outbox(&b[0].id, now, None, retry).await.unwrap();
        let waiting = r(s).await.list_undelivered(10).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!((waiting[0].attempts, waiting[0].last_error.as_deref()), (1, Some("webhook answered 503")));
        assert!(s.claim_outbox(now + time::Duration::seconds(30), lease, 10).await.unwrap().is_empty(), "backing off");
        let again = s.claim_outbox(retry, retry + time::Duration::minutes(5), 10).await.unwrap();
        assert_eq!(again.len(), 1);
        s.finish_outbox(&again[0].id, retry, None, retry).await.unwrap();
        assert!(r(s).await.list_undelivered(10).await.unwrap().is_empty());

        // Direct writes in a transaction that is rolled back.
        let mut tx = s.write().await.unwrap();
        let mut copy = again[0].clone();
        copy.id = "manual".into();
        tx.insert_outbox(&copy).await.unwrap();
        tx.upsert_channel(&channels[0]).await.unwrap();
        assert_eq!(tx.list_undelivered(10).await.unwrap().len(), 1);
        drop(tx);
        assert!(r(s).await.list_undelivered(10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_scheduled_job_takes_effect_once_across_two_instances() {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    use bulwark_core::scheduler;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let other = db.second_store().await;
        let (s, s2, now) = (&db.store as &dyn Store, &other as &dyn Store, time_util::now());
        let cli = Actor::cli();
        published_policy(s, now, "Use", "x").await;
        let mut people_ids = Vec::new();
        for i in 0..3 {
            people_ids.push(
                people::create(s, &cli, now, &person(&format!("P{i}"), &format!("p{i}@example.com"))).await.unwrap().id,
            );
        }
        let due = (now + time::Duration::days(10)).date().to_string();
        let input = CampaignInput { title: "Yearly".into(), due_date: due, ..Default::default() };
        let campaign = campaigns::create(s, &cli, now, &input).await.unwrap();
        let signer = Actor { person_id: Some(people_ids[0]), roles: vec![], ..Actor::cli() };
        campaigns::acknowledge(s, &signer, now, campaign.id).await.unwrap();

        let pending = r(s).await.list_pending_jobs(10).await.unwrap();
        let kinds: Vec<_> = pending.iter().map(|j| j.kind).collect();
        let expected = [&scheduler::CAMPAIGN_REMINDER, &scheduler::CAMPAIGN_OVERDUE, &scheduler::CAMPAIGN_CLOSE];
        assert_eq!(kinds, expected, "{backend:?}");
        assert_eq!(pending[0].due_at, campaign.due_at - scheduler::REMINDER_LEAD);
        assert!(scheduler::run_due(s, now, 10).await.unwrap() == 0, "nothing is due yet");

        // Both instances look for due jobs at the same moment: the reminder runs once.
        let at = campaign.due_at - scheduler::REMINDER_LEAD;
        let (a, b) = tokio::join!(scheduler::run_due(s, at, 10), scheduler::run_due(s2, at, 10));
        assert_eq!(a.unwrap() + b.unwrap(), 1, "{backend:?}");
        let mails = r(s).await.list_undelivered(10).await.unwrap();
        let mut to: Vec<_> = mails.iter().map(|m| m.target.as_str()).collect();
        to.sort();
        assert_eq!(to, ["p1@example.com", "p2@example.com"], "one reminder to each who has not signed");
        assert!(mails.iter().all(|m| m.subject.starts_with("Reminder: Yearly")));

        // A job whose lease ran out while it ran: both instances run it, it takes effect once.
        let job = &pending[0];
        let (a, b) = tokio::join!(scheduler::run(s, job, at), scheduler::run(s2, job, at));
        assert_eq!((a.unwrap(), b.unwrap()), (false, false), "already done");
        let overdue = &pending[1];
        let later = overdue.due_at;
        let (a, b) = tokio::join!(scheduler::run(s, overdue, later), scheduler::run(s2, overdue, later));
        assert!(a.unwrap() ^ b.unwrap(), "exactly one instance ran it on {backend:?}");
        assert_eq!(r(s).await.list_undelivered(10).await.unwrap().len(), 4, "two overdue notices more");
        assert_eq!(r(s).await.list_pending_jobs(10).await.unwrap().len(), 1, "the closing is left");
        let audit = r(s).await.list_audit(&AuditFilter::default(), 50).await.unwrap();
        let runs = audit
            .items
            .iter()
            .filter(|e| e.action.starts_with("campaign."))
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>();
        assert_eq!(runs.iter().filter(|a| **a == "campaign.reminder").count(), 1);
        assert_eq!(runs.iter().filter(|a| **a == "campaign.overdue").count(), 1);

        // Claims and failures directly: a failed job waits for its lease, then is tried again.
        let mut tx = s.write().await.unwrap();
        let mut manual = job.clone();
        manual.id = "manual".into();
        manual.done_at = None;
        assert!(tx.insert_job(&manual).await.unwrap());
        assert!(!tx.insert_job(&manual).await.unwrap(), "a job is scheduled once");
        tx.audit(bulwark_core::audit::AuditRecord::new(&cli, now, "test", "job", "manual", None::<&()>, None::<&()>));
        tx.commit().await.unwrap();
        let lease = at + scheduler::LEASE;
        assert!(s.claim_jobs(at, lease, 10, &[manual.kind]).await.unwrap().is_empty(), "a kind this instance skips");
        assert_eq!(s.claim_jobs(at, lease, 10, &[]).await.unwrap().len(), 1);
        assert!(s2.claim_jobs(at, lease, 10, &[]).await.unwrap().is_empty(), "leased");
        s.fail_job("manual", "boom").await.unwrap();
        let failed = r(s).await.list_pending_jobs(10).await.unwrap();
        assert_eq!((failed[0].attempts, failed[0].last_error.as_deref()), (1, Some("boom")));
        assert_eq!(s2.claim_jobs(lease, lease + scheduler::LEASE, 10, &[]).await.unwrap().len(), 1, "after the lease");
        let mut tx = s.write().await.unwrap();
        assert!(tx.finish_job("manual", lease).await.unwrap());
        assert!(!tx.finish_job("manual", lease).await.unwrap(), "once");
        let campaign_id = campaign.id.to_string();
        let mail = bulwark_core::notify::TaskMail {
            key: "manual",
            event: "campaign.reminder",
            subject: "s",
            body: "b",
            task_kind: campaigns::ACKNOWLEDGE,
            subject_type: "campaign",
            subject_id: &campaign_id,
            due_by: campaign.due_at,
        };
        assert_eq!(tx.mail_open_tasks(&mail, lease).await.unwrap(), 2);
        assert_eq!(tx.mail_open_tasks(&mail, lease).await.unwrap(), 0, "once per task and key");
        let early = bulwark_core::notify::TaskMail { key: "early", due_by: now, ..mail };
        assert_eq!(tx.mail_open_tasks(&early, lease).await.unwrap(), 0, "none due by then");
        drop(tx);
        assert_eq!(r(s).await.list_pending_jobs(10).await.unwrap().len(), 2, "rolled back");

        // A month after the due date the campaign closes: those who never did it are missed.
        let close = &pending[2];
        assert_eq!(close.due_at, campaign.due_at + scheduler::CLOSE_AFTER);
        assert!(scheduler::run(s2, close, close.due_at).await.unwrap());
        assert_eq!(r(s).await.list_pending_jobs(10).await.unwrap().len(), 1, "the manual job is left");
        let mut rd = r(s).await;
        assert!(rd.find_campaign(campaign.id).await.unwrap().unwrap().closed_at.is_some());
        let missed = rd.list_participants(campaign.id, true, None, 10).await.unwrap();
        assert_eq!(missed.iter().filter(|p| p.task_state == "missed").count(), 2, "the two who never signed");
        assert_eq!(missed[0].export_row()[4], "missed");
        drop(rd);
        let late = Actor { person_id: Some(people_ids[1]), roles: vec![], ..Actor::cli() };
        assert!(campaigns::acknowledge(s, &late, close.due_at, campaign.id).await.is_err(), "closed");
        let mut tx = s.write().await.unwrap();
        let closed = tx.find_campaign(campaign.id).await.unwrap().unwrap();
        assert!(tx.close_campaign(&closed, now).await.is_err(), "closed once");
        drop(tx);
    }
}

#[tokio::test]
async fn an_approval_needs_distinct_deciders_other_than_the_requester_and_moves_its_record() {
    use bulwark_core::access::{Role, Via};
    use bulwark_core::approvals::{self, ApprovalFilter, ApprovalState, NewApproval};
    use bulwark_core::policies::{self, PolicyInput, Transition, VersionStatus};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let pw = bulwark_testkit::PASSWORD;
        let writer = bulwark_testkit::create_account(s, "writer@example.com", &["security"], pw).await;
        let boss = bulwark_testkit::create_account(s, "boss@example.com", &["management"], pw).await;
        let cfo = bulwark_testkit::create_account(s, "cfo@example.com", &["management", "employee"], pw).await;
        let clerk = bulwark_testkit::create_account(s, "clerk@example.com", &["employee"], pw).await;
        let (writer, boss, cfo, clerk) =
            (writer.actor(Via::Session), boss.actor(Via::Session), cfo.actor(Via::Session), clerk.actor(Via::Session));
        let input = PolicyInput { title: "Remote work".into(), body: "v1".into(), ..Default::default() };
        let p = policies::create(s, &writer, now, &input).await.unwrap();
        policies::transition(s, &writer, now, p.id, 1, Transition::Submit).await.unwrap();

        let subject = format!("{}/1", p.id);
        let mut rd = r(s).await;
        let request = rd.find_pending_approval(policies::RATIFICATION, &subject).await.unwrap().unwrap();
        assert_eq!((request.role, request.needed, request.state), (Some(Role::Management), 1, ApprovalState::Pending));
        assert_eq!(rd.find_approval(&request.id).await.unwrap().unwrap(), request);
        let for_management = ApprovalFilter {
            state: Some(ApprovalState::Pending),
            visible_to_roles: Some(vec![Role::Management]),
            requested_by: String::new(),
            person: None,
        };
        assert_eq!(rd.list_approvals(&for_management, 10).await.unwrap().len(), 1);
        let for_clerk = ApprovalFilter { visible_to_roles: Some(vec![Role::Employee]), ..for_management.clone() };
        assert!(rd.list_approvals(&for_clerk, 10).await.unwrap().is_empty());
        let boss_tasks =
            rd.list_tasks(boss.person_id.unwrap(), &bulwark_core::policies::campaigns::TASKS.first_page(10)).await;
        assert_eq!(boss_tasks.unwrap().items[0].link(), format!("/approvals/{}", request.id), "the approver's task");
        drop(rd);

        // The requester, someone without the role, a rejection without a reason: refused.
        match approvals::decide(s, &writer, now, &request.id, true, "").await {
            Err(CoreError::Invalid(e)) => assert!(e[0].message.contains("someone other than"), "{e:?}"),
            other => panic!("four eyes on {backend:?}: {other:?}"),
        }
        assert!(matches!(approvals::decide(s, &clerk, now, &request.id, true, "").await, Err(CoreError::NotFound)));
        // An admin sees the request but does not hold the rule's role: nobody bypasses it.
        let root = bulwark_testkit::create_account(s, "root@example.com", &["admin"], pw).await.actor(Via::Session);
        let by_admin = approvals::decide(s, &root, now, &request.id, true, "").await;
        assert!(matches!(by_admin, Err(CoreError::Forbidden(_))), "{backend:?}: {by_admin:?}");
        assert!(matches!(approvals::decide(s, &boss, now, &request.id, false, " ").await, Err(CoreError::Invalid(_))));
        assert_eq!(r(s).await.find_policy_version(p.id, 1).await.unwrap().unwrap().status, VersionStatus::InReview);

        let decided = approvals::decide(s, &boss, now, &request.id, true, "Fine by me").await.unwrap();
        assert_eq!(decided.state, ApprovalState::Approved);
        let mut rd = r(s).await;
        assert_eq!(rd.find_policy_version(p.id, 1).await.unwrap().unwrap().status, VersionStatus::Ratified);
        let decisions = rd.list_decisions(&request.id).await.unwrap();
        assert_eq!((decisions.len(), decisions[0].comment.as_str()), (1, "Fine by me"));
        let open = bulwark_core::policies::campaigns::TASKS.first_page(10);
        let cfo_tasks = rd.list_tasks(cfo.person_id.unwrap(), &open).await.unwrap();
        assert!(cfo_tasks.items.iter().all(|t| t.state == "done"), "decided: every approver's task closed");
        let filter = AuditFilter { entity_id: Some(p.id.to_string()), ..Default::default() };
        let history = rd.list_audit(&filter, 20).await.unwrap();
        let actions: Vec<String> = history.items.into_iter().map(|e| e.action).collect();
        assert!(actions.contains(&"approval.approve".to_string()) && actions.contains(&"policy.ratify".to_string()));
        drop(rd);
        assert!(matches!(approvals::decide(s, &cfo, now, &request.id, true, "").await, Err(CoreError::Invalid(_))));

        // Two distinct people: one approval leaves it pending, the same person twice is refused.
        let mut tx = s.write().await.unwrap();
        let new = NewApproval {
            subject_type: "test",
            subject_id: "x",
            title: "Accept a risk",
            link: "/",
            role: Some(Role::Management),
            people: &[],
            excluded: &[],
            needed: 2,
        };
        let two = approvals::request(&mut *tx, &writer, now, new).await.unwrap();
        let after_one = approvals::decide_in(&mut *tx, &boss, now, &two, true, "").await.unwrap();
        assert_eq!(after_one.state, ApprovalState::Pending);
        assert!(approvals::decide_in(&mut *tx, &boss, now, &after_one, true, "").await.is_err(), "distinct people");
        let after_two = approvals::decide_in(&mut *tx, &cfo, now, &after_one, true, "").await.unwrap();
        assert_eq!(after_two.state, ApprovalState::Approved);
        assert!(tx.update_approval(&two, &after_two).await.is_err(), "decided once");
        let mut copy = two.clone();
        copy.id = uuid::Uuid::now_v7().to_string();
        tx.insert_approval(&copy).await.unwrap();
        assert_eq!(tx.assign_approvers(&copy, now).await.unwrap(), 2, "both managers, not the requester");
        let decision = bulwark_core::approvals::Decision {
            approval_id: copy.id.clone(),
            decided_by: "x".into(),
            approve: false,
            comment: "no".into(),
            decided_at: now,
            decided_by_person: Some(bulwark_core::ids::PersonId::new()),
        };
        tx.insert_decision(&decision).await.unwrap();
        assert!(tx.insert_decision(&decision).await.is_err(), "one decision per person");
        let renamed = bulwark_core::approvals::Decision { decided_by: "x-renamed".into(), ..decision.clone() };
        assert!(tx.insert_decision(&renamed).await.is_err(), "one decision per person, whatever their label");
    }
}

#[tokio::test]
async fn an_approval_rule_names_its_deciders_and_excludes_people_by_person_alike_on_every_backend() {
    use bulwark_core::access::{Role, Via};
    use bulwark_core::approvals::{self, ApprovalFilter, ApprovalState, NewApproval};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let pw = bulwark_testkit::PASSWORD;
        let account = |email: &'static str, roles: &'static [&'static str]| async move {
            bulwark_testkit::create_account(s, email, roles, pw).await.actor(Via::Session)
        };
        let requester = account("requester@example.com", &["employee"]).await;
        let auditor = account("auditor@example.com", &["employee"]).await;
        let lead = account("lead@example.com", &["security"]).await;
        let auditee = account("auditee@example.com", &["security"]).await;
        let other = account("other@example.com", &["security"]).await;
        let id = |a: &Actor| a.person_id.unwrap();

        // The security team and one named auditor decide, two of them; never the auditee.
        let mut tx = s.write().await.unwrap();
        let new = NewApproval {
            subject_type: "test",
            subject_id: "audit-1",
            title: "Close the audit",
            link: "/",
            role: Some(Role::Security),
            people: &[id(&auditor)],
            excluded: &[id(&auditee)],
            needed: 2,
        };
        let request = approvals::request(&mut *tx, &requester, now, new).await.unwrap();
        tx.commit().await.unwrap();
        let stored = r(s).await.find_approval(&request.id).await.unwrap().unwrap();
        assert_eq!((stored.people.clone(), stored.excluded.clone()), (vec![id(&auditor)], vec![id(&auditee)]));
        let rule = |a: &bulwark_core::approvals::Approval| (a.role, a.needed, a.requested_by_person);
        assert_eq!(rule(&stored), rule(&request), "the rule is kept as given on {backend:?}");
        assert!(stored.rule_text().contains("never the requester nor the 1 excluded"), "{}", stored.rule_text());

        // Tasks: the security team but the auditee, and the named auditor; not the requester.
        let open = bulwark_core::policies::campaigns::TASKS.first_page(10);
        for (who, expected) in [(&lead, 1), (&other, 1), (&auditor, 1), (&auditee, 0), (&requester, 0)] {
            let tasks = r(s).await.list_tasks(id(who), &open).await.unwrap();
            assert_eq!(tasks.items.len(), expected, "{}'s tasks on {backend:?}", who.label);
        }
        // The named auditor sees it in their list without the role; the auditee cannot decide.
        let mine = ApprovalFilter {
            state: None,
            visible_to_roles: Some(auditor.roles.clone()),
            requested_by: auditor.label.clone(),
            person: auditor.person_id,
        };
        assert_eq!(r(s).await.list_approvals(&mine, 10).await.unwrap().len(), 1, "{backend:?}");
        let theirs = ApprovalFilter {
            state: None,
            visible_to_roles: Some(auditee.roles.clone()),
            requested_by: auditee.label.clone(),
            person: auditee.person_id,
        };
        let listed = r(s).await.list_approvals(&theirs, 10).await.unwrap();
        assert!(listed.is_empty(), "the auditee holds the role but is excluded: {backend:?}");
        let refused = approvals::decide(s, &auditee, now, &request.id, true, "").await;
        assert!(matches!(refused, Err(CoreError::Forbidden(_) | CoreError::NotFound)), "excluded: {refused:?}");
        let after_one = approvals::decide(s, &auditor, now, &request.id, true, "Evidence checked").await.unwrap();
        assert_eq!(after_one.state, ApprovalState::Pending);
        // (No record type reacts to "test" requests: the last decision is taken in a transaction.)
        let mut tx = s.write().await.unwrap();
        let after_two = approvals::decide_in(&mut *tx, &lead, now, &after_one, true, "").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after_two.state, ApprovalState::Approved, "{backend:?}");
    }
}

#[tokio::test]
async fn a_checklist_campaign_records_answers_and_a_no_opens_a_follow_up_until_fixed() {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    use bulwark_core::policies::checklists::{self, AnswerValue, ChecklistInput, FOLLOW_UP, RawAnswer};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let cli = Actor::cli();
        let input = ChecklistInput {
            title: "Secure configuration".into(),
            items: vec!["Disk encryption is on | Settings → Privacy\nScreen locks after 5 minutes".into()],
            ..Default::default()
        };
        let k = checklists::create(s, &cli, now, &input).await.unwrap();
        let bad = ChecklistInput { title: "Empty".into(), follow_up_days: "0".into(), ..Default::default() };
        match checklists::create(s, &cli, now, &bad).await {
            Err(CoreError::Invalid(e)) => {
                let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["follow_up_days", "items"]);
            }
            other => panic!("{other:?}"),
        }
        let mut rd = r(s).await;
        let found = rd.find_checklist(k.id).await.unwrap().unwrap();
        assert_eq!((found.items[0].guidance.as_str(), found.items[1].position), ("Settings → Privacy", 2));
        assert_eq!(rd.list_checklists(&checklists::LIST.first_page(10)).await.unwrap().items[0].item_count, 2);
        drop(rd);

        let ann = people::create(s, &cli, now, &person("Ann", "ann@example.com")).await.unwrap();
        let due = (now + time::Duration::days(20)).date().to_string();
        let with_policies = CampaignInput {
            title: "Mixed".into(),
            checklist_id: k.id.to_string(),
            policy_ids: vec![uuid::Uuid::now_v7().to_string()],
            due_date: due.clone(),
            ..Default::default()
        };
        assert!(matches!(campaigns::create(s, &cli, now, &with_policies).await, Err(CoreError::Invalid(_))));
        let input = CampaignInput {
            title: "Laptops 2026".into(),
            checklist_id: k.id.to_string(),
            due_date: due,
            ..Default::default()
        };
        let campaign = campaigns::create(s, &cli, now, &input).await.unwrap();
        let ann_actor =
            Actor { person_id: Some(ann.id), label: "ann@example.com".into(), roles: vec![], ..Actor::cli() };
        assert!(matches!(campaigns::acknowledge(s, &ann_actor, now, campaign.id).await, Err(CoreError::Invalid(_))));

        let raw = |first: &str, comment: &str| {
            vec![
                RawAnswer { position: 1, value: first.into(), comment: comment.into() },
                RawAnswer { position: 2, value: "na".into(), comment: String::new() },
            ]
        };
        let missing = vec![RawAnswer { position: 1, value: "yes".into(), comment: String::new() }];
        match checklists::answer(s, &ann_actor, now, campaign.id, &missing).await {
            Err(CoreError::Invalid(e)) => assert_eq!(e[0].field, "answer_2"),
            other => panic!("{other:?}"),
        }
        assert!(checklists::answer(s, &ann_actor, now, campaign.id, &raw("maybe", "")).await.is_err());
        checklists::answer(s, &ann_actor, now, campaign.id, &raw("no", "Old laptop")).await.unwrap();
        let follow_up_id = campaigns::task_id(FOLLOW_UP, &format!("{}/1", campaign.id), ann.id);
        let mut rd = r(s).await;
        let follow_up = rd.find_task(&follow_up_id).await.unwrap().unwrap();
        assert_eq!((follow_up.state.as_str(), follow_up.title.as_str()), ("open", "Fix: Disk encryption is on"));
        assert_eq!(
            follow_up.due_at,
            now.replace_nanosecond(now.microsecond() * 1000).unwrap() + time::Duration::days(14)
        );
        assert_eq!(follow_up.link(), format!("/campaigns/{}/acknowledge", campaign.id));
        assert_eq!(rd.find_campaign(campaign.id).await.unwrap().unwrap().signed, 1, "completed");
        let row = &rd.list_participants(campaign.id, false, None, 10).await.unwrap()[0];
        assert_eq!(row.versions, "1 Disk encryption is on: no — Old laptop\n2 Screen locks after 5 minutes: na");
        drop(rd);

        // Fixed: answering yes closes the follow-up; the export line follows.
        checklists::answer(s, &ann_actor, now, campaign.id, &raw("yes", "")).await.unwrap();
        let mut rd = r(s).await;
        assert_eq!(rd.find_task(&follow_up_id).await.unwrap().unwrap().state, "done");
        let answers = rd.list_answers(campaign.id, ann.id).await.unwrap();
        assert_eq!(answers.iter().map(|a| a.value).collect::<Vec<_>>(), [AnswerValue::Yes, AnswerValue::Na]);
        assert_eq!(rd.find_campaign(campaign.id).await.unwrap().unwrap().signed, 1, "still one completion");
        drop(rd);
        assert_eq!(checklists::answer_many(s, &cli, now, campaign.id, &[(ann.id, raw("no", ""))]).await.unwrap(), 1);
        assert_eq!(r(s).await.find_task(&follow_up_id).await.unwrap().unwrap().state, "open", "reopened");

        // Direct writes, rolled back.
        let mut tx = s.write().await.unwrap();
        let copy = checklists::Checklist { id: bulwark_core::ids::ChecklistId::new(), ..found.clone() };
        tx.insert_checklist(&copy).await.unwrap();
        tx.save_answers(campaign.id, ann.id, &answers[..1], "x").await.unwrap();
        assert_eq!(tx.list_answers(campaign.id, ann.id).await.unwrap()[0].value, AnswerValue::Yes);
        drop(tx);
        assert!(r(s).await.find_checklist(copy.id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn an_onboarding_campaign_starts_empty_and_enrolls_each_joiner() {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let cli = Actor::cli();
        published_policy(s, now, "Use", "x").await;
        let veteran = people::create(s, &cli, now, &person("Vera Veteran", "vera@example.com")).await.unwrap();
        let due = (now + time::Duration::days(90)).date().to_string();
        let input =
            CampaignInput { title: "Onboarding".into(), joiners_only: true, due_date: due, ..Default::default() };
        let campaign = campaigns::create(s, &cli, now, &input).await.unwrap();
        assert_eq!(campaign.assigned, 0, "nobody when it starts on {backend:?}");
        assert!(r(s).await.find_campaign(campaign.id).await.unwrap().unwrap().joiners_only);
        let joiner = people::create(s, &cli, now, &person("Nia New", "nia@example.com")).await.unwrap();
        let mut rd = r(s).await;
        let task_of = |id| campaigns::task_id(campaigns::ACKNOWLEDGE, &campaign.id.to_string(), id);
        assert!(rd.find_task(&task_of(joiner.id)).await.unwrap().is_some(), "the joiner has the task");
        assert!(rd.find_task(&task_of(veteran.id)).await.unwrap().is_none(), "the veteran does not");
        assert_eq!(rd.find_campaign(campaign.id).await.unwrap().unwrap().assigned, 1);
    }
}

#[tokio::test]
async fn a_second_factor_is_asked_once_set_up_and_every_code_works_once() {
    use bulwark_core::access::Via;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let other = db.second_store().await;
        let (s, s2) = (&db.store as &dyn Store, &other as &dyn Store);
        let policy = MfaPolicy::default();
        let rules = accounts::SignInRules::default();
        // The start of a time step, so that `now + 30 s` is the next one.
        let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_020).unwrap();
        let email = "ada@example.com";
        let pw = bulwark_testkit::PASSWORD;
        let account = bulwark_testkit::create_account(s, email, &["admin"], pw).await;
        let actor = account.actor(Via::Session);
        let employee = bulwark_testkit::create_account(s, "eve@example.com", &["employee"], pw).await;
        let (_, plain, _) = accounts::login(s, now, &employee.email, pw, &rules).await.unwrap();
        assert_eq!(plain.stage, SessionStage::Full, "an employee needs no second factor");

        // An admin without an authenticator must set one up before the sign-in completes.
        let (enroll_secret, enroll_session, _) = accounts::login(s, now, email, pw, &rules).await.unwrap();
        assert_eq!(enroll_session.stage, SessionStage::Enroll, "{backend:?}");
        mfa::begin_enrollment(s, &actor, now).await.unwrap();
        let secret = r(s).await.find_totp(account.id).await.unwrap().unwrap().secret;
        assert!(mfa::pending_enrollment(s, &actor).await.unwrap().unwrap().uri.starts_with("otpauth://totp/Bulwark:"));
        let wrong = mfa::confirm_enrollment(s, &actor, now, Some(&enroll_session), "000000").await;
        assert!(matches!(wrong, Err(CoreError::Invalid(_))), "{backend:?}");
        let code = |step_offset: i64| mfa::code_at_step(&secret, mfa::step_of(now) + step_offset).unwrap();
        let done = mfa::confirm_enrollment(s, &actor, now, Some(&enroll_session), &code(0)).await.unwrap();
        assert_eq!(done.recovery_codes.len(), 10);
        let (new_secret, new_session) = done.new_session.expect("the waiting session is replaced");
        assert_eq!(new_session.stage, SessionStage::Full);
        assert!(accounts::session_actor(s, now, &enroll_secret.0).await.unwrap().is_none(), "old cookie is void");
        assert!(accounts::session_actor(s, now, &new_secret.0).await.unwrap().is_some());
        assert!(matches!(mfa::begin_enrollment(s, &actor, now).await, Err(CoreError::Conflict(_))));

        // From now on the password alone is not enough, and a code works once.
        let (_, waiting, _) = accounts::login(s, now, email, pw, &rules).await.unwrap();
        assert_eq!(waiting.stage, SessionStage::Code);
        let replay = mfa::complete_sign_in(s, &actor, now, &waiting, &code(0)).await;
        assert!(matches!(replay, Err(CoreError::Invalid(_))), "the enrollment's code again on {backend:?}");
        let (_, waiting2, _) = accounts::login(s, now, email, pw, &rules).await.unwrap();
        // Two instances given the same fresh code at once: exactly one accepts it.
        let next = code(1);
        let (a, b) = tokio::join!(
            mfa::complete_sign_in(s, &actor, now, &waiting, &next),
            mfa::complete_sign_in(s2, &actor, now, &waiting2, &next)
        );
        assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{backend:?}: {:?} {:?}", a.is_ok(), b.is_ok());

        // A recovery code, typed loosely, works once.
        let recovery = done.recovery_codes[0].to_uppercase().replace('-', " ");
        let (_, waiting, _) = accounts::login(s, now, email, pw, &rules).await.unwrap();
        mfa::complete_sign_in(s, &actor, now, &waiting, &recovery).await.unwrap();
        let (_, waiting, _) = accounts::login(s, now, email, pw, &rules).await.unwrap();
        assert!(mfa::complete_sign_in(s, &actor, now, &waiting, &recovery).await.is_err(), "used up");
        let status = mfa::status(s, &account, &policy).await.unwrap();
        assert_eq!((status.enabled, status.recovery_codes_left, status.required), (true, 9, true));
        assert!(matches!(mfa::disable(s, &actor, now, &policy).await, Err(CoreError::Conflict(_))), "required");

        // Re-authentication asks for the password and a fresh code.
        let later = now + time::Duration::minutes(20);
        let (_, full) = accounts::session_actor(s, now, &new_secret.0).await.unwrap().unwrap();
        assert!(!mfa::is_recent(&full, later));
        let bad = mfa::reauthenticate(s, &actor, later, &full, "not my password", "").await;
        assert!(matches!(bad, Err(CoreError::Invalid(ref f)) if f[0].field == "password"), "{bad:?}");
        let no_code = mfa::reauthenticate(s, &actor, later, &full, pw, "").await;
        assert!(matches!(no_code, Err(CoreError::Invalid(ref f)) if f[0].field == "code"));
        let fresh = mfa::code_at_step(&secret, mfa::step_of(later)).unwrap();
        mfa::reauthenticate(s, &actor, later, &full, pw, &fresh).await.unwrap();
        let (_, full) = accounts::session_actor(s, later, &new_secret.0).await.unwrap().unwrap();
        assert!(mfa::is_recent(&full, later + time::Duration::minutes(5)), "{backend:?}");

        // New recovery codes replace the old ones.
        let renewed = mfa::regenerate_recovery_codes(s, &actor, later).await.unwrap();
        let (_, waiting, _) = accounts::login(s, later, email, pw, &rules).await.unwrap();
        assert!(mfa::complete_sign_in(s, &actor, later, &waiting, &done.recovery_codes[1]).await.is_err());
        mfa::complete_sign_in(s, &actor, later, &waiting, &renewed[0]).await.unwrap();

        // An admin's reset removes the authenticator and ends the sessions.
        mfa::reset(s, &Actor::cli(), later, account.id).await.unwrap();
        assert!(accounts::session_actor(s, later, &new_secret.0).await.unwrap().is_none());
        let (_, again, _) = accounts::login(s, later, email, pw, &rules).await.unwrap();
        assert_eq!(again.stage, SessionStage::Enroll);
        assert_eq!(r(s).await.count_recovery_codes(account.id).await.unwrap(), 0);
        assert!(matches!(mfa::reset(s, &Actor::cli(), later, account.id).await, Err(CoreError::Conflict(_))));

        // The repository methods one by one.
        let factor = mfa::TotpFactor {
            account_id: employee.id,
            secret: secret.clone(),
            confirmed_at: None,
            last_step: 0,
            created_at: later,
        };
        let mut tx = s.write().await.unwrap();
        tx.put_totp(&factor).await.unwrap();
        tx.confirm_totp(employee.id, later, 7).await.unwrap();
        assert!(tx.use_totp_step(employee.id, 8).await.unwrap());
        assert!(!tx.use_totp_step(employee.id, 8).await.unwrap(), "a step is used once");
        tx.replace_recovery_codes(employee.id, &["h1".into(), "h2".into()], later).await.unwrap();
        assert!(tx.use_recovery_code(employee.id, "h1", later).await.unwrap());
        assert!(!tx.use_recovery_code(employee.id, "h1", later).await.unwrap());
        tx.mark_session_verified(&plain.id_hash, later).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &Actor::cli(),
            later,
            "test",
            "x",
            "1",
            None::<&()>,
            None::<&()>,
        ));
        tx.commit().await.unwrap();
        let stored = r(s).await.find_totp(employee.id).await.unwrap().unwrap();
        assert_eq!((stored.confirmed_at, stored.last_step), (Some(later), 8), "{backend:?}");
        assert_eq!(r(s).await.count_recovery_codes(employee.id).await.unwrap(), 1);
        assert_eq!(r(s).await.find_session(&plain.id_hash).await.unwrap().unwrap().verified_at, later);
        let mut tx = s.write().await.unwrap();
        tx.delete_totp(employee.id).await.unwrap();
        tx.end_sessions(employee.id).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &Actor::cli(),
            later,
            "test",
            "x",
            "2",
            None::<&()>,
            None::<&()>,
        ));
        tx.commit().await.unwrap();
        assert!(r(s).await.find_totp(employee.id).await.unwrap().is_none());
        assert_eq!(r(s).await.count_recovery_codes(employee.id).await.unwrap(), 0);
        assert!(r(s).await.find_session(&plain.id_hash).await.unwrap().is_none());

        let actions: Vec<String> = s.audit_batch(0, 1000).await.unwrap().into_iter().map(|e| e.action).collect();
        for expected in ["session.password_verified", "mfa.enrollment_begin", "mfa.enable", "session.login"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} missing on {backend:?}");
        }
        for expected in ["session.reauthenticate", "mfa.recovery_codes_replace", "mfa.reset"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} missing on {backend:?}");
        }
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
        for entry in s.audit_batch(0, 1000).await.unwrap() {
            assert!(!entry.after.contains(&secret) && !entry.before.contains(&secret), "secret in the audit log");
        }
    }
}

#[tokio::test]
async fn single_sign_on_links_a_verified_identity_once_and_its_pending_answer_works_once() {
    use bulwark_core::identity::sso::{self, PendingSignIn, SsoRules, VerifiedIdentity};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let now = time_util::now();
        let pw = bulwark_testkit::PASSWORD;
        let ada = bulwark_testkit::create_account(s, "ada@example.com", &["employee"], pw).await;
        let rules =
            SsoRules { role_map: SsoRules::parse_role_map(&["sec=security".into()]).unwrap(), create_accounts: false };
        let who = |subject: &str, email: &str, verified: bool, groups: &[&str]| VerifiedIdentity {
            issuer: "https://idp.example.com".into(),
            subject: subject.into(),
            email: Some(email.into()),
            email_verified: verified,
            name: Some("Someone".into()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        };

        let unverified = sso::sign_in(s, now, &who("s1", "ada@example.com", false, &[]), &rules).await;
        assert!(matches!(unverified, Err(CoreError::Invalid(_))), "{backend:?}");
        let (_, session, account) =
            sso::sign_in(s, now, &who("s1", "ADA@example.com", true, &["sec"]), &rules).await.unwrap();
        assert_eq!((account.id, account.roles.as_slice()), (ada.id, &[bulwark_core::Role::Security][..]));
        assert_eq!(session.stage, SessionStage::Full);
        assert!(sso::is_linked(s, ada.id).await.unwrap());
        // Next time the subject is what counts, whatever the address now says; no group, no role but employee.
        let (_, _, again) = sso::sign_in(s, now, &who("s1", "renamed@example.com", false, &[]), &rules).await.unwrap();
        assert_eq!((again.id, again.roles.as_slice()), (ada.id, &[bulwark_core::Role::Employee][..]));
        // Another subject with Ada's address cannot take her account over.
        let other = sso::sign_in(s, now, &who("s2", "ada@example.com", true, &[]), &rules).await;
        assert!(matches!(other, Err(CoreError::Invalid(_))), "{backend:?}");
        // Unknown addresses get no account unless the instance allows it.
        assert!(sso::sign_in(s, now, &who("s3", "new@example.com", true, &[]), &rules).await.is_err());
        let open = SsoRules { create_accounts: true, ..rules.clone() };
        let (_, _, created) = sso::sign_in(s, now, &who("s3", "new@example.com", true, &["sec"]), &open).await.unwrap();
        assert_eq!((created.email.as_str(), created.has_password), ("new@example.com", false));
        let mut rd = r(s).await;
        assert_eq!(rd.find_sso_identity("https://idp.example.com|s3").await.unwrap(), Some(created.id));
        assert_eq!(rd.sso_identity_of(ada.id).await.unwrap().as_deref(), Some("https://idp.example.com|s1"));
        drop(rd);
        let mut tx = s.write().await.unwrap();
        let clash = tx.link_sso_identity("https://idp.example.com|s1", created.id, now).await;
        assert!(clash.is_err(), "an identity links one account on {backend:?}");
        drop(tx);

        // A pending sign-in is taken once, and not after ten minutes.
        let pending =
            PendingSignIn { nonce: "n".into(), pkce_verifier: "v".into(), next: "/people".into(), created_at: now };
        sso::remember(s, "state-1", &pending).await.unwrap();
        s.put_sso_login("raw-hash", &pending).await.unwrap();
        assert_eq!(s.take_sso_login("raw-hash", now - sso::PENDING_LIFETIME).await.unwrap().unwrap().next, "/people");
        assert!(s.take_sso_login("raw-hash", now).await.unwrap().is_none());
        assert!(sso::recall(s, "state-1", now + time::Duration::minutes(11)).await.unwrap().is_none(), "too old");
        sso::remember(s, "state-2", &pending).await.unwrap();
        assert_eq!(sso::recall(s, "state-2", now).await.unwrap().unwrap().nonce, "n");
        assert!(sso::recall(s, "state-2", now).await.unwrap().is_none(), "used once on {backend:?}");
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn assets_list_search_and_import_alike_on_every_backend_and_a_broken_import_leaves_nothing() {
    use bulwark_core::assets::{self, AssetInput};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, cli, now) = (&db.store as &dyn Store, Actor::cli(), time_util::now());
        let ada = people::create(s, &cli, now, &person("Ada Lovelace", "ada@example.com")).await.unwrap();
        let input = AssetInput {
            name: "MacBook Pro — Zoë".into(),
            kind: "device".into(),
            classification: "confidential".into(),
            owner_id: ada.id.to_string(),
            assigned_to: "ADA@example.com".into(),
            identifier: "SN-ÄBC-123".into(),
            ..Default::default()
        };
        let laptop = assets::create(s, &cli, now, &input).await.unwrap();
        let stored = r(s).await.get_asset(laptop.id).await.unwrap();
        assert_eq!(stored.names.assignee.as_ref().map(|p| p.name.as_str()), Some("Ada Lovelace"), "{backend:?}");
        assert_eq!(stored.assigned_to, Some(ada.id));
        let missing = AssetInput { name: "X".into(), owner_id: "nobody@example.com".into(), ..Default::default() };
        assert!(matches!(assets::create(s, &cli, now, &missing).await, Err(CoreError::Invalid(_))));

        let csv = "name,kind,classification,status,owner_email,identifier\n\
                   Wiki,saas,internal,in-use,ada@example.com,https://wiki.example.com\n\
                   Source code,intellectual-property,restricted,in-use,,\n\
                   Old phone,device,internal,retired,,IMEI 1\n";
        assert_eq!(assets::import_csv(s, &cli, now, csv).await.unwrap(), 3);
        let broken = "name,kind,owner_email\nGood,device,\nBad,spaceship,\nWorse,device,ghost@example.com\n";
        let err = assets::import_csv(s, &cli, now, broken).await.unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains("row 3: kind must be one of"), "{text}");
        assert!(text.contains("row 4: owner_email names nobody"), "{text}");
        let all = |pairs: &[(&str, &str)]| {
            let raw = RawListQuery {
                q: pairs.iter().find(|(k, _)| *k == "q").map(|(_, v)| v.to_string()),
                filters: pairs
                    .iter()
                    .filter(|(k, _)| *k != "q" && *k != "sort")
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                sort: pairs.iter().find(|(k, _)| *k == "sort").map(|(_, v)| v.to_string()),
                ..Default::default()
            };
            assets::LIST.parse(&raw).unwrap()
        };
        let names = |page: bulwark_core::list::ListPage<bulwark_core::assets::Asset>| {
            page.items.into_iter().map(|a| a.name).collect::<Vec<_>>()
        };
        let mut rd = r(s).await;
        assert_eq!(rd.list_assets(&all(&[])).await.unwrap().total, 4, "nothing of the broken import on {backend:?}");
        assert_eq!(names(rd.list_assets(&all(&[("q", "äbc")])).await.unwrap()), ["MacBook Pro — Zoë"], "{backend:?}");
        assert_eq!(names(rd.list_assets(&all(&[("q", "ZOË")])).await.unwrap()), ["MacBook Pro — Zoë"]);
        assert_eq!(names(rd.list_assets(&all(&[("kind", "saas")])).await.unwrap()), ["Wiki"]);
        assert_eq!(rd.list_assets(&all(&[("owner_id", &ada.id.to_string())])).await.unwrap().total, 2);
        assert_eq!(
            names(rd.list_assets(&all(&[("sort", "name")])).await.unwrap()),
            ["MacBook Pro — Zoë", "Old phone", "Source code", "Wiki"],
            "byte order on {backend:?}"
        );
        drop(rd);

        // Edits are based on a version; the repository writes one by one.
        let edit = AssetInput { status: "lost".into(), version: Some("1".into()), ..input.clone() };
        assert!(matches!(assets::update(s, &cli, now, laptop.id, &edit).await, Err(CoreError::Stale(_))));
        let later = now + time::Duration::seconds(1);
        let mut tx = s.write().await.unwrap();
        let before = tx.get_asset(laptop.id).await.unwrap();
        let after = bulwark_core::assets::Asset { name: "Renamed".into(), updated_at: later, ..before.clone() };
        tx.update_asset(&before, &after).await.unwrap();
        assert!(tx.update_asset(&before, &after).await.is_err(), "based on a stale version");
        let extra = bulwark_core::assets::Asset { id: bulwark_core::ids::AssetId::new(), ..after.clone() };
        tx.insert_asset(&extra).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(&cli, later, "test", "x", "1", None::<&()>, None::<&()>));
        tx.commit().await.unwrap();
        assert_eq!(r(s).await.find_asset(laptop.id).await.unwrap().unwrap().name, "Renamed");
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn keys_keep_metadata_plan_rotations_and_record_revocations_alike_on_every_backend() {
    use bulwark_core::assets::keys::KEY;
    use bulwark_core::records::input::RawRecord;
    use bulwark_core::records::service;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, cli) = (&db.store as &dyn Store, Actor::cli());
        let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        let owner = people::create(s, &cli, now, &person("Ada Lovelace", "ada@example.com")).await.unwrap();
        let input = [
            ("name", "Code signing"),
            ("algorithm", "RSA"),
            ("size_bits", "1024"),
            ("owner", "ada@example.com"),
            ("location", "HSM rack 2"),
            ("created_on", "2026-01-10"),
            ("rotation_days", "90"),
        ];
        let key = service::create(s, &cli, &KEY, now, &RawRecord::from_pairs(input)).await.unwrap();
        assert_eq!(key.value("rotation_due").plain(), "2026-04-10");
        assert_eq!(key.value("weak").plain(), "yes", "RSA 1024 is weak");
        let secret = input.into_iter().chain([("purpose", "-----BEGIN RSA PRIVATE KEY----- MIIE…")]);
        let refused = service::create(s, &cli, &KEY, now, &RawRecord::from_pairs(secret)).await;
        assert!(matches!(refused, Err(CoreError::Invalid(_))), "no key material");
        let strong = input.into_iter().chain([("name", "TLS"), ("algorithm", "ECDSA P-256"), ("size_bits", "256")]);
        service::create(s, &cli, &KEY, now, &RawRecord::from_pairs(strong)).await.unwrap();

        let task_ids = |tasks: Vec<bulwark_core::policies::campaigns::Task>| {
            tasks.into_iter().filter(|t| t.kind == "rotate" && t.state == "open").map(|t| t.title).collect::<Vec<_>>()
        };
        let tasks =
            r(s).await.list_tasks(owner.id, &bulwark_core::policies::campaigns::TASKS.first_page(50)).await.unwrap();
        assert_eq!(task_ids(tasks.items).len(), 2, "a rotation task per key on {backend:?}");

        let mut rd = r(s).await;
        let weak = KEY
            .list_spec()
            .parse(&RawListQuery { filters: vec![("weak".into(), "yes".into())], ..Default::default() })
            .unwrap();
        let found = rd.list_records(&KEY, &weak).await.unwrap();
        assert_eq!(found.items.iter().map(|k| k.name()).collect::<Vec<_>>(), ["Code signing"], "{backend:?}");
        let search = KEY.list_spec().parse(&RawListQuery { q: Some("rack".into()), ..Default::default() }).unwrap();
        assert_eq!(rd.list_records(&KEY, &search).await.unwrap().total, 2);
        let by_due = KEY.list_spec().parse(&RawListQuery { sort: Some("rotation_due".into()), ..Default::default() });
        assert_eq!(rd.list_records(&KEY, &by_due.unwrap()).await.unwrap().total, 2);
        drop(rd);

        let later = now + time::Duration::days(1);
        let none = RawRecord::default();
        let rotated = service::act(s, &cli, &KEY, later, (&key.id, "rotate"), &none).await.unwrap();
        assert_eq!(rotated.value("last_rotated_on").as_date(), Some(later.date()));
        let blank = RawRecord::from_pairs([("reason", " ")]);
        let refused = service::act(s, &cli, &KEY, later, (&key.id, "revoke"), &blank).await;
        assert!(matches!(refused, Err(CoreError::Invalid(_))), "a reason");
        let why = RawRecord::from_pairs([("reason", "HSM decommissioned")]);
        let revoked = service::act(s, &cli, &KEY, later, (&key.id, "revoke"), &why).await.unwrap();
        assert_eq!(revoked.value("status").plain(), "revoked");
        let stored = r(s).await.find_record(&KEY, &key.id).await.unwrap().expect("stored");
        let revocation = (stored.value("revoked_by").plain(), stored.value("revocation_reason").plain());
        assert_eq!(revocation, ("cli".to_string(), "HSM decommissioned".to_string()), "{backend:?}");
        assert_eq!(stored.value("rotation_due"), &bulwark_core::records::Value::Empty, "no rotation once revoked");
        let again = service::act(s, &cli, &KEY, later, (&key.id, "revoke"), &why).await;
        assert!(matches!(again, Err(CoreError::Conflict(_))), "revoked already");
        let rotate = service::act(s, &cli, &KEY, later, (&key.id, "rotate"), &none).await;
        assert!(matches!(rotate, Err(CoreError::Conflict(_))), "only an active key is rotated");
        let unrevoke = RawRecord::from_pairs([("status", "active")]);
        let refused = service::update(s, &cli, &KEY, later, &key.id, &unrevoke).await;
        assert!(matches!(refused, Err(CoreError::Invalid(_))), "a revoked key stays revoked");
        let tasks =
            r(s).await.list_tasks(owner.id, &bulwark_core::policies::campaigns::TASKS.first_page(50)).await.unwrap();
        assert_eq!(task_ids(tasks.items).len(), 1, "the revoked key's rotation task is closed");
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn offboarding_lists_assets_and_accounts_and_closes_only_when_everything_is_back() {
    use bulwark_core::assets::{self, AssetInput};
    use bulwark_core::organisation::lifecycle::{self, ItemInput, OnboardingInput};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, cli, now) = (&db.store as &dyn Store, Actor::cli(), time_util::now());
        let dept = departments::create_department(
            s,
            &cli,
            now,
            &DepartmentInput { name: "Sales".into(), ..Default::default() },
        )
        .await
        .unwrap();
        let head_input = PersonInput { department_id: dept.id.to_string(), ..person("Hana Head", "hana@example.com") };
        let head = people::create(s, &cli, now, &head_input).await.unwrap();
        let edit = DepartmentInput { name: "Sales".into(), head_person_id: head.id.to_string(), ..Default::default() };
        departments::update_department(s, &cli, now, dept.id, &edit).await.unwrap();
        let leaver_input =
            PersonInput { department_id: dept.id.to_string(), ..person("Lee Leaver", "lee@example.com") };
        let lee = people::create(s, &cli, now, &leaver_input).await.unwrap();
        bulwark_testkit::create_account(s, "sec@example.com", &["security"], bulwark_testkit::PASSWORD).await;
        bulwark_testkit::create_account(s, "lee@example.com", &["employee"], bulwark_testkit::PASSWORD).await;
        let laptop = AssetInput { name: "Laptop".into(), assigned_to: "lee@example.com".into(), ..Default::default() };
        let laptop = assets::create(s, &cli, now, &laptop).await.unwrap();
        let crm = AssetInput { name: "CRM".into(), kind: "saas".into(), ..Default::default() };
        assets::create(s, &cli, now, &crm).await.unwrap();

        let screening =
            OnboardingInput { kind: "screening".into(), check: "Identity".into(), done_on: "2026-01-05".into() };
        lifecycle::record_onboarding(s, &cli, now, lee.id, &screening).await.unwrap();
        let findings = OnboardingInput { kind: "screening".into(), check: "He was fine".into(), ..Default::default() };
        assert!(lifecycle::record_onboarding(s, &cli, now, lee.id, &findings).await.is_err(), "checks, not findings");

        let o = lifecycle::start_offboarding(s, &cli, now, lee.id, "leaves in March").await.unwrap();
        let labels: Vec<&str> = o.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["Laptop", "CRM account", "Bulwark account"], "{backend:?}");
        let again = lifecycle::start_offboarding(s, &cli, now, lee.id, "twice").await.unwrap();
        let control = lifecycle::start_offboarding(s, &cli, now, lee.id, "tab\there").await;
        assert!(matches!(control, Err(CoreError::Invalid(_))), "a reason is one line, even for the open one");
        assert_eq!(again.id, o.id, "one open offboarding per person");
        let head_tasks =
            r(s).await.list_tasks(head.id, &bulwark_core::policies::campaigns::TASKS.first_page(10)).await.unwrap();
        assert_eq!(head_tasks.items.iter().filter(|t| t.kind == "offboard").count(), 1, "{backend:?}");

        assert!(matches!(lifecycle::close(s, &cli, now, &o.id).await, Err(CoreError::Conflict(_))), "outstanding");
        let returned =
            lifecycle::check_off(s, &cli, now, &o.id, 1, &ItemInput { received_by: "Hana Head".into() }).await;
        assert_eq!(returned.unwrap().items[0].received_by.as_deref(), Some("Hana Head"));
        let back = r(s).await.get_asset(laptop.id).await.unwrap();
        assert_eq!((back.assigned_to, back.status.as_str()), (None, "in-stock"), "{backend:?}");
        assert!(lifecycle::check_off(s, &cli, now, &o.id, 1, &ItemInput::default()).await.is_err(), "once");
        lifecycle::check_off(s, &cli, now, &o.id, 2, &ItemInput::default()).await.unwrap();
        lifecycle::check_off(s, &cli, now, &o.id, 3, &ItemInput::default()).await.unwrap();
        let closed = lifecycle::close(s, &cli, now, &o.id).await.unwrap();
        assert!(closed.closed_at.is_some());
        let mut rd = r(s).await;
        assert_eq!(rd.get_person(lee.id).await.unwrap().status.as_str(), "left");
        assert_eq!(rd.find_account_for_person(lee.id).await.unwrap().unwrap().status.as_str(), "disabled");
        assert!(rd.open_offboarding(lee.id).await.unwrap().is_none());
        assert_eq!(rd.offboardings_of(lee.id).await.unwrap().len(), 1);
        assert_eq!(rd.onboarding_records(lee.id).await.unwrap()[0].detail, "Identity");
        assert_eq!(rd.find_offboarding(&o.id).await.unwrap().unwrap().outstanding(), 0);
        assert!(matches!(rd.get_offboarding("no-such-offboarding").await, Err(StoreError::NotFound)));
        assert!(rd.assets_assigned_to(lee.id).await.unwrap().is_empty());
        assert_eq!(rd.directory_services().await.unwrap().len(), 1);
        let open_head = rd.list_tasks(head.id, &bulwark_core::policies::campaigns::TASKS.first_page(10)).await.unwrap();
        assert!(open_head.items.iter().all(|t| t.state == "done"), "tasks close with the offboarding");
        drop(rd);
        let no_account = lifecycle::start_offboarding(s, &cli, now, head.id, "moves on").await.unwrap();
        let labels: Vec<&str> = no_account.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["CRM account"], "someone without a Bulwark account has no such item ({backend:?})");

        // The repository writes one by one.
        let mut tx = s.write().await.unwrap();
        let record = bulwark_core::organisation::lifecycle::OnboardingRecord {
            id: "r1".into(),
            ..r(s).await.onboarding_records(lee.id).await.unwrap()[0].clone()
        };
        tx.insert_onboarding_record(&record).await.unwrap();
        let fresh =
            bulwark_core::organisation::lifecycle::Offboarding { id: "o2".into(), closed_at: None, ..closed.clone() };
        let fresh = bulwark_core::organisation::lifecycle::Offboarding {
            items: fresh
                .items
                .iter()
                .map(|i| bulwark_core::organisation::lifecycle::OffboardingItem { done_at: None, ..i.clone() })
                .collect(),
            ..fresh
        };
        tx.insert_offboarding(&fresh).await.unwrap();
        let done =
            bulwark_core::organisation::lifecycle::OffboardingItem { done_at: Some(now), ..fresh.items[0].clone() };
        tx.update_offboarding_item("o2", &done).await.unwrap();
        assert!(tx.update_offboarding_item("o2", &done).await.is_err(), "an item is checked off once");
        tx.close_offboarding("o2", now).await.unwrap();
        assert!(tx.close_offboarding("o2", now).await.is_err());
        let given =
            tx.give_role_task(bulwark_core::Role::Security, "offboard", "offboarding", "o2", "Remove", now, now).await;
        assert_eq!(given.unwrap(), 1, "the one security holder on {backend:?}");
        tx.audit(bulwark_core::audit::AuditRecord::new(&cli, now, "test", "x", "1", None::<&()>, None::<&()>));
        tx.commit().await.unwrap();
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

/// SCIM's view of people and departments and its tokens read and write alike everywhere: a
/// person without a profile is found by e-mail as userName, a profile's userName (in any case)
/// wins over the e-mail, deleted Users and Groups leave the lists and their counts.
#[tokio::test]
async fn scim_profiles_departments_and_tokens_alike_on_every_backend() {
    use bulwark_core::identity::scim::{ScimProfile, ScimToken};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let (cli, now) = (Actor::cli(), time_util::now());
        let d =
            departments::create_department(s, &cli, now, &DepartmentInput { name: "Ops".into(), ..Default::default() })
                .await
                .unwrap();
        let ada = people::create(
            s,
            &cli,
            now,
            &PersonInput { department_id: d.id.to_string(), ..person("Ada", "ada@example.com") },
        )
        .await
        .unwrap();
        let bob = people::create(s, &cli, now, &person("Bob", "bob@example.com")).await.unwrap();

        let mut reader = r(s).await;
        let plain = reader.scim_person_named("ada@example.com").await.unwrap().expect("by e-mail");
        assert_eq!((plain.person.id, plain.profile.is_none()), (ada.id, true), "{backend:?}");
        assert_eq!(reader.scim_people(0, 10).await.unwrap().1, 2);
        assert_eq!(reader.department_members(d.id).await.unwrap(), vec![(ada.id, "Ada".to_string())]);
        drop(reader);

        let profile = ScimProfile {
            person_id: bob.id,
            user_name: "BSmith".into(),
            external_id: Some("00u-bob".into()),
            given_name: Some("Bob".into()),
            family_name: Some("Smith".into()),
            manager_id: Some(ada.id),
            deleted_at: None,
        };
        let token = ScimToken {
            id: bulwark_core::ids::TokenId::new(),
            name: "Okta".into(),
            prefix: "bws_abcdef".into(),
            created_by: "cli".into(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = s.write().await.unwrap();
        tx.put_scim_profile(&profile).await.unwrap();
        tx.put_scim_department(d.id, Some("grp-1"), None).await.unwrap();
        tx.insert_scim_token(&token, "hash-1").await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &cli,
            now,
            "test",
            "person",
            bob.id,
            None::<&()>,
            Some(&profile),
        ));
        tx.commit().await.unwrap();

        let mut reader = r(s).await;
        let found = reader.scim_person_named("bsmith").await.unwrap().expect("by userName in any case");
        assert_eq!(found.profile.as_ref(), Some(&profile));
        assert_eq!(found.manager_name.as_deref(), Some("Ada"));
        assert!(reader.scim_person_named("bob@example.com").await.unwrap().is_none(), "the profile's userName wins");
        let one = reader.scim_person(bob.id).await.unwrap().unwrap();
        assert_eq!(one.user_name(), "BSmith");
        let g = reader.scim_department(d.id).await.unwrap().unwrap();
        assert_eq!((g.external_id.as_deref(), g.deleted_at), (Some("grp-1"), None));
        assert_eq!(reader.scim_departments(0, 10).await.unwrap().1, 1);
        assert_eq!(reader.find_scim_token("hash-1").await.unwrap().map(|t| t.name), Some("Okta".into()));
        assert_eq!(reader.list_scim_tokens().await.unwrap().len(), 1);
        drop(reader);
        s.touch_scim_token(token.id, now).await.unwrap();

        let mut tx = s.write().await.unwrap();
        tx.put_scim_profile(&ScimProfile { deleted_at: Some(now), ..profile.clone() }).await.unwrap();
        tx.put_scim_department(d.id, None, Some(now)).await.unwrap();
        tx.revoke_scim_token(token.id, now).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &cli,
            now,
            "test",
            "person",
            bob.id,
            None::<&()>,
            Some(&profile),
        ));
        tx.commit().await.unwrap();
        let mut reader = r(s).await;
        let (people, total) = reader.scim_people(0, 10).await.unwrap();
        assert_eq!((people.len(), total), (1, 1), "a deleted User leaves the list");
        assert_eq!(reader.scim_departments(0, 10).await.unwrap(), (vec![], 0));
        let t = reader.find_scim_token("hash-1").await.unwrap().unwrap();
        assert!(t.revoked_at.is_some() && t.last_used_at.is_some());
        let mut tx = s.write().await.unwrap();
        assert!(matches!(
            tx.revoke_scim_token(token.id, now).await,
            Err(StoreError::NotFound | StoreError::Conflict(_))
        ));
    }
}

/// Frameworks, controls, mappings, evidence and applicability read and write alike on every
/// backend: a catalog's content comes back as stored (and replaced, not doubled, when saved
/// again), an evidence file's bytes come back whole, and coverage's one query tells fresh
/// evidence from expired.
#[tokio::test]
async fn frameworks_controls_and_evidence_alike_on_every_backend() {
    use bulwark_core::compliance::controls::{CONTROL, Evidence, EvidenceKind, Mapping};
    use bulwark_core::compliance::frameworks::{Framework, FrameworkContent, oscal};
    use bulwark_core::ids::{ControlId, EvidenceId, FrameworkId};
    use bulwark_core::records::{input::RawRecord, service};
    let catalog =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/oscal/basic-catalog.json")).unwrap();
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        // Stored to the microsecond.
        let now = time_util::from_micros(time_util::to_micros(time_util::now()));
        let cli = Actor::cli();
        let read = oscal::read(&catalog).unwrap();
        let framework = Framework {
            id: FrameworkId::new(),
            catalog_uuid: read.uuid.clone(),
            title: read.title.clone(),
            version: read.version.clone(),
            oscal_version: read.oscal_version.clone(),
            control_count: read.controls.len() as i64,
            group_count: read.groups.len() as i64,
            built_in: false,
            created_at: now,
            updated_at: now,
        };
        let content = FrameworkContent {
            framework: framework.clone(),
            rest: read.rest,
            groups: read.groups,
            controls: read.controls,
        };
        let control =
            [("title", "Disk encryption"), ("description", "Laptops are encrypted."), ("status", "implemented")];
        let control = service::create(s, &cli, &CONTROL, now, &RawRecord::from_pairs(control)).await.unwrap();
        let control_id: ControlId = control.id.parse().unwrap();
        let mapping = Mapping {
            control_id,
            framework_id: framework.id,
            requirement_id: "s1.1.1".into(),
            framework_title: String::new(),
            requirement_title: String::new(),
        };
        let evidence = |days: i64, bytes: Option<&[u8]>| Evidence {
            id: EvidenceId::new(),
            control_id,
            kind: if bytes.is_some() { EvidenceKind::File } else { EvidenceKind::Link },
            title: "Report".into(),
            url: None,
            file_name: bytes.map(|_| "report.pdf".into()),
            content_type: bytes.map(|_| "application/pdf".into()),
            size_bytes: bytes.map(|b| b.len() as i64),
            sha256: None,
            outcome: None,
            detail: String::new(),
            collected_at: now + time::Duration::seconds(days),
            expires_at: now + time::Duration::days(days),
            created_by: "cli".into(),
        };
        let file = evidence(-1, Some(b"%PDF-1.7 \x00\xff binary"));
        let mut tx = s.write().await.unwrap();
        tx.put_framework(&content, false).await.unwrap();
        assert!(tx.insert_mapping(&mapping, now).await.unwrap());
        assert!(!tx.insert_mapping(&mapping, now).await.unwrap(), "{backend:?}: a mapping exists once");
        tx.insert_evidence(&file, Some(b"%PDF-1.7 \x00\xff binary")).await.unwrap();
        tx.put_applicability(framework.id, "s2.1.1", false, "No such systems", now).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &cli,
            now,
            "test",
            "framework",
            framework.id,
            None::<&()>,
            Some(&framework),
        ));
        tx.commit().await.unwrap();

        let mut reader = r(s).await;
        assert_eq!(reader.find_framework_by_uuid(&framework.catalog_uuid).await.unwrap(), Some(framework.clone()));
        assert_eq!(reader.list_frameworks().await.unwrap().len(), 1);
        assert_eq!(reader.framework_content(framework.id).await.unwrap(), Some(content.clone()));
        let outline = reader.framework_outline(framework.id).await.unwrap().unwrap();
        assert_eq!(outline.controls.len(), 4);
        assert!(outline.controls.iter().all(|c| c.body.is_null()), "the outline leaves the bodies out");
        let mapped = reader.framework_mappings(framework.id, now).await.unwrap();
        assert_eq!(mapped.len(), 1);
        assert!(!mapped[0].1.fresh_evidence, "the newest evidence expired yesterday");
        assert_eq!(
            reader.applicability(framework.id).await.unwrap(),
            vec![("s2.1.1".to_string(), false, "No such systems".to_string())]
        );
        assert_eq!(
            reader.control_mappings(control_id).await.unwrap()[0].requirement_title,
            "Information security roles and responsibilities"
        );
        assert_eq!(reader.control_evidence(control_id).await.unwrap().len(), 1);
        let (_, bytes) = reader.evidence_content(file.id).await.unwrap().unwrap();
        assert_eq!(bytes, b"%PDF-1.7 \x00\xff binary", "the bytes come back whole on {backend:?}");
        drop(reader);

        let fresh = evidence(30, None);
        let mut tx = s.write().await.unwrap();
        tx.insert_evidence(&fresh, None).await.unwrap();
        tx.put_framework(&content, true).await.unwrap();
        tx.delete_mapping(&mapping).await.unwrap();
        tx.insert_mapping(&mapping, now).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &cli,
            now,
            "test",
            "control",
            control_id,
            None::<&()>,
            Some(&mapping),
        ));
        tx.commit().await.unwrap();
        let mut reader = r(s).await;
        assert!(reader.framework_mappings(framework.id, now).await.unwrap()[0].1.fresh_evidence);
        assert_eq!(
            reader.framework_content(framework.id).await.unwrap().unwrap().controls.len(),
            4,
            "replaced, not doubled"
        );
        drop(reader);
        // Its mappings and evidence keep the control: deleting it is refused, and says why.
        let mut tx = s.write().await.unwrap();
        match tx.delete_record(&control, now).await {
            Err(StoreError::Conflict(why)) => {
                assert!(why.contains("still refer to this control"), "{backend:?}: {why}")
            }
            other => panic!("{backend:?}: a control with evidence was deleted: {other:?}"),
        }
    }
}

#[tokio::test]
async fn risks_are_rated_filtered_accepted_with_approval_and_reviewed_alike_on_every_backend() {
    use bulwark_core::approvals;
    use bulwark_core::compliance::controls;
    use bulwark_core::compliance::risks::{self, Acceptance, RiskInput, RiskSettingsInput, Treatment};
    use bulwark_core::ids::ControlId;
    use bulwark_core::records::{input::RawRecord, service};
    use bulwark_core::scheduler;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, cli) = (&db.store as &dyn Store, Actor::cli());
        let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        let ada = people::create(s, &cli, now, &person("Ada Lovelace", "ada@example.com")).await.unwrap();
        let bob = people::create(s, &cli, now, &person("Bob Builder", "bob@example.com")).await.unwrap();
        let settings = r(s).await.risk_settings().await.unwrap();
        assert_eq!((settings.scale, settings.acceptance_threshold, settings.review_days), (5, 8, 365));
        let backups = RawRecord::from_pairs([("title", "Offline backups")]);
        let backups: ControlId =
            service::create(s, &cli, &controls::CONTROL, now, &backups).await.unwrap().id.parse().unwrap();
        let rate = |title: &str, owner: &str, p: i64, i: i64| RiskInput {
            title: title.into(),
            owner: owner.into(),
            probability: p.to_string(),
            impact: i.to_string(),
            ..Default::default()
        };
        let security =
            Actor { label: "sec@example.com".into(), roles: vec![bulwark_core::Role::Security], ..Actor::cli() };
        let ransomware = RiskInput {
            treatment: "mitigate".into(),
            control_ids: vec![backups.to_string()],
            residual_probability: "2".into(),
            residual_impact: "3".into(),
            process: "Customer support".into(),
            ..rate("Ransomware on the file server", "ada@example.com", 4, 5)
        };
        let r1 = risks::create(s, &security, now, &ransomware).await.unwrap();
        assert_eq!((r1.inherent_score(), r1.residual_score(), r1.score()), (20, Some(6), 6));
        assert_eq!(r1.review_on, now.date() + time::Duration::days(365));
        risks::create(s, &security, now, &rate("Lost laptop", "bob@example.com", 2, 4)).await.unwrap();
        risks::create(s, &security, now, &rate("Phishing", "ada@example.com", 5, 4)).await.unwrap();

        // Bad input names each field and stores nothing.
        let bad =
            RiskInput { residual_probability: "2".into(), control_ids: vec!["nope".into()], ..rate("", "", 6, 0) };
        let Err(CoreError::Invalid(errors)) = risks::create(s, &security, now, &bad).await else { panic!("refused") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["title", "owner", "probability", "impact", "control_ids", "residual_impact"] {
            assert!(fields.contains(&field), "{field} named in {fields:?}");
        }
        let employee = Actor { roles: vec![bulwark_core::Role::Employee], ..Actor::cli() };
        assert!(matches!(risks::create(s, &employee, now, &ransomware).await, Err(CoreError::Forbidden(_))));

        // Highest current score first; filters by owner, treatment and score.
        let titles = |page: bulwark_core::list::ListPage<risks::Risk>| {
            page.items.into_iter().map(|r| r.title).collect::<Vec<_>>()
        };
        let list = |pairs: &[(&str, &str)]| {
            let raw = RawListQuery {
                filters: pairs
                    .iter()
                    .filter(|(k, _)| *k != "dir")
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                dir: pairs.iter().find(|(k, _)| *k == "dir").map(|(_, v)| v.to_string()),
                ..Default::default()
            };
            risks::LIST.parse(&raw).unwrap()
        };
        let mut rd = r(s).await;
        assert_eq!(
            titles(rd.list_risks(&list(&[("dir", "desc")])).await.unwrap()),
            ["Phishing", "Lost laptop", "Ransomware on the file server"]
        );
        let owned = list(&[("owner_id", &ada.id.to_string())]);
        assert_eq!(rd.list_risks(&owned).await.unwrap().total, 2, "{backend:?}");
        assert_eq!(
            titles(rd.list_risks(&list(&[("score_min", "8"), ("score_max", "19")])).await.unwrap()),
            ["Lost laptop"]
        );
        assert_eq!(
            titles(rd.list_risks(&list(&[("treatment", "mitigate")])).await.unwrap()),
            ["Ransomware on the file server"]
        );
        let search = risks::LIST.parse(&RawListQuery { q: Some("LAPTOP".into()), ..Default::default() }).unwrap();
        assert_eq!(rd.list_risks(&search).await.unwrap().total, 1);
        let listed = rd.list_risks(&list(&[("treatment", "mitigate")])).await.unwrap();
        assert_eq!(listed.items[0].control_ids, [backups], "the page carries its control links");
        assert!(
            risks::LIST
                .parse(&RawListQuery { filters: vec![("score_min".into(), "0".into())], ..Default::default() })
                .is_err()
        );
        let map = rd.risk_heat_map().await.unwrap();
        let at = |cells: &[risks::HeatCell], p, i| {
            cells.iter().find(|c| c.probability == p && c.impact == i).map(|c| c.count)
        };
        assert_eq!(
            (at(&map.inherent, 4, 5), at(&map.residual, 2, 3), at(&map.residual, 4, 5)),
            (Some(1), Some(1), None)
        );
        assert_eq!(map.highest_level(), 5);
        assert_eq!(
            rd.risk_controls(r1.id).await.unwrap().iter().map(|c| c.title.as_str()).collect::<Vec<_>>(),
            ["Offline backups"]
        );
        assert_eq!(rd.control_risks(backups).await.unwrap().len(), 1);
        drop(rd);

        // Accepting above the threshold asks management; within it does not.
        let phishing = r(s).await.list_risks(&list(&[("score_min", "20")])).await.unwrap().items.remove(0);
        let accept = RiskInput {
            treatment: "accept".into(),
            treatment_plan: "Awareness training covers it".into(),
            version: Some(bulwark_core::version::version_of(phishing.updated_at)),
            ..RiskInput::from(&phishing)
        };
        let pending = risks::update(s, &security, now, phishing.id, &accept).await.unwrap();
        assert_eq!(pending.acceptance, Acceptance::Pending);
        let approval_id = pending.approval_id.clone().expect("an approval was asked for");
        assert!(approvals::decide(s, &security, now, &approval_id, true, "").await.is_err(), "security cannot decide");
        let ceo =
            Actor { label: "ceo@example.com".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
        approvals::decide(s, &ceo, now, &approval_id, true, "Accepted for this year").await.unwrap();
        let accepted = r(s).await.get_risk(phishing.id).await.unwrap();
        assert_eq!((accepted.acceptance, accepted.accepted_score), (Acceptance::Approved, Some(20)), "{backend:?}");
        let laptop = r(s).await.list_risks(&list(&[("owner_id", &bob.id.to_string())])).await.unwrap().items.remove(0);
        let within = RiskInput {
            treatment: "accept".into(),
            treatment_plan: "Cheap devices".into(),
            version: None,
            ..RiskInput::from(&laptop)
        };
        let laptop = risks::update(s, &security, now, laptop.id, &within).await.unwrap();
        assert_eq!((laptop.treatment, laptop.acceptance), (Treatment::Accept, Acceptance::WithinAppetite));
        let worse = RiskInput {
            impact: "5".into(),
            title: "Lost laptop with Łukasz's notes".into(),
            version: None,
            ..RiskInput::from(&laptop)
        };
        let laptop = risks::update(s, &security, now, laptop.id, &worse).await.unwrap();
        // An edit reaches the search index: the new title is found (in any case), no longer
        // the words it dropped.
        let searched = |q: &str| risks::LIST.parse(&RawListQuery { q: Some(q.into()), ..Default::default() }).unwrap();
        assert_eq!(
            titles(r(s).await.list_risks(&searched("ŁUKASZ")).await.unwrap()),
            ["Lost laptop with Łukasz's notes"]
        );
        assert_eq!(r(s).await.list_risks(&searched("laptop with")).await.unwrap().total, 1, "{backend:?}");
        assert_eq!(laptop.acceptance, Acceptance::Pending, "10 is above the threshold of 8");
        approvals::decide(s, &ceo, now, laptop.approval_id.as_deref().unwrap(), false, "Encrypt them").await.unwrap();
        assert_eq!(r(s).await.get_risk(laptop.id).await.unwrap().acceptance, Acceptance::Rejected);

        // The owner's review task, its reminder, and recording the review.
        let open_reviews = |tasks: Vec<bulwark_core::policies::campaigns::Task>| {
            tasks.into_iter().filter(|t| t.kind == "review" && t.state == "open").map(|t| t.due_at).collect::<Vec<_>>()
        };
        let tasks =
            r(s).await.list_tasks(ada.id, &bulwark_core::policies::campaigns::TASKS.first_page(50)).await.unwrap();
        assert_eq!(open_reviews(tasks.items).len(), 2, "a review task per risk Ada owns");
        let due = r1.review_on.midnight().assume_utc();
        assert_eq!(scheduler::run_due(s, due, 10).await.unwrap(), 3, "the three reviews fall due together");
        let mails = r(s).await.list_undelivered(20).await.unwrap();
        assert!(mails.iter().any(|m| m.target == "ada@example.com" && m.subject.starts_with("Review due: Ransomware")));
        let owner = Actor { person_id: Some(ada.id), roles: vec![bulwark_core::Role::Employee], ..Actor::cli() };
        let later = due + time::Duration::days(3);
        let reviewed = risks::record_review(s, &owner, later, r1.id).await.unwrap();
        assert_eq!(
            (reviewed.last_reviewed_on, reviewed.review_on),
            (Some(later.date()), later.date() + time::Duration::days(365))
        );
        assert!(matches!(risks::record_review(s, &employee, later, r1.id).await, Err(CoreError::NotFound)), "not hers");
        assert!(risks::get(s, &owner, r1.id).await.is_ok(), "the owner sees her risk");
        let tasks =
            r(s).await.list_tasks(ada.id, &bulwark_core::policies::campaigns::TASKS.first_page(50)).await.unwrap();
        let dues = open_reviews(tasks.items);
        assert!(dues.contains(&reviewed.review_on.midnight().assume_utc()) && dues.len() == 2, "{dues:?}");

        // Settings: the scale cannot drop below a rating in use; the threshold fits the scale.
        let shrink = RiskSettingsInput { scale: "4".into(), ..Default::default() };
        assert!(matches!(risks::update_settings(s, &cli, later, &shrink).await, Err(CoreError::Invalid(_))));
        let too_high = RiskSettingsInput { acceptance_threshold: "26".into(), ..Default::default() };
        assert!(risks::update_settings(s, &cli, later, &too_high).await.is_err());
        let wider = RiskSettingsInput { scale: "7".into(), acceptance_threshold: "12".into(), ..Default::default() };
        let saved = risks::update_settings(s, &cli, later, &wider).await.unwrap();
        assert_eq!((saved.scale, saved.acceptance_threshold, saved.review_days), (7, 12, 365));
        assert!(risks::update_settings(s, &security, later, &wider).await.is_err(), "admins only");

        // The repository writes one by one.
        let stored = r(s).await.get_risk(r1.id).await.unwrap();
        let mut tx = s.write().await.unwrap();
        let copy = risks::Risk { id: bulwark_core::ids::RiskId::new(), control_ids: vec![], ..stored.clone() };
        tx.insert_risk(&copy).await.unwrap();
        let linked =
            risks::Risk { control_ids: vec![backups], updated_at: later + time::Duration::seconds(1), ..copy.clone() };
        tx.update_risk(&copy, &linked).await.unwrap();
        assert!(tx.update_risk(&copy, &linked).await.is_err(), "based on a stale version");
        let current = tx.risk_settings().await.unwrap();
        let stale = risks::RiskSettings { review_days: 30, ..current.clone() };
        tx.update_risk_settings(&settings, &stale).await.expect_err("stale settings");
        tx.audit(bulwark_core::audit::AuditRecord::new(&cli, later, "test", "x", "1", None::<&()>, None::<&()>));
        tx.commit().await.unwrap();
        assert_eq!(r(s).await.find_risk(copy.id).await.unwrap().unwrap().control_ids, [backups]);
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn vulnerability_reports_are_followed_by_secret_link_triaged_and_answered_alike_on_every_backend() {
    use bulwark_core::incidents::disclosure::{self, ReportStatus, SettingsInput, Submission, TriageInput};
    use bulwark_core::scheduler;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, cli) = (&db.store as &dyn Store, Actor::cli());
        let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        let events =
            ["vulnerability.report".to_string(), "vulnerability.message".into(), "vulnerability.deadline".into()];
        bulwark_core::notify::add_channel(s, &cli, now, "security", "email", "sec@example.com", &events).await.unwrap();

        // Bad input stores nothing; a filled-in honeypot is refused.
        let bad = Submission { title: " ".into(), reporter_email: "not-an-address".into(), ..Default::default() };
        let Err(CoreError::Invalid(errors)) = disclosure::submit(s, now, &bad).await else { panic!("refused") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "description", "reporter_email"], "{backend:?}");
        let input = Submission {
            title: "Stored XSS in the profile page".into(),
            description: "Put <script> in the display name.\nIt runs for every visitor.".into(),
            affected: "https://app.example.com/profile".into(),
            reporter_name: "Grace".into(),
            reporter_email: "Grace@Example.org".into(),
            website: String::new(),
        };
        let bot = Submission { website: "http://spam.example".into(), ..input.clone() };
        assert!(disclosure::submit(s, now, &bot).await.is_err());
        assert_eq!(r(s).await.list_reports(&disclosure::LIST.first_page(10)).await.unwrap().total, 0);

        let (report, secret) = disclosure::submit(s, now, &input).await.unwrap();
        assert_eq!((report.status, report.reporter_email.as_str()), (ReportStatus::New, "grace@example.org"));
        assert_eq!(report.deadline_on, now.date() + time::Duration::days(90));
        let mut rd = r(s).await;
        assert_eq!(
            rd.report_by_secret(&bulwark_core::identity::accounts::sha256_hex(&secret)).await.unwrap(),
            Some(report.id)
        );
        assert_eq!(rd.report_by_secret(&secret).await.unwrap(), None, "only the hash is stored");
        assert_eq!(rd.find_report(report.id).await.unwrap().unwrap().title, report.title);
        let told = rd.list_undelivered(10).await.unwrap();
        let mut events: Vec<_> = told.iter().map(|m| m.event.as_str()).collect();
        events.sort();
        assert_eq!(events, ["vulnerability.confirm", "vulnerability.report"], "{backend:?}");
        drop(rd);
        // The reporter confirms their address with the link of the one message sent to it.
        let ask = told.iter().find(|m| m.event == "vulnerability.confirm").unwrap();
        let token = ask.body.split("/confirm/").nth(1).and_then(|r| r.split_whitespace().next()).unwrap();
        assert!(matches!(disclosure::confirm_reporter_email(s, now, "wrong").await, Err(CoreError::NotFound)));
        disclosure::confirm_reporter_email(s, now, token).await.unwrap();
        assert!(s.write().await.unwrap().report_email_confirmed(report.id).await.unwrap(), "{backend:?}");
        assert!(matches!(disclosure::track(s, "wrong").await, Err(CoreError::NotFound)));

        // The conversation: the reporter writes, the team replies, the reporter is e-mailed.
        disclosure::reporter_message(s, now, &secret, "Any news?").await.unwrap();
        assert!(disclosure::reporter_message(s, now, &secret, "  ").await.is_err());
        let employee = Actor { roles: vec![bulwark_core::Role::Employee], ..Actor::cli() };
        assert!(matches!(
            disclosure::team_message(s, &employee, now, report.id, "x").await,
            Err(CoreError::Forbidden(_))
        ));
        let security =
            Actor { label: "sec@example.com".into(), roles: vec![bulwark_core::Role::Security], ..Actor::cli() };
        let later = now + time::Duration::hours(1);
        disclosure::team_message(s, &security, later, report.id, "Confirmed, fixing it.").await.unwrap();
        let (_, messages) = disclosure::track(s, &secret).await.unwrap();
        let said: Vec<_> = messages.iter().map(|m| (m.from_reporter, m.body.as_str())).collect();
        assert_eq!(said, [(true, "Any news?"), (false, "Confirmed, fixing it.")]);
        assert_eq!(r(s).await.report_messages(report.id).await.unwrap().len(), 2);
        let mails = r(s).await.list_undelivered(10).await.unwrap();
        let reply = mails.iter().find(|m| m.event == "vulnerability.reply").expect("the reporter is e-mailed");
        assert_eq!(reply.target, "grace@example.org");
        assert!(!reply.body.contains(&secret), "the secret link never leaves the reporter's hands");

        // Triage: a CVSS vector is scored, a bad one named; a CVE id has its form.
        let triage = |vector: &str, cve: &str| TriageInput {
            status: "accepted".into(),
            cvss_vector: vector.into(),
            cve_id: cve.into(),
            credit: "Grace".into(),
            ..Default::default()
        };
        let Err(CoreError::Invalid(errors)) =
            disclosure::triage(s, &security, later, report.id, &triage("CVSS:3.1/AV:N", "CVE-26-1")).await
        else {
            panic!("refused")
        };
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["cvss_vector", "cve_id"]);
        let vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N";
        let triaged =
            disclosure::triage(s, &security, later, report.id, &triage(vector, "cve-2026-12345")).await.unwrap();
        assert_eq!((triaged.cvss_score, triaged.severity.as_deref()), (Some(6.1), Some("Medium")));
        assert_eq!((triaged.status, triaged.cve_id.as_str()), (ReportStatus::Accepted, "CVE-2026-12345"));
        let open = RawListQuery { filters: vec![("status".into(), "accepted".into())], ..Default::default() };
        assert_eq!(r(s).await.list_reports(&disclosure::LIST.parse(&open).unwrap()).await.unwrap().total, 1);

        // 30 and 7 days before the deadline the channels are reminded, once each.
        let reminder = (report.deadline_on - time::Duration::days(7)).midnight().assume_utc();
        assert_eq!(scheduler::run_due(s, reminder, 10).await.unwrap(), 2, "{backend:?}");
        assert_eq!(scheduler::run_due(s, reminder, 10).await.unwrap(), 0);
        let reminded = r(s).await.list_undelivered(20).await.unwrap();
        let deadlines =
            reminded.iter().filter(|m| m.event == "vulnerability.deadline" && m.subject.contains("Stored XSS"));
        assert_eq!(deadlines.count(), 2);

        // Settings: contacts and URLs checked; security.txt follows.
        let bad = SettingsInput {
            contacts: "security@example.com".into(),
            policy_url: "http://x".into(),
            ..Default::default()
        };
        assert!(disclosure::update_settings(s, &cli, later, &bad).await.is_err());
        let good = SettingsInput {
            contacts: "mailto:security@example.com".into(),
            expires_days: "30".into(),
            ..Default::default()
        };
        let saved = disclosure::update_settings(s, &cli, later, &good).await.unwrap();
        let text = disclosure::security_txt(&saved, "https://isms.example.com", later);
        assert!(text.starts_with("Contact: mailto:security@example.com\n"), "{text}");

        // The repository writes one by one.
        let stored = r(s).await.get_report(report.id).await.unwrap();
        let mut tx = s.write().await.unwrap();
        let copy = disclosure::VulnReport { id: bulwark_core::ids::ReportId::new(), ..stored.clone() };
        tx.insert_report(&copy, "another-hash").await.unwrap();
        let fixed = disclosure::VulnReport {
            status: ReportStatus::Fixed,
            updated_at: later + time::Duration::seconds(1),
            ..copy.clone()
        };
        tx.update_report(&copy, &fixed).await.unwrap();
        assert!(tx.update_report(&copy, &fixed).await.is_err(), "based on a stale version");
        let note = disclosure::ReportMessage {
            id: "m1".into(),
            report_id: copy.id,
            from_reporter: false,
            author: "cli".into(),
            body: "Fixed in 2.4.1".into(),
            created_at: later,
        };
        tx.insert_report_message(&note).await.unwrap();
        let current = tx.disclosure_settings().await.unwrap();
        tx.update_disclosure_settings(&stored_settings(&current), &current).await.expect_err("stale settings");
        tx.audit(bulwark_core::audit::AuditRecord::new(&cli, later, "test", "x", "1", None::<&()>, None::<&()>));
        tx.commit().await.unwrap();
        assert_eq!(r(s).await.get_report(copy.id).await.unwrap().status, ReportStatus::Fixed);
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

/// The settings as they were before some change (a stale copy).
fn stored_settings(
    current: &bulwark_core::incidents::disclosure::DisclosureSettings,
) -> bulwark_core::incidents::disclosure::DisclosureSettings {
    bulwark_core::incidents::disclosure::DisclosureSettings { updated_at: time_util::from_micros(0), ..current.clone() }
}

#[tokio::test]
async fn incidents_are_seen_only_by_the_team_their_reporter_and_members_alike_on_every_backend() {
    use bulwark_core::incidents::{self, AssessmentInput, IncidentStatus, ReportInput};
    use bulwark_core::scheduler;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, cli) = (&db.store as &dyn Store, Actor::cli());
        let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        let ada = people::create(s, &cli, now, &person("Ada Lovelace", "ada@example.com")).await.unwrap();
        let bob = people::create(s, &cli, now, &person("Bob Builder", "bob@example.com")).await.unwrap();
        let eve = people::create(s, &cli, now, &person("Eve Other", "eve@example.com")).await.unwrap();
        let employee = |p: &bulwark_core::organisation::people::Person| Actor {
            person_id: Some(p.id),
            label: p.email.clone(),
            roles: vec![bulwark_core::Role::Employee],
            ..Actor::cli()
        };
        let security =
            Actor { label: "sec@example.com".into(), roles: vec![bulwark_core::Role::Security], ..Actor::cli() };
        let events = ["incident.report".to_string(), "incident.authority_due".into()];
        bulwark_core::notify::add_channel(s, &cli, now, "security", "email", "sec@example.com", &events).await.unwrap();

        let bad = ReportInput { title: "Laptop gone".into(), ..Default::default() };
        let Err(CoreError::Invalid(errors)) = incidents::report(s, &employee(&ada), now, &bad).await else { panic!() };
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["category", "description"]);
        let input = ReportInput {
            title: "Laptop stolen from my car".into(),
            category: "lost-device".into(),
            description: "Asset tag L-1042, locked, encrypted.".into(),
            personal_data: "on".into(),
        };
        let incident = incidents::report(s, &employee(&ada), now, &input).await.unwrap();
        assert_eq!(incident.authority_due(), Some(now + time::Duration::hours(72)));
        assert_eq!(incident.hours_left(&(now + time::Duration::hours(10))), Some(62));
        let told: Vec<_> = r(s).await.list_undelivered(10).await.unwrap().into_iter().map(|m| m.event).collect();
        assert_eq!(told, ["incident.report"], "{backend:?}");

        // Who sees it: the reporter and the team; Bob once added; Eve never.
        assert!(incidents::get(s, &employee(&ada), incident.id).await.is_ok());
        assert!(matches!(incidents::get(s, &employee(&eve), incident.id).await, Err(CoreError::NotFound)));
        assert!(matches!(incidents::get(s, &employee(&bob), incident.id).await, Err(CoreError::NotFound)));
        let all = incidents::LIST.first_page(50);
        assert_eq!(incidents::list(s, &employee(&eve), &all).await.unwrap().total, 0);
        assert_eq!(incidents::list(s, &security, &all).await.unwrap().total, 1);
        let searched =
            |q: &str| incidents::LIST.parse(&RawListQuery { q: Some(q.into()), ..Default::default() }).unwrap();
        assert_eq!(incidents::list(s, &security, &searched("STOLEN FROM")).await.unwrap().total, 1, "{backend:?}");
        assert_eq!(incidents::list(s, &security, &searched("stolen from a bus")).await.unwrap().total, 0);
        assert_eq!(incidents::list(s, &employee(&eve), &searched("stolen")).await.unwrap().total, 0, "not hers");
        incidents::add_member(s, &security, now, incident.id, "bob@example.com").await.unwrap();
        assert!(incidents::get(s, &employee(&bob), incident.id).await.is_ok());
        assert_eq!(incidents::list(s, &employee(&bob), &all).await.unwrap().items[0].id, incident.id);
        assert!(matches!(
            incidents::comment(s, &employee(&eve), now, incident.id, "me too").await,
            Err(CoreError::NotFound)
        ));
        incidents::comment(s, &employee(&bob), now, incident.id, "I saw the car window broken.").await.unwrap();
        assert!(matches!(
            incidents::advance(s, &employee(&ada), now, incident.id, "triaged", "").await,
            Err(CoreError::Forbidden(_))
        ));

        // The workflow moves forward only; closing needs the lessons learned.
        let assessed = AssessmentInput {
            severity: "high".into(),
            confidentiality: "high".into(),
            personal_data: "on".into(),
            ..Default::default()
        };
        incidents::assess(s, &security, now, incident.id, &assessed).await.unwrap();
        incidents::advance(s, &security, now, incident.id, "contained", "").await.unwrap();
        assert!(incidents::advance(s, &security, now, incident.id, "triaged", "").await.is_err(), "never backwards");
        let Err(CoreError::Invalid(errors)) = incidents::advance(s, &security, now, incident.id, "closed", " ").await
        else {
            panic!("closing without lessons learned is refused")
        };
        assert_eq!(errors[0].field, "lessons_learned");
        let laptop = bulwark_core::assets::create(
            s,
            &cli,
            now,
            &bulwark_core::assets::AssetInput { name: "ThinkPad L-1042".into(), ..Default::default() },
        )
        .await
        .unwrap();
        incidents::link(s, &security, now, incident.id, "asset", &laptop.id.to_string()).await.unwrap();
        assert!(incidents::link(s, &security, now, incident.id, "asset", &ada.id.to_string()).await.is_err());
        let task =
            incidents::add_task(s, &security, now, incident.id, "ada@example.com", "Wipe the laptop remotely", "")
                .await
                .unwrap();
        assert_eq!(task.link(), format!("/incidents/{}", incident.id));

        let owed = r(s).await.incidents_owing_notification(10).await.unwrap();
        assert_eq!(owed.iter().map(|i| i.id).collect::<Vec<_>>(), [incident.id], "{backend:?}");
        // The 72-hour clock: reminders at 24, 48 and 66 hours until the authority is notified.
        assert_eq!(scheduler::run_due(s, now + time::Duration::hours(24), 10).await.unwrap(), 1, "{backend:?}");
        let reminders = r(s).await.list_undelivered(20).await.unwrap();
        assert!(reminders.iter().any(|m| m.subject.starts_with("48 hours left to notify the authority")));
        incidents::record_authority_notified(s, &security, now + time::Duration::hours(30), incident.id, "")
            .await
            .unwrap();
        assert!(incidents::record_authority_notified(s, &security, now, incident.id, "").await.is_err(), "once");
        assert!(r(s).await.incidents_owing_notification(10).await.unwrap().is_empty());
        assert_eq!(scheduler::run_due(s, now + time::Duration::hours(70), 10).await.unwrap(), 2, "the jobs still run");
        let after = r(s).await.list_undelivered(20).await.unwrap().len();
        assert_eq!(after, reminders.len(), "but remind nobody once the authority was told");

        let closed = incidents::advance(
            s,
            &security,
            now + time::Duration::hours(71),
            incident.id,
            "closed",
            "Encrypt every laptop.",
        )
        .await
        .unwrap();
        assert_eq!(closed.status, IncidentStatus::Closed);
        let detail = incidents::get(s, &security, incident.id).await.unwrap();
        let kinds: Vec<_> = detail.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["reported", "member", "comment", "update", "status", "link", "task", "authority", "status"]);
        assert_eq!(detail.links[0].label, "ThinkPad L-1042");
        let open_tasks =
            r(s).await.list_tasks(ada.id, &bulwark_core::policies::campaigns::TASKS.first_page(50)).await.unwrap();
        assert!(open_tasks.items.iter().all(|t| t.kind != "incident" || t.state != "open"), "closing closes its tasks");

        // The response plan, and the repository functions one by one.
        let policy = published_policy(s, now, "Incident management policy", "# Plan\n").await.id;
        incidents::set_response_plan(s, &cli, now, &policy.to_string()).await.unwrap();
        assert_eq!(incidents::response_plan(s).await.unwrap().map(|(id, _)| id), Some(policy));
        let mut rd = r(s).await;
        assert_eq!(rd.incident_plan().await.unwrap(), Some(policy));
        assert_eq!(rd.incidents_of(bob.id).await.unwrap().len(), 1);
        assert_eq!(rd.incident_members(incident.id).await.unwrap().len(), 2, "Bob, and Ada given a task");
        assert_eq!(rd.incident_links(incident.id).await.unwrap().len(), 1);
        assert_eq!(rd.incident_events(incident.id).await.unwrap().len(), 9);
        assert!(rd.find_incident(incident.id).await.unwrap().is_some());
        assert_eq!(rd.list_incidents(&all).await.unwrap().total, 1);
        drop(rd);
        let stored = r(s).await.get_incident(incident.id).await.unwrap();
        let mut tx = s.write().await.unwrap();
        let copy = incidents::Incident { id: bulwark_core::ids::IncidentId::new(), ..stored.clone() };
        tx.insert_incident(&copy).await.unwrap();
        let renamed = incidents::Incident {
            title: "Renamed".into(),
            updated_at: now + time::Duration::seconds(1),
            ..copy.clone()
        };
        tx.update_incident(&copy, &renamed).await.unwrap();
        assert!(tx.update_incident(&copy, &renamed).await.is_err(), "based on a stale version");
        let note = incidents::Event {
            id: "e1".into(),
            incident_id: copy.id,
            at: now,
            author: "cli".into(),
            kind: "comment".into(),
            text: "x".into(),
        };
        tx.insert_incident_event(&note).await.unwrap();
        tx.add_incident_member(copy.id, eve.id).await.unwrap();
        tx.add_incident_member(copy.id, eve.id).await.unwrap();
        let l = incidents::Link { kind: "person".into(), target_id: eve.id.to_string(), label: "Eve".into() };
        tx.insert_incident_link(copy.id, &l).await.unwrap();
        tx.set_incident_plan(policy).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(&cli, now, "test", "x", "1", None::<&()>, None::<&()>));
        tx.commit().await.unwrap();
        assert_eq!(r(s).await.incidents_of(eve.id).await.unwrap()[0].title, "Renamed");
        assert!(db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn people_leaving_or_gone_get_no_new_campaign_tasks() {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let cli = Actor::cli();
        published_policy(s, now, "Use", "x").await;
        let stays = people::create(s, &cli, now, &person("Stays", "stays@example.com")).await.unwrap();
        let leaving = people::create(s, &cli, now, &person("Leaving", "leaving@example.com")).await.unwrap();
        bulwark_core::organisation::lifecycle::start_offboarding(s, &cli, now, leaving.id, "resigned").await.unwrap();
        let gone = PersonInput { status: "left".into(), ..person("Gone", "gone@example.com") };
        people::create(s, &cli, now, &gone).await.unwrap();
        let due = (now + time::Duration::days(10)).date().to_string();
        let input = CampaignInput { title: "Yearly".into(), due_date: due, ..Default::default() };
        let campaign = campaigns::create(s, &cli, now, &input).await.unwrap();
        let tasks = format!("SELECT COUNT(*) FROM tasks WHERE subject_id = '{}'", campaign.id);
        assert_eq!(db.store.count_raw(&tasks).await.unwrap(), 1, "{backend:?}: only the person who stays");
        let mine = r(s).await.list_tasks(stays.id, &campaigns::TASKS.first_page(10)).await.unwrap();
        assert_eq!(mine.total, 1);
        // Someone who joins while it runs is enrolled; someone joining as they leave is not.
        people::create(s, &cli, now, &person("New", "new@example.com")).await.unwrap();
        let late = PersonInput { status: "offboarding".into(), ..person("Late", "late@example.com") };
        people::create(s, &cli, now, &late).await.unwrap();
        assert_eq!(db.store.count_raw(&tasks).await.unwrap(), 2, "{backend:?}");
    }
}

#[tokio::test]
async fn access_ends_backlogs_move_and_versions_repin_alike_on_every_backend() {
    use bulwark_core::notify::{Channel, ChannelKind, OutboxMessage};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let account = bulwark_testkit::create_account(s, "zoe@example.com", &["employee"], "a long password!").await;
        let token = bulwark_core::identity::accounts::ApiToken {
            id: bulwark_core::ids::TokenId::new(),
            account_id: account.id,
            name: "ci".into(),
            prefix: "bwk_x".into(),
            created_at: now,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = s.write().await.unwrap();
        tx.insert_token(&token, "hash-1").await.unwrap();
        tx.insert_token(
            &bulwark_core::identity::accounts::ApiToken { id: bulwark_core::ids::TokenId::new(), ..token.clone() },
            "hash-2",
        )
        .await
        .unwrap();
        assert_eq!(tx.revoke_tokens_of(account.id, now).await.unwrap(), 2, "{backend:?}");
        assert_eq!(tx.revoke_tokens_of(account.id, now).await.unwrap(), 0, "revoked once");

        // A reporter's address: confirmed once, by the hash of its link.
        let input = bulwark_core::incidents::disclosure::Submission {
            title: "XSS".into(),
            description: "d".into(),
            ..Default::default()
        };
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &Actor::cli(),
            now,
            "test.step",
            "test",
            "x",
            None::<&()>,
            None::<&()>,
        ));
        tx.commit().await.unwrap();
        let (report, _) = bulwark_core::incidents::disclosure::submit(s, now, &input).await.unwrap();
        let mut tx = s.write().await.unwrap();
        tx.expect_report_email_confirmation(report.id, "confirm-hash").await.unwrap();
        assert!(!tx.report_email_confirmed(report.id).await.unwrap());
        assert_eq!(tx.confirm_report_email("other-hash", now).await.unwrap(), None);
        assert_eq!(tx.confirm_report_email("confirm-hash", now).await.unwrap(), Some(report.id));
        assert_eq!(tx.confirm_report_email("confirm-hash", now).await.unwrap(), None, "a link works once");
        assert!(tx.report_email_confirmed(report.id).await.unwrap(), "{backend:?}");

        // A channel's backlog: repointed, retried, discarded, deleted with the channel.
        let channel = Channel {
            name: "chat".into(),
            kind: ChannelKind::Webhook,
            target: "https://old.example/h".into(),
            events: vec![],
            created_at: now,
        };
        tx.upsert_channel(&channel).await.unwrap();
        let message = |id: &str| OutboxMessage {
            id: id.into(),
            channel: "chat".into(),
            kind: ChannelKind::Webhook,
            target: "https://old.example/h".into(),
            event: "incident.report".into(),
            subject: "s".into(),
            body: "b".into(),
            attempts: 3,
            next_attempt_at: now + time::Duration::hours(1),
            delivered_at: None,
            last_error: Some("timeout".into()),
            created_at: now,
        };
        for id in ["m1", "m2"] {
            tx.insert_outbox(&message(id)).await.unwrap();
        }
        let moved = Channel { kind: ChannelKind::Email, target: "team@example.com".into(), ..channel.clone() };
        assert_eq!(tx.retarget_outbox(&moved, now).await.unwrap(), 2, "{backend:?}");
        assert!(tx.retry_outbox("m1", now).await.unwrap());
        assert!(!tx.retry_outbox("nope", now).await.unwrap());
        assert!(tx.discard_outbox("m2").await.unwrap());
        assert!(!tx.discard_outbox("m2").await.unwrap(), "gone");
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &Actor::cli(),
            now,
            "test.step",
            "test",
            "x",
            None::<&()>,
            None::<&()>,
        ));
        tx.commit().await.unwrap();
        let waiting = r(s).await.list_undelivered(10).await.unwrap();
        let m1 = waiting.iter().find(|m| m.id == "m1").unwrap();
        let at = time_util::from_micros(time_util::to_micros(now)); // kept to the microsecond
        assert_eq!((m1.kind, m1.target.as_str(), m1.next_attempt_at), (ChannelKind::Email, "team@example.com", at));
        assert!(waiting.iter().all(|m| m.id != "m2"));
        let mut tx = s.write().await.unwrap();
        assert!(tx.delete_channel("chat").await.unwrap());
        assert!(!tx.delete_channel("chat").await.unwrap());
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &Actor::cli(),
            now,
            "test.step",
            "test",
            "x",
            None::<&()>,
            None::<&()>,
        ));
        tx.commit().await.unwrap();
        assert!(r(s).await.list_undelivered(10).await.unwrap().iter().all(|m| m.channel != "chat"), "{backend:?}");
        assert!(r(s).await.list_channels().await.unwrap().is_empty());

        // Open campaigns follow a new version of a policy; closed ones keep theirs.
        let policy = published_policy(s, now, "Use", "v1").await;
        let due = (now + time::Duration::days(10)).date().to_string();
        let input = bulwark_core::policies::campaigns::CampaignInput {
            title: "Yearly".into(),
            due_date: due,
            ..Default::default()
        };
        let open = bulwark_core::policies::campaigns::create(s, &Actor::cli(), now, &input).await.unwrap();
        let mut tx = s.write().await.unwrap();
        assert_eq!(tx.repin_open_campaigns(policy.id, 2, "hash-of-v2").await.unwrap(), [open.id], "{backend:?}");
        assert!(tx.repin_open_campaigns(policy.id, 2, "hash-of-v2").await.unwrap().is_empty(), "pinned already");
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &Actor::cli(),
            now,
            "test.step",
            "test",
            "x",
            None::<&()>,
            None::<&()>,
        ));
        tx.commit().await.unwrap();
        let pinned = r(s).await.list_campaign_versions(open.id).await.unwrap();
        assert_eq!((pinned[0].number, pinned[0].content_hash.as_str()), (2, "hash-of-v2"));
    }
}

#[tokio::test]
async fn a_campaign_is_moved_repeated_and_cancelled_alike_on_every_backend() {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    use bulwark_core::scheduler;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now, cli) = (&db.store as &dyn Store, time_util::now(), Actor::cli());
        published_policy(s, now, "Acceptable use", "v1").await;
        let mut people_ids = Vec::new();
        for (i, name) in ["Ann", "Bo"].iter().enumerate() {
            people_ids
                .push(people::create(s, &cli, now, &person(name, &format!("r{i}@example.com"))).await.unwrap().id);
        }
        let yearly = CampaignInput {
            title: "Yearly acknowledgment".into(),
            due_date: (now + time::Duration::days(30)).date().to_string(),
            repeat_months: "12".into(),
            ..Default::default()
        };
        let bad = CampaignInput { repeat_months: "99".into(), ..yearly.clone() };
        match campaigns::create(s, &cli, now, &bad).await {
            Err(CoreError::Invalid(e)) => assert_eq!(e[0].field, "repeat_months"),
            other => panic!("{other:?}"),
        }
        let first = campaigns::create(s, &cli, now, &yearly).await.unwrap();
        assert_eq!((first.repeat_months, first.assigned), (12, 2), "{backend:?}");

        // The due date moves, and the open tasks and the reminder with it.
        let later = (now + time::Duration::days(60)).date();
        assert!(campaigns::change_due_date(s, &cli, now, first.id, "2020-01-01").await.is_err(), "past");
        let a_moment_later = now + time::Duration::seconds(1);
        let moved = campaigns::change_due_date(s, &cli, a_moment_later, first.id, &later.to_string()).await.unwrap();
        assert_eq!(moved.due_at.date(), later);
        let task = campaigns::task_id("acknowledge", &first.id.to_string(), people_ids[0]);
        assert_eq!(r(s).await.find_task(&task).await.unwrap().unwrap().due_at, moved.due_at, "{backend:?}");
        let jobs = r(s).await.list_pending_jobs(10).await.unwrap();
        let reminder = jobs.iter().find(|j| *j.kind == scheduler::CAMPAIGN_REMINDER).unwrap();
        assert_eq!(reminder.due_at, moved.due_at - scheduler::REMINDER_LEAD, "the reminder moved too");
        let mut tx = s.write().await.unwrap();
        assert!(tx.move_campaign_due(&first, moved.due_at, now).await.is_err(), "a stale campaign is a conflict");
        let rearmed = scheduler::Job { due_at: now, done_at: Some(now), ..reminder.clone() };
        tx.replan_job(&rearmed).await.unwrap();
        assert!(tx.finish_job(&reminder.id, now).await.unwrap(), "replanned: not done, due now");
        drop(tx);

        // A year on, the next round opens by itself: same title and audience, due a year later.
        let year = time_util::add_months(now, 12);
        scheduler::run_due(s, year, 50).await.unwrap();
        let all = r(s).await.list_campaigns(&campaigns::LIST.first_page(10)).await.unwrap().items;
        assert_eq!(all.len(), 2, "{backend:?}");
        let next = all.iter().find(|c| c.id != first.id).unwrap();
        assert_eq!(
            (next.title.as_str(), next.repeat_months, next.assigned, next.due_at.date()),
            ("Yearly acknowledgment", 12, 2, time_util::add_months(moved.due_at, 12).date())
        );
        assert!(r(s).await.find_campaign(first.id).await.unwrap().unwrap().closed_at.is_some(), "the round before");

        // Cancelled, its open tasks are withdrawn and no further round opens.
        let cancelled = campaigns::cancel(s, &cli, year, next.id).await.unwrap();
        assert!(cancelled.cancelled_at.is_some() && cancelled.closed_at.is_some());
        let rows = r(s).await.list_participants(next.id, false, None, 10).await.unwrap();
        assert!(rows.iter().all(|p| p.export_row()[4] == "cancelled"), "{rows:?}");
        assert!(matches!(campaigns::cancel(s, &cli, year, next.id).await, Err(CoreError::Invalid(_))), "once");
        let mut tx = s.write().await.unwrap();
        assert!(tx.cancel_campaign(&cancelled, year).await.is_err(), "closed already");
        drop(tx);
        scheduler::run_due(s, time_util::add_months(year, 13), 50).await.unwrap();
        let total = r(s).await.list_campaigns(&campaigns::LIST.first_page(10)).await.unwrap().total;
        assert_eq!(total, 2, "a cancelled campaign has no next round ({backend:?})");
    }
}

/// Kit input as a form sends it.
fn typed(pairs: &[(&str, &str)]) -> bulwark_core::records::input::RawRecord {
    bulwark_core::records::input::RawRecord::from_pairs(pairs.iter().copied())
}

#[tokio::test]
async fn kit_records_are_checked_stored_listed_scoped_and_versioned_alike() {
    use bulwark_core::organisation::authorities::AUTHORITY;
    use bulwark_core::records::{Named, Scope, Value, service};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let (cli, now) = (Actor::cli(), time_util::now());
        let ada = people::create(s, &cli, now, &person("Ada Lovelace", "ada@example.com")).await.unwrap();
        let bob = people::create(s, &cli, now, &person("Bob Kahn", "bob@example.com")).await.unwrap();
        let dpa = typed(&[
            ("name", "Data protection authority"),
            ("kind", "data-protection-authority"),
            ("when_to_contact", "Personal data breach: within 72 hours"),
            ("owner", "ada@example.com"),
            ("last_contacted_on", "2026-01-02"),
        ]);
        let dpa = service::create(s, &cli, &AUTHORITY, now, &dpa).await.unwrap();
        let cert = typed(&[
            ("name", "National CERT"),
            ("kind", "cert"),
            ("when_to_contact", "Ransomware"),
            ("owner", "Bob Kahn"),
        ]);
        let cert = service::create(s, &cli, &AUTHORITY, now, &cert).await.unwrap();

        // Every problem is named at once, and nothing is stored.
        let entries = audit_count(s).await;
        let bad = typed(&[("kind", "embassy"), ("owner", "nobody@example.com"), ("last_contacted_on", "2026-13-01")]);
        let Err(CoreError::Invalid(errors)) = service::create(s, &cli, &AUTHORITY, now, &bad).await else {
            panic!("refused")
        };
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["kind", "last_contacted_on", "name", "owner", "when_to_contact"], "{backend:?}");
        assert_eq!(audit_count(s).await, entries, "{backend:?}");

        // Read back with the names of what it refers to.
        let found = r(s).await.find_record(&AUTHORITY, &dpa.id).await.unwrap().expect("stored");
        let owner = Named { id: ada.id.to_string(), name: "Ada Lovelace".into() };
        assert_eq!(found.value("owner"), &Value::Ref(owner), "{backend:?}");
        assert_eq!(found.value("last_contacted_on").plain(), "2026-01-02");
        assert_eq!(found.value("notes"), &Value::Empty);

        // Filters, sorts by a person's name, search and keyset pages come from the description.
        let spec = AUTHORITY.list_spec();
        let list = |pairs: &[(&str, &str)]| {
            let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
            let filters = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let raw =
                RawListQuery { q: get("q"), filters, sort: get("sort"), dir: get("dir"), limit: Some(1), after: None };
            spec.parse(&raw).expect("a valid query")
        };
        let names = |page: &bulwark_core::list::ListPage<bulwark_core::records::Record>| {
            page.items.iter().map(|r| r.name()).collect::<Vec<_>>()
        };
        let certs = r(s).await.list_records(&AUTHORITY, &list(&[("kind", "cert")])).await.unwrap();
        assert_eq!((names(&certs), certs.total), (vec!["National CERT".to_string()], 1));
        let by_owner = r(s).await.list_records(&AUTHORITY, &list(&[("sort", "owner"), ("dir", "desc")])).await.unwrap();
        assert_eq!(names(&by_owner), ["National CERT"], "Bob before Ada, descending ({backend:?})");
        let next = ListQuery { after: by_owner.next.clone(), ..list(&[("sort", "owner"), ("dir", "desc")]) };
        let second = r(s).await.list_records(&AUTHORITY, &next).await.unwrap();
        assert_eq!((names(&second), second.next), (vec!["Data protection authority".to_string()], None));
        let found = r(s).await.list_records(&AUTHORITY, &list(&[("q", "72 HOURS")])).await.unwrap();
        assert_eq!(names(&found), ["Data protection authority"], "{backend:?}");

        // Names and ids pick records; pickers list them by name.
        let picked = r(s).await.find_named(AUTHORITY.target(), "national cert").await.unwrap();
        assert_eq!(picked.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [cert.id.as_str()]);
        assert_eq!(r(s).await.find_named(AUTHORITY.target(), &dpa.id).await.unwrap().len(), 1);
        let options = r(s).await.named_options(AUTHORITY.target()).await.unwrap();
        assert_eq!(
            options.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
            ["Data protection authority", "National CERT"]
        );

        // The owner reaches their own contact only, edits it, and cannot give it away.
        let owner_scope = Scope::Owner("owner");
        assert!(r(s).await.in_scope(&AUTHORITY, &dpa.id, owner_scope, ada.id).await.unwrap());
        assert!(!r(s).await.in_scope(&AUTHORITY, &dpa.id, owner_scope, bob.id).await.unwrap());
        let ada_acts = Actor {
            person_id: Some(ada.id),
            label: "ada@example.com".into(),
            roles: vec![bulwark_core::Role::Employee],
            ..Actor::cli()
        };
        let hers = service::list(s, &ada_acts, &AUTHORITY, &spec.first_page(50)).await.unwrap();
        assert_eq!(names(&hers), ["Data protection authority"], "{backend:?}");
        assert!(matches!(service::get(s, &ada_acts, &AUTHORITY, &cert.id).await, Err(CoreError::NotFound)));
        assert!(matches!(
            service::create(s, &ada_acts, &AUTHORITY, now, &typed(&[])).await,
            Err(CoreError::Forbidden(_))
        ));
        let later = now + time::Duration::seconds(1);
        service::update(s, &ada_acts, &AUTHORITY, later, &dpa.id, &typed(&[("notes", "Form on the portal")]))
            .await
            .unwrap();
        let away =
            service::update(s, &ada_acts, &AUTHORITY, later, &dpa.id, &typed(&[("owner", "bob@example.com")])).await;
        assert!(matches!(away, Err(CoreError::Invalid(ref e)) if e[0].field == "owner"), "{away:?}");
        let kept = service::get(s, &cli, &AUTHORITY, &dpa.id).await.unwrap().record;
        assert_eq!(
            (kept.value("owner").as_id(), kept.value("notes").plain()),
            (Some(ada.id.to_string().as_str()), "Form on the portal".into())
        );

        // An edit based on an older version is refused.
        let stale = bulwark_core::records::input::RawRecord { version: Some("1".into()), ..typed(&[("notes", "x")]) };
        let refused = service::update(s, &cli, &AUTHORITY, later, &dpa.id, &stale).await;
        assert!(matches!(refused, Err(CoreError::Stale(_))), "{refused:?}");

        // The writer's own operations, each audited in the same transaction.
        let mut copy = bulwark_core::records::service::blank(&AUTHORITY, now);
        copy.values = kept.values.clone();
        let mut tx = s.write().await.unwrap();
        tx.insert_record(&copy).await.unwrap();
        let renamed = {
            let mut c = copy.clone();
            c.set("name", Value::Text("DPA (copy)".into()));
            c.updated_at = later;
            c
        };
        tx.update_record(&copy, &renamed).await.unwrap();
        assert!(tx.update_record(&copy, &renamed).await.is_err(), "a second update from the same version");
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &cli,
            now,
            "authority.create",
            "authority",
            &copy.id,
            None::<&()>,
            Some(&renamed),
        ));
        tx.commit().await.unwrap();
        let mut tx = s.write().await.unwrap();
        tx.delete_record(&renamed, later).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &cli,
            now,
            "authority.delete",
            "authority",
            &copy.id,
            Some(&renamed),
            None::<&()>,
        ));
        tx.commit().await.unwrap();
        assert!(r(s).await.find_record(&AUTHORITY, &copy.id).await.unwrap().is_none());

        // Deleting is for the directory's managers, guarded by version and audited.
        service::delete(s, &cli, &AUTHORITY, later, &cert.id, None).await.unwrap();
        assert!(r(s).await.find_record(&AUTHORITY, &cert.id).await.unwrap().is_none(), "{backend:?}");
        let history = bulwark_core::audit::history(s, &cli, "authority", &dpa.id).await.unwrap().unwrap_or_default();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["authority.update", "authority.create"], "{backend:?}");
    }
}

#[tokio::test]
async fn kit_links_are_kept_in_order_replaced_and_removed_with_their_record() {
    use bulwark_core::organisation::information_systems::INFORMATION_SYSTEM as SYSTEM;
    use bulwark_core::records::{
        Value,
        input::{RawRecord, Typed},
        service,
    };
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let s: &dyn Store = &db.store;
        let (cli, now) = (Actor::cli(), time_util::now());
        let d = departments::create_department(
            s,
            &cli,
            now,
            &DepartmentInput { name: "Engineering".into(), ..Default::default() },
        )
        .await
        .unwrap();
        for name in ["Web server", "Database", "Backup store"] {
            let input = bulwark_core::assets::AssetInput { name: name.into(), ..Default::default() };
            bulwark_core::assets::create(s, &cli, now, &input).await.unwrap();
        }
        let mut raw = typed(&[("name", "Shop"), ("department", "engineering"), ("classification", "internal")]);
        raw.fields.insert("assets".into(), Typed::Many(vec!["Web server".into(), "database".into()]));
        let shop = service::create(s, &cli, &SYSTEM, now, &raw).await.unwrap();
        let names = |v: &Value| match v {
            Value::Links(l) => l.iter().map(|n| n.name.clone()).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let found = r(s).await.find_record(&SYSTEM, &shop.id).await.unwrap().unwrap();
        assert_eq!(names(found.value("assets")), ["Database", "Web server"], "{backend:?}");
        assert_eq!(found.value("department").as_id(), Some(d.id.to_string().as_str()));

        // A change replaces the links; a PATCH without the field keeps them.
        let later = now + time::Duration::seconds(1);
        let change = RawRecord {
            fields: [("assets".to_string(), Typed::Many(vec!["Backup store".into()]))].into(),
            version: None,
        };
        service::update(s, &cli, &SYSTEM, later, &shop.id, &change).await.unwrap();
        service::update(
            s,
            &cli,
            &SYSTEM,
            later + time::Duration::seconds(1),
            &shop.id,
            &typed(&[("description", "The web shop")]),
        )
        .await
        .unwrap();
        let found = r(s).await.find_record(&SYSTEM, &shop.id).await.unwrap().unwrap();
        assert_eq!(names(found.value("assets")), ["Backup store"], "{backend:?}");
        let bad =
            RawRecord { fields: [("assets".to_string(), Typed::Many(vec!["Mainframe".into()]))].into(), version: None };
        assert!(matches!(service::update(s, &cli, &SYSTEM, later, &shop.id, &bad).await, Err(CoreError::Invalid(_))));

        // Deleted with its record: a new record does not inherit them.
        service::delete(s, &cli, &SYSTEM, later, &shop.id, None).await.unwrap();
        let again = service::create(
            s,
            &cli,
            &SYSTEM,
            later,
            &typed(&[("name", "Shop"), ("department", "Engineering"), ("classification", "internal")]),
        )
        .await
        .unwrap();
        let found = r(s).await.find_record(&SYSTEM, &again.id).await.unwrap().unwrap();
        assert!(names(found.value("assets")).is_empty(), "{backend:?}");
    }
}

#[tokio::test]
async fn deciders_of_one_request_deciding_at_once_both_count() {
    use bulwark_core::access::{Role, Via};
    use bulwark_core::approvals::{self, ApprovalState, NewApproval};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let (s, now) = (&db.store as &dyn Store, time_util::now());
        let pw = bulwark_testkit::PASSWORD;
        let asker =
            bulwark_testkit::create_account(s, "asker@example.com", &["security"], pw).await.actor(Via::Session);
        let boss =
            bulwark_testkit::create_account(s, "boss@example.com", &["management"], pw).await.actor(Via::Session);
        let cfo = bulwark_testkit::create_account(s, "cfo@example.com", &["management"], pw).await.actor(Via::Session);
        let new = NewApproval {
            subject_type: "test",
            subject_id: "x",
            title: "Two to approve",
            link: "/",
            role: Some(Role::Management),
            people: &[],
            excluded: &[],
            needed: 2,
        };
        let mut tx = s.write().await.unwrap();
        let request = approvals::request(&mut *tx, &asker, now, new).await.unwrap();
        tx.lock_row("approvals", "no-such-request").await.expect("locking no row is no error");
        tx.commit().await.unwrap();
        // The second decides while the first has decided and not yet committed: it must wait for
        // the first and count its decision (else both would see one approval, and the request
        // would stay pending with two).
        let (decided, go) = tokio::sync::oneshot::channel::<()>();
        let first = async {
            let mut tx = s.write().await.unwrap();
            let after = approvals::decide_in(&mut *tx, &boss, now, &request, true, "").await;
            let _ = decided.send(());
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            tx.commit().await.map(|_| after)
        };
        let second = async {
            let _ = go.await;
            let mut tx = s.write().await.unwrap();
            let after = approvals::decide_in(&mut *tx, &cfo, now, &request, true, "").await;
            tx.commit().await.map(|_| after)
        };
        let (a, b) = tokio::join!(first, second);
        let states: Vec<_> = [a, b].into_iter().map(|r| r.unwrap().unwrap().state).collect();
        assert!(states.contains(&ApprovalState::Approved), "{backend:?}: {states:?}");
        let stored = r(s).await.find_approval(&request.id).await.unwrap().unwrap();
        assert_eq!(stored.state, ApprovalState::Approved, "{backend:?}");
        assert_eq!(r(s).await.list_decisions(&request.id).await.unwrap().len(), 2);
    }
}
