//! Rows as gzip-compressed JSON-lines objects, one per day partition, and back.
//!
//! A batch of rows (one Lambda invocation's SQS messages) becomes one object per UTC day of
//! `event_time`, under a Hive-style partition:
//!
//! ```text
//! {prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz
//! ```
//!
//! Each object is gzip of JSON lines: one [`Row`] per line, `\n`-terminated, sorted by
//! `event_time` then `event_id`. The `batch_id` is the caller's and must be unique per
//! batch (e.g. the Lambda request id plus [`batch_id`]'s hash of the event ids), so two
//! batches never overwrite each other; within a batch the same `event_id` is written once.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use jiff::civil::Date;

use crate::row::Row;

/// Why rows could not be written or read. The inner errors are in the messages, not
/// `source`s, so that they are printed once.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The batch id is empty or has characters that do not belong in an S3 key segment.
    #[error("batch id {0:?} must be 1 to 200 characters of [A-Za-z0-9._-]")]
    InvalidBatchId(String),
    /// A row could not be serialized (not expected for rows built by this crate).
    #[error("row {event_id} could not be serialized: {error}")]
    Serialize {
        /// The row's event id.
        event_id: String,
        /// What serde said.
        error: serde_json::Error,
    },
    /// Compressing or decompressing failed (corrupt gzip, truncated object).
    #[error("gzip stream failed: {0}")]
    Io(std::io::Error),
    /// A line of a JSON-lines object is not a row.
    #[error("line {line}: not a row: {error}")]
    Decode {
        /// 1-based line number.
        line: usize,
        /// What serde said.
        error: serde_json::Error,
    },
}

impl From<std::io::Error> for BatchError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

/// One object of a batch: its key, its gzip bytes, and which input rows it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchObject {
    /// `{prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz`.
    pub key: String,
    /// Gzip of the object's JSON lines.
    pub bytes: Vec<u8>,
    /// Rows written (distinct event ids).
    pub rows: usize,
    /// The indexes, in the input of [`encode_batch`], of every row this object holds,
    /// ascending; a duplicate (same `event_id`) is listed with the object that holds the
    /// first copy, so a failed write names every input whose event it would have stored.
    pub inputs: Vec<usize>,
}

/// The key of a batch's object for one day: `{prefix}/dt=YYYY-MM-DD/{batch_id}.json.gz`.
///
/// Slashes around `prefix` are trimmed; an empty prefix puts `dt=` at the bucket root.
pub fn partition_key(prefix: &str, day: Date, batch_id: &str) -> String {
    let prefix = prefix.trim_matches('/');
    let dt = format_day(day);
    if prefix.is_empty() {
        format!("dt={dt}/{batch_id}.json.gz")
    } else {
        format!("{prefix}/dt={dt}/{batch_id}.json.gz")
    }
}

/// `YYYY-MM-DD`.
pub fn format_day(day: Date) -> String {
    day.strftime("%Y-%m-%d").to_string()
}

/// A batch id from a caller's unique id (e.g. the Lambda request id) and a hash of the
/// batch's event ids: `{request_id}-{16 hex digits}`, with characters outside
/// `[A-Za-z0-9._-]` in `request_id` replaced by `_`.
///
/// The hash is FNV-1a 64 over the sorted event ids, so the same batch redelivered gets the
/// same id (and overwrites its own object instead of adding a copy).
pub fn batch_id(request_id: &str, rows: &[Row]) -> String {
    let mut ids: Vec<&str> = rows.iter().map(|r| r.event_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for byte in id.bytes().chain(std::iter::once(b'\n')) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let clean: String = request_id
        .chars()
        .take(160)
        .map(|c| if valid_id_char(c) { c } else { '_' })
        .collect();
    format!("{clean}-{hash:016x}")
}

fn valid_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn check_batch_id(batch_id: &str) -> Result<(), BatchError> {
    let ok = !batch_id.is_empty()
        && batch_id.len() <= 200
        && batch_id.chars().all(valid_id_char)
        && batch_id != "."
        && batch_id != "..";
    if ok {
        Ok(())
    } else {
        Err(BatchError::InvalidBatchId(batch_id.to_owned()))
    }
}

/// Gzip of the rows as JSON lines, in the order given.
pub fn encode_rows<'a>(rows: impl IntoIterator<Item = &'a Row>) -> Result<Vec<u8>, BatchError> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    let mut line = Vec::with_capacity(4096);
    for row in rows {
        line.clear();
        serde_json::to_writer(&mut line, row).map_err(|error| BatchError::Serialize {
            event_id: row.event_id.clone(),
            error,
        })?;
        line.push(b'\n');
        encoder.write_all(&line)?;
    }
    Ok(encoder.finish()?)
}

/// Encodes a batch: rows grouped by the UTC date of `event_time`, duplicates (same
/// `event_id`) written once, each group sorted by `event_time` then `event_id` and
/// gzipped, returned in date order with the input rows each object holds. No rows, no
/// objects.
pub fn encode_batch(
    prefix: &str,
    batch_id: &str,
    rows: &[Row],
) -> Result<Vec<BatchObject>, BatchError> {
    check_batch_id(batch_id)?;
    // The day of each event id's first copy, and the rows and inputs of each day.
    let mut day_of: HashMap<&str, Date> = HashMap::with_capacity(rows.len());
    let mut by_day: BTreeMap<Date, (Vec<&Row>, Vec<usize>)> = BTreeMap::new();
    for (index, row) in rows.iter().enumerate() {
        let day = *day_of.entry(row.event_id.as_str()).or_insert_with(|| {
            let day = crate::utc::day(row.event_time);
            by_day.entry(day).or_default().0.push(row);
            day
        });
        by_day.entry(day).or_default().1.push(index);
    }
    by_day
        .into_iter()
        .map(|(day, (mut day_rows, inputs))| {
            day_rows.sort_by(|a, b| (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id)));
            Ok(BatchObject {
                key: partition_key(prefix, day, batch_id),
                rows: day_rows.len(),
                bytes: encode_rows(day_rows)?,
                inputs,
            })
        })
        .collect()
}

/// Whether a file name or object key holds rows: `*.json.gz` (what [`encode_batch`]
/// writes), `*.jsonl` or `*.jsonl.gz`.
pub fn holds_rows(name: &str) -> bool {
    [".json.gz", ".jsonl", ".jsonl.gz"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Reads an object back into rows: gzip (one or several concatenated members) or plain
/// JSON lines, told apart by the gzip magic bytes. Blank lines are skipped.
pub fn decode_object(bytes: &[u8]) -> Result<Vec<Row>, BatchError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        decode_json_lines(MultiGzDecoder::new(bytes))
    } else {
        decode_json_lines(bytes)
    }
}

/// Reads rows from uncompressed JSON lines. Blank lines are skipped; any other line that
/// is not a row is an error naming its line number.
pub fn decode_json_lines(reader: impl Read) -> Result<Vec<Row>, BatchError> {
    let mut rows = Vec::new();
    for (index, line) in BufReader::new(reader).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str(&line).map_err(|error| BatchError::Decode {
            line: index + 1,
            error,
        })?;
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::row::{self, Source};
    use jiff::civil::date;

    fn rows(jsons: &[&str]) -> Vec<Row> {
        jsons
            .iter()
            .map(|j| row::from_json(j, Source::Live).unwrap())
            .collect()
    }

    #[test]
    fn gzip_round_trip() {
        let all: Vec<&str> = fixtures::ALL.iter().map(|(_, j)| *j).collect();
        let original = rows(&all);
        let bytes = encode_rows(&original).unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzip magic");
        assert_eq!(decode_object(&bytes).unwrap(), original);
    }

    #[test]
    fn plain_json_lines_and_concatenated_gzip_decode_too() {
        let a = rows(&[fixtures::PIPELINE_STARTED]);
        let b = rows(&[fixtures::PIPELINE_SUCCEEDED]);
        let mut plain = serde_json::to_string(&a[0]).unwrap();
        plain.push_str("\n\n");
        assert_eq!(decode_object(plain.as_bytes()).unwrap(), a);
        let mut two = encode_rows(&a).unwrap();
        two.extend(encode_rows(&b).unwrap());
        let both = decode_object(&two).unwrap();
        assert_eq!(both, [a[0].clone(), b[0].clone()]);
    }

    #[test]
    fn bad_lines_are_named() {
        let a = rows(&[fixtures::PIPELINE_STARTED]);
        let text = format!(
            "{}\n{{\"not\": \"a row\"}}\n",
            serde_json::to_string(&a[0]).unwrap()
        );
        match decode_object(text.as_bytes()) {
            Err(BatchError::Decode { line, .. }) => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
        let truncated = &encode_rows(&a).unwrap()[..20];
        assert!(decode_object(truncated).is_err());
    }

    #[test]
    fn partitions_split_at_the_utc_day_boundary() {
        // pipeline-failed is at 2026-03-14T23:59:58Z, pipeline-resumed at
        // 2026-03-15T08:12:30Z, pipeline-started at 2026-03-14T09:58:02Z.
        let batch = rows(&[
            fixtures::PIPELINE_RESUMED,
            fixtures::PIPELINE_FAILED,
            fixtures::PIPELINE_STARTED,
        ]);
        let objects = encode_batch("events/", "req-1-abc", &batch).unwrap();
        let keys: Vec<&str> = objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "events/dt=2026-03-14/req-1-abc.json.gz",
                "events/dt=2026-03-15/req-1-abc.json.gz",
            ]
        );
        let day1 = decode_object(&objects[0].bytes).unwrap();
        let ids: Vec<&str> = day1.iter().map(|r| r.event_id.as_str()).collect();
        // Sorted by event_time: 09:58:02 before 23:59:58.
        assert_eq!(
            ids,
            [
                "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0001",
                "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0003"
            ]
        );
        let day2 = decode_object(&objects[1].bytes).unwrap();
        assert_eq!(day2.len(), 1);
        assert_eq!(day2[0].event_id, "0d9b0d6e-2f43-4c67-9b9a-1c6e5f3a0004");
    }

    #[test]
    fn duplicates_in_a_batch_are_written_once() {
        let batch = rows(&[
            fixtures::PIPELINE_STARTED,
            fixtures::PIPELINE_STARTED,
            fixtures::PIPELINE_SUCCEEDED,
        ]);
        let objects = encode_batch("p", "b1", &batch).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(decode_object(&objects[0].bytes).unwrap().len(), 2);
    }

    #[test]
    fn each_object_names_the_inputs_it_holds() {
        // Input 0 is on 03-15, inputs 1 and 2 on 03-14; input 3 repeats input 1's event.
        let batch = rows(&[
            fixtures::PIPELINE_RESUMED,
            fixtures::PIPELINE_FAILED,
            fixtures::PIPELINE_STARTED,
            fixtures::PIPELINE_FAILED,
        ]);
        let objects = encode_batch("events", "b1", &batch).unwrap();
        let held: Vec<(&str, usize, &[usize])> = objects
            .iter()
            .map(|o| (o.key.as_str(), o.rows, o.inputs.as_slice()))
            .collect();
        assert_eq!(
            held,
            [
                ("events/dt=2026-03-14/b1.json.gz", 2, &[1, 2, 3][..]),
                ("events/dt=2026-03-15/b1.json.gz", 1, &[0][..]),
            ]
        );
        for object in &objects {
            assert_eq!(decode_object(&object.bytes).unwrap().len(), object.rows);
        }
    }

    #[test]
    fn empty_batches_write_nothing() {
        assert!(encode_batch("p", "b1", &[]).unwrap().is_empty());
    }

    #[test]
    fn row_objects_are_recognised() {
        assert!(holds_rows("p/dt=2026-03-14/b.json.gz"));
        assert!(holds_rows("rows.jsonl"));
        assert!(!holds_rows("report.html"));
        assert!(!holds_rows("p/dt=2026-03-14/"));
    }

    #[test]
    fn keys_and_batch_ids() {
        let day = date(2026, 3, 4);
        assert_eq!(partition_key("", day, "x"), "dt=2026-03-04/x.json.gz");
        assert_eq!(
            partition_key("/a/b/", day, "x"),
            "a/b/dt=2026-03-04/x.json.gz"
        );
        for bad in ["", "a/b", "..", "a b", &"x".repeat(201)] {
            assert!(
                matches!(
                    encode_batch("p", bad, &rows(&[fixtures::PIPELINE_STARTED])),
                    Err(BatchError::InvalidBatchId(_))
                ),
                "{bad:?}"
            );
        }
        let a = rows(&[fixtures::PIPELINE_STARTED, fixtures::PIPELINE_SUCCEEDED]);
        let b = rows(&[fixtures::PIPELINE_SUCCEEDED, fixtures::PIPELINE_STARTED]);
        let c = rows(&[fixtures::PIPELINE_STARTED]);
        let id = batch_id("c0ffee/1 2", &a);
        assert!(id.starts_with("c0ffee_1_2-"), "{id}");
        assert_eq!(id.len(), "c0ffee_1_2-".len() + 16);
        assert_eq!(id, batch_id("c0ffee/1 2", &b), "order does not matter");
        assert_ne!(id, batch_id("c0ffee/1 2", &c), "content does");
        assert!(check_batch_id(&id).is_ok());
    }
}
