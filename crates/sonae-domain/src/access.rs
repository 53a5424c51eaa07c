//! Roles and what each may see and change (DESIGN "Who uses it", §9).
//!
//! The store asks these functions before every read and write; the web layer
//! only uses them to hide buttons. A rule that lives here is enforced for the
//! pages, the JSON API and the CSV/SBOM imports alike.

use crate::inventory::Kind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    SecurityOfficer,
    SystemOwner,
    Vendor,
    Executive,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::SecurityOfficer,
        Role::SystemOwner,
        Role::Vendor,
        Role::Executive,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::SecurityOfficer => "security_officer",
            Role::SystemOwner => "system_owner",
            Role::Vendor => "vendor",
            Role::Executive => "executive",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Who is acting: a signed-in user, an API token's owner, or the system itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Role,
    /// The department a system owner belongs to.
    pub department_id: Option<i64>,
    /// The vendor a vendor user works for.
    pub vendor_id: Option<i64>,
}

impl Actor {
    /// The program itself (CLI commands, demo loading, migrations).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            name: "system".to_owned(),
            role: Role::Admin,
            department_id: None,
            vendor_id: None,
        }
    }
}

/// Which records of a kind an actor may reach. The store turns this into a
/// query condition; nothing else decides access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Nothing,
    /// Records whose `field` holds this id (e.g. `owner_department_id`).
    FieldEq(&'static str, i64),
    /// Records whose `system_id` points at a system inside the given scope.
    SystemIn(Box<Scope>),
    /// Exactly one record.
    IdEq(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The set of records of `kind` the actor may read or write.
pub fn scope(actor: &Actor, kind: Kind, access: Access) -> Scope {
    use Access::*;
    use Kind::*;
    let dept = |field: &'static str| match actor.department_id {
        Some(d) => Scope::FieldEq(field, d),
        None => Scope::Nothing,
    };
    let vendor_systems = || match actor.vendor_id {
        Some(v) => Scope::FieldEq("vendor_id", v),
        None => Scope::Nothing,
    };
    match actor.role {
        Role::Admin | Role::SecurityOfficer => Scope::All,
        Role::Executive | Role::Auditor => match access {
            Read => Scope::All,
            Write => Scope::Nothing,
        },
        // A system owner department: its own systems, their components and
        // its information assets; the directory of departments, people and
        // vendors is readable so that links resolve.
        Role::SystemOwner => match (kind, access) {
            (System, _) => dept("owner_department_id"),
            (Asset, _) => dept("owner_department_id"),
            (Component, _) => Scope::SystemIn(Box::new(dept("owner_department_id"))),
            (Department | Person | Vendor, Read) => Scope::All,
            (Department | Person | Vendor, Write) => Scope::Nothing,
        },
        // An outsourced vendor: the systems it operates (read), their
        // components (it keeps versions up to date), and its own vendor record.
        Role::Vendor => match (kind, access) {
            (System, Read) => vendor_systems(),
            (Component, _) => Scope::SystemIn(Box::new(vendor_systems())),
            (Vendor, Read) => actor.vendor_id.map_or(Scope::Nothing, Scope::IdEq),
            _ => Scope::Nothing,
        },
    }
}

/// The link an account of this role must have and lacks: a system owner
/// belongs to a department, a vendor account to a vendor. Returns the
/// field that is missing.
pub fn missing_account_link(
    role: Role,
    department_id: Option<i64>,
    vendor_id: Option<i64>,
) -> Option<&'static str> {
    match role {
        Role::SystemOwner if department_id.is_none() => Some("department_id"),
        Role::Vendor if vendor_id.is_none() => Some("vendor_id"),
        _ => None,
    }
}

/// Whether the actor may manage user accounts and settings.
pub fn can_admin(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// Whether the actor may read and export the audit log.
pub fn can_read_audit(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::Admin | Role::SecurityOfficer | Role::Auditor
    )
}

/// Whether the actor may write at least some records of this kind
/// (used to show or hide "new" buttons; the store still checks each record).
pub fn may_write_some(actor: &Actor, kind: Kind) -> bool {
    scope(actor, kind, Access::Write) != Scope::Nothing
        && !matches!(scope(actor, kind, Access::Write), Scope::SystemIn(ref s) if **s == Scope::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Some(1),
            name: "u".into(),
            role,
            department_id: Some(7),
            vendor_id: Some(3),
        }
    }

    #[test]
    fn auditor_and_executive_read_everything_and_write_nothing() {
        for role in [Role::Auditor, Role::Executive] {
            for kind in Kind::ALL {
                assert_eq!(scope(&actor(role), kind, Access::Read), Scope::All);
                assert_eq!(scope(&actor(role), kind, Access::Write), Scope::Nothing);
                assert!(!may_write_some(&actor(role), kind));
            }
        }
    }

    #[test]
    fn system_owner_is_limited_to_its_department() {
        let a = actor(Role::SystemOwner);
        assert_eq!(
            scope(&a, Kind::System, Access::Write),
            Scope::FieldEq("owner_department_id", 7)
        );
        assert_eq!(scope(&a, Kind::Vendor, Access::Write), Scope::Nothing);
        let no_dept = Actor {
            department_id: None,
            ..a
        };
        assert_eq!(scope(&no_dept, Kind::System, Access::Read), Scope::Nothing);
    }

    #[test]
    fn vendor_reads_only_its_systems_and_no_people() {
        let a = actor(Role::Vendor);
        assert_eq!(
            scope(&a, Kind::System, Access::Read),
            Scope::FieldEq("vendor_id", 3)
        );
        assert_eq!(scope(&a, Kind::System, Access::Write), Scope::Nothing);
        assert_eq!(scope(&a, Kind::Person, Access::Read), Scope::Nothing);
        assert_eq!(scope(&a, Kind::Vendor, Access::Read), Scope::IdEq(3));
        assert!(may_write_some(&a, Kind::Component));
    }

    #[test]
    fn owners_need_a_department_and_vendors_a_vendor() {
        assert_eq!(
            missing_account_link(Role::SystemOwner, None, Some(1)),
            Some("department_id")
        );
        assert_eq!(
            missing_account_link(Role::Vendor, Some(1), None),
            Some("vendor_id")
        );
        assert_eq!(missing_account_link(Role::Auditor, None, None), None);
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
