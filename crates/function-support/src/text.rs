//! A configuration file's text (the routing rules, the approvals file) from where the
//! function's settings say: an SSM parameter, a file, or a copy bundled into the binary.
//!
//! Two environment variables choose the source, the same way for every function: the
//! parameter variable wins over the file variable; blank values count as unset.

use std::path::PathBuf;

/// A text compiled into the binary, with the name errors give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bundled {
    /// The name in error messages (`routing-rules.yaml (bundled)`).
    pub name: &'static str,
    /// The text.
    pub text: &'static str,
}

/// Where a configuration text comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextSource {
    /// An SSM parameter (String or SecureString, decrypted) holding the text.
    SsmParameter(String),
    /// A file.
    File(PathBuf),
    /// A text compiled into the binary.
    Bundled(Bundled),
}

/// The text could not be read (its content is the caller's to validate).
#[derive(Debug, thiserror::Error)]
pub enum LoadTextError {
    /// The SSM parameter could not be read, or has no value.
    #[error("cannot read the {what} from SSM parameter `{name}`: {message}")]
    Ssm {
        /// What the text is (`rules`, `approvals file`).
        what: &'static str,
        /// The parameter.
        name: String,
        /// Why.
        message: String,
    },
    /// The file could not be read.
    #[error("{file}: cannot read the {what}: {source}")]
    File {
        /// What the text is.
        what: &'static str,
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl TextSource {
    /// The source named by two variables of `lookup` (the process environment in Lambda):
    /// the SSM parameter in `parameter_variable`, else the file in `file_variable`, else
    /// `None` (the caller's default or error).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        parameter_variable: &str,
        file_variable: &str,
    ) -> Option<Self> {
        let non_empty = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        match (non_empty(parameter_variable), non_empty(file_variable)) {
            (Some(name), _) => Some(Self::SsmParameter(name)),
            (None, Some(path)) => Some(Self::File(PathBuf::from(path))),
            (None, None) => None,
        }
    }

    /// The name of the text in error messages: `ssm:<parameter>`, the file's path, or the
    /// bundle's name. Parsers put it in front of `line:column`.
    pub fn origin(&self) -> String {
        match self {
            Self::SsmParameter(name) => format!("ssm:{name}"),
            Self::File(path) => path.display().to_string(),
            Self::Bundled(bundled) => bundled.name.to_owned(),
        }
    }

    /// Reads the text; `what` names it in errors (`rules`, `approvals file`). Only an
    /// SSM source calls `ssm`.
    pub async fn read(
        &self,
        what: &'static str,
        ssm: &aws_sdk_ssm::Client,
    ) -> Result<String, LoadTextError> {
        match self {
            Self::Bundled(bundled) => Ok(bundled.text.to_owned()),
            Self::File(path) => {
                std::fs::read_to_string(path).map_err(|source| LoadTextError::File {
                    what,
                    file: path.display().to_string(),
                    source,
                })
            }
            Self::SsmParameter(name) => {
                let error = |message: String| LoadTextError::Ssm {
                    what,
                    name: name.clone(),
                    message,
                };
                ssm.get_parameter()
                    .name(name)
                    .with_decryption(true)
                    .send()
                    .await
                    .map_err(|e| error(aws_sdk_ssm::error::DisplayErrorContext(e).to_string()))?
                    .parameter
                    .and_then(|p| p.value)
                    .ok_or_else(|| error("the parameter has no value".to_owned()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLE: Bundled = Bundled {
        name: "rules.yaml (bundled)",
        text: "version: 1\n",
    };

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    /// A client that is never called: its endpoint does not exist.
    fn unused_ssm() -> aws_sdk_ssm::Client {
        aws_sdk_ssm::Client::from_conf(
            aws_sdk_ssm::Config::builder()
                .behavior_version(aws_sdk_ssm::config::BehaviorVersion::latest())
                .region(aws_sdk_ssm::config::Region::new("us-east-1"))
                .endpoint_url("http://127.0.0.1:1")
                .build(),
        )
    }

    #[test]
    fn the_parameter_wins_over_the_file_and_blanks_are_unset() {
        assert_eq!(
            TextSource::from_lookup(lookup(&[("P", " /rules "), ("F", "r.yaml")]), "P", "F"),
            Some(TextSource::SsmParameter("/rules".into()))
        );
        assert_eq!(
            TextSource::from_lookup(lookup(&[("P", "  "), ("F", "r.yaml")]), "P", "F"),
            Some(TextSource::File("r.yaml".into()))
        );
        assert_eq!(TextSource::from_lookup(lookup(&[]), "P", "F"), None);
    }

    #[test]
    fn origins_name_the_parameter_the_file_or_the_bundle() {
        assert_eq!(TextSource::SsmParameter("/r".into()).origin(), "ssm:/r");
        assert_eq!(TextSource::File("a/r.yaml".into()).origin(), "a/r.yaml");
        assert_eq!(TextSource::Bundled(BUNDLE).origin(), "rules.yaml (bundled)");
    }

    #[tokio::test]
    async fn bundled_and_file_texts_are_read_without_ssm() {
        let ssm = unused_ssm();
        assert_eq!(
            TextSource::Bundled(BUNDLE).read("rules", &ssm).await.ok(),
            Some("version: 1\n".to_owned())
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("rules.yaml");
        std::fs::write(&file, "version: 2\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            TextSource::File(file).read("rules", &ssm).await.ok(),
            Some("version: 2\n".to_owned())
        );
        let missing = TextSource::File(dir.path().join("absent.yaml"))
            .read("approvals file", &ssm)
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            missing.contains("absent.yaml: cannot read the approvals file: "),
            "{missing}"
        );
    }
}
