//! Roles, permissions and the acting principal. Which role grants which permission is decided
//! here and nowhere else; the web layer asks `Actor::can` for every route.

use crate::ids::{AccountId, PersonId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The roles of SPEC §2. Roles are additive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Admin,
    Security,
    Management,
    Auditor,
    DepartmentHead,
    Employee,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::Security, Role::Management, Role::Auditor, Role::DepartmentHead, Role::Employee];

    /// Every role but the employee's opens records beyond one's own: the sign-in e-mail of an
    /// account holding one changes only through an admin.
    pub fn is_privileged(self) -> bool {
        self != Role::Employee
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Security => "security",
            Role::Management => "management",
            Role::Auditor => "auditor",
            Role::DepartmentHead => "department-head",
            Role::Employee => "employee",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Security => "Security team",
            Role::Management => "Management",
            Role::Auditor => "Auditor",
            Role::DepartmentHead => "Department head",
            Role::Employee => "Employee",
        }
    }

    /// The permissions this role grants.
    pub fn grants(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            // Provisioning is for SCIM tokens alone (see `Actor::can`).
            Role::Admin => p != ProvisionIdentities,
            Role::Security => {
                matches!(
                    p,
                    ViewDirectory
                        | ManageDirectory
                        | ManagePolicies
                        | ViewCampaigns
                        | ManageCampaigns
                        | ViewAssets
                        | ManageAssets
                        | ViewCompliance
                        | ManageCompliance
                        | ViewRisks
                        | ManageRisks
                        | ViewVulnerabilities
                        | HandleVulnerabilities
                        | ViewIncidents
                        | HandleIncidents
                )
            }
            Role::Management => {
                matches!(p, ViewDirectory | RatifyPolicies | ViewCampaigns | ViewAssets | ViewCompliance | ViewRisks)
            }
            Role::DepartmentHead => matches!(p, ViewDirectory),
            Role::Auditor => {
                matches!(
                    p,
                    ViewDirectory
                        | ViewAudit
                        | ViewAccounts
                        | ViewCampaigns
                        | ViewAssets
                        | ViewCompliance
                        | ViewRisks
                        | ViewVulnerabilities
                        | ViewIncidents
                )
            }
            Role::Employee => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            let known: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!("unknown role '{s}' (known: {})", known.join(", "))
        })
    }
}

/// What a route or a service may require. Signed-in users always may see their own profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See people, departments and the security team's areas.
    ViewDirectory,
    /// Create and edit people, departments and areas.
    ManageDirectory,
    /// See login accounts and their roles.
    ViewAccounts,
    /// Create accounts, change roles, reset passwords, revoke anyone's tokens.
    ManageAccounts,
    /// Read the audit log.
    ViewAudit,
    /// Read the operational metrics.
    ViewMetrics,
    /// Write policies and their drafts, send them for review, publish ratified versions.
    ManagePolicies,
    /// Ratify (or send back) a policy version someone else sent for review.
    RatifyPolicies,
    /// See campaigns, their completion and who is missing.
    ViewCampaigns,
    /// Start and close campaigns.
    ManageCampaigns,
    /// Configure the instance: notification channels, delivery.
    ManageSettings,
    /// See the asset inventory.
    ViewAssets,
    /// Add, edit, assign and import assets.
    ManageAssets,
    /// See frameworks, requirements, controls, evidence and coverage.
    ViewCompliance,
    /// Import frameworks, manage controls, their mappings and evidence.
    ManageCompliance,
    /// See the risk register and its heat map.
    ViewRisks,
    /// Record, rate and treat risks (accepting one above the threshold still needs management).
    ManageRisks,
    /// Read vulnerability reports and their conversations (the team; auditors).
    ViewVulnerabilities,
    /// Triage and answer vulnerability reports from outside.
    HandleVulnerabilities,
    /// See every incident (the team; auditors, who read everything and change nothing).
    ViewIncidents,
    /// See every incident and lead the response (others see the incidents they reported or
    /// were added to).
    HandleIncidents,
    /// Create, update and deactivate people and departments through SCIM. Held by the actor
    /// of a SCIM token and by nobody else; that actor holds nothing more.
    ProvisionIdentities,
}

/// How the actor proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Session,
    Token,
    /// The command line, run by the operator of the instance.
    Cli,
    /// Background work of the instance itself.
    System,
    /// A SCIM token of an identity provider.
    Scim,
}

/// Who is acting. Built by the web layer from a session or token, or by the CLI.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub account_id: Option<AccountId>,
    pub person_id: Option<PersonId>,
    /// Human-readable name recorded in the audit log (usually the e-mail address).
    pub label: String,
    pub roles: Vec<Role>,
    pub via: Via,
}

impl Actor {
    pub fn cli() -> Self {
        Self { account_id: None, person_id: None, label: "cli".into(), roles: vec![Role::Admin], via: Via::Cli }
    }

    pub fn system(label: &str) -> Self {
        Self { account_id: None, person_id: None, label: label.into(), roles: vec![Role::Admin], via: Via::System }
    }

    pub fn can(&self, p: Permission) -> bool {
        match self.via {
            Via::Scim => p == Permission::ProvisionIdentities,
            _ => self.roles.iter().any(|r| r.grants(p)),
        }
    }

    /// The actor of a SCIM token: it provisions and does nothing else.
    pub fn scim(token_name: &str) -> Self {
        Self { account_id: None, person_id: None, label: format!("scim:{token_name}"), roles: vec![], via: Via::Scim }
    }

    /// Fails with `Forbidden` unless the actor holds the permission.
    pub fn require(&self, p: Permission) -> Result<(), crate::CoreError> {
        if self.can(p) { Ok(()) } else { Err(crate::CoreError::Forbidden(format!("{p:?} needed"))) }
    }

    /// The actor id written to the audit log.
    pub fn audit_id(&self) -> Option<String> {
        self.account_id.map(|a| a.to_string())
    }
}

/// Parses roles given as strings, naming the first unknown one.
pub fn parse_roles<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for s in items {
        let r: Role = s.as_ref().trim().parse()?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    roles.sort();
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor { roles: roles.to_vec(), ..Actor::cli() }
    }

    #[test]
    fn roles_are_additive() {
        let a = actor(&[Role::Employee, Role::Auditor]);
        assert!(a.can(Permission::ViewAudit));
        assert!(!a.can(Permission::ManageDirectory));
        assert!(!actor(&[Role::Employee]).can(Permission::ViewDirectory));
    }

    #[test]
    fn role_names_round_trip_and_unknown_is_named() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        let err = parse_roles(["admin", "wizard"]).unwrap_err();
        assert!(err.contains("wizard"), "{err}");
    }
}
