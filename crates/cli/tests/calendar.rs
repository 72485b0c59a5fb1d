//! `pipeline-router calendar` as a user runs it, on the sample rules
//! (`events/scheduler/rules.yaml`) over the four days around the spring DST change in
//! Berlin, checked against times computed by hand:
//!
//! - `api-nightly` is `cron(30 2 * * ? *)` in Europe/Berlin: 02:30 CET (UTC+1) is 01:30Z on
//!   Friday 27 and Saturday 28 March; on Sunday 29 March 02:30 does not exist (clocks go
//!   from 02:00 to 03:00), so it runs at the next valid minute, 03:00 CEST = 01:00Z; on
//!   Monday 30 March 02:30 CEST (UTC+2) is 00:30Z.
//! - The `weekend` freeze (api-*) is Friday 16:00 to Monday 08:00 in Berlin: 15:00Z on the
//!   27th (CET) to 06:00Z on the 30th (CEST); `release_at: next workday 09:00` is Monday
//!   09:00 CEST = 07:00Z. So the runs of the 28th, 29th and 30th are held until 07:00Z.
//! - `web-six-hourly` is `rate(6 hours)`, anchored at the epoch: 00, 06, 12 and 18Z, never
//!   frozen (only api-* is): 16 runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const FROM: &str = "2026-03-27T00:00:00Z";
const HELD_COMMIT: &str = "e3b1f6a2c9d84e7f0a5b3c2d1e9f8a7b6c5d4e3f";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A holds file with one push to api-deploy held by the weekend freeze.
fn holds_file(folder: &Path) -> PathBuf {
    let path = folder.join("holds.json");
    let hold = serde_json::json!([{
        "repository": "monorepo",
        "pipeline": "api-deploy",
        "branch": "main",
        "commit_id": HELD_COMMIT,
        "source_action": "Source",
        "pushes": 2,
        "recent_commits": ["9a4c7e2b1d0f3a6c8e5b2d9f7a1c4e0b3d6f8a25", HELD_COMMIT],
        "pushed_by": "arn:aws:sts::123456789012:assumed-role/Developer/jane.doe",
        "held_since": "2026-03-27T17:12:00Z",
        "release_at": "2026-03-30T07:00:00Z",
        "freeze": "weekend",
        "updated_at": "2026-03-28T10:00:00Z"
    }]);
    std::fs::write(&path, hold.to_string()).unwrap_or_else(|e| panic!("{e}"));
    path
}

/// Runs `calendar` over the four days with `extra` flags; returns stdout.
fn calendar(extra: &[&str]) -> String {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let holds = holds_file(folder.path());
    let output = Command::new(env!("CARGO_BIN_EXE_pipeline-router"))
        .current_dir(workspace())
        .args([
            "calendar",
            "--rules",
            "events/scheduler/rules.yaml",
            "--from",
            FROM,
            "--days",
            "4",
            "--holds",
        ])
        .arg(&holds)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "calendar failed: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_table_shows_runs_freezes_and_releases_at_the_hand_computed_times() {
    let table = calendar(&[]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "2026-03-27 00:00Z to 2026-03-31 00:00Z");
    let nightly: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains("run api-nightly"))
        .collect();
    let expected = [
        (
            "2026-03-27 01:30Z",
            "runs; local 2026-03-27T02:30:00+01:00[Europe/Berlin]",
        ),
        (
            "2026-03-28 01:30Z",
            "held (freeze weekend) until 2026-03-30 07:00Z; local 2026-03-28T02:30:00+01:00[Europe/Berlin]",
        ),
        (
            "2026-03-29 01:00Z",
            "held (freeze weekend) until 2026-03-30 07:00Z; local 2026-03-29T03:00:00+02:00[Europe/Berlin]",
        ),
        (
            "2026-03-30 00:30Z",
            "held (freeze weekend) until 2026-03-30 07:00Z; local 2026-03-30T02:30:00+02:00[Europe/Berlin]",
        ),
    ];
    assert_eq!(nightly.len(), expected.len(), "{table}");
    for (line, (at, detail)) in nightly.iter().zip(expected) {
        assert!(line.starts_with(at), "{line}");
        assert!(
            line.ends_with(&format!("api-deploy on main, {detail}")),
            "{line}"
        );
    }
    let freeze: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("freeze weekend "))
        .collect();
    assert_eq!(freeze.len(), 1, "{table}");
    assert!(freeze[0].starts_with("2026-03-27 15:00Z"), "{}", freeze[0]);
    assert!(
        freeze[0]
            .ends_with("until 2026-03-30 06:00Z, holds released 2026-03-30 07:00Z: api-deploy"),
        "{}",
        freeze[0]
    );
    let release: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("release api-deploy"))
        .collect();
    assert_eq!(release.len(), 1, "{table}");
    assert!(
        release[0].starts_with("2026-03-30 07:00Z"),
        "{}",
        release[0]
    );
    assert!(
        release[0].ends_with(&format!("main at {HELD_COMMIT} (held by weekend)")),
        "{}",
        release[0]
    );
    let six_hourly = lines
        .iter()
        .filter(|l| l.contains("run web-six-hourly"))
        .count();
    assert_eq!(six_hourly, 16);
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("web-deploy on main, held"))
    );
}

#[test]
fn the_json_holds_the_same_hand_computed_instants() {
    let agenda: Value =
        serde_json::from_str(&calendar(&["--json"])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(agenda["from"], FROM);
    assert_eq!(agenda["until"], "2026-03-31T00:00:00Z");
    let runs = agenda["runs"].as_array().cloned().unwrap_or_default();
    let nightly: Vec<(String, Option<String>)> = runs
        .iter()
        .filter(|r| r["schedule"] == "api-nightly")
        .map(|r| {
            (
                r["at"].as_str().unwrap_or_default().to_owned(),
                r["release_at"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let held = Some("2026-03-30T07:00:00Z".to_owned());
    assert_eq!(
        nightly,
        vec![
            ("2026-03-27T01:30:00Z".to_owned(), None),
            ("2026-03-28T01:30:00Z".to_owned(), held.clone()),
            ("2026-03-29T01:00:00Z".to_owned(), held.clone()),
            ("2026-03-30T00:30:00Z".to_owned(), held),
        ]
    );
    let six_hourly: Vec<&str> = runs
        .iter()
        .filter(|r| r["schedule"] == "web-six-hourly")
        .filter_map(|r| r["at"].as_str())
        .collect();
    let expected: Vec<String> = ["27", "28", "29", "30"]
        .iter()
        .flat_map(|day| {
            ["00", "06", "12", "18"]
                .iter()
                .map(move |hour| format!("2026-03-{day}T{hour}:00:00Z"))
        })
        .collect();
    assert_eq!(six_hourly, expected);
    assert_eq!(
        agenda["freezes"],
        serde_json::json!([{
            "name": "weekend",
            "start": "2026-03-27T15:00:00Z",
            "end": "2026-03-30T06:00:00Z",
            "release_at": "2026-03-30T07:00:00Z",
            "pipelines": ["api-deploy"]
        }])
    );
    assert_eq!(
        agenda["releases"],
        serde_json::json!([{
            "at": "2026-03-30T07:00:00Z",
            "pipeline": "api-deploy",
            "branch": "main",
            "commit": HELD_COMMIT,
            "freeze": "weekend"
        }])
    );
}

#[test]
fn the_ics_feed_has_one_event_per_entry_at_the_same_instants() {
    let ics = calendar(&["--ics"]);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") || ics.starts_with("BEGIN:VCALENDAR\n"));
    // 4 nightly + 16 six-hourly runs, 1 freeze, 1 release.
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 22, "{ics}");
    for start in [
        "DTSTART:20260327T013000Z",
        "DTSTART:20260329T010000Z",
        "DTSTART:20260330T003000Z",
        "DTSTART:20260327T150000Z",
        "DTSTART:20260330T070000Z",
    ] {
        assert!(ics.contains(start), "{start} missing from\n{ics}");
    }
}
