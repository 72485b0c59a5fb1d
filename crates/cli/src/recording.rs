//! A [`PipelineStarter`] that records what it would start instead of starting it.

use std::sync::Mutex;

use pipeline_routing::{PipelineStarter, SourceError, StartRequest};

/// Records start requests; every start "succeeds" with a local execution id.
#[derive(Debug, Default)]
pub struct RecordingStarter {
    requests: Mutex<Vec<StartRequest>>,
}

impl RecordingStarter {
    /// The requests recorded so far.
    pub fn requests(&self) -> Vec<StartRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl PipelineStarter for RecordingStarter {
    async fn start(&self, request: &StartRequest) -> Result<String, SourceError> {
        let mut requests = self
            .requests
            .lock()
            .map_err(|_| SourceError::new("recorder poisoned"))?;
        requests.push(request.clone());
        Ok(format!("local-{}", requests.len()))
    }
}
