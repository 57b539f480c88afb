//! go-plugin's side services every plugin serves next to `tfplugin6.Provider`: the controller
//! (Shutdown ends the process), stdio (an open, silent stream) and the health check.

use std::pin::Pin;

use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::plugin::{Empty, StdioData};

/// `plugin.GRPCController`: Shutdown cancels `shutdown`, which stops the server.
pub struct Controller {
    shutdown: CancellationToken,
}

impl Controller {
    pub fn server(shutdown: CancellationToken) -> GrpcControllerServer<Controller> {
        GrpcControllerServer::new(Controller { shutdown })
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("shutdown requested by the plugin host");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: this plugin never writes to stdout, so the stream stays open and silent
/// until the server shuts down.
pub struct Stdio {
    shutdown: CancellationToken,
}

impl Stdio {
    pub fn server(shutdown: CancellationToken) -> GrpcStdioServer<Stdio> {
        GrpcStdioServer::new(Stdio { shutdown })
    }
}

type StdioStream = Pin<Box<dyn Stream<Item = Result<StdioData, Status>> + Send>>;

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        let (sender, receiver) = tokio::sync::mpsc::channel::<Result<StdioData, Status>>(1);
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            // Holding the sender keeps the stream open; dropping it ends the stream.
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = sender.closed() => {}
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(receiver),
        )))
    }
}

/// The health service with `plugin` (go-plugin's service name) reported as SERVING.
pub async fn health_server()
-> tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health> {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    service
}
