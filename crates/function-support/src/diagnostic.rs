//! A typed error as Lambda's [`Diagnostic`]: its `errorType` (one per variant, something a
//! user can search the logs for) and its message.

use lambda_runtime::Diagnostic;

/// An error with a stable, searchable `errorType` per variant.
pub trait ErrorType: std::fmt::Display {
    /// The `errorType` reported to Lambda (`MalformedEvent`, `StartFailed`, ...).
    fn error_type(&self) -> &'static str;
}

/// The [`Diagnostic`] Lambda reports for `error`: its [`ErrorType::error_type`] and its
/// `Display` text. Serialized, it is `{"errorType": ..., "errorMessage": ...}`.
pub fn diagnostic(error: &impl ErrorType) -> Diagnostic {
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum SampleError {
        #[error("no pipeline called `{0}`")]
        UnknownPipeline(String),
    }

    impl ErrorType for SampleError {
        fn error_type(&self) -> &'static str {
            match self {
                Self::UnknownPipeline(_) => "UnknownPipeline",
            }
        }
    }

    #[test]
    fn the_diagnostic_carries_the_error_type_and_message_as_lambda_reports_them() {
        let diagnostic = diagnostic(&SampleError::UnknownPipeline("api-deploy".into()));
        assert_eq!(diagnostic.error_type, "UnknownPipeline");
        assert_eq!(diagnostic.error_message, "no pipeline called `api-deploy`");
    }
}
