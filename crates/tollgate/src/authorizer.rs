//! The one entry point: `authorize(token, op)`.

use std::sync::Arc;

use tollgate_policy::{AkashRequest, OpId, Policy, Verdict};
use tollgate_schema::{AkashValidator, FilecoinValidator};
use tollgate_verify::{
    HmacSecret, KeyResolver, Limits, UnverifiedToken, VerificationKey, Verifier,
};

use crate::builder::AuthorizerBuilder;
use crate::cache::{Claims, ClaimsCache, VerifiedClaims};
use crate::clock::Clock;
use crate::trace::{Check, NoTrace, Recorder, StepOutcome, Trace};
use crate::{Decision, Denial, DenyCode, Operation, reason};

/// Answers "may this token perform this operation?". Built once, shared by reference across
/// threads (`Send + Sync`), no global state.
pub struct Authorizer {
    pub(crate) policy: Policy,
    pub(crate) verifier: Verifier,
    pub(crate) limits: Limits,
    pub(crate) claims: ClaimsValidator,
    pub(crate) keys: KeySource,
    pub(crate) provider: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) cache: Option<ClaimsCache>,
    pub(crate) leeway: i64,
}

/// The claims validator matching the policy's token family.
pub(crate) enum ClaimsValidator {
    Akash(AkashValidator),
    Filecoin(FilecoinValidator),
}

/// Where verification keys come from.
pub(crate) enum KeySource {
    Resolver(Arc<dyn KeyResolver>),
    Secret(HmacSecret),
}

impl Authorizer {
    /// Starts building an authorizer for a compiled policy.
    pub fn builder(policy: Policy) -> AuthorizerBuilder {
        AuthorizerBuilder::new(policy)
    }

    /// The policy this authorizer enforces.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Decides whether `token` (or an anonymous request, for `None`) may perform `op`, at the
    /// clock's current time.
    pub fn authorize(&self, token: Option<&str>, op: &Operation<'_>) -> Decision {
        self.authorize_at(token, op, self.clock.now())
    }

    /// [`Authorizer::authorize`] at an explicit time (Unix seconds), for tests and replays.
    pub fn authorize_at(&self, token: Option<&str>, op: &Operation<'_>, now: i64) -> Decision {
        self.run(token, op, now, &mut NoTrace)
    }

    /// [`Authorizer::authorize`], also returning the trace of every check.
    pub fn explain(&self, token: Option<&str>, op: &Operation<'_>) -> (Decision, Trace) {
        self.explain_at(token, op, self.clock.now())
    }

    /// [`Authorizer::explain`] at an explicit time.
    pub fn explain_at(
        &self,
        token: Option<&str>,
        op: &Operation<'_>,
        now: i64,
    ) -> (Decision, Trace) {
        let mut trace = Trace::default();
        let decision = self.run(token, op, now, &mut trace);
        (decision, trace)
    }

    /// Forgets every cached token (call after rotating keys or the node secret).
    pub fn clear_cache(&self) {
        if let Some(cache) = &self.cache {
            cache.clear();
        }
    }

    /// Verified-claims cache lookups since this authorizer was built: `(hits, misses)`, where a
    /// miss is a token looked up and not found (it is then verified in full). `(0, 0)` when the
    /// cache is off.
    pub fn cache_stats(&self) -> (u64, u64) {
        self.cache.as_ref().map_or((0, 0), ClaimsCache::stats)
    }

    /// The number of tokens in the verified-claims cache (0 when it is off).
    pub fn cached_tokens(&self) -> usize {
        self.cache.as_ref().map_or(0, ClaimsCache::len)
    }

    /// The pipeline: operation → token → algorithm → key → signature → claims → time → policy.
    fn run(
        &self,
        token: Option<&str>,
        op: &Operation<'_>,
        now: i64,
        rec: &mut impl Recorder,
    ) -> Decision {
        let Some(op_id) = self.policy.operation(op.name()) else {
            rec.record(Check::Operation, StepOutcome::Failed, || {
                format!("`{}` is not declared", op.name())
            });
            return deny(
                DenyCode::UnknownOperation,
                reason::unknown_operation(op.name(), self.policy.name()),
                None,
            );
        };
        rec.record(Check::Operation, StepOutcome::Passed, || {
            reason::describe_operation(self.policy.operation_def(op_id))
        });

        let Some(token) = token else {
            rec.record(Check::Token, StepOutcome::Skipped, || {
                "no token: anonymous request".to_owned()
            });
            return self.decide(
                op_id,
                op,
                self.policy.decide_anonymous(op_id),
                None,
                None,
                rec,
            );
        };

        let verified = match self.cache.as_ref().and_then(|cache| cache.get(token)) {
            Some(hit) => {
                let hit = Held::Shared(hit);
                rec.record(Check::Cache, StepOutcome::Passed, || {
                    format!(
                        "`{}` token verified before: signature and claims checks skipped",
                        hit.alg.name()
                    )
                });
                hit
            }
            None => match self.verify(token, rec) {
                Ok(fresh) => match &self.cache {
                    Some(cache) => {
                        let shared = Arc::new(fresh);
                        cache.insert(token, Arc::clone(&shared));
                        Held::Shared(shared)
                    }
                    None => Held::Owned(fresh),
                },
                Err(denial) => return Decision::Deny(denial),
            },
        };
        let issuer = verified.issuer().map(str::to_owned);

        if let Err((code, why)) = self.check_time(&verified.claims, now) {
            rec.record(Check::Time, StepOutcome::Failed, || why.clone());
            return deny(code, why, issuer);
        }
        rec.record(Check::Time, StepOutcome::Passed, || {
            reason::describe_time(&verified.claims, now, self.leeway)
        });

        let verdict = if self.policy.operation_def(op_id).public {
            Verdict::Allow
        } else {
            match &verified.claims {
                Claims::Akash(claims) => {
                    let request = AkashRequest {
                        provider: &self.provider,
                        resource: op.resource(),
                        owner: op.owner(),
                    };
                    self.policy.decide_akash(op_id, claims, &request)
                }
                Claims::Filecoin(claims) => self.policy.decide_filecoin(op_id, claims),
            }
        };
        let expires_at = match &verified.claims {
            Claims::Akash(claims) => Some(claims.exp),
            Claims::Filecoin(claims) => claims.exp,
        };
        self.decide(op_id, op, verdict, issuer, expires_at, rec)
    }

    /// Turns the policy's verdict into a decision.
    fn decide(
        &self,
        op_id: OpId,
        op: &Operation<'_>,
        verdict: Verdict,
        issuer: Option<String>,
        expires_at: Option<i64>,
        rec: &mut impl Recorder,
    ) -> Decision {
        match verdict {
            Verdict::Allow => {
                rec.record(Check::Policy, StepOutcome::Passed, || {
                    format!("policy `{}` grants `{}`", self.policy.name(), op.name())
                });
                Decision::Allow { issuer, expires_at }
            }
            Verdict::Deny(why) => {
                let (code, text) =
                    reason::policy_denial(&why, self.policy.operation_def(op_id), &self.provider);
                rec.record(Check::Policy, StepOutcome::Failed, || text.clone());
                deny(code, text, issuer)
            }
        }
    }

    /// Parses the token, checks its algorithm, finds its key, verifies the signature and
    /// validates the claims.
    fn verify(&self, token: &str, rec: &mut impl Recorder) -> Result<VerifiedClaims, Denial> {
        let parsed = UnverifiedToken::parse(token, &self.limits).map_err(|error| {
            let (code, text) = reason::parse_error(&error);
            rec.record(Check::Token, StepOutcome::Failed, || text.clone());
            Denial {
                code,
                reason: text,
                issuer: None,
            }
        })?;
        rec.record(Check::Token, StepOutcome::Passed, || {
            format!("compact JWS, {} bytes", token.len())
        });
        // The claimed (not yet verified) issuer names Akash denials; Filecoin has no issuer.
        let claimed = match &self.keys {
            KeySource::Resolver(_) => parsed.issuer().map(str::to_owned),
            KeySource::Secret(_) => None,
        };

        let alg = match self.verifier.select(&parsed) {
            Ok(alg) => alg,
            Err(error) => {
                let (code, text) = reason::verify_error(&error, self.verifier.allowed());
                return Err(failure(rec, Check::Algorithm, &claimed, code, text));
            }
        };
        rec.record(Check::Algorithm, StepOutcome::Passed, || {
            format!("`{}` is accepted by the policy", alg.name())
        });

        let resolved;
        let key = match &self.keys {
            KeySource::Secret(secret) => {
                rec.record(Check::Key, StepOutcome::Passed, || {
                    "the node's HMAC secret".to_owned()
                });
                VerificationKey::Hmac(secret)
            }
            KeySource::Resolver(resolver) => {
                let Some(issuer) = parsed.issuer() else {
                    let text = "the token has no `iss`, so no key can verify it: mint it with the issuer address".to_owned();
                    return Err(failure(
                        rec,
                        Check::Key,
                        &claimed,
                        DenyCode::IssuerMissing,
                        text,
                    ));
                };
                resolved = match resolver.resolve(issuer) {
                    Ok(key) => key,
                    Err(error) => {
                        let (code, text) = reason::resolve_error(&error);
                        return Err(failure(rec, Check::Key, &claimed, code, text));
                    }
                };
                rec.record(Check::Key, StepOutcome::Passed, || {
                    format!("public key of `{issuer}` from {}", resolved.origin)
                });
                VerificationKey::Secp256k1(&resolved.key)
            }
        };

        let verified = match self.verifier.verify(parsed, key) {
            Ok(verified) => verified,
            Err(error) => {
                let (code, text) = reason::verify_error(&error, self.verifier.allowed());
                return Err(failure(rec, Check::Signature, &claimed, code, text));
            }
        };
        rec.record(Check::Signature, StepOutcome::Passed, || {
            format!("valid `{}` signature", alg.name())
        });

        let claims = match &self.claims {
            ClaimsValidator::Akash(validator) => {
                validator.validate(verified.payload()).map(Claims::Akash)
            }
            ClaimsValidator::Filecoin(validator) => {
                validator.validate(verified.payload()).map(Claims::Filecoin)
            }
        };
        let claims = match claims {
            Ok(claims) => claims,
            Err(errors) => {
                let text = reason::claims_errors(&errors);
                return Err(failure(
                    rec,
                    Check::Claims,
                    &claimed,
                    DenyCode::ClaimsInvalid,
                    text,
                ));
            }
        };
        rec.record(Check::Claims, StepOutcome::Passed, || {
            "schema and semantic rules hold".to_owned()
        });
        Ok(VerifiedClaims { alg, claims })
    }

    /// `nbf <= now < exp`, each bound widened by the policy's leeway (golang-jwt, as the Akash
    /// provider checks). Filecoin tokens follow jsonwebtoken, as Forest does: expired only once
    /// `now > exp + leeway`; Lotus claims carry no `exp` at all.
    fn check_time(&self, claims: &Claims, now: i64) -> Result<(), (DenyCode, String)> {
        let (nbf, expired_at) = match claims {
            Claims::Akash(akash) => (
                Some(akash.nbf),
                Some((akash.exp, akash.exp.saturating_add(self.leeway))),
            ),
            Claims::Filecoin(filecoin) => (
                None,
                filecoin
                    .exp
                    .map(|exp| (exp, exp.saturating_add(self.leeway).saturating_add(1))),
            ),
        };
        if let Some((exp, expired_at)) = expired_at
            && now >= expired_at
        {
            return Err((
                DenyCode::TokenExpired,
                reason::expired(exp, now, self.leeway),
            ));
        }
        if let Some(nbf) = nbf
            && now < nbf.saturating_sub(self.leeway)
        {
            return Err((
                DenyCode::TokenNotYetValid,
                reason::not_yet_valid(nbf, now, self.leeway),
            ));
        }
        Ok(())
    }
}

/// Verified claims, either shared with the cache or owned by this call (no allocation to
/// share them when the cache is off).
enum Held {
    Shared(Arc<VerifiedClaims>),
    Owned(VerifiedClaims),
}

impl std::ops::Deref for Held {
    type Target = VerifiedClaims;

    fn deref(&self) -> &VerifiedClaims {
        match self {
            Held::Shared(shared) => shared,
            Held::Owned(owned) => owned,
        }
    }
}

/// Records a failed check and builds its denial.
fn failure(
    rec: &mut impl Recorder,
    check: Check,
    issuer: &Option<String>,
    code: DenyCode,
    text: String,
) -> Denial {
    rec.record(check, StepOutcome::Failed, || text.clone());
    Denial {
        code,
        reason: text,
        issuer: issuer.clone(),
    }
}

fn deny(code: DenyCode, reason: String, issuer: Option<String>) -> Decision {
    Decision::Deny(Denial {
        code,
        reason,
        issuer,
    })
}
