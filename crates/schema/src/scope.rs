//! Access levels, action scopes and compact scope sets.

use std::fmt;

/// One of the ten action scopes an Akash provider JWT can grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Scope {
    /// `send-manifest`: upload a deployment manifest.
    SendManifest,
    /// `get-manifest`: read back a deployment manifest.
    GetManifest,
    /// `logs`: stream service logs.
    Logs,
    /// `shell`: open a shell in a service container.
    Shell,
    /// `events`: stream Kubernetes events of a lease.
    Events,
    /// `status`: read lease and service status.
    Status,
    /// `restart`: restart a service (no provider route uses it yet).
    Restart,
    /// `hostname-migrate`: migrate hostnames between deployments.
    HostnameMigrate,
    /// `ip-migrate`: migrate IP endpoints between deployments.
    IpMigrate,
    /// `attestation`: request attestation reports (chain-sdk PR #324).
    Attestation,
}

impl Scope {
    /// Every scope, in upstream declaration order.
    pub const ALL: [Scope; 10] = [
        Scope::SendManifest,
        Scope::GetManifest,
        Scope::Logs,
        Scope::Shell,
        Scope::Events,
        Scope::Status,
        Scope::Restart,
        Scope::HostnameMigrate,
        Scope::IpMigrate,
        Scope::Attestation,
    ];

    /// The JSON spelling of the scope, e.g. `send-manifest`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::SendManifest => "send-manifest",
            Scope::GetManifest => "get-manifest",
            Scope::Logs => "logs",
            Scope::Shell => "shell",
            Scope::Events => "events",
            Scope::Status => "status",
            Scope::Restart => "restart",
            Scope::HostnameMigrate => "hostname-migrate",
            Scope::IpMigrate => "ip-migrate",
            Scope::Attestation => "attestation",
        }
    }

    /// Parses the exact, case-sensitive JSON spelling of a scope.
    pub fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "send-manifest" => Scope::SendManifest,
            "get-manifest" => Scope::GetManifest,
            "logs" => Scope::Logs,
            "shell" => Scope::Shell,
            "events" => Scope::Events,
            "status" => Scope::Status,
            "restart" => Scope::Restart,
            "hostname-migrate" => Scope::HostnameMigrate,
            "ip-migrate" => Scope::IpMigrate,
            "attestation" => Scope::Attestation,
            _ => return None,
        })
    }

    const fn bit(self) -> u16 {
        1 << (self as u8)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of [`Scope`]s stored as a 16-bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScopeSet(u16);

impl ScopeSet {
    /// The empty set.
    pub const EMPTY: ScopeSet = ScopeSet(0);

    /// Whether `s` is in the set.
    pub const fn contains(self, s: Scope) -> bool {
        self.0 & s.bit() != 0
    }

    /// Adds `s`; returns `false` when it was already present.
    pub fn insert(&mut self, s: Scope) -> bool {
        let fresh = !self.contains(s);
        self.0 |= s.bit();
        fresh
    }

    /// Whether the set holds no scope.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The raw mask: bit `n` is set for the scope with discriminant `n`.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Number of scopes in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The scopes in the set, in [`Scope::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut set = ScopeSet::EMPTY;
        for s in iter {
            set.insert(s);
        }
        set
    }
}

/// The access level of the whole token or of one provider entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// `full`: every action.
    Full,
    /// `scoped`: only the listed scopes.
    Scoped,
    /// `granular`: per-provider (top level) or per-deployment (provider level) entries.
    Granular,
}

impl Access {
    /// Every access level.
    pub const ALL: [Access; 3] = [Access::Full, Access::Scoped, Access::Granular];

    /// The JSON spelling: `full`, `scoped` or `granular`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Access::Full => "full",
            Access::Scoped => "scoped",
            Access::Granular => "granular",
        }
    }

    /// Parses the exact, case-sensitive JSON spelling.
    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "full" => Some(Access::Full),
            "scoped" => Some(Access::Scoped),
            "granular" => Some(Access::Granular),
            _ => None,
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_round_trip_and_are_unique() {
        let mut seen = ScopeSet::EMPTY;
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
            assert!(seen.insert(s));
        }
        assert_eq!(seen.len(), 10);
        assert_eq!(seen.iter().collect::<Vec<_>>(), Scope::ALL.to_vec());
        assert_eq!(Scope::parse("Logs"), None);
    }

    #[test]
    fn scope_set_insert_reports_duplicates() {
        let mut set = ScopeSet::EMPTY;
        assert!(set.is_empty());
        assert!(set.insert(Scope::Logs));
        assert!(!set.insert(Scope::Logs));
        assert!(set.contains(Scope::Logs));
        assert!(!set.contains(Scope::Shell));
        assert_eq!(set.bits(), 1 << 2);
    }

    #[test]
    fn access_names_round_trip() {
        for a in Access::ALL {
            assert_eq!(Access::parse(a.as_str()), Some(a));
        }
        assert_eq!(Access::parse("none"), None);
    }
}
