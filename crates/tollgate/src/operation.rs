//! What the caller wants to do: an operation name and the resource it acts on.

use tollgate_policy::Resource;

/// One request's operation: the policy's operation name, the resource it acts on and, when the
/// caller knows it, the resource's owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation<'a> {
    name: &'a str,
    resource: Resource,
    owner: Option<&'a str>,
}

impl<'a> Operation<'a> {
    /// An operation with no resource (public routes, provider-level routes, Filecoin methods).
    pub const fn new(name: &'a str) -> Self {
        Operation {
            name,
            resource: Resource::None,
            owner: None,
        }
    }

    /// The same operation acting on `resource`.
    #[must_use]
    pub const fn with_resource(mut self, resource: Resource) -> Self {
        self.resource = resource;
        self
    }

    /// The same operation on deployment `dseq`.
    #[must_use]
    pub const fn on_deployment(self, dseq: u64) -> Self {
        self.with_resource(Resource::Deployment { dseq })
    }

    /// The same operation on lease `dseq/gseq/oseq`.
    #[must_use]
    pub const fn on_lease(self, dseq: u64, gseq: u32, oseq: u32) -> Self {
        self.with_resource(Resource::Lease { dseq, gseq, oseq })
    }

    /// The same operation on a resource owned by `owner` (an `akash1…` address); a token from
    /// any other issuer is denied with `owner_mismatch`.
    #[must_use]
    pub const fn with_owner(mut self, owner: &'a str) -> Self {
        self.owner = Some(owner);
        self
    }

    /// The operation name.
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// The resource acted on.
    pub const fn resource(&self) -> Resource {
        self.resource
    }

    /// The resource owner, if the caller supplied one.
    pub const fn owner(&self) -> Option<&'a str> {
        self.owner
    }
}

/// A resource string that is neither `DSEQ` nor `DSEQ/GSEQ/OSEQ`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("invalid resource `{input}`: {problem}")]
#[diagnostic(
    code(tollgate::invalid_resource),
    help(
        "write a deployment as `DSEQ` (e.g. `42`) or a lease as `DSEQ/GSEQ/OSEQ` (e.g. `42/1/1`)"
    )
)]
pub struct ResourceParseError {
    /// The text as given.
    pub input: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// Parses `DSEQ` (a deployment) or `DSEQ/GSEQ/OSEQ` (a lease).
pub fn parse_resource(input: &str) -> Result<Resource, ResourceParseError> {
    let fail = |problem| ResourceParseError {
        input: input.to_owned(),
        problem,
    };
    let parts: Vec<&str> = input.split('/').collect();
    let number = |text: &str| -> Result<u64, ResourceParseError> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail("each part must be a decimal number"));
        }
        text.parse::<u64>().map_err(|_| fail("number out of range"))
    };
    let narrow =
        |value: u64| u32::try_from(value).map_err(|_| fail("gseq and oseq must fit in 32 bits"));
    match parts.as_slice() {
        [dseq] => Ok(Resource::Deployment {
            dseq: number(dseq)?,
        }),
        [dseq, gseq, oseq] => Ok(Resource::Lease {
            dseq: number(dseq)?,
            gseq: narrow(number(gseq)?)?,
            oseq: narrow(number(oseq)?)?,
        }),
        _ => Err(fail("expected one part or three parts separated by `/`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_deployments_and_leases() {
        assert_eq!(parse_resource("42"), Ok(Resource::Deployment { dseq: 42 }));
        assert_eq!(
            parse_resource("42/1/2"),
            Ok(Resource::Lease {
                dseq: 42,
                gseq: 1,
                oseq: 2
            })
        );
    }

    #[test]
    fn rejects_malformed_resources() {
        for bad in [
            "",
            "x",
            "1/2",
            "1/2/3/4",
            "-1",
            "1/4294967296/1",
            "1/+2/3",
            "99999999999999999999",
        ] {
            assert!(parse_resource(bad).is_err(), "{bad} accepted");
        }
    }
}
