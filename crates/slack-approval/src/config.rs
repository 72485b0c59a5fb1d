//! The approvals file, `approvals.yaml`: where each pipeline's approval requests are
//! posted, and who may decide them.
//!
//! ```yaml
//! version: 1
//! default_channel: C0123456789     # optional: channel of pipelines without their own
//! team_id: T0123456789             # optional: only users of this workspace may decide
//! app_id: A0123456789              # optional: only clicks on this app's messages count
//! forbid_self_approval: false      # optional (default false): default for every pipeline
//! pipelines:
//!   - name: web-prod               # the CodePipeline pipeline name
//!     channel: C0456789ABC         # optional when default_channel is set
//!     approvers: [U01AAAAAAAA, W01BBBBBBBB]   # Slack user ids
//!     approver_groups: [S01CCCCCCCC]          # optional: Slack user group ids
//!     stage: Production            # optional: only this stage's approvals ...
//!     action: ApproveRelease       # optional: ... and only this action's
//!     forbid_self_approval: true   # optional: overrides the default above
//!     team_id: T0123456789         # optional: overrides the top-level team_id
//!     app_id: A0123456789          # optional: overrides the top-level app_id
//! ```
//!
//! Rules, each checked when the file is read:
//! - unknown keys are errors (a typo like `approver:` never silently allows nobody);
//! - ids are Slack ids, not names: users `U…`/`W…`, user groups `S…`, channels
//!   `C…`/`G…`/`D…`, workspaces `T…` (or `E…` for an Enterprise Grid org), apps `A…`;
//! - pipeline, stage and action names follow CodePipeline's rules (1 to 100 of
//!   `A-Z a-z 0-9 . @ - _`), and each pipeline is listed once;
//! - every pipeline has a channel (its own or `default_channel`) and at least one approver
//!   or approver group.
//!
//! A user may decide a pipeline's approval when their id is in `approvers`, or they are in
//! one of `approver_groups` (the handler resolves membership; see
//! [`crate::authorize`](mod@crate::authorize)). Pipelines not listed cannot be decided from Slack.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

/// An approvals file that cannot be used: the message starts with `file:line:column:`
/// where the position is known (see `config_yaml`).
pub type ConfigError = config_yaml::YamlError;

/// The validated approvals file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApprovalsConfig {
    /// Channel for pipelines without their own.
    pub default_channel: Option<String>,
    /// Workspace whose users may decide, unless a pipeline says otherwise.
    pub team_id: Option<String>,
    /// App whose messages count, unless a pipeline says otherwise.
    pub app_id: Option<String>,
    /// Whether a commit's author may not approve it, unless a pipeline says otherwise.
    pub forbid_self_approval: bool,
    /// The pipelines, in file order.
    pub pipelines: Vec<PipelineApprovals>,
}

/// One pipeline's approval settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipelineApprovals {
    /// Pipeline name.
    pub name: String,
    /// Channel for its approval requests (else the default channel).
    pub channel: Option<String>,
    /// Slack user ids that may decide.
    pub approvers: Vec<String>,
    /// Slack user group ids whose members may decide.
    pub approver_groups: Vec<String>,
    /// When set, only approvals of this stage may be decided.
    pub stage: Option<String>,
    /// When set, only approvals of this action may be decided.
    pub action: Option<String>,
    /// Overrides [`ApprovalsConfig::forbid_self_approval`].
    pub forbid_self_approval: Option<bool>,
    /// Overrides [`ApprovalsConfig::team_id`].
    pub team_id: Option<String>,
    /// Overrides [`ApprovalsConfig::app_id`].
    pub app_id: Option<String>,
}

impl ApprovalsConfig {
    /// Reads and validates an approvals file.
    pub fn from_path(path: &Path) -> Result<Self, ConfigError> {
        let text = config_yaml::read_text(path, &config_yaml::Options::default())?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Parses and validates YAML text strictly (no YAML tags, no unknown keys, no empty
    /// sections); `origin` names the text in errors, with the line of the problem.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let loaded =
            config_yaml::from_str::<RawConfig>(text, origin, &config_yaml::Options::default())?;
        let source = loaded.source;
        loaded
            .value
            .validate()
            .map_err(
                |Refusal { node, message }| config_yaml::YamlError::Invalid {
                    file: origin.to_owned(),
                    location: source.location(&node),
                    message,
                },
            )
    }

    /// The settings of pipeline `name`, if the file lists it.
    pub fn pipeline(&self, name: &str) -> Option<&PipelineApprovals> {
        self.pipelines.iter().find(|p| p.name == name)
    }

    /// The channel for pipeline `name`'s approval requests: its own, else the default
    /// (also for pipelines the file does not list, whose messages nobody can decide).
    pub fn channel_for(&self, name: &str) -> Option<&str> {
        self.pipeline(name)
            .and_then(|p| p.channel.as_deref())
            .or(self.default_channel.as_deref())
    }

    /// The workspace allowed to decide `pipeline`'s approvals, if restricted.
    pub fn allowed_team<'a>(&'a self, pipeline: &'a PipelineApprovals) -> Option<&'a str> {
        pipeline.team_id.as_deref().or(self.team_id.as_deref())
    }

    /// The app whose clicks count for `pipeline`, if restricted.
    pub fn allowed_app<'a>(&'a self, pipeline: &'a PipelineApprovals) -> Option<&'a str> {
        pipeline.app_id.as_deref().or(self.app_id.as_deref())
    }

    /// Whether `pipeline`'s commit authors may not approve their own commits.
    pub fn self_approval_forbidden(&self, pipeline: &PipelineApprovals) -> bool {
        pipeline
            .forbid_self_approval
            .unwrap_or(self.forbid_self_approval)
    }
}

/// A key as the file has it: absent, present but empty (`key:` left blank, or `~`), or
/// given. A key that is present must say something: `team_id:` left blank would
/// otherwise read as "no restriction", and `stage:` blank as "any stage".
#[derive(Default)]
enum Field<T> {
    #[default]
    Absent,
    Empty,
    Given(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Self::Given(value),
            None => Self::Empty,
        })
    }
}

impl<T> Field<T> {
    /// The value, if given; an error naming the node (and so its line) when empty.
    fn take(self, node: &str) -> Result<Option<T>, Refusal> {
        match self {
            Self::Absent => Ok(None),
            Self::Empty => Err(refuse(
                node,
                format!("{node}: the value is empty: give it a value, or remove the key"),
            )),
            Self::Given(value) => Ok(Some(value)),
        }
    }
}

/// A rule broken after parsing: the node's path (for its line) and the message.
struct Refusal {
    node: String,
    message: String,
}

fn refuse(node: impl Into<String>, message: impl Into<String>) -> Refusal {
    Refusal {
        node: node.into(),
        message: message.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    version: u32,
    #[serde(default)]
    default_channel: Field<String>,
    #[serde(default)]
    team_id: Field<String>,
    #[serde(default)]
    app_id: Field<String>,
    #[serde(default)]
    forbid_self_approval: Field<bool>,
    #[serde(default)]
    pipelines: Field<Vec<RawPipeline>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    name: String,
    #[serde(default)]
    channel: Field<String>,
    #[serde(default)]
    approvers: Field<Vec<String>>,
    #[serde(default)]
    approver_groups: Field<Vec<String>>,
    #[serde(default)]
    stage: Field<String>,
    #[serde(default)]
    action: Field<String>,
    #[serde(default)]
    forbid_self_approval: Field<bool>,
    #[serde(default)]
    team_id: Field<String>,
    #[serde(default)]
    app_id: Field<String>,
}

/// A Slack id: one of `prefixes`, then 2 to 31 upper-case letters or digits.
fn is_slack_id(id: &str, prefixes: &[char]) -> bool {
    let mut chars = id.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    prefixes.contains(&first)
        && (3..=32).contains(&id.len())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A CodePipeline pipeline, stage or action name.
fn is_codepipeline_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'))
}

/// Checks a Slack id; `node` is the value's path (for its line), `shown` the path as
/// the message names it.
fn check_id(
    node: &str,
    shown: &str,
    id: &str,
    prefixes: &[char],
    what: &str,
) -> Result<(), Refusal> {
    if is_slack_id(id, prefixes) {
        Ok(())
    } else {
        let starts: Vec<String> = prefixes.iter().map(|p| format!("{p}…")).collect();
        Err(refuse(
            node,
            format!(
                "{shown}: `{id}` is not a Slack {what} id ({}); use the id, not a name",
                starts.join(" or ")
            ),
        ))
    }
}

const USER: &[char] = &['U', 'W'];
const GROUP: &[char] = &['S'];
const CHANNEL: &[char] = &['C', 'G', 'D'];
const TEAM: &[char] = &['T', 'E'];
const APP: &[char] = &['A'];

const NOT_A_NAME: &str = "is not a CodePipeline name (1 to 100 of A-Z a-z 0-9 . @ - _)";

impl RawConfig {
    fn validate(self) -> Result<ApprovalsConfig, Refusal> {
        if self.version != 1 {
            return Err(refuse(
                "version",
                format!(
                    "unsupported version {} (this release reads version 1)",
                    self.version
                ),
            ));
        }
        let default_channel = self.default_channel.take("default_channel")?;
        let team_id = self.team_id.take("team_id")?;
        let app_id = self.app_id.take("app_id")?;
        let forbid_self_approval = self.forbid_self_approval.take("forbid_self_approval")?;
        for (key, id, prefixes, what) in [
            ("default_channel", &default_channel, CHANNEL, "channel"),
            ("team_id", &team_id, TEAM, "workspace"),
            ("app_id", &app_id, APP, "app"),
        ] {
            if let Some(id) = id {
                check_id(key, key, id, prefixes, what)?;
            }
        }
        let mut seen = HashSet::new();
        let raw_pipelines = self
            .pipelines
            .take("pipelines")?
            .ok_or_else(|| refuse(".", "missing field `pipelines`"))?;
        let mut pipelines = Vec::with_capacity(raw_pipelines.len());
        for (i, p) in raw_pipelines.into_iter().enumerate() {
            let node = format!("pipelines[{i}]");
            if !is_codepipeline_name(&p.name) {
                return Err(refuse(
                    format!("{node}.name"),
                    format!("{node}.name: `{}` {NOT_A_NAME}", p.name),
                ));
            }
            let field = |key: &str| format!("{node}.{key}");
            let channel = p.channel.take(&field("channel"))?;
            let stage = p.stage.take(&field("stage"))?;
            let action = p.action.take(&field("action"))?;
            let pipeline_forbids = p
                .forbid_self_approval
                .take(&field("forbid_self_approval"))?;
            let pipeline_team = p.team_id.take(&field("team_id"))?;
            let pipeline_app = p.app_id.take(&field("app_id"))?;
            let approvers = p.approvers.take(&field("approvers"))?.unwrap_or_default();
            let approver_groups = p
                .approver_groups
                .take(&field("approver_groups"))?
                .unwrap_or_default();
            let at = format!("{node} ({})", p.name);
            if !seen.insert(p.name.clone()) {
                return Err(refuse(
                    format!("{node}.name"),
                    format!("{at}: pipeline `{}` is listed twice", p.name),
                ));
            }
            match &channel {
                Some(c) => check_id(
                    &format!("{node}.channel"),
                    &format!("{at}.channel"),
                    c,
                    CHANNEL,
                    "channel",
                )?,
                None if default_channel.is_none() => {
                    return Err(refuse(
                        &node,
                        format!("{at}: no channel, and no default_channel to fall back on"),
                    ));
                }
                None => {}
            }
            if approvers.is_empty() && approver_groups.is_empty() {
                return Err(refuse(
                    &node,
                    format!(
                        "{at}: no approvers and no approver_groups: nobody could decide its approvals"
                    ),
                ));
            }
            for (key, ids, prefixes, what) in [
                ("approvers", &approvers, USER, "user"),
                ("approver_groups", &approver_groups, GROUP, "user group"),
            ] {
                for (j, id) in ids.iter().enumerate() {
                    check_id(
                        &format!("{node}.{key}[{j}]"),
                        &format!("{at}.{key}[{j}]"),
                        id,
                        prefixes,
                        what,
                    )?;
                }
            }
            for (key, name) in [("stage", &stage), ("action", &action)] {
                if let Some(name) = name
                    && !is_codepipeline_name(name)
                {
                    return Err(refuse(
                        format!("{node}.{key}"),
                        format!("{at}.{key}: `{name}` {NOT_A_NAME}"),
                    ));
                }
            }
            for (key, id, prefixes, what) in [
                ("team_id", &pipeline_team, TEAM, "workspace"),
                ("app_id", &pipeline_app, APP, "app"),
            ] {
                if let Some(id) = id {
                    check_id(
                        &format!("{node}.{key}"),
                        &format!("{at}.{key}"),
                        id,
                        prefixes,
                        what,
                    )?;
                }
            }
            pipelines.push(PipelineApprovals {
                name: p.name,
                channel,
                approvers,
                approver_groups,
                stage,
                action,
                forbid_self_approval: pipeline_forbids,
                team_id: pipeline_team,
                app_id: pipeline_app,
            });
        }
        Ok(ApprovalsConfig {
            default_channel,
            team_id,
            app_id,
            forbid_self_approval: forbid_self_approval.unwrap_or(false),
            pipelines,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "\
version: 1
default_channel: C0123456789
team_id: T0123456789
app_id: A0123456789
pipelines:
  - name: web-prod
    channel: C0456789ABC
    approvers: [U01AAAAAAAA, W01BBBBBBBB]
    approver_groups: [S01CCCCCCCC]
    stage: Production
    action: ApproveRelease
    forbid_self_approval: true
  - name: api-staging
    approvers: [U01AAAAAAAA]
    team_id: E0123456789
";

    #[test]
    fn reads_the_documented_format() {
        let c = ApprovalsConfig::from_yaml(FULL, "approvals.yaml").unwrap();
        assert_eq!(c.pipelines.len(), 2);
        assert_eq!(c.channel_for("web-prod"), Some("C0456789ABC"));
        assert_eq!(c.channel_for("api-staging"), Some("C0123456789"));
        assert_eq!(c.channel_for("unlisted"), Some("C0123456789"));
        let web = c.pipeline("web-prod").unwrap();
        assert!(c.self_approval_forbidden(web));
        assert_eq!(c.allowed_team(web), Some("T0123456789"));
        let api = c.pipeline("api-staging").unwrap();
        assert!(!c.self_approval_forbidden(api));
        assert_eq!(c.allowed_team(api), Some("E0123456789"));
        assert_eq!(c.allowed_app(api), Some("A0123456789"));
    }

    fn error(text: &str) -> String {
        ApprovalsConfig::from_yaml(text, "approvals.yaml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("", "approvals.yaml:"),
            ("version: 1\n", "missing field `pipelines`"),
            ("version: 2\npipelines: []\n", "unsupported version 2"),
            (
                "version: 1\npipelines: []\napprover: [U1]\n",
                "approvals.yaml:3:1: unknown field `approver`",
            ),
            (
                "version: 1\npipelines:\n  - name: p\n    channel: C123\n    approver: [U123]\n",
                "approvals.yaml:5:5: pipelines[0]: unknown field `approver`, expected one of",
            ),
            (
                "version: 1\npipelines:\n  - name: p\n    channel: C123\n    approvers: U123\n",
                "approvals.yaml:5:16: pipelines[0].approvers: invalid type: string \"U123\", expected a sequence",
            ),
            (
                "version: 1\npipelines:\n  - name: p\n    approvers: [U123]\n",
                "pipelines[0] (p): no channel",
            ),
            (
                "version: 1\npipelines:\n  - name: p\n    channel: C123\n",
                "pipelines[0] (p): no approvers",
            ),
            (
                "version: 1\npipelines:\n  - name: p\n    channel: '#deploys'\n    approvers: [U123]\n",
                "pipelines[0] (p).channel: `#deploys` is not a Slack channel id (C… or G… or D…); use the id",
            ),
            (
                "version: 1\npipelines:\n  - name: p\n    channel: C123\n    approvers: [U123, jane]\n",
                "pipelines[0] (p).approvers[1]: `jane` is not a Slack user id",
            ),
            (
                "version: 1\npipelines:\n  - name: p\n    channel: C123\n    approver_groups: [U123]\n",
                "approver_groups[0]: `U123` is not a Slack user group id",
            ),
            (
                "version: 1\npipelines:\n  - name: 'bad name'\n    channel: C123\n    approvers: [U123]\n",
                "pipelines[0].name: `bad name` is not a CodePipeline name",
            ),
            (
                "version: 1\ndefault_channel: C123\npipelines:\n  - {name: p, approvers: [U123]}\n  - {name: p, approvers: [U123]}\n",
                "pipelines[1] (p): pipeline `p` is listed twice",
            ),
            (
                "version: 1\ndefault_channel: C123\npipelines:\n  - {name: p, approvers: [U123], stage: 'a b'}\n",
                "pipelines[0] (p).stage: `a b` is not a CodePipeline name",
            ),
            (
                "version: 1\nteam_id: X123\npipelines: []\n",
                "team_id: `X123` is not a Slack workspace id",
            ),
            (
                "version: 1\napp_id: a123\npipelines: []\n",
                "app_id: `a123` is not a Slack app id",
            ),
            (
                "version: 1\npipelines: []\nforbid_self_approval: maybe\n",
                "approvals.yaml:3:",
            ),
        ];
        for (text, expected) in cases {
            let err = error(text);
            assert!(
                err.contains(expected),
                "{text:?}\n  got: {err}\n  want: {expected}"
            );
            assert!(err.starts_with("approvals.yaml:"), "{err}");
        }
    }

    #[test]
    fn yaml_tags_are_refused_with_their_line() {
        let err = error(
            "version: 1\ndefault_channel: C123\npipelines:\n  - name: p\n    approvers: !!python/object/apply:os.system [echo hi]\n",
        );
        assert!(err.starts_with("approvals.yaml:5:"), "{err}");
        assert!(err.contains("YAML tags are not allowed"), "{err}");
        let err = error("version: 1\nteam_id: !!str T0123\npipelines: []\n");
        assert!(err.starts_with("approvals.yaml:2:"), "{err}");
    }

    #[test]
    fn empty_sections_are_errors_naming_the_line() {
        for (text, line) in [
            // `team_id:` blank would otherwise mean "any workspace".
            (
                "version: 1\ndefault_channel: C123\nteam_id:\npipelines: []\n",
                "approvals.yaml:3:",
            ),
            // `stage:` blank would otherwise mean "any stage".
            (
                "version: 1\ndefault_channel: C123\npipelines:\n  - name: p\n    approvers: [U123]\n    stage:\n",
                "approvals.yaml:6:",
            ),
            (
                "version: 1\ndefault_channel: C123\npipelines:\n  - name: p\n    approvers: [U123]\n    approver_groups: ~\n",
                "approvals.yaml:6:",
            ),
            ("version: 1\npipelines:\n", "approvals.yaml:2:"),
        ] {
            let err = error(text);
            assert!(err.starts_with(line), "{text:?}\n  got: {err}");
            assert!(err.contains("empty"), "{err}");
        }
    }

    #[test]
    fn rule_errors_name_the_line_of_the_value() {
        let err = error(
            "version: 1\npipelines:\n  - name: p\n    channel: C123\n    approvers: [U123, jane]\n",
        );
        assert!(err.starts_with("approvals.yaml:5:"), "{err}");
    }

    #[test]
    fn duplicate_yaml_keys_are_refused() {
        let err = error("version: 1\nversion: 1\npipelines: []\n");
        assert!(err.contains("duplicate"), "{err}");
    }
}
