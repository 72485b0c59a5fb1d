//! The Slack app's secrets: the signing secret (verifies Slack's requests) and the bot
//! token (calls the Web API). Both live in one Secrets Manager secret or SSM SecureString
//! parameter holding `{"signing_secret": "...", "bot_token": "xoxb-..."}`; the functions'
//! environment names where, never the values. Read once per container; never logged (the
//! types' `Debug` is redacted, and parse errors never quote the text).

use std::fmt;

use slack_approval::SigningSecret;

/// The bot token (`xoxb-…`). Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct BotToken(String);

impl BotToken {
    /// A token from its text; surrounding whitespace is ignored. `None` when empty or
    /// when it contains whitespace or control characters (it goes into a header).
    pub fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        let usable = !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic());
        usable.then(|| Self(text.to_owned()))
    }

    /// The token itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BotToken(<redacted>)")
    }
}

/// Both secrets of the Slack app.
#[derive(Clone, Debug)]
pub struct SlackSecrets {
    /// Verifies `X-Slack-Signature`.
    pub signing_secret: SigningSecret,
    /// Authorizes Web API calls.
    pub bot_token: BotToken,
}

/// Where the secrets are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretLocation {
    /// A Secrets Manager secret (name or ARN), from `SLACK_SECRET_ID`.
    SecretsManager(String),
    /// An SSM SecureString parameter name, from `SLACK_SECRET_PARAMETER`.
    SsmParameter(String),
}

impl fmt::Display for SecretLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SecretsManager(id) => write!(f, "Secrets Manager secret {id}"),
            Self::SsmParameter(name) => write!(f, "SSM parameter {name}"),
        }
    }
}

/// Secrets that cannot be read or used. Messages never contain secret text.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The store could not be read.
    #[error("cannot read the Slack secrets from {location}: {message}")]
    Read {
        /// Where.
        location: String,
        /// Why (the AWS error; it never contains the value).
        message: String,
    },
    /// The text is not the expected JSON object.
    #[error(
        "the Slack secrets in {location} must be a JSON object with non-empty string fields \"signing_secret\" and \"bot_token\"; {problem}"
    )]
    Invalid {
        /// Where.
        location: String,
        /// What is wrong (a field name, never a value).
        problem: &'static str,
    },
}

impl SlackSecrets {
    /// Parses the JSON text of the secret; `location` names it in errors.
    pub fn from_json(text: &str, location: &str) -> Result<Self, SecretsError> {
        let invalid = |problem| SecretsError::Invalid {
            location: location.to_owned(),
            problem,
        };
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|_| invalid("the text is not JSON"))?;
        let field = |name| doc.get(name).and_then(serde_json::Value::as_str);
        let signing =
            field("signing_secret").ok_or_else(|| invalid("signing_secret is missing"))?;
        let token = field("bot_token").ok_or_else(|| invalid("bot_token is missing"))?;
        let signing_secret =
            SigningSecret::new(signing).map_err(|_| invalid("signing_secret is empty"))?;
        let bot_token =
            BotToken::new(token).ok_or_else(|| invalid("bot_token is empty or has spaces"))?;
        Ok(Self {
            signing_secret,
            bot_token,
        })
    }
}

/// Reads the secrets from where `location` says.
pub async fn load_secrets(
    location: &SecretLocation,
    secretsmanager: &aws_sdk_secretsmanager::Client,
    ssm: &aws_sdk_ssm::Client,
) -> Result<SlackSecrets, SecretsError> {
    let name = location.to_string();
    let read_error = |message: String| SecretsError::Read {
        location: name.clone(),
        message,
    };
    let text = match location {
        SecretLocation::SecretsManager(id) => secretsmanager
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(|e| {
                read_error(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())
            })?
            .secret_string
            .ok_or_else(|| read_error("the secret has no SecretString".to_owned()))?,
        SecretLocation::SsmParameter(parameter) => ssm
            .get_parameter()
            .name(parameter)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| read_error(aws_sdk_ssm::error::DisplayErrorContext(e).to_string()))?
            .parameter
            .and_then(|p| p.value)
            .ok_or_else(|| read_error("the parameter has no value".to_owned()))?,
    };
    SlackSecrets::from_json(&text, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_never_shows_the_values() {
        let secrets = SlackSecrets::from_json(
            r#"{"signing_secret":"s3cr3t-signing","bot_token":"xoxb-1-2-abc"}"#,
            "test",
        )
        .unwrap();
        let shown = format!("{secrets:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("xoxb"),
            "{shown}"
        );
        assert_eq!(secrets.bot_token.expose(), "xoxb-1-2-abc");
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        for (text, expected) in [
            ("xoxb-not-json", "not JSON"),
            (r#"{"bot_token":"xoxb-1"}"#, "signing_secret is missing"),
            (
                r#"{"signing_secret":"","bot_token":"xoxb-1"}"#,
                "signing_secret is empty",
            ),
            (
                r#"{"signing_secret":"abc","bot_token":" "}"#,
                "bot_token is empty",
            ),
            (
                r#"{"signing_secret":"abc","bot_token":7}"#,
                "bot_token is missing",
            ),
        ] {
            let error = SlackSecrets::from_json(text, "test")
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
            assert!(!error.contains("xoxb"), "{error}");
        }
    }
}
