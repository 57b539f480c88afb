//! The plugin's gRPC services behind one `tower::Service`: a request goes to the service its
//! path names (`/package.Service/Method`), any other path is answered UNIMPLEMENTED, as tonic's
//! own router answers. Every call is logged at debug level with its method (`rpc=ReadResource`).
//! Hand-written because tonic's router is axum, which a provider should not link for four fixed
//! services.

use std::convert::Infallible;
use std::task::{Context, Poll};

use tonic::Status;
use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::NamedService;
use tower::ServiceExt;
use tower::util::BoxCloneService;

type Route = BoxCloneService<http::Request<Body>, http::Response<Body>, Infallible>;

/// gRPC services by their full name, e.g. `tfplugin6.Provider`.
#[derive(Clone, Default)]
pub(crate) struct Routes {
    services: Vec<(&'static str, Route)>,
}

impl Routes {
    /// These routes and `service`, under its full name.
    pub fn with<S>(mut self, service: S) -> Routes
    where
        S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
    {
        self.services.push((S::NAME, BoxCloneService::new(service)));
        self
    }
}

impl Service<http::Request<Body>> for Routes {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<http::Response<Body>, Infallible>;

    /// Always ready: each call is handed to a clone of its service, made ready then.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let path = request.uri().path().strip_prefix('/').unwrap_or_default();
        let (service, method) = path.split_once('/').unzip();
        tracing::debug!(rpc = method.unwrap_or(path), "gRPC call");
        let route = self
            .services
            .iter()
            .find(|(name, _)| Some(*name) == service);
        match route {
            Some((_, route)) => Box::pin(route.clone().oneshot(request)),
            None => Box::pin(async { Ok(Status::unimplemented("").into_http()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service named `test.Echo` that answers with the path it was given, in a header.
    #[derive(Clone)]
    struct Echo;

    impl NamedService for Echo {
        const NAME: &'static str = "test.Echo";
    }

    impl Service<http::Request<Body>> for Echo {
        type Response = http::Response<Body>;
        type Error = Infallible;
        type Future = BoxFuture<http::Response<Body>, Infallible>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: http::Request<Body>) -> Self::Future {
            let mut response = http::Response::new(Body::empty());
            let path = http::HeaderValue::from_str(request.uri().path()).unwrap();
            response.headers_mut().insert("echo-path", path);
            Box::pin(async move { Ok(response) })
        }
    }

    async fn answer(routes: &Routes, path: &str) -> http::Response<Body> {
        let request = http::Request::builder().uri(path).body(Body::empty());
        routes.clone().oneshot(request.unwrap()).await.unwrap()
    }

    fn header<'r>(response: &'r http::Response<Body>, name: &str) -> Option<&'r str> {
        response.headers().get(name)?.to_str().ok()
    }

    #[tokio::test]
    async fn a_call_reaches_the_service_its_path_names() {
        let routes = Routes::default().with(Echo);
        let response = answer(&routes, "/test.Echo/Say").await;
        assert_eq!(header(&response, "grpc-status"), None);
        assert_eq!(header(&response, "echo-path"), Some("/test.Echo/Say"));
    }

    #[tokio::test]
    async fn any_other_path_is_unimplemented() {
        let routes = Routes::default().with(Echo);
        let unimplemented = (tonic::Code::Unimplemented as i32).to_string();
        for path in [
            "/test.Other/Say",
            "/test.Echoes/Say",
            "/test.Echo",
            "/",
            "/x/test.Echo/",
        ] {
            let response = answer(&routes, path).await;
            let status = header(&response, "grpc-status");
            assert_eq!(status, Some(unimplemented.as_str()), "{path}");
            assert_eq!(header(&response, "echo-path"), None, "{path}");
        }
    }
}
