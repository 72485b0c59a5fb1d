//! The `approval-handler` Lambda entry point (work in progress).

fn main() {}
