//! The explanation trace: every check the authorizer ran, in order, with what it found.

use std::fmt;

/// One stage of the authorization pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The operation is declared by the policy.
    Operation,
    /// The token was found in the verified-claims cache.
    Cache,
    /// The token parses as a compact JWS within the limits.
    Token,
    /// The header `alg` is one the policy accepts.
    Algorithm,
    /// A key was found for the token.
    Key,
    /// The signature verifies.
    Signature,
    /// The claims pass the schema and the semantic rules.
    Claims,
    /// `nbf <= now < exp`, within the policy's leeway.
    Time,
    /// The policy grants the operation.
    Policy,
}

impl Check {
    /// A short lowercase name for the stage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Check::Operation => "operation",
            Check::Cache => "cache",
            Check::Token => "token",
            Check::Algorithm => "algorithm",
            Check::Key => "key",
            Check::Signature => "signature",
            Check::Claims => "claims",
            Check::Time => "time",
            Check::Policy => "policy",
        }
    }
}

/// What one check concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// The check passed.
    Passed,
    /// The check failed; the request is denied.
    Failed,
    /// The check did not apply to this request.
    Skipped,
}

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Which check.
    pub check: Check,
    /// Its outcome.
    pub outcome: StepOutcome,
    /// What it found, for a person.
    pub detail: String,
}

/// Every check run for one request, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    steps: Vec<Step>,
}

impl Trace {
    /// The steps in the order they ran.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.steps {
            let mark = match step.outcome {
                StepOutcome::Passed => "pass",
                StepOutcome::Failed => "FAIL",
                StepOutcome::Skipped => "skip",
            };
            writeln!(f, "{mark}  {:<9}  {}", step.check.as_str(), step.detail)?;
        }
        Ok(())
    }
}

/// Where the pipeline reports its steps: nowhere (the fast path) or a [`Trace`].
pub(crate) trait Recorder {
    /// Records one step; `detail` is only called when the step is kept.
    fn record(&mut self, check: Check, outcome: StepOutcome, detail: impl FnOnce() -> String);
}

/// The recorder of [`crate::Authorizer::authorize`]: keeps nothing, formats nothing.
pub(crate) struct NoTrace;

impl Recorder for NoTrace {
    #[inline]
    fn record(&mut self, _: Check, _: StepOutcome, _: impl FnOnce() -> String) {}
}

impl Recorder for Trace {
    fn record(&mut self, check: Check, outcome: StepOutcome, detail: impl FnOnce() -> String) {
        self.steps.push(Step {
            check,
            outcome,
            detail: detail(),
        });
    }
}
