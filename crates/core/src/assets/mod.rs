//! The asset inventory (SPEC §3.6): information, devices, software and SaaS, intellectual
//! property — each with an owner (accountable), a custodian (looks after it), a classification,
//! a status and the person it is assigned to. A CSV import checks every row first and imports
//! all of them in one transaction or none, naming each broken row and why.

pub mod keys;

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{AssetId, PersonId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::organisation::people::{person_field, string_enum};
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};

string_enum!(AssetKind {
    Information = "information" / "Information",
    Device = "device" / "Device",
    Software = "software" / "Software",
    Saas = "saas" / "SaaS",
    IntellectualProperty = "intellectual-property" / "Intellectual property",
});
string_enum!(Classification {
    Public = "public" / "Public",
    Internal = "internal" / "Internal",
    Confidential = "confidential" / "Confidential",
    Restricted = "restricted" / "Restricted",
});
string_enum!(AssetStatus {
    InUse = "in-use" / "In use",
    InStock = "in-stock" / "In stock",
    Lost = "lost" / "Lost",
    Retired = "retired" / "Retired",
});

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Asset {
    pub id: AssetId,
    pub name: String,
    pub kind: AssetKind,
    pub classification: Classification,
    pub status: AssetStatus,
    pub owner_id: Option<PersonId>,
    pub custodian_id: Option<PersonId>,
    pub assigned_to: Option<PersonId>,
    /// Serial number, asset tag, URL or other identifier.
    pub identifier: String,
    pub description: String,
    /// Names of the people above, filled in on reads for display; not part of the record.
    #[serde(skip)]
    pub names: AssetPeople,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// Name and e-mail address of an asset's owner, custodian and assignee.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetPeople {
    pub owner: Option<PersonRef>,
    pub custodian: Option<PersonRef>,
    pub assignee: Option<PersonRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonRef {
    pub id: PersonId,
    pub name: String,
    pub email: String,
}

/// What a form, an API request or a CSV row says about an asset, before validation. People
/// are given by e-mail address or id.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssetInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub classification: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub custodian_id: String,
    #[serde(default)]
    pub assigned_to: String,
    #[serde(default)]
    pub identifier: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub version: Option<String>,
}

pub const LIST: ListSpec = ListSpec {
    filters: &[
        FilterSpec {
            name: "kind",
            label: "kind",
            kind: FilterKind::Choice(&["information", "device", "software", "saas", "intellectual-property"]),
        },
        FilterSpec {
            name: "classification",
            label: "classification",
            kind: FilterKind::Choice(&["public", "internal", "confidential", "restricted"]),
        },
        FilterSpec {
            name: "status",
            label: "status",
            kind: FilterKind::Choice(&["in-use", "in-stock", "lost", "retired"]),
        },
        FilterSpec { name: "owner_id", label: "owner", kind: FilterKind::Id },
        FilterSpec { name: "assigned_to", label: "assignee", kind: FilterKind::Id },
    ],
    sorts: &[
        SortSpec { name: "name", label: "Name", key: KeyType::Text },
        SortSpec { name: "kind", label: "Kind", key: KeyType::Text },
        SortSpec { name: "status", label: "Status", key: KeyType::Text },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: true,
    columns: &[
        "id",
        "name",
        "kind",
        "classification",
        "status",
        "owner",
        "custodian",
        "assigned_to",
        "identifier",
        "description",
        "created_at",
    ],
};

/// The CSV columns an import reads (a header row names them; any order, unknown ones refused).
pub const IMPORT_COLUMNS: &[&str] = &[
    "name",
    "kind",
    "classification",
    "status",
    "owner_email",
    "custodian_email",
    "assigned_to_email",
    "identifier",
    "description",
];

impl Asset {
    /// The export row, in `LIST.columns` order (people by name).
    pub fn export_row(&self) -> Vec<String> {
        let name = |n: &Option<PersonRef>| n.as_ref().map(|p| p.name.clone()).unwrap_or_default();
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.kind.as_str().into(),
            self.classification.as_str().into(),
            self.status.as_str().into(),
            name(&self.names.owner),
            name(&self.names.custodian),
            name(&self.names.assignee),
            self.identifier.clone(),
            self.description.clone(),
            crate::time_util::rfc3339(self.created_at),
        ]
    }
}

/// What an asset is found by, lower-cased for the search index.
pub fn search_text(a: &Asset) -> String {
    format!("{} {}", a.name, a.identifier).to_lowercase()
}

/// Checks every field and builds the asset (people by e-mail when `by_email`).
async fn validate(tx: &mut dyn Writer, input: &AssetInput, base: Asset, from_csv: bool) -> CoreResult<Asset> {
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 200);
    let kind = c.choice("kind", &input.kind, base.kind, AssetKind::parse, &AssetKind::choices());
    let classification = c.choice(
        "classification",
        &input.classification,
        base.classification,
        Classification::parse,
        &Classification::choices(),
    );
    let status = c.choice("status", &input.status, base.status, AssetStatus::parse, &AssetStatus::choices());
    let (owner_field, custodian_field, assignee_field) = if from_csv {
        ("owner_email", "custodian_email", "assigned_to_email")
    } else {
        ("owner_id", "custodian_id", "assigned_to")
    };
    let owner_id = person_field(tx, &mut c, owner_field, &input.owner_id).await?;
    let custodian_id = person_field(tx, &mut c, custodian_field, &input.custodian_id).await?;
    let assigned_to = person_field(tx, &mut c, assignee_field, &input.assigned_to).await?;
    let identifier = c.optional_line("identifier", &input.identifier, 200);
    let description = c.optional_text("description", &input.description, 2000);
    c.finish()?;
    Ok(Asset {
        name,
        kind,
        classification,
        status,
        owner_id,
        custodian_id,
        assigned_to,
        identifier,
        description,
        ..base
    })
}

fn blank(now: Timestamp) -> Asset {
    Asset {
        id: AssetId::new(),
        name: String::new(),
        kind: AssetKind::Device,
        classification: Classification::Internal,
        status: AssetStatus::InUse,
        owner_id: None,
        custodian_id: None,
        assigned_to: None,
        identifier: String::new(),
        description: String::new(),
        names: AssetPeople::default(),
        created_at: now,
        updated_at: now,
    }
}

pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &AssetInput) -> CoreResult<Asset> {
    actor.require(Permission::ManageAssets)?;
    let mut tx = store.write().await?;
    let asset = validate(&mut *tx, input, blank(now), false).await?;
    tx.insert_asset(&asset).await?;
    tx.audit(AuditRecord::new(actor, now, "asset.create", "asset", asset.id, None::<&()>, Some(&asset)));
    tx.commit().await?;
    Ok(asset)
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: AssetId,
    input: &AssetInput,
) -> CoreResult<Asset> {
    actor.require(Permission::ManageAssets)?;
    let mut tx = store.write().await?;
    let before = tx.get_asset(id).await?;
    let after = validate(&mut *tx, input, Asset { updated_at: now, ..before.clone() }, false).await?;
    check_version(input.version.as_deref(), before.updated_at, "this asset")?;
    tx.update_asset(&before, &after).await?;
    tx.audit(AuditRecord::new(actor, now, "asset.update", "asset", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

pub async fn get(store: &dyn Store, actor: &Actor, id: AssetId) -> CoreResult<Asset> {
    actor.require(Permission::ViewAssets)?;
    Ok(store.read().await?.get_asset(id).await?)
}

pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Asset>> {
    actor.require(Permission::ViewAssets)?;
    Ok(store.read().await?.list_assets(query).await?)
}

/// Imports assets from CSV text with a header row (`IMPORT_COLUMNS`, people by e-mail): every
/// row is checked first; one broken row and nothing is imported, each problem named by row
/// (the header is row 1) and column. Returns how many assets were created.
pub async fn import_csv(store: &dyn Store, actor: &Actor, now: Timestamp, csv_text: &str) -> CoreResult<usize> {
    actor.require(Permission::ManageAssets)?;
    let rows = parse_import(csv_text)?;
    let mut tx = store.write().await?;
    let mut problems = Vec::new();
    let mut assets = Vec::with_capacity(rows.len());
    for (n, input) in rows {
        match validate(&mut *tx, &input, blank(now), true).await {
            Ok(a) => assets.push(a),
            Err(CoreError::Invalid(fields)) => {
                problems.extend(fields.into_iter().map(|f| format!("row {n}: {} {}", f.field, f.message)));
            }
            Err(other) => return Err(other),
        }
        if problems.len() >= 50 {
            break;
        }
    }
    if !problems.is_empty() {
        return Err(CoreError::invalid("csv", &problems.join("; ")));
    }
    for asset in &assets {
        tx.insert_asset(asset).await?;
    }
    let summary = serde_json::json!({ "imported": assets.len() });
    tx.audit(AuditRecord::new(actor, now, "asset.import", "asset", "import", None::<&()>, Some(&summary)));
    tx.commit().await?;
    Ok(assets.len())
}

/// The rows of an import, numbered as a spreadsheet shows them (the header is row 1).
pub fn parse_import(text: &str) -> CoreResult<Vec<(usize, AssetInput)>> {
    let bad = |m: String| CoreError::invalid("csv", &m);
    let mut reader = csv::ReaderBuilder::new().flexible(false).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| bad(format!("row 1: {e}")))?.iter().map(|h| h.to_lowercase()).collect();
    if let Some(unknown) = headers.iter().find(|h| !IMPORT_COLUMNS.contains(&h.as_str())) {
        return Err(bad(format!("row 1: unknown column '{unknown}' (known: {})", IMPORT_COLUMNS.join(", "))));
    }
    if !headers.iter().any(|h| h == "name") {
        return Err(bad("row 1: the header must have a 'name' column".into()));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let n = i + 2;
        let record = record.map_err(|e| bad(format!("row {n}: {e}")))?;
        if rows.len() == MAX_IMPORT_ROWS {
            return Err(bad(format!("more than {MAX_IMPORT_ROWS} rows; split the file")));
        }
        let get =
            |col: &str| headers.iter().position(|h| h == col).and_then(|i| record.get(i)).unwrap_or("").to_string();
        rows.push((
            n,
            AssetInput {
                name: get("name"),
                kind: get("kind"),
                classification: get("classification"),
                status: get("status"),
                owner_id: get("owner_email"),
                custodian_id: get("custodian_email"),
                assigned_to: get("assigned_to_email"),
                identifier: get("identifier"),
                description: get("description"),
                version: None,
            },
        ));
    }
    if rows.is_empty() {
        return Err(bad("the file has no rows after its header".into()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_numbered_like_a_spreadsheet_and_headers_are_checked() {
        let rows =
            parse_import("Name,Kind,owner_email\nLaptop 1,device,ada@example.com\n\"Wiki, internal\",saas,\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].0, rows[0].1.name.as_str(), rows[0].1.owner_id.as_str()),
            (2, "Laptop 1", "ada@example.com")
        );
        assert_eq!(rows[1].1.name, "Wiki, internal");
        let unknown = parse_import("name,colour\nx,red\n").unwrap_err();
        assert!(format!("{unknown:?}").contains("unknown column 'colour'"));
        let ragged = parse_import("name,kind\nx,device,extra\n").unwrap_err();
        assert!(format!("{ragged:?}").contains("row 2"), "{ragged:?}");
        assert!(parse_import("name\n").is_err(), "no rows");
        assert!(parse_import("kind\ndevice\n").is_err(), "no name column");
    }
}
