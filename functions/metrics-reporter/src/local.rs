//! The [`RowSource`] and [`ReportSink`] ports over a local folder laid out as the metrics
//! bucket: rows read from `{root}/{prefix}/dt=YYYY-MM-DD/*` (what `invoke
//! metrics-extractor` and `metrics backfill` write), reports written to
//! `{root}/reports/...` (the CLI's `invoke metrics-reporter`).
//!
//! The folder is local and small: plain blocking file calls.

use std::path::PathBuf;

use jiff::ToSpan;
use jiff::civil::Date;
use pipeline_metrics::batch::{decode_object, format_day, holds_rows};
use pipeline_metrics::ports::WriteError;
use pipeline_metrics::reporter::{ReadError, ReportSink, RowSource, without_raw_events};
use pipeline_metrics::row::Row;

/// Reads the `dt=` partitions of a folder.
#[derive(Clone, Debug)]
pub struct FolderRowSource {
    root: PathBuf,
    prefix: String,
}

impl FolderRowSource {
    /// Rows under `root/prefix/dt=...`.
    pub fn new(root: impl Into<PathBuf>, prefix: impl Into<String>) -> Self {
        Self {
            root: root.into(),
            prefix: prefix.into().trim_matches('/').to_owned(),
        }
    }

    /// The folder of one day's partition.
    pub fn partition(&self, day: Date) -> PathBuf {
        self.root
            .join(&self.prefix)
            .join(format!("dt={}", format_day(day)))
    }

    fn read_partition(&self, day: Date) -> Result<Vec<Row>, ReadError> {
        let folder = self.partition(day);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ReadError(format!("cannot read {}: {e}", folder.display()))),
        };
        let mut files = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| ReadError(format!("cannot read {}: {e}", folder.display())))?
                .path();
            if path.is_file() && holds_rows(&path.to_string_lossy()) {
                files.push(path);
            }
        }
        files.sort();
        let mut rows = Vec::new();
        for file in files {
            let bytes = std::fs::read(&file)
                .map_err(|e| ReadError(format!("cannot read {}: {e}", file.display())))?;
            let decoded = decode_object(&bytes)
                .map_err(|e| ReadError(format!("{} holds no rows: {e}", file.display())))?;
            rows.extend(decoded);
        }
        Ok(rows)
    }
}

impl RowSource for FolderRowSource {
    async fn rows_for_days(&self, first: Date, last: Date) -> Result<Vec<Row>, ReadError> {
        let mut rows = Vec::new();
        let mut day = first;
        while day <= last {
            rows.extend(without_raw_events(self.read_partition(day)?));
            day = match day.checked_add(1.day()) {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        Ok(rows)
    }
}

/// Writes reports as files under a root folder (`reports/latest.html` becomes
/// `root/reports/latest.html`).
#[derive(Clone, Debug)]
pub struct FolderReportSink {
    root: PathBuf,
}

impl FolderReportSink {
    /// A sink under `root` (folders created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The file a key is written to; `None` for keys that would leave the root.
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        function_support::folder::key_path(&self.root, key)
    }
}

impl ReportSink for FolderReportSink {
    async fn put_html(&self, key: &str, html: String) -> Result<(), WriteError> {
        let path = self
            .path_of(key)
            .ok_or_else(|| WriteError(format!("key {key:?} is not a relative path")))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| WriteError(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, html)
            .map_err(|e| WriteError(format!("cannot write {}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn partitions_and_report_paths_stay_under_the_root() {
        let source = FolderRowSource::new("/tmp/m", "/pipeline-events/");
        assert_eq!(
            source.partition(date(2026, 3, 14)),
            PathBuf::from("/tmp/m/pipeline-events/dt=2026-03-14")
        );
        let sink = FolderReportSink::new("/tmp/m");
        assert_eq!(
            sink.path_of("reports/latest.html"),
            Some(PathBuf::from("/tmp/m/reports/latest.html"))
        );
        for bad in ["", "/etc/passwd", "../x", "reports/../../x"] {
            assert_eq!(sink.path_of(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn only_the_days_asked_for_are_read_and_missing_days_are_empty() {
        let dir = std::env::temp_dir().join(format!("reporter-local-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let event = |day: &str| {
            serde_json::json!({
                "version": "0", "id": format!("e-{day}"),
                "detail-type": "CodePipeline Pipeline Execution State Change",
                "source": "aws.codepipeline", "account": "123456789012",
                "time": format!("{day}T10:00:00Z"), "region": "eu-west-1", "resources": [],
                "detail": {"pipeline": format!("p-{day}"), "execution-id": "x",
                           "state": "STARTED", "version": 1}
            })
            .to_string()
        };
        let rows: Vec<Row> = ["2026-03-13", "2026-03-14"]
            .iter()
            .map(|d| {
                pipeline_metrics::row::from_json(&event(d), pipeline_metrics::Source::Live).unwrap()
            })
            .collect();
        for object in pipeline_metrics::encode_batch("pipeline-events", "t", &rows).unwrap() {
            let path = dir.join(&object.key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, object.bytes).unwrap();
        }
        let source = FolderRowSource::new(&dir, "pipeline-events");
        let read = source
            .rows_for_days(date(2026, 3, 14), date(2026, 3, 20))
            .await
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].pipeline, "p-2026-03-14");
        assert!(read[0].raw_event.is_empty());
    }
}
