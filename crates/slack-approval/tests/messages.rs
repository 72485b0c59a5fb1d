//! Block Kit bodies and the PutApprovalResult summary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

mod common;

use serde_json::Value;
use slack_approval::message::{
    ACTIONS_BLOCK_ID, APPROVE_ACTION_ID, ModalMetadata, REASON_ACTION_ID, REASON_BLOCK_ID,
    REASON_CALLBACK_ID, REJECT_ACTION_ID, approval_request, decided_update, ended_elsewhere_update,
    ephemeral, reason_modal,
};
use slack_approval::notification::parse_notification;
use slack_approval::{
    ApprovalRef, ApprovalStatus, CommitInfo, EndedReason, MAX_SUMMARY_CHARS, SlackUser, Timestamp,
    approval_summary,
};

const NOTIFICATION: &str = r#"{
  "region": "eu-west-1",
  "consoleLink": "https://console.aws.amazon.com/codepipeline/home?region=eu-west-1#/view/web-prod",
  "approval": {
    "pipelineName": "web-prod",
    "stageName": "Production",
    "actionName": "ApproveRelease",
    "token": "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34",
    "expires": "2026-11-10T09:41Z",
    "externalEntityLink": "https://staging.example.com/release-notes?a=1&b=2",
    "approvalReviewLink": "https://console.aws.amazon.com/codepipeline/home?region=eu-west-1#/view/web-prod/Production/ApproveRelease/approve/3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34",
    "customData": "Check <!channel> & the release notes"
  }
}"#;

fn commit() -> CommitInfo {
    CommitInfo {
        id: "9fceb02d0ae598e95dc970b74767f19372d61af8".into(),
        message: "Fix checkout <script> totals\n\nLonger body".into(),
        author_name: "Carol Example".into(),
        author_slack_id: Some("U0CAROL".into()),
        url: Some("https://console.aws.amazon.com/codesuite/codecommit/repositories/web/commit/9fceb02d0ae598e95dc970b74767f19372d61af8".into()),
    }
}

fn request_body(commit: Option<&CommitInfo>) -> Value {
    let n = parse_notification(NOTIFICATION).unwrap();
    approval_request("C0DEPLOYS", &n, commit).unwrap()
}

fn block<'a>(body: &'a Value, kind: &str) -> Vec<&'a Value> {
    body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == kind)
        .collect()
}

#[test]
fn approval_request_has_both_buttons_with_styles_and_confirm_dialogs() {
    let body = request_body(Some(&commit()));
    assert_eq!(body["channel"], "C0DEPLOYS");
    assert_eq!(
        body["text"],
        "Approval needed: web-prod / Production / ApproveRelease"
    );
    let actions = block(&body, "actions");
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["block_id"], ACTIONS_BLOCK_ID);
    let buttons = actions[0]["elements"].as_array().unwrap();
    assert_eq!(buttons.len(), 2);
    let (approve, reject) = (&buttons[0], &buttons[1]);

    assert_eq!(approve["type"], "button");
    assert_eq!(approve["action_id"], APPROVE_ACTION_ID);
    assert_eq!(approve["text"]["text"], "Approve");
    assert_eq!(approve["style"], "primary");
    assert_eq!(reject["action_id"], REJECT_ACTION_ID);
    assert_eq!(reject["text"]["text"], "Reject");
    assert_eq!(reject["style"], "danger");

    for (button, style) in [(approve, "primary"), (reject, "danger")] {
        let confirm = &button["confirm"];
        for key in ["title", "text", "confirm", "deny"] {
            let text = confirm[key]["text"].as_str().unwrap();
            assert!(!text.is_empty(), "{key}");
        }
        assert_eq!(confirm["style"], style);
        assert!(
            confirm["text"]["text"]
                .as_str()
                .unwrap()
                .contains("*Production / ApproveRelease* of *web-prod*")
        );
        assert!(confirm["title"]["text"].as_str().unwrap().chars().count() <= 100);
        assert!(confirm["text"]["text"].as_str().unwrap().chars().count() <= 300);

        // The value is the approval reference, within Slack's 2000 characters.
        let value = button["value"].as_str().unwrap();
        assert!(value.chars().count() <= 2000);
        let r = ApprovalRef::from_button_value(value).unwrap();
        assert_eq!(r.pipeline, "web-prod");
        assert_eq!(r.stage, "Production");
        assert_eq!(r.action, "ApproveRelease");
        assert_eq!(r.token, "3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34");
        assert_eq!(
            r.commit_id.as_deref(),
            Some("9fceb02d0ae598e95dc970b74767f19372d61af8")
        );
        assert_eq!(r.commit_author.as_deref(), Some("U0CAROL"));
    }
}

#[test]
fn approval_request_shows_details_links_custom_data_and_commit() {
    let body = request_body(Some(&commit()));
    let header = block(&body, "header");
    assert_eq!(header[0]["text"]["text"], "Approval needed: web-prod");
    let all = body.to_string();

    let fields = body["blocks"][1]["fields"].as_array().unwrap();
    let fields: Vec<&str> = fields.iter().map(|f| f["text"].as_str().unwrap()).collect();
    assert_eq!(
        fields[0],
        "*Pipeline*\n<https://console.aws.amazon.com/codepipeline/home?region=eu-west-1#/view/web-prod|web-prod>"
    );
    assert_eq!(fields[1], "*Stage*\nProduction");
    assert_eq!(fields[2], "*Action*\nApproveRelease");
    assert_eq!(fields[3], "*Region*\neu-west-1");
    assert_eq!(
        fields[4],
        "*Expires*\n<!date^1794303660^{date_short_pretty} {time}|2026-11-10 09:41 UTC>"
    );

    // Links to the review page and the external entity.
    assert!(all.contains("<https://console.aws.amazon.com/codepipeline/home?region=eu-west-1#/view/web-prod/Production/ApproveRelease/approve/3f6c2a9e-7d41-4b8e-9c55-0e2f8a1b7c34|Review in the CodePipeline console>"));
    assert!(all.contains(
        "<https://staging.example.com/release-notes?a=1&amp;b=2|Open the URL for review>"
    ));

    // Custom data, escaped: no @channel ping.
    assert!(
        all.contains("*Comments*\\nCheck &lt;!channel&gt; &amp; the release notes"),
        "{all}"
    );
    assert!(!all.contains("<!channel>"));

    // The commit: short id linked, author, first line of the message, escaped.
    assert!(all.contains("*Commit* <https://console.aws.amazon.com/codesuite/codecommit/repositories/web/commit/9fceb02d0ae598e95dc970b74767f19372d61af8|9fceb02> by Carol Example (<@U0CAROL>)"), "{all}");
    assert!(all.contains(">Fix checkout &lt;script&gt; totals"));
    assert!(!all.contains("Longer body"));
    assert_eq!(body["unfurl_links"], false);
}

#[test]
fn approval_request_without_optional_parts() {
    let n = parse_notification(
        r#"{"region":"us-east-2","consoleLink":"https://console.aws.amazon.com/x",
            "approval":{"pipelineName":"p","stageName":"s","actionName":"a","token":"t",
            "expires":"2016-07-07T20:22Z","approvalReviewLink":"https://console.aws.amazon.com/y"}}"#,
    )
    .unwrap();
    let body = approval_request("C1", &n, None).unwrap();
    let all = body.to_string();
    assert!(!all.contains("Comments"));
    assert!(!all.contains("Commit"));
    assert!(!all.contains("Open the URL for review"));
    assert!(all.contains("Review in the CodePipeline console"));
    let value = body["blocks"].as_array().unwrap().last().unwrap()["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(value, r#"{"p":"p","s":"s","a":"a","t":"t"}"#);
}

#[test]
fn oversized_text_is_cut_to_slacks_limits() {
    let mut n = parse_notification(NOTIFICATION).unwrap();
    n.approval.custom_data = Some("x".repeat(10_000));
    n.approval.pipeline_name = "p".repeat(300);
    let body = approval_request("C1", &n, None).unwrap();
    for b in body["blocks"].as_array().unwrap() {
        if let Some(text) = b["text"]["text"].as_str() {
            let limit = if b["type"] == "header" { 150 } else { 3000 };
            assert!(text.chars().count() <= limit, "{}", b["type"]);
        }
    }
    // A reference too big for a button value is an error, not a broken message.
    n.approval.token = "t".repeat(2000);
    assert!(approval_request("C1", &n, None).is_err());
}

fn user() -> SlackUser {
    SlackUser {
        id: "U0ALICE".into(),
        username: Some("alice".into()),
        name: None,
        team_id: None,
    }
}

fn approval() -> ApprovalRef {
    parse_notification(NOTIFICATION).unwrap().approval_ref()
}

#[test]
fn decided_update_drops_buttons_and_names_who_and_when() {
    let original = request_body(None);
    let blocks = original["blocks"].as_array().unwrap();
    let at = Timestamp::parse("2026-11-03T09:45:00Z").unwrap();
    let update = decided_update(
        &approval(),
        blocks,
        ApprovalStatus::Approved,
        &user(),
        at,
        None,
    );
    assert_eq!(update["replace_original"], true);
    let new_blocks = update["blocks"].as_array().unwrap();
    assert_eq!(
        new_blocks.len(),
        blocks.len(),
        "actions replaced by the decision line"
    );
    assert!(new_blocks.iter().all(|b| b["type"] != "actions"));
    assert_eq!(
        new_blocks.last().unwrap()["text"]["text"],
        ":white_check_mark: *Approved* by <@U0ALICE> (alice) at <!date^1793699100^{date_short_pretty} {time}|2026-11-03 09:45 UTC>"
    );
    assert_eq!(
        update["text"],
        "Approved by alice (U0ALICE): web-prod / Production / ApproveRelease"
    );

    let rejected = decided_update(
        &approval(),
        &[],
        ApprovalStatus::Rejected,
        &user(),
        at,
        Some("breaks <@U0BOB>'s\nfeature"),
    );
    let text = rejected.to_string();
    assert!(text.contains(":x: *Rejected* by <@U0ALICE>"));
    assert!(text.contains(">breaks &lt;@U0BOB&gt;'s feature"), "{text}");
    // Without the original blocks, a minimal summary of the approval stays.
    assert!(text.contains("*Pipeline*\\nweb-prod"), "{text}");
}

#[test]
fn ended_elsewhere_update_says_how_it_ended() {
    for (reason, words) in [
        (EndedReason::AlreadyDecided, "already decided"),
        (EndedReason::Expired, "expired"),
        (EndedReason::NotFound, "no longer exists"),
    ] {
        let update = ended_elsewhere_update(&approval(), &[], reason);
        assert_eq!(update["replace_original"], true);
        assert!(update.to_string().contains(words), "{reason:?}");
        assert!(
            update["blocks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["type"] != "actions")
        );
    }
}

#[test]
fn ephemeral_replies_leave_the_message_alone() {
    let body = ephemeral("You are not an approver of this pipeline.");
    assert_eq!(body["response_type"], "ephemeral");
    assert_eq!(body["replace_original"], false);
    assert_eq!(body["text"], "You are not an approver of this pipeline.");
}

#[test]
fn reason_modal_has_an_input_and_carries_the_approval() {
    let meta = ModalMetadata {
        approval: approval(),
        response_url: Some("https://hooks.slack.com/actions/T/1/x".into()),
        channel_id: Some("C0DEPLOYS".into()),
        message_ts: Some("1.2".into()),
    };
    let body = reason_modal("123.456", &meta).unwrap();
    assert_eq!(body["trigger_id"], "123.456");
    let view = &body["view"];
    assert_eq!(view["type"], "modal");
    assert_eq!(view["callback_id"], REASON_CALLBACK_ID);
    assert!(view["title"]["text"].as_str().unwrap().chars().count() <= 24);
    assert_eq!(view["submit"]["text"], "Reject");
    let input = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "input")
        .unwrap();
    assert_eq!(input["block_id"], REASON_BLOCK_ID);
    assert_eq!(input["element"]["type"], "plain_text_input");
    assert_eq!(input["element"]["action_id"], REASON_ACTION_ID);
    assert_eq!(input["element"]["multiline"], true);
    let metadata = view["private_metadata"].as_str().unwrap();
    assert!(metadata.chars().count() <= 3000);
    assert_eq!(ModalMetadata::decode(metadata).unwrap(), meta);
}

#[test]
fn summary_is_cut_at_512_chars_on_char_boundaries() {
    for filler in ["a", "é", "日", "🚀", "e\u{301}"] {
        let reason = filler.repeat(1000);
        let summary = approval_summary(ApprovalStatus::Rejected, &user(), Some(&reason));
        assert_eq!(summary.chars().count(), MAX_SUMMARY_CHARS, "{filler}");
        assert!(summary.starts_with("Rejected in Slack by alice (U0ALICE): "));
        assert!(summary.ends_with('…'));
    }
    // Exactly at the limit: nothing is cut.
    let prefix = "Rejected in Slack by alice (U0ALICE): ".chars().count();
    let reason = "ü".repeat(MAX_SUMMARY_CHARS - prefix);
    let summary = approval_summary(ApprovalStatus::Rejected, &user(), Some(&reason));
    assert_eq!(summary.chars().count(), MAX_SUMMARY_CHARS);
    assert!(!summary.ends_with('…'));
    // One more and the last character becomes the ellipsis.
    let summary = approval_summary(
        ApprovalStatus::Rejected,
        &user(),
        Some(&format!("{reason}ü")),
    );
    assert_eq!(summary.chars().count(), MAX_SUMMARY_CHARS);
    assert!(summary.ends_with("ü…"));
}

#[test]
fn summary_keeps_the_user_id_whatever_the_name() {
    let long_name = SlackUser {
        id: "U0ALICE".into(),
        username: Some("n".repeat(5000)),
        name: None,
        team_id: None,
    };
    let summary = approval_summary(
        ApprovalStatus::Approved,
        &long_name,
        Some(&"r".repeat(5000)),
    );
    assert!(summary.chars().count() <= MAX_SUMMARY_CHARS);
    assert!(summary.contains("(U0ALICE)"));
}
