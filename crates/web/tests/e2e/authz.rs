//! The route-by-route authorization test: every route of the router, for anonymous and for
//! every role, gets the answer this table expects. The expectations are written here, apart
//! from the router's own declarations, and a route missing from this table fails the test.
//! An allowed call must succeed (2xx, a redirect other than to sign-in, or a validation 422
//! or state 409 for the deliberately empty bodies and steps that do not fit the record);
//! paths name real records, created afresh for every call so that one role's change cannot
//! spoil the next call.

use bulwark_core::access::Via;
use bulwark_core::identity::accounts::{self, Account, NewTokenInput};
use bulwark_core::organisation::departments::{self, DepartmentInput};
use bulwark_core::organisation::people::{self, PersonInput};
use bulwark_core::{Actor, Store, time_util};
use bulwark_testkit::{Backend, TestClient, spawn_app};
use std::collections::BTreeSet;

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Rule {
    Public,
    SignedIn,
    /// Only these roles.
    Roles(&'static [&'static str]),
    /// Only a SCIM token: no session, no API token, whatever its roles.
    ScimToken,
}

const DIRECTORY_READERS: &[&str] = &["admin", "security", "management", "auditor", "department-head"];
const DIRECTORY_EDITORS: &[&str] = &["admin", "security"];
const ACCOUNT_READERS: &[&str] = &["admin", "auditor"];
const ADMINS: &[&str] = &["admin"];
const AUDIT_READERS: &[&str] = &["admin", "auditor"];
const POLICY_WRITERS: &[&str] = &["admin", "security"];
const POLICY_RATIFIERS: &[&str] = &["admin", "management"];
const CAMPAIGN_READERS: &[&str] = &["admin", "security", "management", "auditor"];
const CAMPAIGN_MANAGERS: &[&str] = &["admin", "security"];
const ASSET_READERS: &[&str] = &["admin", "security", "management", "auditor"];
const ASSET_MANAGERS: &[&str] = &["admin", "security"];
const COMPLIANCE_READERS: &[&str] = &["admin", "security", "management", "auditor"];
const COMPLIANCE_MANAGERS: &[&str] = &["admin", "security"];
const RISK_READERS: &[&str] = &["admin", "security", "management", "auditor"];
const RISK_MANAGERS: &[&str] = &["admin", "security"];
const VULNERABILITY_HANDLERS: &[&str] = &["admin", "security"];
/// Auditors read everything and change nothing.
const VULNERABILITY_READERS: &[&str] = &["admin", "security", "auditor"];
const INCIDENT_READERS: &[&str] = &["admin", "security", "auditor"];
const INCIDENT_RESPONDERS: &[&str] = &["admin", "security"];

use Rule::*;

const EXPECTED: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    ("GET", "/metrics", Roles(ADMINS)),
    ("GET", "/static/{*file}", Public),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    // Single sign-on (back to the sign-in page here: this instance has no provider).
    ("GET", "/login/sso", Public),
    ("GET", "/login/sso/callback", Public),
    ("GET", "/set-password/{token}", Public),
    ("POST", "/set-password/{token}", Public),
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", "/api/docs", Public),
    ("GET", "/api/docs/", Public),
    ("GET", "/api/docs/{*rest}", Public),
    ("POST", "/logout", SignedIn),
    ("GET", "/login/code", SignedIn),
    ("POST", "/login/code", SignedIn),
    ("GET", "/mfa/setup", SignedIn),
    ("POST", "/mfa/setup", SignedIn),
    ("POST", "/mfa/setup/begin", SignedIn),
    ("POST", "/mfa/recovery-codes", SignedIn),
    ("POST", "/mfa/disable", SignedIn),
    ("GET", "/reauth", SignedIn),
    ("POST", "/reauth", SignedIn),
    ("GET", "/", SignedIn),
    ("GET", "/profile", SignedIn),
    ("POST", "/profile/password", SignedIn),
    ("POST", "/profile/tokens", SignedIn),
    ("GET", "/profile/tokens/export.csv", SignedIn),
    ("GET", "/profile/tokens/export.json", SignedIn),
    ("POST", "/profile/tokens/{id}/revoke", SignedIn),
    ("GET", "/api/v1/me", SignedIn),
    ("GET", "/api/v1/tokens", SignedIn),
    ("POST", "/api/v1/tokens", SignedIn),
    ("DELETE", "/api/v1/tokens/{id}", SignedIn),
    ("GET", "/people", Roles(DIRECTORY_READERS)),
    ("GET", "/people/export.csv", Roles(DIRECTORY_READERS)),
    ("GET", "/people/export.json", Roles(DIRECTORY_READERS)),
    ("GET", "/people/{id}", Roles(DIRECTORY_READERS)),
    ("GET", "/people/new", Roles(DIRECTORY_EDITORS)),
    ("POST", "/people/new", Roles(DIRECTORY_EDITORS)),
    ("GET", "/people/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/people/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/people/{id}/onboarding", Roles(DIRECTORY_EDITORS)),
    ("POST", "/people/{id}/offboarding", Roles(DIRECTORY_EDITORS)),
    ("GET", "/offboardings/{id}", SignedIn),
    ("POST", "/offboardings/{id}/items/{position}", SignedIn),
    ("GET", "/my-department", SignedIn),
    ("POST", "/offboardings/{id}/close", Roles(DIRECTORY_EDITORS)),
    ("GET", "/departments", Roles(DIRECTORY_READERS)),
    ("POST", "/departments", Roles(DIRECTORY_EDITORS)),
    ("GET", "/departments/export.csv", Roles(DIRECTORY_READERS)),
    ("GET", "/departments/export.json", Roles(DIRECTORY_READERS)),
    ("GET", "/departments/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/departments/{id}/edit", Roles(DIRECTORY_EDITORS)),
    // The security team's areas and their members (kit types; a member is a part of its area).
    ("GET", "/areas", Roles(DIRECTORY_READERS)),
    ("GET", "/areas/export.csv", Roles(DIRECTORY_READERS)),
    ("GET", "/areas/export.json", Roles(DIRECTORY_READERS)),
    ("GET", "/areas/new", Roles(DIRECTORY_EDITORS)),
    ("POST", "/areas/new", Roles(DIRECTORY_EDITORS)),
    ("GET", "/areas/{id}", Roles(DIRECTORY_READERS)),
    ("GET", "/areas/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/areas/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/areas/{id}/delete", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/areas", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/areas", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/areas/{id}", Roles(DIRECTORY_READERS)),
    ("PATCH", "/api/v1/areas/{id}", Roles(DIRECTORY_EDITORS)),
    ("DELETE", "/api/v1/areas/{id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/area-members", Roles(DIRECTORY_READERS)),
    ("GET", "/area-members/export.csv", Roles(DIRECTORY_READERS)),
    ("GET", "/area-members/export.json", Roles(DIRECTORY_READERS)),
    ("GET", "/area-members/new", Roles(DIRECTORY_EDITORS)),
    ("POST", "/area-members/new", Roles(DIRECTORY_EDITORS)),
    ("GET", "/area-members/{id}", Roles(DIRECTORY_READERS)),
    ("GET", "/area-members/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/area-members/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/area-members/{id}/delete", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/area-members", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/area-members", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/area-members/{id}", Roles(DIRECTORY_READERS)),
    ("PATCH", "/api/v1/area-members/{id}", Roles(DIRECTORY_EDITORS)),
    ("DELETE", "/api/v1/area-members/{id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/policies", SignedIn),
    ("GET", "/policies/export.csv", SignedIn),
    ("GET", "/policies/export.json", SignedIn),
    ("GET", "/policies/new", Roles(POLICY_WRITERS)),
    ("POST", "/policies/new", Roles(POLICY_WRITERS)),
    ("GET", "/policies/{id}", SignedIn),
    ("GET", "/policies/{id}/edit", Roles(POLICY_WRITERS)),
    ("POST", "/policies/{id}/edit", Roles(POLICY_WRITERS)),
    ("GET", "/policies/{id}/versions/{number}", SignedIn),
    ("POST", "/policies/{id}/versions/{number}/submit", Roles(POLICY_WRITERS)),
    ("POST", "/policies/{id}/versions/{number}/ratify", Roles(POLICY_RATIFIERS)),
    ("POST", "/policies/{id}/versions/{number}/send-back", Roles(POLICY_RATIFIERS)),
    ("POST", "/policies/{id}/versions/{number}/publish", Roles(POLICY_WRITERS)),
    ("GET", "/api/v1/policies", SignedIn),
    ("POST", "/api/v1/policies", Roles(POLICY_WRITERS)),
    ("GET", "/api/v1/policies/{id}", SignedIn),
    ("PUT", "/api/v1/policies/{id}", Roles(POLICY_WRITERS)),
    ("POST", "/api/v1/policies/{id}/versions/{number}/submit", Roles(POLICY_WRITERS)),
    ("POST", "/api/v1/policies/{id}/versions/{number}/ratify", Roles(POLICY_RATIFIERS)),
    ("POST", "/api/v1/policies/{id}/versions/{number}/send-back", Roles(POLICY_RATIFIERS)),
    ("POST", "/api/v1/policies/{id}/versions/{number}/publish", Roles(POLICY_WRITERS)),
    ("GET", "/tasks", SignedIn),
    ("GET", "/security-team", SignedIn),
    ("GET", "/notifications", Roles(ADMINS)),
    ("POST", "/notifications", Roles(ADMINS)),
    ("GET", "/notifications/mail", Roles(ADMINS)),
    ("POST", "/notifications/messages/retry", Roles(ADMINS)),
    ("POST", "/notifications/messages/discard", Roles(ADMINS)),
    ("POST", "/notifications/channels/delete", Roles(ADMINS)),
    ("GET", "/campaigns", Roles(CAMPAIGN_READERS)),
    ("GET", "/campaigns/export.csv", Roles(CAMPAIGN_READERS)),
    ("GET", "/campaigns/export.json", Roles(CAMPAIGN_READERS)),
    ("GET", "/campaigns/new", Roles(CAMPAIGN_MANAGERS)),
    ("POST", "/campaigns/new", Roles(CAMPAIGN_MANAGERS)),
    ("GET", "/campaigns/{id}", Roles(CAMPAIGN_READERS)),
    ("POST", "/campaigns/{id}/close", Roles(CAMPAIGN_MANAGERS)),
    ("POST", "/campaigns/{id}/cancel", Roles(CAMPAIGN_MANAGERS)),
    ("POST", "/campaigns/{id}/due-date", Roles(CAMPAIGN_MANAGERS)),
    ("GET", "/campaigns/{id}/export.csv", Roles(CAMPAIGN_READERS)),
    ("GET", "/campaigns/{id}/export.json", Roles(CAMPAIGN_READERS)),
    ("GET", "/campaigns/{id}/acknowledge", SignedIn),
    ("POST", "/campaigns/{id}/acknowledge", SignedIn),
    ("GET", "/api/v1/campaigns", Roles(CAMPAIGN_READERS)),
    ("POST", "/api/v1/campaigns", Roles(CAMPAIGN_MANAGERS)),
    ("GET", "/api/v1/campaigns/{id}", Roles(CAMPAIGN_READERS)),
    ("GET", "/api/v1/campaigns/{id}/export", Roles(CAMPAIGN_READERS)),
    ("POST", "/api/v1/campaigns/{id}/acknowledge", SignedIn),
    ("POST", "/api/v1/campaigns/{id}/close", Roles(CAMPAIGN_MANAGERS)),
    ("POST", "/api/v1/campaigns/{id}/cancel", Roles(CAMPAIGN_MANAGERS)),
    ("PATCH", "/api/v1/campaigns/{id}", Roles(CAMPAIGN_MANAGERS)),
    ("GET", "/api/v1/me/tasks", SignedIn),
    ("POST", "/api/v1/campaigns/{id}/answers", SignedIn),
    ("GET", "/checklists", Roles(CAMPAIGN_READERS)),
    ("GET", "/checklists/export.csv", Roles(CAMPAIGN_READERS)),
    ("GET", "/checklists/export.json", Roles(CAMPAIGN_READERS)),
    ("GET", "/checklists/new", Roles(CAMPAIGN_MANAGERS)),
    ("POST", "/checklists/new", Roles(CAMPAIGN_MANAGERS)),
    ("GET", "/checklists/{id}", Roles(CAMPAIGN_READERS)),
    ("GET", "/api/v1/checklists", Roles(CAMPAIGN_READERS)),
    ("POST", "/api/v1/checklists", Roles(CAMPAIGN_MANAGERS)),
    ("GET", "/api/v1/checklists/{id}", Roles(CAMPAIGN_READERS)),
    // Everyone signed in reaches these; each request is visible to those who decide it, who
    // asked for it, and auditors (the records here are asked for by the caller).
    ("GET", "/approvals", SignedIn),
    ("GET", "/approvals/{id}", SignedIn),
    ("POST", "/approvals/{id}", SignedIn),
    ("GET", "/api/v1/approvals", SignedIn),
    ("GET", "/api/v1/approvals/{id}", SignedIn),
    ("POST", "/api/v1/approvals/{id}/decision", SignedIn),
    ("GET", "/accounts", Roles(ACCOUNT_READERS)),
    ("GET", "/accounts/export.csv", Roles(ACCOUNT_READERS)),
    ("GET", "/accounts/export.json", Roles(ACCOUNT_READERS)),
    ("GET", "/accounts/new", Roles(ADMINS)),
    ("POST", "/accounts/new", Roles(ADMINS)),
    ("GET", "/accounts/{id}", Roles(ACCOUNT_READERS)),
    ("GET", "/accounts/{id}/tokens/export.csv", Roles(ACCOUNT_READERS)),
    ("GET", "/accounts/{id}/tokens/export.json", Roles(ACCOUNT_READERS)),
    ("POST", "/accounts/{id}", Roles(ADMINS)),
    ("POST", "/accounts/{id}/reset", Roles(ADMINS)),
    ("POST", "/accounts/{id}/mfa/reset", Roles(ADMINS)),
    ("POST", "/accounts/{id}/tokens/{token_id}/revoke", Roles(ADMINS)),
    ("GET", "/assets", Roles(ASSET_READERS)),
    ("GET", "/assets/export.csv", Roles(ASSET_READERS)),
    ("GET", "/assets/export.json", Roles(ASSET_READERS)),
    ("GET", "/assets/new", Roles(ASSET_MANAGERS)),
    ("POST", "/assets/new", Roles(ASSET_MANAGERS)),
    ("GET", "/assets/import", Roles(ASSET_MANAGERS)),
    ("POST", "/assets/import", Roles(ASSET_MANAGERS)),
    ("GET", "/assets/{id}", Roles(ASSET_READERS)),
    ("GET", "/assets/{id}/edit", Roles(ASSET_MANAGERS)),
    ("POST", "/assets/{id}/edit", Roles(ASSET_MANAGERS)),
    ("GET", "/api/v1/assets", Roles(ASSET_READERS)),
    ("POST", "/api/v1/assets", Roles(ASSET_MANAGERS)),
    ("POST", "/api/v1/assets/import", Roles(ASSET_MANAGERS)),
    ("GET", "/api/v1/assets/{id}", Roles(ASSET_READERS)),
    ("PUT", "/api/v1/assets/{id}", Roles(ASSET_MANAGERS)),
    // Authorities: their owner sees and edits theirs (the service decides by scope).
    ("GET", "/authorities", SignedIn),
    ("GET", "/authorities/export.csv", SignedIn),
    ("GET", "/authorities/export.json", SignedIn),
    ("GET", "/authorities/new", Roles(DIRECTORY_EDITORS)),
    ("POST", "/authorities/new", Roles(DIRECTORY_EDITORS)),
    ("GET", "/authorities/{id}", SignedIn),
    ("GET", "/authorities/{id}/edit", SignedIn),
    ("POST", "/authorities/{id}/edit", SignedIn),
    ("POST", "/authorities/{id}/delete", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/authorities", SignedIn),
    ("POST", "/api/v1/authorities", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/authorities/{id}", SignedIn),
    ("PATCH", "/api/v1/authorities/{id}", SignedIn),
    ("DELETE", "/api/v1/authorities/{id}", Roles(DIRECTORY_EDITORS)),
    // Information systems: the head of the running department sees, edits and reviews theirs.
    ("GET", "/information-systems", SignedIn),
    ("GET", "/information-systems/export.csv", SignedIn),
    ("GET", "/information-systems/export.json", SignedIn),
    ("GET", "/information-systems/new", Roles(ASSET_MANAGERS)),
    ("POST", "/information-systems/new", Roles(ASSET_MANAGERS)),
    ("GET", "/information-systems/{id}", SignedIn),
    ("GET", "/information-systems/{id}/edit", SignedIn),
    ("POST", "/information-systems/{id}/edit", SignedIn),
    ("POST", "/information-systems/{id}/review", SignedIn),
    ("POST", "/information-systems/{id}/delete", Roles(ASSET_MANAGERS)),
    ("GET", "/api/v1/information-systems", SignedIn),
    ("POST", "/api/v1/information-systems", Roles(ASSET_MANAGERS)),
    ("GET", "/api/v1/information-systems/{id}", SignedIn),
    ("PATCH", "/api/v1/information-systems/{id}", SignedIn),
    ("POST", "/api/v1/information-systems/{id}/review", SignedIn),
    ("DELETE", "/api/v1/information-systems/{id}", Roles(ASSET_MANAGERS)),
    // Its owner sees their keys and records rotations; the asset managers do everything.
    ("GET", "/keys", SignedIn),
    ("GET", "/keys/export.csv", SignedIn),
    ("GET", "/keys/export.json", SignedIn),
    ("GET", "/keys/new", Roles(ASSET_MANAGERS)),
    ("POST", "/keys/new", Roles(ASSET_MANAGERS)),
    ("GET", "/keys/{id}", SignedIn),
    ("GET", "/keys/{id}/edit", Roles(ASSET_MANAGERS)),
    ("POST", "/keys/{id}/edit", Roles(ASSET_MANAGERS)),
    ("POST", "/keys/{id}/rotate", SignedIn),
    ("POST", "/keys/{id}/revoke", Roles(ASSET_MANAGERS)),
    ("POST", "/keys/{id}/delete", Roles(ASSET_MANAGERS)),
    ("GET", "/api/v1/keys", SignedIn),
    ("POST", "/api/v1/keys", Roles(ASSET_MANAGERS)),
    ("GET", "/api/v1/keys/{id}", SignedIn),
    ("PATCH", "/api/v1/keys/{id}", Roles(ASSET_MANAGERS)),
    ("POST", "/api/v1/keys/{id}/rotate", SignedIn),
    ("POST", "/api/v1/keys/{id}/revoke", Roles(ASSET_MANAGERS)),
    ("DELETE", "/api/v1/keys/{id}", Roles(ASSET_MANAGERS)),
    ("GET", "/audit", Roles(AUDIT_READERS)),
    ("GET", "/audit/export.csv", Roles(AUDIT_READERS)),
    ("GET", "/audit/export.json", Roles(AUDIT_READERS)),
    ("GET", "/api/v1/people", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/people", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/people/{id}", Roles(DIRECTORY_READERS)),
    ("PUT", "/api/v1/people/{id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/people/{id}/lifecycle", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/people/{id}/onboarding", Roles(DIRECTORY_EDITORS)),
    ("POST", "/api/v1/people/{id}/offboarding", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/offboardings/{id}", SignedIn),
    ("POST", "/api/v1/offboardings/{id}/items/{position}", SignedIn),
    ("GET", "/api/v1/me/department", SignedIn),
    ("POST", "/api/v1/offboardings/{id}/close", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/departments", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/departments", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/departments/{id}", Roles(DIRECTORY_READERS)),
    ("PUT", "/api/v1/departments/{id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/accounts", Roles(ACCOUNT_READERS)),
    ("POST", "/api/v1/accounts", Roles(ADMINS)),
    ("GET", "/api/v1/accounts/{id}", Roles(ACCOUNT_READERS)),
    ("PUT", "/api/v1/accounts/{id}", Roles(ADMINS)),
    ("POST", "/api/v1/accounts/{id}/password-reset", Roles(ADMINS)),
    ("GET", "/api/v1/accounts/{id}/mfa", Roles(ACCOUNT_READERS)),
    ("DELETE", "/api/v1/accounts/{id}/mfa", Roles(ADMINS)),
    ("GET", "/api/v1/audit", Roles(AUDIT_READERS)),
    ("GET", "/frameworks", Roles(COMPLIANCE_READERS)),
    ("POST", "/frameworks", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/frameworks/policy-catalog", Roles(COMPLIANCE_MANAGERS)),
    ("GET", "/frameworks/{id}", Roles(COMPLIANCE_READERS)),
    ("GET", "/frameworks/{id}/catalog.json", Roles(COMPLIANCE_READERS)),
    ("GET", "/frameworks/{id}/requirements/{control_id}", Roles(COMPLIANCE_READERS)),
    ("GET", "/api/v1/frameworks", Roles(COMPLIANCE_READERS)),
    ("POST", "/api/v1/frameworks", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/api/v1/frameworks/policy-catalog", Roles(COMPLIANCE_MANAGERS)),
    ("GET", "/api/v1/frameworks/{id}", Roles(COMPLIANCE_READERS)),
    ("GET", "/api/v1/frameworks/{id}/catalog", Roles(COMPLIANCE_READERS)),
    ("GET", "/api/v1/frameworks/{id}/requirements/{control_id}", Roles(COMPLIANCE_READERS)),
    ("POST", "/frameworks/{id}/requirements/{control_id}/applicability", Roles(COMPLIANCE_MANAGERS)),
    ("GET", "/frameworks/{id}/soa", Roles(COMPLIANCE_READERS)),
    ("GET", "/controls", SignedIn),
    ("GET", "/controls/export.csv", SignedIn),
    ("GET", "/controls/export.json", SignedIn),
    ("GET", "/controls/new", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/controls/new", Roles(COMPLIANCE_MANAGERS)),
    ("GET", "/controls/{id}", SignedIn),
    ("GET", "/controls/{id}/edit", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/controls/{id}/edit", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/controls/{id}/delete", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/controls/{id}/mappings", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/controls/{id}/mappings/remove", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/controls/{id}/evidence", SignedIn),
    ("GET", "/evidence/{id}/file", SignedIn),
    ("GET", "/cvss", SignedIn),
    ("GET", "/.well-known/security.txt", Public),
    ("GET", "/incidents", SignedIn),
    ("GET", "/incidents/new", SignedIn),
    ("GET", "/incidents/export.csv", Roles(INCIDENT_READERS)),
    ("GET", "/incidents/export.json", Roles(INCIDENT_READERS)),
    ("POST", "/incidents/new", SignedIn),
    ("GET", "/incidents/settings", Roles(ADMINS)),
    ("POST", "/incidents/settings", Roles(ADMINS)),
    // The caller reported the incident here: its reporter sees it and comments (anyone else
    // finds nothing: tests/e2e/incidents.rs); only the security team responds.
    ("GET", "/incidents/{id}", SignedIn),
    ("POST", "/incidents/{id}/comments", SignedIn),
    ("POST", "/incidents/{id}/assessment", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/incidents/{id}/status", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/incidents/{id}/members", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/incidents/{id}/links", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/incidents/{id}/tasks", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/incidents/{id}/authority-notified", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/api/v1/incidents/{id}/assessment", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/api/v1/incidents/{id}/status", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/api/v1/incidents/{id}/authority-notification", Roles(INCIDENT_RESPONDERS)),
    ("GET", "/api/v1/incidents/{id}/timeline", SignedIn),
    ("POST", "/api/v1/incidents/{id}/comments", SignedIn),
    ("POST", "/api/v1/incidents/{id}/members", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/api/v1/incidents/{id}/links", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/api/v1/incidents/{id}/tasks", Roles(INCIDENT_RESPONDERS)),
    ("POST", "/api/v1/incidents/{id}/tasks/done", SignedIn),
    ("POST", "/api/v1/incidents", SignedIn),
    ("GET", "/api/v1/vulnerability-reports", Roles(VULNERABILITY_READERS)),
    ("GET", "/api/v1/vulnerability-reports/{id}", Roles(VULNERABILITY_READERS)),
    ("PUT", "/api/v1/vulnerability-reports/{id}/triage", Roles(VULNERABILITY_HANDLERS)),
    ("POST", "/api/v1/vulnerability-reports/{id}/messages", Roles(VULNERABILITY_HANDLERS)),
    ("GET", "/api/v1/incidents", SignedIn),
    ("GET", "/api/v1/incidents/{id}", SignedIn),
    ("GET", "/report-vulnerability", Public),
    ("POST", "/report-vulnerability", Public),
    ("GET", "/report-vulnerability/track/{secret}", Public),
    ("POST", "/report-vulnerability/track/{secret}", Public),
    ("POST", "/tasks/done", SignedIn),
    ("GET", "/report-vulnerability/confirm/{secret}", Public),
    ("GET", "/vulnerability-reports", Roles(VULNERABILITY_READERS)),
    ("GET", "/vulnerability-reports/export.csv", Roles(VULNERABILITY_READERS)),
    ("GET", "/vulnerability-reports/export.json", Roles(VULNERABILITY_READERS)),
    ("GET", "/vulnerability-reports/settings", Roles(ADMINS)),
    ("POST", "/vulnerability-reports/settings", Roles(ADMINS)),
    ("GET", "/vulnerability-reports/{id}", Roles(VULNERABILITY_READERS)),
    ("POST", "/vulnerability-reports/{id}/triage", Roles(VULNERABILITY_HANDLERS)),
    ("POST", "/vulnerability-reports/{id}/reply", Roles(VULNERABILITY_HANDLERS)),
    ("GET", "/api/v1/cvss", SignedIn),
    ("GET", "/risks", Roles(RISK_READERS)),
    ("GET", "/risks/export.csv", Roles(RISK_READERS)),
    ("GET", "/risks/export.json", Roles(RISK_READERS)),
    ("GET", "/risks/heat-map", Roles(RISK_READERS)),
    ("GET", "/risks/settings", Roles(ADMINS)),
    ("POST", "/risks/settings", Roles(ADMINS)),
    ("GET", "/risks/new", Roles(RISK_MANAGERS)),
    ("POST", "/risks/new", Roles(RISK_MANAGERS)),
    // The caller owns the risk here: its owner sees it and records reviews, whatever the role
    // (someone else's risk is not found for an employee: tests/e2e/risks.rs).
    ("GET", "/risks/{id}", SignedIn),
    ("GET", "/risks/{id}/edit", Roles(RISK_MANAGERS)),
    ("POST", "/risks/{id}/edit", Roles(RISK_MANAGERS)),
    ("POST", "/risks/{id}/review", SignedIn),
    ("GET", "/api/v1/risks", Roles(RISK_READERS)),
    ("POST", "/api/v1/risks", Roles(RISK_MANAGERS)),
    ("GET", "/api/v1/risks/heat-map", Roles(RISK_READERS)),
    ("GET", "/api/v1/risks/{id}", SignedIn),
    ("PUT", "/api/v1/risks/{id}", Roles(RISK_MANAGERS)),
    ("POST", "/api/v1/risks/{id}/review", SignedIn),
    ("GET", "/api/v1/risk-settings", Roles(RISK_READERS)),
    ("PUT", "/api/v1/risk-settings", Roles(ADMINS)),
    ("GET", "/api/v1/frameworks/{id}/coverage", Roles(COMPLIANCE_READERS)),
    ("GET", "/api/v1/frameworks/{id}/soa", Roles(COMPLIANCE_READERS)),
    ("GET", "/api/v1/frameworks/{id}/assessment-results", Roles(COMPLIANCE_READERS)),
    ("PUT", "/api/v1/frameworks/{id}/requirements/{control_id}/applicability", Roles(COMPLIANCE_MANAGERS)),
    ("GET", "/api/v1/controls", SignedIn),
    ("POST", "/api/v1/controls", Roles(COMPLIANCE_MANAGERS)),
    ("GET", "/api/v1/controls/{id}", SignedIn),
    ("PATCH", "/api/v1/controls/{id}", Roles(COMPLIANCE_MANAGERS)),
    ("DELETE", "/api/v1/controls/{id}", Roles(COMPLIANCE_MANAGERS)),
    ("GET", "/api/v1/controls/{id}/mappings", SignedIn),
    ("GET", "/api/v1/controls/{id}/evidence", SignedIn),
    ("POST", "/api/v1/controls/{id}/mappings", Roles(COMPLIANCE_MANAGERS)),
    ("DELETE", "/api/v1/controls/{id}/mappings/{framework_id}/{requirement_id}", Roles(COMPLIANCE_MANAGERS)),
    ("POST", "/api/v1/controls/{id}/evidence", SignedIn),
    ("GET", "/scim-tokens", Roles(ADMINS)),
    ("POST", "/scim-tokens", Roles(ADMINS)),
    ("POST", "/scim-tokens/{id}/revoke", Roles(ADMINS)),
    ("GET", "/scim/v2/ServiceProviderConfig", ScimToken),
    ("GET", "/scim/v2/ResourceTypes", ScimToken),
    ("GET", "/scim/v2/ResourceTypes/{name}", ScimToken),
    ("GET", "/scim/v2/Schemas", ScimToken),
    ("GET", "/scim/v2/Schemas/{id}", ScimToken),
    ("GET", "/scim/v2/Users", ScimToken),
    ("POST", "/scim/v2/Users", ScimToken),
    ("POST", "/scim/v2/Users/.search", ScimToken),
    ("GET", "/scim/v2/Users/{id}", ScimToken),
    ("PUT", "/scim/v2/Users/{id}", ScimToken),
    ("PATCH", "/scim/v2/Users/{id}", ScimToken),
    ("DELETE", "/scim/v2/Users/{id}", ScimToken),
    ("GET", "/scim/v2/Groups", ScimToken),
    ("POST", "/scim/v2/Groups", ScimToken),
    ("POST", "/scim/v2/Groups/.search", ScimToken),
    ("GET", "/scim/v2/Groups/{id}", ScimToken),
    ("PUT", "/scim/v2/Groups/{id}", ScimToken),
    ("PATCH", "/scim/v2/Groups/{id}", ScimToken),
    ("DELETE", "/scim/v2/Groups/{id}", ScimToken),
];

const SCIM_ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

const ROLES: [&str; 6] = ["admin", "security", "management", "auditor", "department-head", "employee"];

/// Records for one call: a person in a department, an area, and
/// the caller's own API token (so that revoking it is theirs to do).
struct Records {
    person: String,
    department: String,
    account: String,
    token: String,
    /// A policy with version 1 published and version 2 a draft.
    policy: String,
    /// A campaign for everyone (the caller included) on that policy.
    campaign: String,
    /// An approval request the caller asked for.
    approval: String,
    /// A checklist (and, for the answers route, the campaign is a checklist campaign).
    checklist: String,
    asset: String,
    /// A risk the caller owns.
    risk: String,
    /// A vulnerability report and its reporter's secret.
    report: (String, String),
    /// An incident the caller reported.
    incident: String,
    /// An offboarding of the person, with one item (an account to de-register).
    offboarding: String,
    /// A SCIM token (live).
    scim_token: String,
    /// A record of the kit type the route is about, in the caller's scope.
    kit: String,
    /// A framework (the basic sample catalog: requirement `s1.1.1`).
    framework: String,
    /// A control mapped to `s1.1.1` of that framework, with a file as evidence.
    control: String,
    evidence: String,
}

async fn fresh_records(store: &dyn Store, caller: &Account, n: usize, pattern: &str) -> Records {
    let cli = Actor::cli();
    let now = time_util::now();
    let d = departments::create_department(
        store,
        &cli,
        now,
        &DepartmentInput { name: format!("Dept {n}"), ..Default::default() },
    )
    .await
    .unwrap();
    let input = PersonInput {
        name: format!("Person {n}"),
        email: format!("person{n}@example.com"),
        department_id: d.id.to_string(),
        ..Default::default()
    };
    let p = people::create(store, &cli, now, &input).await.unwrap();
    // An area for a member route's record to name ("Area {n}", as `kit_record` types it).
    let area = bulwark_core::records::input::RawRecord::from_pairs([("name", format!("Area {n}").as_str())]);
    let area_type = &bulwark_core::organisation::areas::AREA;
    bulwark_core::records::service::create(store, &cli, area_type, now, &area).await.unwrap();
    let owner = caller.actor(Via::Session);
    let (t, _) =
        accounts::create_token(store, &owner, now, &NewTokenInput { name: format!("t{n}"), expires_days: None })
            .await
            .unwrap();
    // Policies and campaigns cost several writes each: made only for the routes that use them.
    let (mut policy, mut campaign) = (String::new(), String::new());
    if pattern.contains("/policies") || pattern.contains("/campaigns/{id}") {
        policy = published_policy_with_draft(store, n).await;
    }
    let mut checklist = String::new();
    if pattern.contains("/checklists/{id}") || pattern.ends_with("/answers") {
        let input = bulwark_core::policies::checklists::ChecklistInput {
            title: format!("Checklist {n}"),
            items: vec!["Disk encryption is on".into()],
            ..Default::default()
        };
        checklist = bulwark_core::policies::checklists::create(store, &cli, now, &input).await.unwrap().id.to_string();
    }
    if pattern.contains("/campaigns/{id}") {
        let answers = pattern.ends_with("/answers");
        let input = bulwark_core::policies::campaigns::CampaignInput {
            title: format!("Campaign {n}"),
            checklist_id: if answers { checklist.clone() } else { String::new() },
            policy_ids: if answers { vec![] } else { vec![policy.clone()] },
            due_date: (now + time::Duration::days(30)).date().to_string(),
            ..Default::default()
        };
        campaign = bulwark_core::policies::campaigns::create(store, &cli, now, &input).await.unwrap().id.to_string();
    }
    // Removing an authenticator ends its account's sessions: that is another account's.
    let mut account = caller.id.to_string();
    if pattern.contains("/accounts/{id}/mfa") {
        let email = format!("enrolled{n}@example.com");
        let other = bulwark_testkit::create_account(store, &email, &["auditor"], bulwark_testkit::PASSWORD).await;
        bulwark_core::identity::mfa::enroll_now(store, &other.actor(Via::Session), now).await.unwrap();
        account = other.id.to_string();
    }
    let mut approval = String::new();
    if pattern.contains("/approvals/{id}") {
        let new = bulwark_core::approvals::NewApproval {
            subject_type: "test",
            subject_id: "x",
            title: &format!("Request {n}"),
            link: "/",
            role: Some(bulwark_core::Role::Management),
            people: &[],
            excluded: &[],
            needed: 1,
        };
        let mut tx = store.write().await.unwrap();
        approval = bulwark_core::approvals::request(&mut *tx, &owner, now, new).await.unwrap().id;
        tx.commit().await.unwrap();
    }
    let mut asset = String::new();
    if pattern.contains("/assets/{id}") {
        let input = bulwark_core::assets::AssetInput { name: format!("Asset {n}"), ..Default::default() };
        asset = bulwark_core::assets::create(store, &cli, now, &input).await.unwrap().id.to_string();
    }
    let mut risk = String::new();
    if pattern.contains("/risks/{id}") {
        let input = bulwark_core::compliance::risks::RiskInput {
            title: format!("Risk {n}"),
            owner: caller.person_id.to_string(),
            probability: "3".into(),
            impact: "4".into(),
            ..Default::default()
        };
        risk = bulwark_core::compliance::risks::create(store, &cli, now, &input).await.unwrap().id.to_string();
    }
    let mut report = (String::new(), String::new());
    if pattern.contains("/vulnerability-reports/{id}") || pattern.contains("{secret}") {
        let confirming = pattern.contains("/confirm/");
        let input = bulwark_core::incidents::disclosure::Submission {
            title: format!("Report {n}"),
            description: "details".into(),
            reporter_email: if confirming { format!("reporter{n}@example.org") } else { String::new() },
            ..Default::default()
        };
        let (r, secret) = bulwark_core::incidents::disclosure::submit(store, now, &input).await.unwrap();
        report = (r.id.to_string(), secret);
        if confirming {
            // The confirmation link's secret, from the one message sent to the reporter.
            // (Read from the store: the page's first hundred fill up as the table grows.)
            let outbox = store.read().await.unwrap().list_undelivered(1_000_000).await.unwrap();
            let ask = outbox.iter().find(|m| m.id == format!("vulnerability-confirm:{}", r.id)).unwrap();
            report.1 = ask.body.split("/confirm/").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
        }
    }
    let mut incident = String::new();
    if pattern.contains("/incidents/{id}") {
        let input = bulwark_core::incidents::ReportInput {
            title: format!("Incident {n}"),
            category: "other".into(),
            description: "details".into(),
            personal_data: "on".into(),
        };
        incident = bulwark_core::incidents::report(store, &owner, now, &input).await.unwrap().id.to_string();
    }
    let mut offboarding = String::new();
    if pattern.contains("/offboardings/") {
        let service = bulwark_core::assets::AssetInput {
            name: format!("Service {n}"),
            kind: "saas".into(),
            ..Default::default()
        };
        bulwark_core::assets::create(store, &cli, now, &service).await.unwrap();
        // The caller heads the leaver's department (so the offboarding is theirs to see, and
        // its first item, a laptop, theirs to check off); others are refused (lifecycle.rs).
        let laptop = bulwark_core::assets::AssetInput {
            name: format!("Laptop {n}"),
            assigned_to: p.id.to_string(),
            ..Default::default()
        };
        bulwark_core::assets::create(store, &cli, now, &laptop).await.unwrap();
        let edit = DepartmentInput {
            name: d.name.clone(),
            head_person_id: caller.person_id.to_string(),
            ..Default::default()
        };
        departments::update_department(store, &cli, now, d.id, &edit).await.unwrap();
        let o = bulwark_core::organisation::lifecycle::start_offboarding(store, &cli, now, p.id, "test").await.unwrap();
        offboarding = o.id;
    }
    let mut scim_token = String::new();
    if pattern.starts_with("/scim-tokens/{id}") {
        let (t, _) =
            bulwark_core::identity::scim::tokens::create(store, &cli, now, &format!("scim {n}")).await.unwrap();
        scim_token = t.id.to_string();
    }
    let (mut framework, mut control, mut evidence) = (String::new(), String::new(), String::new());
    if pattern.contains("/frameworks/{id}") || pattern.contains("/controls/{id}") || pattern.contains("/evidence/") {
        let catalog =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/oscal/basic-catalog.json")).unwrap();
        framework = bulwark_core::compliance::frameworks::import(store, &cli, now, &catalog)
            .await
            .unwrap()
            .framework
            .id
            .to_string();
        // The caller owns it: its owner sees it and adds evidence, whatever their roles.
        let (title, owner) = (format!("Control {n}"), caller.person_id.to_string());
        let input = [("title", title.as_str()), ("owner", owner.as_str())];
        let input = bulwark_core::records::input::RawRecord::from_pairs(input);
        let c = bulwark_core::records::service::create(
            store,
            &cli,
            &bulwark_core::compliance::controls::CONTROL,
            now,
            &input,
        );
        let id: bulwark_core::ids::ControlId = c.await.unwrap().id.parse().unwrap();
        bulwark_core::compliance::controls::map(store, &cli, now, id, &framework, "s1.1.1").await.unwrap();
        let file = bulwark_core::compliance::controls::EvidenceInput {
            kind: "file".into(),
            title: "Report".into(),
            file: Some(("report.txt".into(), "text/plain".into(), b"all good".to_vec())),
            ..Default::default()
        };
        evidence =
            bulwark_core::compliance::controls::add_evidence(store, &cli, now, id, file).await.unwrap().id.to_string();
        control = id.to_string();
    }
    let mut kit = String::new();
    if let Some(ty) = kit_type(pattern) {
        kit = kit_record(store, ty, caller, &d, n).await;
    }
    Records {
        kit,
        control,
        evidence,
        framework,
        scim_token,
        offboarding,
        risk,
        report,
        incident,
        asset,
        policy,
        campaign,
        approval,
        checklist,
        person: p.id.to_string(),
        department: d.id.to_string(),
        account,
        token: t.id.to_string(),
    }
}

/// The kit type a route is about, if any.
fn kit_type(pattern: &str) -> Option<&'static bulwark_core::records::RecordType> {
    let path = pattern.trim_start_matches("/api/v1").trim_start_matches('/');
    let first = path.split('/').next().unwrap_or_default();
    bulwark_core::records::registry::ALL.iter().copied().find(|t| t.path == first)
}

/// A record of `ty` in the caller's scope (their own, or their department's), every required
/// field filled by its kind.
async fn kit_record(
    store: &dyn Store,
    ty: &'static bulwark_core::records::RecordType,
    caller: &Account,
    d: &bulwark_core::organisation::departments::Department,
    n: usize,
) -> String {
    use bulwark_core::records::input::{RawRecord, Typed};
    use bulwark_core::records::{FieldKind, Scope};
    let (cli, now) = (Actor::cli(), time_util::now());
    let mut raw = RawRecord::default();
    for f in ty.fields.iter().filter(|f| f.required) {
        let value = match f.kind {
            FieldKind::Choice(options) => options[0].0.to_string(),
            FieldKind::Date => "2026-01-01".into(),
            FieldKind::Number { min, .. } => min.to_string(),
            _ => format!("{} {n}", f.label),
        };
        raw.fields.insert(f.name.into(), Typed::One(value));
    }
    match ty.access.scope {
        Some(Scope::Owner(field)) => {
            raw.fields.insert(field.into(), Typed::One(caller.person_id.to_string()));
        }
        Some(Scope::HeadOf(field)) => {
            let head = DepartmentInput {
                name: d.name.clone(),
                head_person_id: caller.person_id.to_string(),
                ..Default::default()
            };
            departments::update_department(store, &cli, now, d.id, &head).await.unwrap();
            raw.fields.insert(field.into(), Typed::One(d.id.to_string()));
        }
        None => {}
    }
    bulwark_core::records::service::create(store, &cli, ty, now, &raw).await.unwrap().id
}

async fn published_policy_with_draft(store: &dyn Store, n: usize) -> String {
    use bulwark_core::policies::{self, PolicyInput, Transition};
    let (writer, now) = (Actor::cli(), time_util::now());
    let ratifier = Actor { label: "ratifier".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
    let input = PolicyInput { title: format!("Policy {n}"), body: "v1".into(), ..Default::default() };
    let p = policies::create(store, &writer, now, &input).await.unwrap();
    for (who, step) in [(&writer, Transition::Submit), (&ratifier, Transition::Ratify), (&writer, Transition::Publish)]
    {
        policies::transition(store, who, now, p.id, 1, step).await.unwrap();
    }
    let edit = PolicyInput { body: "v2".into(), ..input };
    policies::update(store, &writer, now, p.id, &edit).await.unwrap();
    p.id.to_string()
}

/// A concrete path for a route pattern, naming `r`'s records.
fn concrete(pattern: &str, r: &Records) -> String {
    // A control's page and its sections name one with a mapping and evidence.
    let id = if pattern.contains("/controls/{id}") {
        &r.control
    } else if kit_type(pattern).is_some() {
        &r.kit
    } else if pattern.starts_with("/evidence/") {
        &r.evidence
    } else if pattern.contains("/frameworks/{id}") {
        &r.framework
    } else if pattern.starts_with("/scim-tokens/") {
        &r.scim_token
    } else if pattern.starts_with("/scim/v2/Users/") {
        &r.person
    } else if pattern.starts_with("/scim/v2/Groups/") {
        &r.department
    } else if pattern.starts_with("/scim/v2/Schemas/") {
        &"urn:ietf:params:scim:schemas:core:2.0:User".to_string()
    } else if pattern.contains("/offboardings/") {
        &r.offboarding
    } else if pattern.starts_with("/people") || pattern.starts_with("/api/v1/people") {
        &r.person
    } else if pattern.contains("departments") {
        &r.department
    } else if pattern.contains("campaigns") {
        &r.campaign
    } else if pattern.contains("approvals") {
        &r.approval
    } else if pattern.contains("/risks/") {
        &r.risk
    } else if pattern.contains("/vulnerability-reports/") {
        &r.report.0
    } else if pattern.contains("/incidents/") {
        &r.incident
    } else if pattern.contains("assets") {
        &r.asset
    } else if pattern.contains("checklists") {
        &r.checklist
    } else if pattern.contains("policies") {
        &r.policy
    } else if pattern.contains("accounts") {
        &r.account
    } else {
        &r.token
    };
    if pattern == "/api/v1/cvss" {
        return format!("{pattern}?vector=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    }
    pattern
        .replace("{*file}", "app.css")
        .replace("{*rest}", "index.html")
        .replace("{token}", "no-such-link")
        .replace("{secret}", &r.report.1)
        .replace("{person_id}", &r.person)
        .replace("{token_id}", &r.token)
        .replace("{number}", if pattern.ends_with("/submit") { "2" } else { "1" })
        .replace("{position}", "1")
        .replace("{name}", "User")
        .replace("{control_id}", "s1.1.1")
        .replace("{requirement_id}", "s1.1.1")
        .replace("{framework_id}", &r.framework)
        .replace("{id}", id)
}

/// Secrets the instance holds that no response may show (see the test's configuration).
const SMTP_PASSWORD: &str = "smtp-password-in-no-response";
const METRICS_TOKEN: &str = "metrics-token-in-no-response";
const WEBHOOK_SECRET: &str = "T0/B0/webhook-secret-in-no-response";

/// What every response carries, whoever asks: the security headers, and for anything
/// personal (a signed-in page, the API, SCIM) no caching. And no response shows a secret.
fn assert_safe_response(client: &TestClient, method: &str, path: &str, h: &reqwest::header::HeaderMap, body: &str) {
    let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(
        csp.contains("default-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("script-src 'unsafe"),
        "{method} {path}: content-security-policy {csp:?}"
    );
    for (name, value) in
        [("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"), ("referrer-policy", "same-origin")]
    {
        assert_eq!(h.get(name).and_then(|v| v.to_str().ok()), Some(value), "{method} {path}: {name}");
    }
    let personal =
        path.starts_with("/api/") || path.starts_with("/scim/") || client.cookie("bulwark_session").is_some();
    if personal && !path.starts_with("/static/") {
        assert_eq!(h.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{method} {path}");
    }
    for secret in ["$argon2", SMTP_PASSWORD, METRICS_TOKEN, WEBHOOK_SECRET] {
        assert!(!body.contains(secret), "{method} {path} shows a secret ({secret})");
    }
    if let Some(session) = client.cookie("bulwark_session") {
        assert!(!body.contains(&session), "{method} {path} shows the session cookie");
    }
}

async fn call(client: &TestClient, csrf: &str, method: &str, path: &str) -> (u16, String, String) {
    let url = client.url(path);
    let req = match method {
        "GET" => client.http.get(&url),
        "DELETE" => client.http.delete(&url),
        "PUT" => client.http.put(&url).header("content-type", "application/json").body("{}"),
        "PATCH" => client.http.patch(&url).header("content-type", "application/json").body("{}"),
        // An import takes CSV: a header without rows (422).
        "POST" if path.starts_with("/api/") && path.ends_with("/import") => {
            client.http.post(&url).header("content-type", "text/csv").body("name\n")
        }
        "POST" if path.starts_with("/api/") || path.starts_with("/scim/") => {
            client.http.post(&url).header("content-type", "application/json").body("{}")
        }
        "POST" => client.http.post(&url).form(&[("csrf", csrf)]),
        other => panic!("unexpected method {other}"),
    };
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let headers = res.headers().clone();
    let body = res.text().await.unwrap_or_default();
    assert_safe_response(client, method, path, &headers, &body);
    (status, location, body)
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let app = bulwark_testkit::spawn_app_with(Backend::Sqlite, |c| {
        c.smtp = Some(bulwark_web::delivery::SmtpSettings {
            host: "127.0.0.1".into(),
            port: 9,
            tls: bulwark_web::delivery::SmtpTls::None,
            username: Some("bulwark".into()),
            password: Some(SMTP_PASSWORD.into()),
            from: "bulwark@example.com".into(),
        });
        c.metrics_token = Some(METRICS_TOKEN.into());
    })
    .await;
    let hook = format!("https://hooks.example.com/services/{WEBHOOK_SECRET}");
    let events = vec!["incident.report".to_string()];
    bulwark_core::notify::add_channel(app.store(), &Actor::cli(), time_util::now(), "chat", "webhook", &hook, &events)
        .await
        .unwrap();

    let declared: BTreeSet<(String, String)> =
        app.routes.entries().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let expected: BTreeSet<(String, String)> =
        EXPECTED.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let unexpected: Vec<_> = declared.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&declared).collect();
    assert!(unexpected.is_empty(), "routes without an expectation in this test: {unexpected:?}");
    assert!(missing.is_empty(), "expected routes the router does not have: {missing:?}");

    let anonymous = app.client();
    let anon_csrf = anonymous.csrf("/login").await;
    let store: &dyn Store = app.store();
    let mut signed = Vec::new();
    for role in ROLES {
        let email = format!("{role}@example.com");
        let c = app.signed_in(&email, &[role]).await;
        let csrf = c.csrf("/profile").await;
        let account = store.read().await.unwrap().find_account_by_email(&email).await.unwrap().unwrap().0;
        signed.push((role, c, csrf, account));
    }
    let (_, scim_secret) =
        bulwark_core::identity::scim::tokens::create(store, &Actor::cli(), time_util::now(), "idp").await.unwrap();
    let scim = app.client().with_bearer(&scim_secret.0);
    let mut n = 0;

    // Logging out ends the session, so it goes last.
    let mut order: Vec<_> = EXPECTED.iter().collect();
    order.sort_by_key(|(_, p, _)| *p == "/logout");
    for (method, pattern, rule) in order {
        n += 1;
        let path = concrete(pattern, &fresh_records(store, &signed[0].3, n, pattern).await);
        let api = (path.starts_with("/api/v1/") && !path.ends_with("openapi.json")) || path == "/metrics";

        let (status, location, body) = call(&anonymous, &anon_csrf, method, &path).await;
        if let ScimToken = rule {
            // Nobody but a SCIM token: not anonymous, not a session of any role.
            assert_eq!(status, 401, "anonymous {method} {path}");
            assert!(body.contains(SCIM_ERROR), "anonymous {method} {path}: {body}");
            for (role, client, csrf, _) in &signed {
                let (status, _, body) = call(client, csrf, method, &path).await;
                assert_eq!(status, 401, "{role} session {method} {path}");
                assert!(body.contains(SCIM_ERROR), "{role} {method} {path}: {body}");
            }
            let (status, _, body) = call(&scim, "", method, &path).await;
            let succeeded = (200..300).contains(&status) || status == 400 && body.contains("invalidValue");
            assert!(succeeded, "SCIM token {method} {path} should be allowed: {status} {body:.300}");
            continue;
        }
        // A SCIM token opens nothing outside SCIM.
        if !matches!(rule, Public) {
            let (status, location, _) = call(&scim, "", method, &path).await;
            let refused = if api { status == 401 } else { status == 303 && location.starts_with("/login?next=") };
            assert!(refused, "SCIM token {method} {path}: {status} {location}");
        }
        match rule {
            Public => assert!(
                status != 401 && status != 403 && !location.starts_with("/login?next="),
                "anonymous {method} {path}: {status}"
            ),
            _ if api => assert_eq!(status, 401, "anonymous {method} {path}"),
            _ => assert!(
                status == 303 && location.starts_with("/login?next="),
                "anonymous {method} {path}: {status} {location}"
            ),
        }

        for (role, client, csrf, account) in &signed {
            let allowed = match rule {
                Public | SignedIn => true,
                Roles(roles) => roles.contains(role),
                ScimToken => false,
            };
            n += 1;
            let path = concrete(pattern, &fresh_records(store, account, n, pattern).await);
            let (status, location, body) = call(client, csrf, method, &path).await;
            if allowed {
                let succeeded = (200..400).contains(&status) && !location.starts_with("/login?next=")
                    || status == 422
                    || status == 409;
                assert!(succeeded, "{role} {method} {path} should be allowed and succeed: {status} {body:.300}");
            } else if api {
                assert_eq!(status, 403, "{role} {method} {path} should be forbidden");
                assert!(body.contains("/problems/forbidden"), "{role} {method} {path}: {body}");
            } else {
                assert_eq!(status, 403, "{role} {method} {path} should be forbidden");
                assert!(body.contains("Not allowed"), "{role} {method} {path}");
            }
        }
    }
}

/// The pages that complete a sign-in, which a session still owing its second factor reaches.
const SECOND_FACTOR_PAGES: &[&str] = &["/login/code", "/mfa/setup", "/mfa/setup/begin", "/logout"];

#[tokio::test]
async fn a_sign_in_owing_its_second_factor_reaches_nothing_but_the_pages_that_complete_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let store: &dyn Store = app.store();
    let admin = bulwark_testkit::create_account(store, "root@example.com", &["admin"], bulwark_testkit::PASSWORD).await;
    bulwark_core::identity::mfa::enroll_now(store, &admin.actor(Via::Session), time_util::now()).await.unwrap();
    let owing = app.client();
    let res = owing.login("root@example.com", bulwark_testkit::PASSWORD).await;
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login/code?next="));
    let csrf = owing.csrf("/login/code").await;
    assert!(!csrf.is_empty(), "the code page has a form");
    let mut n = 0;
    for (method, pattern, rule) in EXPECTED {
        if matches!(rule, Public) || SECOND_FACTOR_PAGES.contains(pattern) {
            continue;
        }
        n += 1;
        let path = concrete(pattern, &fresh_records(store, &admin, 10_000 + n, pattern).await);
        let (status, location, _) = call(&owing, &csrf, method, &path).await;
        if path.starts_with("/api/") || path.starts_with("/scim/") || path == "/metrics" {
            assert_eq!(status, 401, "{method} {path} before the second factor");
        } else {
            assert!(
                status == 303 && location.starts_with("/login/code?next="),
                "{method} {path} before the second factor: {status} {location}"
            );
        }
    }
}

/// Field names the forms and the API use, so garbage reaches past "missing field".
const FIELD_NAMES: &[&str] = &[
    "name",
    "email",
    "title",
    "body",
    "description",
    "next",
    "status",
    "kind",
    "category",
    "due_date",
    "version",
    "events",
    "target",
    "probability",
    "impact",
    "treatment",
    "vector",
    "password",
    "code",
    "owner_id",
    "person_id",
    "department_id",
    "roles",
    "role",
    "severity",
    "controls",
    "expires_days",
    "scale",
    "acceptance_threshold",
    "q",
];

/// Values that have broken parsers elsewhere: empty, huge, control characters, numbers out of
/// range, impossible dates, formulas, markup.
fn garbage_value() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        prop::sample::select(
            &[
                "",
                "\u{0}",
                "-1",
                "0",
                "99999999999999999999999",
                "1e309",
                "NaN",
                "2026-02-30",
                "9999-99-99",
                "=cmd|' /C calc'!A0",
                "<script>alert(1)</script>",
                "../../etc/passwd",
                "null",
                "true",
                "[]",
                "{}",
                "\u{202e}",
                "admin",
                "\u{c0}\u{80}",
            ][..]
        )
        .prop_map(str::to_string),
        ".{0,40}",
        Just("x".repeat(70_000)),
    ]
}

/// A body of one of the kinds a client may send: a form, JSON, or bytes.
fn garbage_body(csrf: String) -> impl proptest::strategy::Strategy<Value = (&'static str, Vec<u8>)> {
    use proptest::prelude::*;
    let fields = || prop::collection::vec((prop::sample::select(FIELD_NAMES), garbage_value()), 0..8);
    prop_oneof![
        fields().prop_map(move |f| {
            let mut form = vec![("csrf".to_string(), csrf.clone())];
            form.extend(f.into_iter().map(|(k, v)| (k.to_string(), v)));
            ("application/x-www-form-urlencoded", serde_urlencoded::to_string(form).unwrap_or_default().into_bytes())
        }),
        fields().prop_map(|f| {
            let object: serde_json::Map<String, serde_json::Value> = f
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.parse::<serde_json::Value>().unwrap_or(serde_json::Value::String(v))))
                .collect();
            ("application/json", serde_json::to_vec(&object).unwrap())
        }),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| ("application/json", b)),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| ("application/x-www-form-urlencoded", b)),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| ("text/csv", b)),
    ]
}

#[tokio::test]
async fn every_write_route_answers_garbage_with_a_4xx_and_a_clear_error() {
    use proptest::strategy::{Strategy, ValueTree};
    let app = spawn_app(Backend::Sqlite).await;
    let store: &dyn Store = app.store();
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let csrf = admin.csrf("/profile").await;
    let account = store.read().await.unwrap().find_account_by_email("admin@example.com").await.unwrap().unwrap().0;
    let (_, token) = accounts::create_token(
        store,
        &account.actor(Via::Session),
        time_util::now(),
        &NewTokenInput { name: "fuzz".into(), expires_days: None },
    )
    .await
    .unwrap();
    let (_, scim_secret) =
        bulwark_core::identity::scim::tokens::create(store, &Actor::cli(), time_util::now(), "idp").await.unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let bodies = garbage_body(csrf.clone());
    let mut n = 0;
    for (method, pattern, _) in EXPECTED.iter().filter(|(m, p, _)| *m != "GET" && *p != "/logout") {
        n += 1;
        let path = concrete(pattern, &fresh_records(store, &account, n, pattern).await);
        for _ in 0..6 {
            let (content_type, body) = bodies.new_tree(&mut runner).unwrap().current();
            let mut request = admin
                .http
                .request(method.parse().unwrap(), admin.url(&path))
                .header("content-type", content_type)
                .body(body.clone());
            if path.starts_with("/api/") {
                request = request.bearer_auth(&token.0);
            } else if path.starts_with("/scim/") {
                request = request.bearer_auth(&scim_secret.0);
            }
            let res = request.send().await.unwrap();
            let status = res.status().as_u16();
            let type_sent = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let shown = String::from_utf8_lossy(&body[..body.len().min(200)]).to_string();
            assert!(status < 500, "{method} {path} answered {status} to {content_type} {shown:?}");
            if path.starts_with("/api/") && status >= 400 {
                assert!(type_sent.starts_with("application/problem+json"), "{method} {path} {status}: {type_sent}");
            }
        }
    }
    assert!(n > 100, "every write route was tried: {n}");
}
