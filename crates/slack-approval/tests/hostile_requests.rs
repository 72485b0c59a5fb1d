//! A corpus of hostile and malformed requests, each answered with the right HTTP status
//! and none of them ever approving (or rejecting) anything.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use serde_json::{Value, json};
use slack_approval::message::{APPROVE_ACTION_ID, REJECT_ACTION_ID};
use slack_approval::verify::sign;
use slack_approval::{HttpRequest, Outcome, ResolvedFacts, decide};

/// What a case must end in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// `HttpError` with this status.
    Error(u16),
    /// 200 and a refusal.
    Refused,
    /// 200 and nothing done.
    Ignored,
}

struct Case {
    name: &'static str,
    headers: Vec<(String, String)>,
    body: String,
    base64: bool,
    expect: Expect,
}

fn case(name: &'static str, headers: Vec<(String, String)>, body: String, expect: Expect) -> Case {
    Case {
        name,
        headers,
        body,
        base64: false,
        expect,
    }
}

/// A correctly signed request carrying `body`.
fn signed(name: &'static str, body: String, expect: Expect) -> Case {
    case(name, signed_headers(&body, NOW), body, expect)
}

fn signed_payload(name: &'static str, payload: &Value, expect: Expect) -> Case {
    signed(name, form(payload), expect)
}

fn with_header(
    mut headers: Vec<(String, String)>,
    name: &str,
    value: &str,
) -> Vec<(String, String)> {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_owned(), value.to_owned()));
    headers
}

fn without_header(mut headers: Vec<(String, String)>, name: &str) -> Vec<(String, String)> {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers
}

const TS: &str = "x-slack-request-timestamp";
const SIG: &str = "x-slack-signature";

/// The approve click of [`approve_click`], as `change` leaves it.
fn approve_click_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut p = approve_click();
    change(&mut p);
    p
}

fn corpus() -> Vec<Case> {
    let body = form(&approve_click());
    let good = signed_headers(&body, NOW);
    let good_sig = good[1].1.clone();
    // The good request with the header `name` set to `value`: not provably Slack's.
    let unsigned = |label: &'static str, name: &str, value: &str| {
        case(
            label,
            with_header(good.clone(), name, value),
            body.clone(),
            Expect::Error(401),
        )
    };
    let mut cases = vec![
        // --- Not provably Slack's: 401 -------------------------------------------------
        case(
            "no headers at all",
            vec![],
            body.clone(),
            Expect::Error(401),
        ),
        case(
            "no timestamp",
            without_header(good.clone(), TS),
            body.clone(),
            Expect::Error(401),
        ),
        case(
            "no signature",
            without_header(good.clone(), SIG),
            body.clone(),
            Expect::Error(401),
        ),
        unsigned("empty signature", SIG, ""),
        unsigned(
            "signature version v1",
            SIG,
            &good_sig.replacen("v0=", "v1=", 1),
        ),
        unsigned(
            "signature version in upper case",
            SIG,
            &good_sig.replacen("v0=", "V0=", 1),
        ),
        unsigned("bare hex without v0=", SIG, &good_sig[3..]),
        unsigned("truncated signature", SIG, &good_sig[..40]),
        unsigned("non-hex signature", SIG, &format!("v0={}", "zz".repeat(32))),
        unsigned(
            "signature with trailing junk",
            SIG,
            &format!("{good_sig}00"),
        ),
        unsigned("all-zero signature", SIG, &format!("v0={}", "0".repeat(64))),
        unsigned("timestamp is not a number", TS, "yesterday"),
        unsigned("negative timestamp", TS, &format!("-{NOW}")),
        unsigned("timestamp with a fraction", TS, &format!("{NOW}.0")),
        unsigned("timestamp with spaces", TS, &format!(" {NOW}")),
        case(
            "replay signed 301 s ago",
            signed_headers(&body, NOW - 301),
            body.clone(),
            Expect::Error(401),
        ),
        case(
            "replay signed a day ago",
            signed_headers(&body, NOW - 86_400),
            body.clone(),
            Expect::Error(401),
        ),
        case(
            "signed 301 s in the future",
            signed_headers(&body, NOW + 301),
            body.clone(),
            Expect::Error(401),
        ),
        unsigned(
            "timestamp moved, signature kept",
            TS,
            &(NOW - 1).to_string(),
        ),
        case(
            "duplicate signature header",
            {
                let mut h = good.clone();
                h.push(("X-Slack-Signature".into(), good_sig.clone()));
                h
            },
            body.clone(),
            Expect::Error(401),
        ),
        case(
            "body altered after signing: other user",
            good.clone(),
            body.replace("U0ALICE", "U0EVE00"),
            Expect::Error(401),
        ),
        case(
            "body with a parameter appended",
            good.clone(),
            format!("{body}&payload=%7B%7D"),
            Expect::Error(401),
        ),
        case(
            "empty body",
            good.clone(),
            String::new(),
            Expect::Error(401),
        ),
        case(
            "signed with another secret",
            with_header(
                good.clone(),
                SIG,
                &sign(
                    &slack_approval::SigningSecret::new("not-the-secret").unwrap(),
                    &NOW.to_string(),
                    body.as_bytes(),
                ),
            ),
            body.clone(),
            Expect::Error(401),
        ),
        case(
            "base64 body not flagged",
            good.clone(),
            STANDARD.encode(&body),
            Expect::Error(401),
        ),
        Case {
            name: "base64 body signed over its text",
            headers: signed_headers(&STANDARD.encode(&body), NOW),
            body: STANDARD.encode(&body),
            base64: true,
            expect: Expect::Error(401),
        },
        // --- Body cannot be decoded: 400 ------------------------------------------------
        Case {
            name: "flagged base64 but plain text",
            headers: good.clone(),
            body: body.clone(),
            base64: true,
            expect: Expect::Error(400),
        },
        // --- Signed by Slack but malformed: 400 -----------------------------------------
        signed(
            "no payload field",
            "text=approve".into(),
            Expect::Error(400),
        ),
        signed(
            "payload is not JSON",
            form_raw("{\"type\": "),
            Expect::Error(400),
        ),
        signed(
            "payload is a JSON array",
            form_raw("[1,2]"),
            Expect::Error(400),
        ),
        signed(
            "payload nested past the parser's depth limit",
            form_raw(&format!("{}{}", "[".repeat(5000), "]".repeat(5000))),
            Expect::Error(400),
        ),
        signed(
            "two payload fields",
            format!("{}&{}", form(&approve_click()), form(&approve_click())),
            Expect::Error(400),
        ),
        signed_payload(
            "payload without type",
            &json!({"user": {"id": "U0ALICE"}}),
            Expect::Error(400),
        ),
        signed_payload(
            "user without id",
            &approve_click_with(|p| p["user"] = json!({"name": "alice"})),
            Expect::Error(400),
        ),
        signed_payload(
            "user id is a number",
            &approve_click_with(|p| p["user"]["id"] = json!(42)),
            Expect::Error(400),
        ),
        signed_payload(
            "no actions",
            &approve_click_with(|p| {
                p.as_object_mut().unwrap().remove("actions");
            }),
            Expect::Error(400),
        ),
        signed_payload(
            "empty actions",
            &approve_click_with(|p| p["actions"] = json!([])),
            Expect::Error(400),
        ),
        signed_payload(
            "no response_url",
            &approve_click_with(|p| {
                p.as_object_mut().unwrap().remove("response_url");
            }),
            Expect::Error(400),
        ),
        signed_payload(
            "response_url elsewhere than Slack",
            &approve_click_with(|p| {
                p["response_url"] = json!("https://hooks.slack.com.evil.test/actions")
            }),
            Expect::Error(400),
        ),
        signed_payload(
            "approve button without value",
            &click_with(APPROVE_ACTION_ID, "U0ALICE", None),
            Expect::Error(400),
        ),
        signed_payload(
            "approve button with a foreign value",
            &click_with(APPROVE_ACTION_ID, "U0ALICE", Some("deploy-now".into())),
            Expect::Error(400),
        ),
        signed_payload(
            "approve button value missing the token",
            &click_with(
                APPROVE_ACTION_ID,
                "U0ALICE",
                Some(r#"{"p":"web-prod","s":"Production","a":"ApproveRelease"}"#.into()),
            ),
            Expect::Error(400),
        ),
        signed_payload(
            "approve button value of 2001 chars",
            &click_with(APPROVE_ACTION_ID, "U0ALICE", Some("x".repeat(2001))),
            Expect::Error(400),
        ),
        signed_payload(
            "reject without trigger_id",
            &{
                let mut p = click(REJECT_ACTION_ID);
                p.as_object_mut().unwrap().remove("trigger_id");
                p
            },
            Expect::Error(400),
        ),
        signed_payload(
            "modal submission with foreign metadata",
            &submission_with(
                "U0ALICE",
                Some("no"),
                slack_approval::message::REASON_CALLBACK_ID,
                "{\"p\":1}",
            ),
            Expect::Error(400),
        ),
        // --- Signed, well-formed, but not allowed: 200 and a refusal ----------------------
        signed_payload(
            "not an approver",
            &click_with(
                APPROVE_ACTION_ID,
                "U0MALLORY",
                Some(approval().to_button_value().unwrap()),
            ),
            Expect::Refused,
        ),
        signed_payload(
            "approver of another workspace",
            &approve_click_with(|p| p["team"]["id"] = json!("T0OTHER")),
            Expect::Refused,
        ),
        signed_payload(
            "user of another workspace, request of the right one",
            &approve_click_with(|p| p["user"]["team_id"] = json!("T0OTHER")),
            Expect::Refused,
        ),
        signed_payload(
            "empty team id, user of the right workspace",
            &approve_click_with(|p| p["team"]["id"] = json!("")),
            Expect::Refused,
        ),
        signed_payload(
            "team without an id, user of the right workspace",
            &approve_click_with(|p| p["team"] = json!({"domain": "acme"})),
            Expect::Refused,
        ),
        signed_payload(
            "reason modal submitted from another workspace's user",
            &{
                let mut p = submission("U0ALICE", Some("no"));
                p["user"]["team_id"] = json!("T0OTHER");
                p
            },
            Expect::Refused,
        ),
        signed_payload(
            "through another app",
            &approve_click_with(|p| p["api_app_id"] = json!("A0OTHER")),
            Expect::Refused,
        ),
        signed_payload(
            "pipeline not in the approvals file",
            &alice_approves(|a| a.pipeline = "secret-prod".into()),
            Expect::Refused,
        ),
        signed_payload(
            "stage other than the configured one",
            &alice_approves(|a| a.stage = "Staging".into()),
            Expect::Refused,
        ),
        signed_payload(
            "action other than the configured one",
            &alice_approves(|a| a.action = "OtherApproval".into()),
            Expect::Refused,
        ),
        signed_payload(
            "self-approval by the commit author",
            &alice_approves(|a| a.commit_author = Some("U0ALICE".into())),
            Expect::Refused,
        ),
        signed_payload(
            "user named like an approver but with another id",
            &{
                let mut p = click_with(
                    APPROVE_ACTION_ID,
                    "U0MALLORY",
                    Some(approval().to_button_value().unwrap()),
                );
                p["user"]["name"] = json!("U0ALICE");
                p["user"]["username"] = json!("U0ALICE");
                p
            },
            Expect::Refused,
        ),
        signed_payload(
            "non-approver clicks Reject",
            &click_with(
                REJECT_ACTION_ID,
                "U0MALLORY",
                Some(approval().to_button_value().unwrap()),
            ),
            Expect::Refused,
        ),
        signed_payload(
            "non-approver submits the reason modal",
            &submission("U0MALLORY", Some("I say no")),
            Expect::Refused,
        ),
        // --- Signed, but not an approval interaction: 200 and nothing done ----------------
        signed_payload(
            "click on a link button",
            &click_with("open_review", "U0ALICE", None),
            Expect::Ignored,
        ),
        signed_payload(
            "modal closed",
            &json!({"type": "view_closed", "user": {"id": "U0ALICE"}}),
            Expect::Ignored,
        ),
        signed_payload(
            "global shortcut",
            &json!({"type": "shortcut", "callback_id": "x"}),
            Expect::Ignored,
        ),
        signed_payload(
            "another modal's submission",
            &submission_with("U0ALICE", Some("x"), "other_modal", "{}"),
            Expect::Ignored,
        ),
    ];
    // Header values that are not even text the gateway would pass on are still refused.
    cases.push(case(
        "signature of the right length in unicode",
        with_header(good.clone(), SIG, &format!("v0={}", "é".repeat(32))),
        body.clone(),
        Expect::Error(401),
    ));
    cases
}

#[test]
fn every_hostile_request_gets_the_right_status_and_approves_nothing() {
    let config = config();
    let secret = secret();
    let cases = corpus();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    eprintln!("{} hostile requests", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let headers = borrow(&c.headers);
        let request = HttpRequest {
            headers: &headers,
            body: &c.body,
            is_base64_encoded: c.base64,
        };
        let outcome = decide(&request, &secret, NOW, &config, &ResolvedFacts::default());
        let reply = outcome.http_reply();
        let ok = match (&outcome, c.expect) {
            (Outcome::HttpError { status, .. }, Expect::Error(want)) => {
                *status == want && reply.status == want
            }
            (Outcome::RefuseEphemeral(_), Expect::Refused) => reply.status == 200,
            (Outcome::Acknowledge { .. }, Expect::Ignored) => {
                reply.status == 200 && reply.body.is_empty()
            }
            _ => false,
        };
        assert!(
            !matches!(outcome, Outcome::Approve(_) | Outcome::Reject(_)),
            "{}: decided {:?}",
            c.name,
            outcome.kind()
        );
        if !ok {
            failures.push(format!(
                "{}: expected {:?}, got {} {:?}",
                c.name,
                c.expect,
                outcome.kind(),
                reply
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn error_bodies_never_echo_the_payload_or_the_secret() {
    let secret = secret();
    let config = config();
    for c in corpus() {
        let headers = borrow(&c.headers);
        let request = HttpRequest {
            headers: &headers,
            body: &c.body,
            is_base64_encoded: c.base64,
        };
        let reply = decide(&request, &secret, NOW, &config, &ResolvedFacts::default()).http_reply();
        assert!(!reply.body.contains(SECRET), "{}", c.name);
        assert!(
            !reply.body.contains("3f6c2a9e"),
            "{}: token leaked: {}",
            c.name,
            reply.body
        );
    }
}

#[test]
fn refused_requests_are_told_invalid_request_and_nothing_more() {
    let secret = secret();
    let config = config();
    for c in corpus() {
        let headers = borrow(&c.headers);
        let request = HttpRequest {
            headers: &headers,
            body: &c.body,
            is_base64_encoded: c.base64,
        };
        let outcome = decide(&request, &secret, NOW, &config, &ResolvedFacts::default());
        let reply = outcome.http_reply();
        if let Outcome::HttpError { reason, .. } = &outcome {
            // Which check failed stays in the log, never in the body.
            assert_eq!(reply.body, slack_approval::INVALID_REQUEST, "{}", c.name);
            assert!(!reason.is_empty(), "{}", c.name);
            assert!(!reply.body.contains(&NOW.to_string()), "{}", c.name);
        }
    }
}
