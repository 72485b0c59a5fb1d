//! The `metrics-extractor` Lambda entry point (work in progress).

fn main() {}
