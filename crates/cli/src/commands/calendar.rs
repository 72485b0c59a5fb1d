//! `pipeline-router calendar`: the next N days of the routing rules' schedules and
//! freezes, and when the holds release: a table, `--json`, or `--ics` (an iCalendar feed
//! to subscribe to in a calendar app). The agenda is [`pipeline_scheduler::agenda`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use pipeline_scheduler::{Agenda, agenda};
use pipeline_schedules::FreezeAction;
use pipeline_schedules::holds::Hold;
use pipeline_schedules::jiff::{SignedDuration, Timestamp};

use crate::commands::check::check;

/// The local holds file read by default (the local hold store's).
pub const DEFAULT_HOLDS: &str = crate::holds_file::DEFAULT_HOLDS_FILE;

/// `calendar`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct CalendarArgs {
    /// The rules file (with `schedules` and `freezes`).
    #[arg(long, default_value = "routing-rules.yaml")]
    pub rules: PathBuf,
    /// How many days to show.
    #[arg(long, default_value_t = 7)]
    pub days: u16,
    /// Where to start (RFC 3339, e.g. 2026-03-27T00:00:00Z) [default: now].
    #[arg(long)]
    pub from: Option<Timestamp>,
    /// The local holds file (a missing file is no holds).
    #[arg(long, default_value = DEFAULT_HOLDS)]
    pub holds: PathBuf,
    /// Print JSON.
    #[arg(long, conflicts_with = "ics")]
    pub json: bool,
    /// Print an iCalendar (.ics) feed.
    #[arg(long)]
    pub ics: bool,
}

impl CalendarArgs {
    /// Prints the agenda.
    pub fn run(self) -> Result<ExitCode> {
        crate::out!("{}", self.render(Timestamp::now())?);
        Ok(ExitCode::SUCCESS)
    }

    /// The output, with `now` as the default start.
    pub fn render(&self, now: Timestamp) -> Result<String> {
        if self.days == 0 || self.days > 366 {
            bail!("--days must be between 1 and 366, not {}", self.days);
        }
        let rules = check(&self.rules)?;
        let holds = read_holds(&self.holds)?;
        let from = self.from.unwrap_or(now);
        let until = from
            .checked_add(SignedDuration::from_hours(24 * i64::from(self.days)))
            .context("--from is too late")?;
        let agenda = agenda(&rules, &holds, from, until);
        Ok(if self.json {
            serde_json::to_string_pretty(&agenda)? + "\n"
        } else if self.ics {
            agenda.to_ics()
        } else {
            table(&agenda)
        })
    }
}

fn read_holds(path: &Path) -> Result<Vec<Hold>> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Ok(Vec::new()),
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not a holds file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn minute(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%MZ").to_string()
}

/// The agenda as a table, one line per entry, by time.
pub fn table(agenda: &Agenda) -> String {
    let mut rows: Vec<(Timestamp, String, String)> = Vec::new();
    for run in &agenda.runs {
        let what = match (run.on_freeze, &run.freeze, run.release_at) {
            (Some(FreezeAction::Skip), Some(freeze), _) => format!("skipped (freeze {freeze})"),
            (Some(FreezeAction::Hold), Some(freeze), Some(release)) => {
                format!("held (freeze {freeze}) until {}", minute(release))
            }
            _ => "runs".to_owned(),
        };
        rows.push((
            run.at,
            format!("run {}", run.schedule),
            format!(
                "{} on {}, {what}; local {}",
                run.pipeline, run.branch, run.local
            ),
        ));
    }
    for freeze in &agenda.freezes {
        rows.push((
            freeze.start,
            format!("freeze {}", freeze.name),
            format!(
                "until {}, holds released {}: {}",
                minute(freeze.end),
                minute(freeze.release_at),
                freeze.pipelines.join(", ")
            ),
        ));
    }
    for release in &agenda.releases {
        rows.push((
            release.at,
            format!("release {}", release.pipeline),
            format!(
                "{} at {} (held by {})",
                release.branch, release.commit, release.freeze
            ),
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(4).max(4);
    let mut out = format!(
        "{} to {}\n{:<18}  {:<width$}  DETAIL\n",
        minute(agenda.from),
        minute(agenda.until),
        "TIME (UTC)",
        "WHAT"
    );
    if rows.is_empty() {
        out.push_str("(nothing scheduled, frozen or held)\n");
    }
    for (at, what, detail) in rows {
        out.push_str(&format!("{:<18}  {what:<width$}  {detail}\n", minute(at)));
    }
    out
}
