//! `RunningEmulator`: the emulator served on a background task, for tests and demos.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::serve;
use super::state::EmulatorState;

/// An emulator listening on a local port. Stop it with [`RunningEmulator::shutdown`];
/// dropping it stops the server task as well.
pub struct RunningEmulator {
    state: EmulatorState,
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningEmulator {
    /// Binds `127.0.0.1:0` and serves `state` there on a tokio task.
    pub async fn start(state: EmulatorState) -> std::io::Result<RunningEmulator> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(RunningEmulator {
            state,
            address,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/client/v4`: the base URL to give an API client.
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The served state (faults, request log, stores, secrets).
    pub fn state(&self) -> &EmulatorState {
        &self.state
    }

    /// Stops accepting requests and waits for open connections to finish.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
