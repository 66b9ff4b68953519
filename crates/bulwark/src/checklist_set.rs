//! The checklist `seed` and `demo` start with: "Secure configuration", the yearly check every
//! employee does of their own devices and accounts, and an open campaign for it that part of
//! the people have answered (some with a "no" still to fix).

use bulwark_core::organisation::people::Person;
use bulwark_core::policies::campaigns::{self, Campaign, CampaignInput};
use bulwark_core::policies::checklists::{self, ChecklistInput, RawAnswer};
use bulwark_core::{Actor, Role, Store, Timestamp};

/// The items, "text | how to check it".
const SECURE_CONFIGURATION: &[&str] = &[
    "Disk encryption is on | macOS: System Settings → Privacy & Security → FileVault. Windows: BitLocker. Linux: LUKS, chosen at installation.",
    "The screen locks after at most 5 minutes idle and needs your password to unlock",
    "MFA is on for every work account | E-mail, chat, code hosting, cloud consoles and this ISMS.",
    "Your passwords live in the company password manager | Not in the browser, notes or spreadsheets.",
    "The operating system installs updates automatically and is up to date",
    "The browser is up to date and has only approved extensions",
    "No shared accounts: every login you use is yours alone",
    "The company's endpoint protection agent is running | Its icon shows it as active.",
    "The device's firewall is on",
    "Work files are kept in the company's cloud storage, not only on this device",
    "You know how to report a lost or stolen device at once | The incident form, or the #security channel.",
];

/// The item most often answered "no" in the seeded answers (the password manager).
const OFTEN_NO: i64 = 4;

/// Creates the checklist and opens its campaign for everyone (due in 21 days); the people at
/// the indexes `answered` accepts have answered, those `said_no` accepts with a "no" to one item.
pub async fn open_campaign(
    store: &dyn Store,
    now: Timestamp,
    people: &[Person],
    answered: impl Fn(usize) -> bool,
    said_no: impl Fn(usize) -> bool,
) -> anyhow::Result<Campaign> {
    let security = Actor { label: "security team (seed)".into(), roles: vec![Role::Security], ..Actor::cli() };
    let input = ChecklistInput {
        title: "Secure configuration".into(),
        description: "The yearly check of your own laptop, phone and accounts.".into(),
        follow_up_days: "14".into(),
        items: SECURE_CONFIGURATION.iter().map(|s| s.to_string()).collect(),
    };
    let checklist = checklists::create(store, &security, now, &input).await?;
    let campaign = CampaignInput {
        title: format!("Secure configuration {}", now.year()),
        checklist_id: checklist.id.to_string(),
        due_date: (now + time::Duration::days(21)).date().to_string(),
        ..Default::default()
    };
    let campaign = campaigns::create(store, &security, now, &campaign).await?;
    let answers: Vec<_> = people
        .iter()
        .enumerate()
        .filter(|(i, _)| answered(*i))
        .map(|(i, p)| {
            let raw = (1..=SECURE_CONFIGURATION.len() as i64)
                .map(|position| RawAnswer {
                    position,
                    value: if position == OFTEN_NO && said_no(i) { "no" } else { "yes" }.into(),
                    comment: String::new(),
                })
                .collect();
            (p.id, raw)
        })
        .collect();
    for chunk in answers.chunks(1_000) {
        checklists::answer_many(store, &security, now, campaign.id, chunk).await?;
    }
    Ok(campaign)
}
