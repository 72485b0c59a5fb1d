//! The `metrics-extractor` Lambda (work in progress).
