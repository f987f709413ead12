//! `cosmos.auth.v1beta1.Query/Account` over gRPC (feature `grpc`).
//!
//! The messages are written by hand with `prost` derives (field numbers from the cosmos-sdk
//! protos listed in `fixtures/README.md`), so no `protoc` is needed. The call runs on a small
//! private tokio runtime and the caller waits on a channel, so it works from plain threads and
//! from either tokio runtime flavour alike.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tonic::transport::{Channel, Endpoint};

use crate::account::{
    AccountFacts, BASE_ACCOUNT, CONTINUOUS_VESTING, DELAYED_VESTING, MODULE_ACCOUNT,
    PERIODIC_VESTING, PERMANENT_LOCKED, SECP256K1_PUBKEY,
};
use crate::node::Attempt;

/// The method path.
const ACCOUNT_PATH: &str = "/cosmos.auth.v1beta1.Query/Account";

/// `cosmos.auth.v1beta1.QueryAccountRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct QueryAccountRequest {
    /// The bech32 address.
    #[prost(string, tag = "1")]
    pub address: String,
}

/// `cosmos.auth.v1beta1.QueryAccountResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct QueryAccountResponse {
    /// The account, packed.
    #[prost(message, optional, tag = "1")]
    pub account: Option<Any>,
}

/// `google.protobuf.Any`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Any {
    /// `/cosmos.auth.v1beta1.BaseAccount` and the like.
    #[prost(string, tag = "1")]
    pub type_url: String,
    /// The packed message.
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `cosmos.auth.v1beta1.BaseAccount`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BaseAccount {
    /// The bech32 address.
    #[prost(string, tag = "1")]
    pub address: String,
    /// The key, packed; absent before the first transaction.
    #[prost(message, optional, tag = "2")]
    pub pub_key: Option<Any>,
    /// Account number.
    #[prost(uint64, tag = "3")]
    pub account_number: u64,
    /// Sequence.
    #[prost(uint64, tag = "4")]
    pub sequence: u64,
}

/// `cosmos.auth.v1beta1.ModuleAccount`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModuleAccount {
    /// The embedded base account.
    #[prost(message, optional, tag = "1")]
    pub base_account: Option<BaseAccount>,
    /// The module's name.
    #[prost(string, tag = "2")]
    pub name: String,
    /// The module's permissions.
    #[prost(string, repeated, tag = "3")]
    pub permissions: Vec<String>,
}

/// `cosmos.base.v1beta1.Coin`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Coin {
    /// Denomination.
    #[prost(string, tag = "1")]
    pub denom: String,
    /// Amount, a decimal string.
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// `cosmos.vesting.v1beta1.BaseVestingAccount`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BaseVestingAccount {
    /// The embedded base account.
    #[prost(message, optional, tag = "1")]
    pub base_account: Option<BaseAccount>,
    /// Coins vesting at creation.
    #[prost(message, repeated, tag = "2")]
    pub original_vesting: Vec<Coin>,
    /// Delegated vested coins.
    #[prost(message, repeated, tag = "3")]
    pub delegated_free: Vec<Coin>,
    /// Delegated vesting coins.
    #[prost(message, repeated, tag = "4")]
    pub delegated_vesting: Vec<Coin>,
    /// Vesting end, Unix seconds.
    #[prost(int64, tag = "5")]
    pub end_time: i64,
}

/// The vesting accounts without extra fields: `DelayedVestingAccount`,
/// `PermanentLockedAccount`; and the prefix of `ContinuousVestingAccount` and
/// `PeriodicVestingAccount` (protobuf skips their later fields).
#[derive(Clone, PartialEq, prost::Message)]
pub struct VestingAccount {
    /// The embedded base vesting account.
    #[prost(message, optional, tag = "1")]
    pub base_vesting_account: Option<BaseVestingAccount>,
}

/// `cosmos.crypto.secp256k1.PubKey` (and `ed25519.PubKey`, same shape).
#[derive(Clone, PartialEq, prost::Message)]
pub struct PubKey {
    /// The key bytes.
    #[prost(bytes = "vec", tag = "1")]
    pub key: Vec<u8>,
}

fn decode<M: prost::Message + Default>(bytes: &[u8], what: &str) -> Result<M, String> {
    M::decode(bytes).map_err(|error| format!("malformed {what}: {error}"))
}

fn short_name(type_url: &str) -> String {
    type_url.rsplit('.').next().unwrap_or(type_url).to_owned()
}

fn base_facts(base: Option<BaseAccount>, account_type: String) -> Result<AccountFacts, String> {
    let base = base.ok_or_else(|| format!("{account_type} has no base account"))?;
    let key = match base.pub_key {
        None => None,
        Some(any) if any.type_url == SECP256K1_PUBKEY => {
            let key: PubKey = decode(&any.value, "secp256k1 key")?;
            Some((any.type_url, key.key))
        }
        Some(any) => Some((any.type_url, Vec::new())),
    };
    Ok(AccountFacts {
        address: base.address,
        account_type,
        module: None,
        key,
    })
}

/// Reads the packed account of a `QueryAccountResponse`.
pub(crate) fn account_facts(response: QueryAccountResponse) -> Result<AccountFacts, String> {
    let any = response
        .account
        .ok_or_else(|| "the response has no account".to_owned())?;
    let name = short_name(&any.type_url);
    match any.type_url.as_str() {
        BASE_ACCOUNT => base_facts(Some(decode(&any.value, &name)?), name),
        MODULE_ACCOUNT => {
            let module: ModuleAccount = decode(&any.value, &name)?;
            let mut facts = base_facts(module.base_account, name)?;
            facts.module = Some(module.name);
            Ok(facts)
        }
        CONTINUOUS_VESTING | DELAYED_VESTING | PERIODIC_VESTING | PERMANENT_LOCKED => {
            let vesting: VestingAccount = decode(&any.value, &name)?;
            let base = vesting
                .base_vesting_account
                .ok_or_else(|| format!("{name} has no base vesting account"))?;
            base_facts(base.base_account, name)
        }
        other => Err(format!(
            "the node returned an account of type `{other}`, which tollgate does not read"
        )),
    }
}

/// The gRPC transport: one lazily connected channel per node.
pub(crate) struct Grpc {
    /// Always `Some` until dropped; taken out in [`Drop`] to shut it down without blocking.
    runtime: Option<tokio::runtime::Runtime>,
    timeout: Duration,
    channels: Arc<Mutex<HashMap<String, Channel>>>,
}

impl Grpc {
    /// A transport whose calls each take at most `timeout`.
    pub(crate) fn new(timeout: Duration) -> Result<Grpc, std::io::Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tollgate-chain-grpc")
            .enable_all()
            .build()?;
        Ok(Grpc {
            runtime: Some(runtime),
            timeout,
            channels: Arc::new(Mutex::new(HashMap::new())),
        })
    }
}

impl Drop for Grpc {
    /// Dropping a runtime blocks until its workers stop, which panics inside an async
    /// context (a resolver dropped by a tokio task); `shutdown_background` does not wait.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One call, on the private runtime.
async fn call(
    channels: Arc<Mutex<HashMap<String, Channel>>>,
    node: String,
    address: String,
    timeout: Duration,
) -> Attempt {
    let channel = {
        let mut channels = channels.lock().unwrap_or_else(PoisonError::into_inner);
        match channels.get(&node) {
            Some(channel) => channel.clone(),
            None => {
                let endpoint = match Endpoint::from_shared(node.clone()) {
                    Ok(endpoint) => endpoint.connect_timeout(timeout).timeout(timeout),
                    Err(error) => return Attempt::Fail(format!("invalid gRPC endpoint: {error}")),
                };
                let channel = endpoint.connect_lazy();
                channels.insert(node.clone(), channel.clone());
                channel
            }
        }
    };
    let mut client = tonic::client::Grpc::new(channel);
    let result = tokio::time::timeout(timeout, async {
        client
            .ready()
            .await
            .map_err(|error| tonic::Status::unavailable(error.to_string()))?;
        let codec = tonic_prost::ProstCodec::<QueryAccountRequest, QueryAccountResponse>::default();
        client
            .unary(
                tonic::Request::new(QueryAccountRequest {
                    address: address.clone(),
                }),
                http::uri::PathAndQuery::from_static(ACCOUNT_PATH),
                codec,
            )
            .await
    })
    .await;
    let response = match result {
        Err(_) => return Attempt::Fail("timed out".to_owned()),
        Ok(Err(status)) => return status_attempt(&status),
        Ok(Ok(response)) => response.into_inner(),
    };
    match account_facts(response).and_then(|facts| facts.answer(&address)) {
        Ok(answer) => Attempt::Answer(answer),
        Err(reason) => Attempt::Fail(reason),
    }
}

/// What a gRPC status means: `NotFound` is definite; server-side and connection failures are
/// retried (the gRPC counterparts of 5xx); anything else moves on to the next node.
fn status_attempt(status: &tonic::Status) -> Attempt {
    use tonic::Code;
    let reason = format!("gRPC {:?}: {}", status.code(), status.message());
    match status.code() {
        Code::NotFound => Attempt::NotFound,
        Code::Unavailable | Code::Internal | Code::Unknown | Code::Aborted => {
            Attempt::Retry(reason)
        }
        Code::DeadlineExceeded | Code::Cancelled => Attempt::Fail("timed out".to_owned()),
        _ => Attempt::Fail(reason),
    }
}

impl crate::node::Transport for Grpc {
    fn query(&self, node: &str, address: &str) -> Attempt {
        let (tx, rx) = std::sync::mpsc::channel();
        let future = call(
            Arc::clone(&self.channels),
            node.to_owned(),
            address.to_owned(),
            self.timeout,
        );
        let Some(runtime) = &self.runtime else {
            return Attempt::Fail("the gRPC runtime is shut down".to_owned());
        };
        runtime.spawn(async move {
            let _ = tx.send(future.await);
        });
        // The call has its own timeout; this bound only guards against a lost task.
        rx.recv_timeout(
            self.timeout
                .saturating_mul(2)
                .saturating_add(Duration::from_secs(1)),
        )
        .unwrap_or_else(|_| Attempt::Fail("the gRPC call did not finish".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AccountAnswer;

    fn pack<M: prost::Message>(type_url: &str, message: &M) -> Any {
        Any {
            type_url: type_url.to_owned(),
            value: message.encode_to_vec(),
        }
    }

    #[test]
    fn reads_every_account_type() {
        let key = vec![3u8; 33];
        let base = BaseAccount {
            address: "akash1x".into(),
            pub_key: Some(pack(SECP256K1_PUBKEY, &PubKey { key: key.clone() })),
            account_number: 1,
            sequence: 2,
        };
        let response = QueryAccountResponse {
            account: Some(pack(BASE_ACCOUNT, &base)),
        };
        let facts = account_facts(response).unwrap();
        assert_eq!(
            facts.answer("akash1x").unwrap(),
            AccountAnswer::Key([3; 33])
        );

        let vesting = VestingAccount {
            base_vesting_account: Some(BaseVestingAccount {
                base_account: Some(base.clone()),
                ..BaseVestingAccount::default()
            }),
        };
        for type_url in [
            CONTINUOUS_VESTING,
            DELAYED_VESTING,
            PERIODIC_VESTING,
            PERMANENT_LOCKED,
        ] {
            let response = QueryAccountResponse {
                account: Some(pack(type_url, &vesting)),
            };
            let facts = account_facts(response).unwrap();
            assert_eq!(
                facts.answer("akash1x").unwrap(),
                AccountAnswer::Key([3; 33])
            );
        }

        let module = ModuleAccount {
            base_account: Some(BaseAccount {
                pub_key: None,
                ..base.clone()
            }),
            name: "distribution".into(),
            permissions: vec![],
        };
        let response = QueryAccountResponse {
            account: Some(pack(MODULE_ACCOUNT, &module)),
        };
        assert_eq!(
            account_facts(response).unwrap().answer("akash1x").unwrap(),
            AccountAnswer::Module {
                module: "distribution".into()
            }
        );

        let unknown = QueryAccountResponse {
            account: Some(pack("/x.y.Z", &base)),
        };
        assert!(account_facts(unknown).is_err());
        assert!(account_facts(QueryAccountResponse { account: None }).is_err());
    }

    #[test]
    fn status_codes() {
        assert!(matches!(
            status_attempt(&tonic::Status::not_found("account x not found")),
            Attempt::NotFound
        ));
        assert!(matches!(
            status_attempt(&tonic::Status::unavailable("down")),
            Attempt::Retry(_)
        ));
        assert!(matches!(
            status_attempt(&tonic::Status::invalid_argument("bad prefix")),
            Attempt::Fail(_)
        ));
    }
}
