//! Why a calendar cannot be used.

use crate::ics::IcsError;

/// A `schedules`/`freezes` configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The YAML file could not be read.
    #[error("{file}: cannot read the file: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A value that reads well but cannot be used (dates outside the supported range).
    #[error("{file}:{location}{message}")]
    Invalid {
        /// The file (or the name of where the text came from).
        file: String,
        /// `line:column: ` where known, else a space.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// The YAML is malformed, tagged, holds an unknown key or a bad value (time zone,
    /// expression, window...), or a section is empty: `file:line:column: message`.
    #[error(transparent)]
    Config(#[from] config_yaml::YamlError),
    /// A freeze's .ics file could not be read.
    #[error("{file}: cannot read the calendar of freeze `{freeze}`: {source}")]
    IcsRead {
        /// The freeze.
        freeze: String,
        /// The .ics file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A freeze's .ics file is malformed.
    #[error("{file}:{}: freeze `{freeze}`: {}", source.line, source.message)]
    Ics {
        /// The freeze.
        freeze: String,
        /// The .ics file.
        file: String,
        /// The line and the problem.
        source: IcsError,
    },
}

impl CalendarError {
    /// A stable name for the kind of error, for Lambda's `Diagnostic` and log searches.
    pub fn error_type(&self) -> &'static str {
        match self {
            CalendarError::Read { .. } => "CalendarReadError",
            CalendarError::Invalid { .. } | CalendarError::Config(_) => "CalendarInvalid",
            CalendarError::IcsRead { .. } => "IcsReadError",
            CalendarError::Ics { .. } => "IcsInvalid",
        }
    }
}
