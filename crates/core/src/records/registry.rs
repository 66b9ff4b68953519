//! Every record type of the kit. A new type adds its description here; the web crate mounts
//! its pages and API, task and history links find its pages, from this list.

use super::RecordType;

pub static ALL: &[&RecordType] = &[
    &crate::organisation::areas::AREA,
    &crate::organisation::areas::AREA_MEMBER,
    &crate::organisation::authorities::AUTHORITY,
    &crate::organisation::information_systems::INFORMATION_SYSTEM,
    &crate::assets::keys::KEY,
    &crate::compliance::controls::CONTROL,
];

/// The registered type of this kind, if any.
pub fn by_kind(kind: &str) -> Option<&'static RecordType> {
    ALL.iter().copied().find(|t| t.kind == kind)
}

/// The page of a record of a registered type.
pub fn link(kind: &str, id: &str) -> Option<String> {
    by_kind(kind).map(|t| format!("/{}/{id}", t.path))
}

/// The types whose records are parts of a record of `ty`, with the field naming it.
pub fn parts_of(ty: &RecordType) -> impl Iterator<Item = (&'static RecordType, &'static str)> + '_ {
    ALL.iter().copied().filter_map(move |part| {
        let field = part.field(part.parent?)?;
        matches!(field.kind, super::FieldKind::Ref(t) if t.kind == ty.kind).then_some((part, field.name))
    })
}
