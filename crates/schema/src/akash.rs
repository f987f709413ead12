//! The Akash claims validator: one pass over the payload implements both the upstream JSON
//! schema and the Go provider's `Claims.Validate()`, collecting every problem.

use serde_json::{Map, Number, Value};

use crate::address::{self, AddressProblem};
use crate::akash_fast;
use crate::claims::{AkashClaims, DeploymentPermission, Leases, ProviderPermission};
use crate::error::{ClaimErrorCode as Code, ClaimErrors, SchemaSetupError};
use crate::fuzzy;
use crate::path::Path;
use crate::schema_map;
use crate::scope::{Access, Scope, ScopeSet};
use crate::walk::{Sink, kind, number_text, quote};

/// The Akash claims schema (draft-07), `specs/jwt-schema.json`.
pub const AKASH_SCHEMA: &str = include_str!("../../../specs/jwt-schema.json");

/// Which Akash implementation the validator reproduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AkashBehaviour {
    /// Rejects everything the current upstream JSON schema or the Go provider rejects.
    Strict,
    /// Accepts exactly what the Go provider decodes and validates (see `specs/claims-errors.md`).
    UpstreamCompatible,
}

/// Validates Akash provider JWT claims; built once, `Send + Sync`.
#[derive(Debug)]
pub struct AkashValidator {
    behaviour: AkashBehaviour,
    // Compiled once; only consulted when the fast path already found a problem (strict mode).
    schema: Option<jsonschema::Validator>,
}

impl AkashValidator {
    /// Builds a validator; in [`AkashBehaviour::Strict`] the embedded schema is compiled here.
    pub fn new(behaviour: AkashBehaviour) -> Result<Self, SchemaSetupError> {
        let schema = match behaviour {
            AkashBehaviour::Strict => {
                Some(schema_map::compile(AKASH_SCHEMA, "specs/jwt-schema.json")?)
            }
            AkashBehaviour::UpstreamCompatible => None,
        };
        Ok(AkashValidator { behaviour, schema })
    }

    /// The behaviour chosen at construction.
    pub fn behaviour(&self) -> AkashBehaviour {
        self.behaviour
    }

    /// Validates a decoded JWT payload and returns the typed claims, or every problem found.
    ///
    /// Time claims are not compared with any clock here.
    pub fn validate(&self, payload: &[u8]) -> Result<AkashClaims, ClaimErrors> {
        // Fast path: one typed pass that accepts only plainly clean payloads; anything else,
        // including every payload with a problem, goes through the walk, which reports it.
        if let Some(claims) = self.validate_fast_path(payload) {
            return Ok(claims);
        }
        self.validate_slow_path(payload)
    }

    /// The typed single pass alone: `Some` only for a payload that is clean in this behaviour,
    /// `None` when unsure. Never accepts what [`validate_slow_path`](Self::validate_slow_path)
    /// rejects. Exposed for the equivalence tests; not part of the stable api.
    #[doc(hidden)]
    pub fn validate_fast_path(&self, payload: &[u8]) -> Option<AkashClaims> {
        akash_fast::validate(payload, self.behaviour == AkashBehaviour::Strict)
    }

    /// The `serde_json::Value` walk alone, which reports every problem. Exposed for the
    /// equivalence tests; not part of the stable api.
    #[doc(hidden)]
    pub fn validate_slow_path(&self, payload: &[u8]) -> Result<AkashClaims, ClaimErrors> {
        self.validate_value(&schema_map::parse(payload)?)
    }

    /// Like [`validate`](Self::validate), for an already parsed payload.
    pub fn validate_value(&self, value: &Value) -> Result<AkashClaims, ClaimErrors> {
        let mut walk = Walk {
            strict: self.behaviour == AkashBehaviour::Strict,
            sink: Sink::new(),
        };
        let claims = walk.top(value);
        schema_map::finish(claims, walk.sink.errors, self.schema.as_ref(), value)
    }

    /// Runs only the compiled upstream-equivalent JSON schema (strict mode); `None` in
    /// upstream-compatible mode or when `payload` is not JSON. Slow path, for tests and tools.
    pub fn schema_accepts(&self, payload: &[u8]) -> Option<bool> {
        schema_map::accepts(self.schema.as_ref(), payload)
    }
}

/// Go treats these as failing only when non-empty (`len > 0`) or when present at all (`!= nil`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum GoRule {
    NonEmpty,
    Present,
}

/// Whether a rule is about the top-level `leases` or one provider entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Leases,
    Permission,
}

impl Level {
    /// The nested list `granular` access requires at this level.
    fn nested_key(self) -> &'static str {
        match self {
            Level::Leases => "permissions",
            Level::Permission => "deployments",
        }
    }
}

/// An object, its known members and how many unknown ones it has.
type Entry<'v, const N: usize> = (&'v Map<String, Value>, [Option<&'v Value>; N], usize);

/// Picks an object's known members in the order of `keys`, and counts the unknown ones.
fn members<'v, const N: usize>(
    map: &'v Map<String, Value>,
    keys: &[&str; N],
) -> ([Option<&'v Value>; N], usize) {
    let mut found = [None; N];
    let mut unknown = 0usize;
    for (k, v) in map {
        match keys
            .iter()
            .position(|known| *known == k.as_str())
            .and_then(|i| found.get_mut(i))
        {
            Some(slot) => *slot = Some(v),
            None => unknown += 1,
        }
    }
    (found, unknown)
}

struct Walk {
    strict: bool,
    sink: Sink,
}

const TOP_KEYS: [&str; 7] = ["iss", "iat", "nbf", "exp", "jti", "version", "leases"];
const LEASES_KEYS: [&str; 3] = ["access", "scope", "permissions"];
const PERMISSION_KEYS: [&str; 4] = ["provider", "access", "scope", "deployments"];
const DEPLOYMENT_KEYS: [&str; 5] = ["dseq", "gseq", "oseq", "scope", "services"];
const ACCESS_NAMES: [&str; 3] = ["full", "scoped", "granular"];

/// A required, non-empty array member and the wording of its problems.
struct ListRule {
    name: &'static str,
    /// Help when the member is absent.
    missing_help: &'static str,
    /// One entry, as in "`name` must list at least one …".
    item: &'static str,
    /// Help when the list is empty (built only then).
    empty_help: fn() -> String,
}

const SCOPE_LIST: ListRule = ListRule {
    name: "scope",
    missing_help: "list at least one scope, e.g. `[\"logs\"]`",
    item: "scope",
    empty_help: || format!("known scopes: {}", scope_names()),
};
const PERMISSIONS_LIST: ListRule = ListRule {
    name: "permissions",
    missing_help: "`granular` access needs at least one provider entry",
    item: "provider",
    empty_help: || "add a provider entry, or use `full` or `scoped` access".to_owned(),
};
const DEPLOYMENTS_LIST: ListRule = ListRule {
    name: "deployments",
    missing_help: "a `granular` provider entry needs at least one deployment entry",
    item: "deployment",
    empty_help: || "add a deployment entry, or use `full` or `scoped` access".to_owned(),
};
const SERVICES_LIST: ListRule = ListRule {
    name: "services",
    missing_help: "list the service names the grant covers",
    item: "service",
    empty_help: || "list the service names the grant covers".to_owned(),
};

impl Walk {
    /// `Some(v)` unless absent, or `null` in compat mode (Go decodes `null` as the zero value).
    fn present<'v>(&self, v: Option<&'v Value>) -> Option<&'v Value> {
        match v {
            Some(Value::Null) if !self.strict => None,
            other => other,
        }
    }

    fn top(&mut self, value: &Value) -> AkashClaims {
        let root = Path::Root;
        let mut claims = AkashClaims {
            iss: String::new(),
            iat: 0,
            nbf: 0,
            exp: 0,
            jti: None,
            version: String::new(),
            leases: empty_leases(),
        };
        let Value::Object(map) = value else {
            self.sink.push(
                Code::NotAnObject,
                &root,
                format!("claims must be a json object, found {}", kind(value)),
                None,
            );
            return claims;
        };
        let (mut iss, mut iat, mut nbf, mut exp, mut jti, mut version, mut leases) =
            (None, None, None, None, None, None, None);
        let mut unknown = 0usize;
        for (k, v) in map {
            match k.as_str() {
                "iss" => iss = Some(v),
                "iat" => iat = Some(v),
                "nbf" => nbf = Some(v),
                "exp" => exp = Some(v),
                "jti" => jti = Some(v),
                "version" => version = Some(v),
                "leases" => leases = Some(v),
                "sub" if !self.strict => self.go_string(&root.key("sub"), "sub", v),
                "aud" if !self.strict => self.go_audience(&root.key("aud"), v),
                _ => unknown += 1,
            }
        }
        claims.iss = self.issuer(&root.key("iss"), iss);
        claims.iat = self.time(&root.key("iat"), "iat", iat);
        claims.nbf = self.time(&root.key("nbf"), "nbf", nbf);
        claims.exp = self.time(&root.key("exp"), "exp", exp);
        claims.version = self.version(&root.key("version"), version);
        claims.leases = self.leases(&root.key("leases"), leases);
        claims.jti = self.jti(&root.key("jti"), jti);
        if self.strict {
            self.sink.unknown_keys(&root, map, &TOP_KEYS, unknown);
        }
        claims
    }

    /// A required string member: reports it missing or of the wrong type, and returns it when
    /// it is a string.
    fn required_str<'v>(
        &mut self,
        path: &Path<'_>,
        name: &str,
        missing_help: &str,
        v: Option<&'v Value>,
    ) -> Option<&'v String> {
        match self.present(v) {
            None => {
                self.sink.missing(path, name, missing_help);
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                self.sink.wrong_type(path, name, "a string", other);
                None
            }
        }
    }

    fn issuer(&mut self, path: &Path<'_>, v: Option<&Value>) -> String {
        let help = "set `iss` to the lease owner's `akash1…` address";
        let Some(s) = self.required_str(path, "iss", help, v) else {
            return String::new();
        };
        if let Err(problem) = address::check(s, self.strict) {
            self.sink.push(
                Code::InvalidIssuer,
                path,
                format!(
                    "issuer `{}` is not a valid akash address: {}",
                    quote(s),
                    problem.describe()
                ),
                address_help(problem),
            );
        }
        s.clone()
    }

    fn time(&mut self, path: &Path<'_>, name: &str, v: Option<&Value>) -> i64 {
        let help = "set it to a unix time in whole seconds";
        let Some(v) = self.present(v) else {
            self.sink.missing(path, name, help);
            return 0;
        };
        match v {
            Value::Number(n) if self.strict => self.strict_time(path, name, n, v),
            Value::Number(n) => match n.as_i64() {
                Some(i) => i,
                None => truncate(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) if !self.strict => match go_numeric_string(s) {
                Some(f) => truncate(f),
                None => {
                    self.sink.push(
                        Code::InvalidTime,
                        path,
                        format!("`{name}` string `{}` is not a number", quote(s)),
                        Some(help.to_owned()),
                    );
                    0
                }
            },
            other => {
                let expected = if self.strict {
                    "a non-negative integer"
                } else {
                    "a number or a numeric string"
                };
                self.sink.wrong_type(path, name, expected, other);
                0
            }
        }
    }

    fn strict_time(&mut self, path: &Path<'_>, name: &str, n: &Number, v: &Value) -> i64 {
        if let Some(u) = n.as_u64() {
            return i64::try_from(u).unwrap_or(i64::MAX);
        }
        let f = n.as_f64().unwrap_or(-1.0);
        if f < 0.0 {
            self.sink.push(
                Code::InvalidTime,
                path,
                format!("`{name}` must not be negative, found `{}`", number_text(v)),
                Some("set it to a unix time in whole seconds".to_owned()),
            );
            0
        } else if f.fract() != 0.0 {
            self.sink.push(
                Code::InvalidTime,
                path,
                format!(
                    "`{name}` must be a whole number of seconds, found `{}`",
                    number_text(v)
                ),
                Some(
                    "the upstream schema requires an integer; the go provider truncates".to_owned(),
                ),
            );
            0
        } else {
            // Draft-07 `integer` accepts `1.0`; so does Go's NumericDate.
            truncate(f)
        }
    }

    fn version(&mut self, path: &Path<'_>, v: Option<&Value>) -> String {
        let Some(s) = self.required_str(path, "version", "set `version` to `v1`", v) else {
            return String::new();
        };
        if s != "v1" {
            self.sink.push(
                Code::InvalidVersion,
                path,
                if s.is_empty() {
                    "`version` must not be empty".to_owned()
                } else {
                    format!("unsupported version `{}`", quote(s))
                },
                Some("the only version is `v1`".to_owned()),
            );
        }
        s.clone()
    }

    fn jti(&mut self, path: &Path<'_>, v: Option<&Value>) -> Option<String> {
        match self.present(v)? {
            Value::String(s) => {
                if self.strict && s.is_empty() {
                    self.sink.push(
                        Code::EmptyJti,
                        path,
                        "`jti` must not be empty".to_owned(),
                        Some("omit `jti` or give it a value".to_owned()),
                    );
                }
                Some(s.clone())
            }
            other => {
                self.sink.wrong_type(path, "jti", "a string", other);
                None
            }
        }
    }

    /// Go decodes `sub` into a string: anything else fails decoding.
    fn go_string(&mut self, path: &Path<'_>, name: &str, v: &Value) {
        if !matches!(v, Value::Null | Value::String(_)) {
            self.sink.wrong_type(path, name, "a string", v);
        }
    }

    /// golang-jwt `ClaimStrings`: a string, an array of strings, or null.
    fn go_audience(&mut self, path: &Path<'_>, v: &Value) {
        let ok = match v {
            Value::Null | Value::String(_) => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            _ => false,
        };
        if !ok {
            self.sink
                .wrong_type(path, "aud", "a string or an array of strings", v);
        }
    }

    /// One entry of the list of objects `list`: the object, its members in the order of `keys`
    /// and how many others it has; `None` (reported) when the entry is not an object.
    fn entry<'v, const N: usize>(
        &mut self,
        path: &Path<'_>,
        list: &str,
        v: &'v Value,
        keys: &[&str; N],
    ) -> Option<Entry<'v, N>> {
        let Value::Object(map) = v else {
            self.sink.wrong_type(path, list, "a list of objects", v);
            return None;
        };
        let (found, unknown) = members(map, keys);
        Some((map, found, unknown))
    }

    fn leases(&mut self, path: &Path<'_>, v: Option<&Value>) -> Leases {
        let map = match self.present(v) {
            None => {
                self.sink.missing(
                    path,
                    "leases",
                    "add `leases` with an `access` of `full`, `scoped` or `granular`",
                );
                return empty_leases();
            }
            Some(Value::Object(m)) => m,
            Some(other) => {
                self.sink.wrong_type(path, "leases", "an object", other);
                return empty_leases();
            }
        };
        let ([access, scope, permissions], unknown) = members(map, &LEASES_KEYS);
        let mut out = empty_leases();
        if let Some(a) = self.access(&path.key("access"), access) {
            out.access = a;
            out.scope = self.access_shape(path, a, Level::Leases, scope, permissions);
            if a == Access::Granular {
                out.permissions = self.permissions(&path.key("permissions"), permissions);
            }
        }
        if self.strict {
            self.sink.unknown_keys(path, map, &LEASES_KEYS, unknown);
        }
        out
    }

    fn access(&mut self, path: &Path<'_>, v: Option<&Value>) -> Option<Access> {
        let help_list = "expected one of `full`, `scoped`, `granular`";
        let s = self.required_str(path, "access", help_list, v)?;
        let parsed = Access::parse(s);
        if parsed.is_none() {
            let (message, help) = if s.is_empty() {
                (
                    "access type must not be empty".to_owned(),
                    help_list.to_owned(),
                )
            } else {
                let help = match fuzzy::suggest(s, ACCESS_NAMES) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => help_list.to_owned(),
                };
                (format!("invalid access type `{}`", quote(s)), help)
            };
            self.sink
                .push(Code::InvalidAccess, path, message, Some(help));
        }
        parsed
    }

    /// Applies what `access` allows at `level` to `scope` and to the nested list (`permissions`
    /// or `deployments`): reports the members it excludes and reads `scope` under `scoped`. The
    /// caller reads the nested list under `granular`.
    fn access_shape(
        &mut self,
        path: &Path<'_>,
        access: Access,
        level: Level,
        scope: Option<&Value>,
        nested: Option<&Value>,
    ) -> ScopeSet {
        let nested_key = level.nested_key();
        match access {
            Access::Full => {
                self.forbid(path, "scope", scope, access, level, GoRule::NonEmpty);
                self.forbid(path, nested_key, nested, access, level, GoRule::NonEmpty);
                ScopeSet::EMPTY
            }
            Access::Scoped => {
                self.forbid(path, nested_key, nested, access, level, GoRule::Present);
                self.scope_list(&path.key("scope"), scope)
            }
            Access::Granular => {
                if level == Level::Leases && !self.strict {
                    if let Some(s) = self.present(scope) {
                        // Go decodes and then ignores a top-level scope under granular.
                        self.go_string_list(&path.key("scope"), "scope", s);
                    }
                } else {
                    self.forbid(path, "scope", scope, access, level, GoRule::Present);
                }
                ScopeSet::EMPTY
            }
        }
    }

    /// A field the access level excludes.
    fn forbid(
        &mut self,
        parent: &Path<'_>,
        key: &'static str,
        v: Option<&Value>,
        access: Access,
        level: Level,
        rule: GoRule,
    ) {
        let Some(v) = v else { return };
        let path = parent.key(key);
        let conflict = if self.strict {
            true
        } else {
            match v {
                Value::Null => false,
                Value::Array(items) => rule == GoRule::Present || !items.is_empty(),
                other => {
                    self.sink.wrong_type(&path, key, "an array", other);
                    return;
                }
            }
        };
        if !conflict {
            return;
        }
        let owner = match level {
            Level::Leases => format!("`{access}` access"),
            Level::Permission => format!("a permission with `{access}` access"),
        };
        let help = match (access, key) {
            (Access::Full, _) => {
                format!("remove `{key}`: `full` access already grants every scope")
            }
            (Access::Scoped, "permissions") => {
                "remove `permissions`, or use `granular` access for per-provider entries".to_owned()
            }
            (Access::Scoped, _) => {
                "remove `deployments`, or use `granular` access for per-deployment entries"
                    .to_owned()
            }
            (Access::Granular, _) => match level {
                Level::Leases => {
                    "remove `scope`: under `granular` each provider entry carries its own"
                        .to_owned()
                }
                Level::Permission => {
                    "remove `scope`: put the scopes in each deployment entry".to_owned()
                }
            },
        };
        self.sink.push(
            Code::AccessConflict,
            &path,
            format!("{owner} cannot have `{key}`"),
            Some(help),
        );
    }

    /// A list Go decodes as strings but never checks further.
    fn go_string_list(&mut self, path: &Path<'_>, name: &str, v: &Value) {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !matches!(item, Value::String(_) | Value::Null) {
                        self.sink
                            .wrong_type(&path.index(i), name, "a list of strings", item);
                    }
                }
            }
            other => self.sink.wrong_type(path, name, "an array", other),
        }
    }

    /// A required array member that must not be empty: reports it missing, of the wrong type
    /// or empty, and returns its items (none when it is absent or not an array).
    fn required_list<'v>(
        &mut self,
        path: &Path<'_>,
        rule: &ListRule,
        v: Option<&'v Value>,
    ) -> &'v [Value] {
        let items = match self.present(v) {
            None => {
                self.sink.missing(path, rule.name, rule.missing_help);
                return &[];
            }
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.sink.wrong_type(path, rule.name, "an array", other);
                return &[];
            }
        };
        if items.is_empty() {
            self.sink.push(
                Code::EmptyList,
                path,
                format!("`{}` must list at least one {}", rule.name, rule.item),
                Some((rule.empty_help)()),
            );
        }
        items
    }

    fn scope_list(&mut self, path: &Path<'_>, v: Option<&Value>) -> ScopeSet {
        let mut set = ScopeSet::EMPTY;
        let items = self.required_list(path, &SCOPE_LIST, v);
        for (i, item) in items.iter().enumerate() {
            let Value::String(s) = item else {
                self.sink
                    .wrong_type(&path.index(i), "scope", "a list of strings", item);
                continue;
            };
            match Scope::parse(s) {
                Some(scope) => {
                    if !set.insert(scope) {
                        self.sink.push(
                            Code::DuplicateScope,
                            &path.index(i),
                            format!("duplicate scope `{scope}`"),
                            Some("list each scope once".to_owned()),
                        );
                    }
                }
                None => {
                    let help = match fuzzy::suggest(s, Scope::ALL.iter().map(|s| s.as_str())) {
                        Some(m) => format!("did you mean `{m}`?"),
                        None => format!("known scopes: {}", scope_names()),
                    };
                    self.sink.push(
                        Code::UnknownScope,
                        &path.index(i),
                        format!("unknown scope `{}`", quote(s)),
                        Some(help),
                    );
                }
            }
        }
        set
    }

    fn permissions(&mut self, path: &Path<'_>, v: Option<&Value>) -> Vec<ProviderPermission> {
        let items = self.required_list(path, &PERMISSIONS_LIST, v);
        let mut out: Vec<ProviderPermission> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let here = path.index(i);
            let Some(perm) = self.permission(&here, item) else {
                continue;
            };
            if !perm.provider.is_empty()
                && out
                    .iter()
                    .any(|p| p.provider.eq_ignore_ascii_case(&perm.provider))
            {
                self.sink.push(
                    Code::DuplicateProvider,
                    &here.key("provider"),
                    format!("duplicate provider `{}`", quote(&perm.provider)),
                    Some("merge the entries for this provider into one".to_owned()),
                );
            }
            out.push(perm);
        }
        out
    }

    fn permission(&mut self, path: &Path<'_>, v: &Value) -> Option<ProviderPermission> {
        let (map, [provider, access, scope, deployments], unknown) =
            self.entry(path, "permissions", v, &PERMISSION_KEYS)?;
        let mut out = ProviderPermission {
            provider: self.provider(&path.key("provider"), provider),
            access: Access::Full,
            scope: ScopeSet::EMPTY,
            deployments: Vec::new(),
        };
        if let Some(a) = self.access(&path.key("access"), access) {
            out.access = a;
            out.scope = self.access_shape(path, a, Level::Permission, scope, deployments);
            if a == Access::Granular {
                out.deployments = self.deployments(&path.key("deployments"), deployments);
            }
        }
        if self.strict {
            self.sink.unknown_keys(path, map, &PERMISSION_KEYS, unknown);
        }
        Some(out)
    }

    fn provider(&mut self, path: &Path<'_>, v: Option<&Value>) -> String {
        let help = "set `provider` to the provider's `akash1…` address";
        let Some(s) = self.required_str(path, "provider", help, v) else {
            return String::new();
        };
        if let Err(problem) = address::check(s, self.strict) {
            let message = if problem == AddressProblem::Empty {
                "provider must not be empty".to_owned()
            } else {
                format!(
                    "provider `{}` is not a valid akash address: {}",
                    quote(s),
                    problem.describe()
                )
            };
            self.sink
                .push(Code::InvalidProvider, path, message, address_help(problem));
            return String::new();
        }
        s.clone()
    }

    fn deployments(&mut self, path: &Path<'_>, v: Option<&Value>) -> Vec<DeploymentPermission> {
        let items = self.required_list(path, &DEPLOYMENTS_LIST, v);
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(d) = self.deployment(&path.index(i), item) {
                out.push(d);
            }
        }
        out
    }

    fn deployment(&mut self, path: &Path<'_>, v: &Value) -> Option<DeploymentPermission> {
        let (map, [dseq, gseq, oseq, scope, services], unknown) =
            self.entry(path, "deployments", v, &DEPLOYMENT_KEYS)?;
        let scope = self.scope_list(&path.key("scope"), scope);
        let dseq = self.dseq(&path.key("dseq"), dseq);
        let gseq_value = self.seq32(&path.key("gseq"), "gseq", gseq);
        let oseq_path = path.key("oseq");
        let oseq_value = self.seq32(&oseq_path, "oseq", oseq);
        // Go: `oseq > 0 && gseq == 0`; the schema: `oseq` present requires `gseq` present.
        let go_rule = oseq_value > 0 && gseq_value == 0;
        let schema_rule = self.strict && oseq.is_some() && gseq.is_none();
        if go_rule || schema_rule {
            self.sink.push(
                Code::OseqWithoutGseq,
                &oseq_path,
                "`oseq` is set without `gseq`".to_owned(),
                Some("set `gseq` as well (at least 1), or drop `oseq`".to_owned()),
            );
        }
        let services = self.services(&path.key("services"), services);
        if self.strict {
            self.sink.unknown_keys(path, map, &DEPLOYMENT_KEYS, unknown);
        }
        Some(DeploymentPermission {
            dseq,
            gseq: gseq_value,
            oseq: oseq_value,
            scope,
            services,
        })
    }

    fn dseq(&mut self, path: &Path<'_>, v: Option<&Value>) -> u64 {
        let Some(v) = self.present(v) else {
            self.sink.missing(
                path,
                "dseq",
                "set `dseq` to the deployment sequence (at least 1)",
            );
            return 0;
        };
        match v {
            // Go decodes into uint64: only a plain integer literal fits, so `42.0` is refused.
            Value::Number(n) => match n.as_u64() {
                Some(0) => {
                    self.sink.push(
                        Code::InvalidSequence,
                        path,
                        "`dseq` must be at least 1".to_owned(),
                        Some("set `dseq` to the deployment sequence".to_owned()),
                    );
                    0
                }
                Some(d) => d,
                None => {
                    self.sink.push(
                        Code::InvalidSequence,
                        path,
                        format!(
                            "`dseq` must be an integer from 1 to {}, found `{}`",
                            u64::MAX,
                            number_text(v)
                        ),
                        Some(
                            "write it as a plain integer, without fraction or exponent".to_owned(),
                        ),
                    );
                    0
                }
            },
            other => {
                self.sink.wrong_type(path, "dseq", "an integer", other);
                0
            }
        }
    }

    fn seq32(&mut self, path: &Path<'_>, name: &str, v: Option<&Value>) -> u32 {
        let Some(v) = self.present(v) else { return 0 };
        match v {
            Value::Number(n) => match n.as_u64().map(u32::try_from) {
                Some(Ok(x)) => x,
                _ => {
                    self.sink.push(
                        Code::InvalidSequence,
                        path,
                        format!(
                            "`{name}` must be an integer from 0 to {}, found `{}`",
                            u32::MAX,
                            number_text(v)
                        ),
                        Some(
                            "write it as a plain integer, without fraction or exponent".to_owned(),
                        ),
                    );
                    0
                }
            },
            other => {
                self.sink.wrong_type(path, name, "an integer", other);
                0
            }
        }
    }

    fn services(&mut self, path: &Path<'_>, v: Option<&Value>) -> Vec<String> {
        let items = self.required_list(path, &SERVICES_LIST, v);
        let mut out: Vec<String> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Value::String(s) = item else {
                self.sink
                    .wrong_type(&path.index(i), "services", "a list of strings", item);
                continue;
            };
            if self.strict && s.is_empty() {
                self.sink.push(
                    Code::EmptyService,
                    &path.index(i),
                    "service name must not be empty".to_owned(),
                    Some("name a service from the deployment's sdl".to_owned()),
                );
            }
            if out.iter().any(|o| o == s) {
                self.sink.push(
                    Code::DuplicateService,
                    &path.index(i),
                    format!("duplicate service `{}`", quote(s)),
                    Some("list each service once".to_owned()),
                );
            }
            out.push(s.clone());
        }
        out
    }
}

fn empty_leases() -> Leases {
    Leases {
        access: Access::Full,
        scope: ScopeSet::EMPTY,
        permissions: Vec::new(),
    }
}

fn scope_names() -> String {
    let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    crate::walk::list(&names)
}

fn address_help(problem: AddressProblem) -> Option<String> {
    Some(
        match problem {
            AddressProblem::Empty | AddressProblem::NotBech32 | AddressProblem::BadLength => {
                "an address looks like `akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh`; check for typos"
            }
            AddressProblem::WrongPrefix => "use the `akash1…` form of the address",
            AddressProblem::NotCanonical => {
                "the go provider accepts it; only the upstream-compatible behaviour does too"
            }
        }
        .to_owned(),
    )
}

/// Truncates toward zero like Go's `math.Modf`, saturating at the `i64` range.
fn truncate(f: f64) -> i64 {
    // `as` saturates and maps NaN to 0: no panic, no UB.
    f.trunc() as i64
}

/// Go's `json.Number` from a string: the JSON number grammar, then `strconv.ParseFloat`.
fn go_numeric_string(s: &str) -> Option<f64> {
    if !is_json_number(s.as_bytes()) {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
fn is_json_number(b: &[u8]) -> bool {
    let mut i = 0;
    let at = |i: usize| b.get(i).copied();
    if at(i) == Some(b'-') {
        i += 1;
    }
    match at(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(at(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if at(i) == Some(b'.') {
        i += 1;
        let start = i;
        while matches!(at(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(at(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while matches!(at(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_number_grammar_matches_go() {
        for ok in [
            "0",
            "-0",
            "1746666103",
            "1.5",
            "-2",
            "1e3",
            "1E+3",
            "2.5e-1",
        ] {
            assert!(is_json_number(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "", "-", "01", "+1", " 1", "1.", ".5", "1e", "0x10", "1 ", "NaN", "Infinity",
        ] {
            assert!(!is_json_number(bad.as_bytes()), "{bad}");
        }
        assert_eq!(go_numeric_string("1e400"), None);
        assert_eq!(go_numeric_string("-1.9"), Some(-1.9));
    }

    #[test]
    fn truncation_is_toward_zero_and_saturating() {
        assert_eq!(truncate(1.9), 1);
        assert_eq!(truncate(-1.9), -1);
        assert_eq!(truncate(1e300), i64::MAX);
        assert_eq!(truncate(f64::NAN), 0);
    }
}
