//! The tower middleware.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::decide::{HttpDecision, RequestFacts, decide};
use crate::extract::AuthorizationHeader;
use crate::shared::SharedAuthorizer;

/// A tower [`Layer`] that authorizes every request before the inner service sees it.
///
/// On allow, the verified [`Identity`](crate::Identity) goes into the request extensions; on
/// deny, the inner service is not called and the denial's response is returned.
#[derive(Clone, Debug)]
pub struct AuthLayer {
    shared: SharedAuthorizer,
}

impl AuthLayer {
    /// Authorizes with whatever authorizer `shared` holds when each request arrives.
    pub fn new(shared: SharedAuthorizer) -> Self {
        AuthLayer { shared }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Authorize<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Authorize {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service [`AuthLayer`] wraps around `S`.
#[derive(Clone, Debug)]
pub struct Authorize<S> {
    inner: S,
    shared: SharedAuthorizer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Authorize<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<String>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let authorizer = self.shared.load();
        let target = request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().path(), |pq| pq.as_str());
        let facts = RequestFacts {
            method: request.method().as_str(),
            target,
            authorization: AuthorizationHeader::from_headers(request.headers()),
        };
        match decide(&authorizer, &facts) {
            HttpDecision::Allow(identity) => {
                request.extensions_mut().insert(identity);
                ResponseFuture::inner(self.inner.call(request))
            }
            HttpDecision::Deny(denial) => ResponseFuture::denied(denial.to_response()),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Authorize`]: the inner service's, or an immediate denial.
    pub struct ResponseFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<F, B> {
        Inner {
            #[pin]
            future: F,
        },
        Denied {
            response: Option<Response<B>>,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    fn inner(future: F) -> Self {
        ResponseFuture {
            kind: Kind::Inner { future },
        }
    }

    fn denied(response: Response<B>) -> Self {
        ResponseFuture {
            kind: Kind::Denied {
                response: Some(response),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Inner { future } => future.poll(cx),
            KindProj::Denied { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after completion: stay pending rather than panic.
                None => Poll::Pending,
            },
        }
    }
}
