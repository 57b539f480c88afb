//! The `tfplugin6.Provider` gRPC service, the wire edge of the framework. It only converts: each
//! RPC below is one line, and one conversion module per group of RPCs decodes the request into
//! framework types, calls the framework server (`crate::framework::server`), which holds every
//! semantic rule, and encodes its reply.

use std::pin::Pin;

use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::diagnostics::Diagnostics;
use crate::framework::Provider;
use crate::framework::server::FrameworkServer;
use crate::handshake::MAX_MESSAGE_SIZE;
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::{Provider as ProviderRpc, ProviderServer};

mod adoption;
mod data_source;
mod provider;
mod resource;
mod schema;
#[cfg(test)]
mod tests;
mod unsupported;
mod wire;

/// The gRPC provider service around a framework [`Provider`].
pub(crate) struct ProviderService<P: Provider> {
    framework: FrameworkServer<P>,
}

/// The tonic server for `provider`, with 256 MiB message limits both ways.
pub(crate) fn provider_server<P: Provider>(provider: P) -> ProviderServer<ProviderService<P>> {
    let service = ProviderService {
        framework: FrameworkServer::new(provider),
    };
    ProviderServer::new(service)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

type Reply<T> = Result<Response<T>, Status>;

/// A server-streaming reply: messages sent one by one as they are produced.
type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The reply for a converted response, or one carrying diagnostics alone when the request could
/// not be converted (an unknown type, a malformed value) or the framework's answer was an error.
/// User errors are never gRPC errors.
fn reply<T: WithDiagnostics>(converted: Result<T, Diagnostics>) -> Reply<T> {
    Ok(Response::new(converted.unwrap_or_else(|diagnostics| {
        let mut response = T::default();
        response.set_diagnostics(wire::diagnostics_to_proto(&diagnostics));
        response
    })))
}

/// A response that can carry diagnostics alone.
trait WithDiagnostics: Default {
    fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>);
}

macro_rules! with_diagnostics {
    ($($t:ty),* $(,)?) => {
        $(impl WithDiagnostics for $t {
            fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>) {
                self.diagnostics = diagnostics;
            }
        })*
    };
}

with_diagnostics!(
    pb::validate_provider_config::Response,
    pb::validate_resource_config::Response,
    pb::validate_data_resource_config::Response,
    pb::validate_list_resource_config::Response,
    pb::configure_provider::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::read_resource::Response,
    pb::import_resource_state::Response,
    pb::upgrade_resource_state::Response,
    pb::read_data_source::Response,
    pb::upgrade_resource_identity::Response,
    pb::move_resource_state::Response,
    pb::generate_resource_config::Response,
);

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        Ok(Response::new(schema::metadata(&self.framework)))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        Ok(Response::new(schema::provider_schema(&self.framework)))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(schema::identity_schemas(&self.framework)))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        reply(provider::validate(&self.framework, request.into_inner()))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        reply(provider::configure(&self.framework, request.into_inner()).await)
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        self.framework.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        reply(resource::validate(&self.framework, request.into_inner()))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        reply(resource::upgrade(&self.framework, request.into_inner()))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        reply(resource::read(&self.framework, request.into_inner()).await)
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        reply(resource::plan(&self.framework, request.into_inner()).await)
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        reply(resource::apply(&self.framework, request.into_inner()).await)
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        reply(resource::import(&self.framework, request.into_inner()).await)
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        reply(data_source::validate(&self.framework, request.into_inner()))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        reply(data_source::read(&self.framework, request.into_inner()).await)
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        reply(adoption::upgrade_identity(
            &self.framework,
            request.into_inner(),
        ))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        reply(adoption::move_state(&self.framework, request.into_inner()))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        reply(adoption::validate_list(
            &self.framework,
            request.into_inner(),
        ))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Reply<Self::ListResourceStream> {
        Ok(Response::new(adoption::list(
            &self.framework,
            request.into_inner(),
        )))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        reply(adoption::generate_config(
            &self.framework,
            request.into_inner(),
        ))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        let diagnostics = unsupported::ephemeral(&request.into_inner().type_name);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response { diagnostics },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        let diagnostics = unsupported::ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        let diagnostics = unsupported::ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        let diagnostics = unsupported::ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics,
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        let name = request.into_inner().name;
        Ok(Response::new(unsupported::call_function(&name)))
    }
}
