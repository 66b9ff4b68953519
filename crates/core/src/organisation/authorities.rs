//! Authorities and special-interest contacts (SPEC §3.3): data protection authorities,
//! standards bodies, CERTs, law enforcement, open-source communities and service operators —
//! when to contact whom, through which channel, and who keeps the relationship. Its owner
//! sees and edits their contacts; the directory's managers all of them.

use crate::access::Permission;
use crate::records::access::{RecordAccess, Scope};
use crate::records::{Field, FieldKind, RecordType};

pub const KINDS: &[(&str, &str)] = &[
    ("data-protection-authority", "Data protection authority"),
    ("regulator", "Regulator"),
    ("standards-body", "Standards body"),
    ("cert", "CERT / CSIRT"),
    ("law-enforcement", "Law enforcement"),
    ("open-source-community", "Open-source community"),
    ("service-operator", "Service operator"),
    ("other", "Other"),
];

pub const CHANNELS: &[(&str, &str)] =
    &[("email", "E-mail"), ("phone", "Phone"), ("web-form", "Web form"), ("portal", "Portal"), ("post", "Post")];

pub static AUTHORITY: RecordType = RecordType {
    kind: "authority",
    table: "authorities",
    path: "authorities",
    singular: "authority",
    title: "Authorities and contacts",
    intro: "Who to contact outside the company, when, and how: authorities, CERTs, standards bodies, communities.",
    name_field: "name",
    fields: &[
        Field::line("name", "Name", 200).required().listed().sorted().searched(),
        Field::new("kind", "Kind", FieldKind::Choice(KINDS)).required().listed().filtered().sorted(),
        Field::new("contact_channel", "Contact channel", FieldKind::Choice(CHANNELS)).listed().filtered(),
        Field::line("contact", "Contact", 300).searched().hint("The address, number or URL to use."),
        Field::text("when_to_contact", "When to contact", 2000)
            .required()
            .listed()
            .searched()
            .hint("The trigger, e.g. “personal data breach: within 72 hours of becoming aware”."),
        Field::new(
            "incident_category",
            "For incidents of category",
            FieldKind::Choice(crate::incidents::Category::PAIRS),
        )
        .filtered()
        .hint("Incidents of this category show this contact to their responders."),
        Field::new("owner", "Owner", FieldKind::Person).listed().filtered().sorted().hint("Keeps the relationship."),
        Field::new("last_contacted_on", "Last contacted on", FieldKind::Date).listed().sorted(),
        Field::text("notes", "Notes", 5000).searched(),
    ],
    parent: None,
    access: RecordAccess {
        view: Permission::ViewDirectory,
        manage: Permission::ManageDirectory,
        scope: Some(Scope::Owner("owner")),
        scope_edits: true,
    },
    actions: &[],
    rules: None,
    panel: None,
    derive: None,
    after_save: None,
};
