//! The approval flow end to end through `decide`: approve, reject with a reason, refusals,
//! and what the handler must look up first.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use serde_json::{Value, json};
use slack_approval::message::{
    APPROVE_ACTION_ID, EndedReason, REASON_CALLBACK_ID, REJECT_ACTION_ID,
};
use slack_approval::{
    ApprovalStatus, DenyReason, FactsToResolve, HttpRequest, Interaction, Outcome, ResolvedFacts,
    decide, decide_interaction, facts_to_resolve, verify_and_parse,
};

/// `f` of `payload` as Slack would sign and send it at [`NOW`].
fn signed<T>(payload: &Value, f: impl FnOnce(&HttpRequest<'_>) -> T) -> T {
    let body = form(payload);
    let headers = signed_headers(&body, NOW);
    let headers = borrow(&headers);
    f(&HttpRequest {
        headers: &headers,
        body: &body,
        is_base64_encoded: false,
    })
}

fn run(payload: &Value, facts: &ResolvedFacts<'_>) -> Outcome {
    signed(payload, |request| {
        decide(request, &secret(), NOW, &config(), facts)
    })
}

/// `payload`, signed, verified and parsed.
fn verified(payload: &Value) -> Interaction {
    signed(payload, |request| {
        verify_and_parse(request, &secret(), NOW).unwrap()
    })
}

fn texts(blocks: &Value) -> String {
    blocks.to_string()
}

#[test]
fn an_approver_approves() {
    let Outcome::Approve(v) = run(&approve_click(), &ResolvedFacts::default()) else {
        panic!("not approved")
    };
    assert_eq!(v.status, ApprovalStatus::Approved);
    assert_eq!(v.approval, approval());
    assert_eq!(v.summary, "Approved in Slack by alice (U0ALICE).");
    assert_eq!(v.response_url.as_deref(), Some(RESPONSE_URL));
    assert_eq!(v.channel_id.as_deref(), Some("C0DEPLOYS"));
    assert_eq!(v.message_ts.as_deref(), Some("1793699000.000200"));
    assert_eq!(v.decided_at.unix(), NOW);
    assert_eq!(v.reply.status, 200);
    assert!(v.reply.body.is_empty());

    // The update keeps the details, drops the buttons and says who and when.
    assert_eq!(v.update_body["replace_original"], json!(true));
    let blocks = v.update_body["blocks"].as_array().unwrap();
    assert!(blocks.iter().all(|b| b["type"] != "actions"));
    assert_eq!(blocks[0]["type"], "header");
    let last = blocks.last().unwrap()["text"]["text"].as_str().unwrap();
    assert!(
        last.contains("*Approved* by <@U0ALICE> (alice) at <!date^1793699100^"),
        "{last}"
    );

    // When PutApprovalResult says it had already ended.
    let ended = v.ended_elsewhere_update(EndedReason::AlreadyDecided);
    assert!(texts(&ended).contains("already decided"));
    assert!(
        ended["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["type"] != "actions")
    );
}

#[test]
fn base64_bodies_from_function_urls_are_accepted() {
    let body = form(&approve_click());
    let headers = signed_headers(&body, NOW);
    let headers = borrow(&headers);
    let encoded = STANDARD.encode(&body);
    let request = HttpRequest {
        headers: &headers,
        body: &encoded,
        is_base64_encoded: true,
    };
    let outcome = decide(
        &request,
        &secret(),
        NOW,
        &config(),
        &ResolvedFacts::default(),
    );
    assert_eq!(outcome.kind(), "approve");
}

#[test]
fn the_payload_token_field_is_ignored() {
    for token in [json!("wrong"), json!(null), json!(12)] {
        let mut p = approve_click();
        p["token"] = token;
        assert_eq!(run(&p, &ResolvedFacts::default()).kind(), "approve");
    }
    let mut p = approve_click();
    p.as_object_mut().unwrap().remove("token");
    assert_eq!(run(&p, &ResolvedFacts::default()).kind(), "approve");
}

#[test]
fn reject_asks_for_a_reason_then_rejects_with_it() {
    let Outcome::OpenReasonModal(m) = run(&click(REJECT_ACTION_ID), &ResolvedFacts::default())
    else {
        panic!("no modal")
    };
    assert_eq!(m.approval, approval());
    let body = &m.views_open_body;
    assert_eq!(
        body["trigger_id"],
        "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    );
    assert_eq!(body["view"]["callback_id"], REASON_CALLBACK_ID);
    let metadata = body["view"]["private_metadata"].as_str().unwrap();

    // Slack sends the metadata back with the submission.
    let submitted = submission_with(
        "U0BOB",
        Some("  Smoke tests\nfail on staging  "),
        REASON_CALLBACK_ID,
        metadata,
    );
    let Outcome::Reject(v) = run(&submitted, &ResolvedFacts::default()) else {
        panic!("not rejected")
    };
    assert_eq!(v.status, ApprovalStatus::Rejected);
    assert_eq!(v.reason.as_deref(), Some("Smoke tests\nfail on staging"));
    assert_eq!(
        v.summary,
        "Rejected in Slack by alice (U0BOB): Smoke tests fail on staging"
    );
    assert_eq!(v.response_url.as_deref(), Some(RESPONSE_URL));
    assert_eq!(v.channel_id.as_deref(), Some("C0DEPLOYS"));
    assert_eq!(v.reply.status, 200);
    assert!(v.reply.body.is_empty(), "an empty 200 closes the modal");
    let update = texts(&v.update_body);
    assert!(update.contains("*Rejected* by <@U0BOB>"), "{update}");
    assert!(update.contains("Smoke tests fail on staging"), "{update}");
}

#[test]
fn refusals_are_ephemeral_and_say_why() {
    let p = click_with(
        APPROVE_ACTION_ID,
        "U0MALLORY",
        Some(approval().to_button_value().unwrap()),
    );
    let Outcome::RefuseEphemeral(r) = run(&p, &ResolvedFacts::default()) else {
        panic!("not refused")
    };
    assert_eq!(r.reason, DenyReason::NotAnApprover);
    assert_eq!(r.user_id, "U0MALLORY");
    assert_eq!(r.response_url.as_deref(), Some(RESPONSE_URL));
    assert_eq!(r.ephemeral_body["response_type"], "ephemeral");
    assert_eq!(r.ephemeral_body["replace_original"], json!(false));
    assert!(r.text.contains("not an approver"));
    assert_eq!(r.reply.status, 200);

    // In the modal the refusal shows under the reason field.
    let Outcome::RefuseEphemeral(r) = run(
        &submission("U0MALLORY", Some("no")),
        &ResolvedFacts::default(),
    ) else {
        panic!("not refused")
    };
    assert_eq!(r.response_url, None);
    let reply: Value = serde_json::from_str(&r.reply.body).unwrap();
    assert_eq!(reply["response_action"], "errors");
    assert!(
        reply["errors"]["reject_reason"]
            .as_str()
            .unwrap()
            .contains("not an approver")
    );
    assert_eq!(r.reply.content_type, "application/json");
}

#[test]
fn group_members_need_their_groups_resolved() {
    let p = click_with(
        APPROVE_ACTION_ID,
        "U0DAVE",
        Some(approval().to_button_value().unwrap()),
    );
    let config = config();
    let interaction = verified(&p);
    assert_eq!(
        facts_to_resolve(&config, &interaction),
        Some(FactsToResolve {
            user_id: "U0DAVE".into(),
            approver_groups: vec!["S0RELEASE".into()],
            commit_id: None,
        })
    );
    let now = slack_approval::Timestamp::from_unix(NOW);
    let none = decide_interaction(interaction.clone(), &config, &ResolvedFacts::default(), now);
    assert_eq!(none.kind(), "refuse");
    let groups = vec!["S0OTHER".to_owned(), "S0RELEASE".to_owned()];
    let facts = ResolvedFacts {
        user_group_ids: &groups,
        commit_author_slack_id: None,
        author_lookup_failed: false,
    };
    assert_eq!(
        decide_interaction(interaction, &config, &facts, now).kind(),
        "approve"
    );
}

#[test]
fn self_approval_is_refused_from_the_message_or_from_resolved_facts() {
    // The message carried the author.
    let p = alice_approves(|a| a.commit_author = Some("U0ALICE".into()));
    let Outcome::RefuseEphemeral(r) = run(&p, &ResolvedFacts::default()) else {
        panic!("not refused")
    };
    assert_eq!(r.reason, DenyReason::SelfApproval);

    // The handler resolved the author, the message did not carry one.
    let p = alice_approves(|a| a.commit_author = None);
    let interaction = verified(&p);
    let needed = facts_to_resolve(&config(), &interaction).unwrap();
    assert_eq!(
        needed.commit_id.as_deref(),
        Some("9fceb02d0ae598e95dc970b74767f19372d61af8")
    );
    assert!(
        needed.approver_groups.is_empty(),
        "alice is a listed approver"
    );
    let facts = ResolvedFacts {
        user_group_ids: &[],
        commit_author_slack_id: Some("U0ALICE"),
        author_lookup_failed: false,
    };
    let outcome = decide_interaction(
        interaction.clone(),
        &config(),
        &facts,
        slack_approval::Timestamp::from_unix(NOW),
    );
    assert_eq!(outcome.kind(), "refuse");

    // The author could not be looked up (Slack or the store failed): refused, not guessed.
    let unverified = ResolvedFacts {
        user_group_ids: &[],
        commit_author_slack_id: None,
        author_lookup_failed: true,
    };
    let outcome = decide_interaction(
        interaction.clone(),
        &config(),
        &unverified,
        slack_approval::Timestamp::from_unix(NOW),
    );
    let Outcome::RefuseEphemeral(refusal) = &outcome else {
        panic!("expected a refusal, got {}", outcome.kind());
    };
    assert_eq!(refusal.reason.code(), "author_unverified");
    assert!(refusal.text.contains("try again"), "{}", refusal.text);
    // Looked up, and the author has no Slack account: nothing to refuse.
    let no_account = ResolvedFacts {
        user_group_ids: &[],
        commit_author_slack_id: None,
        author_lookup_failed: false,
    };
    let outcome = decide_interaction(
        interaction,
        &config(),
        &no_account,
        slack_approval::Timestamp::from_unix(NOW),
    );
    assert_eq!(outcome.kind(), "approve");

    // Someone else approves Alice's commit.
    let p = click_with(
        APPROVE_ACTION_ID,
        "U0BOB",
        Some(approval().to_button_value().unwrap()),
    );
    assert_eq!(run(&p, &ResolvedFacts::default()).kind(), "approve");
}

#[test]
fn nothing_to_resolve_for_plain_approvers_or_foreign_interactions() {
    let config = config();
    let interaction =
        slack_approval::interaction::parse_payload(&approve_click().to_string()).unwrap();
    assert_eq!(facts_to_resolve(&config, &interaction), None);
    let other = slack_approval::interaction::parse_payload(r#"{"type":"shortcut"}"#).unwrap();
    assert_eq!(facts_to_resolve(&config, &other), None);
}
