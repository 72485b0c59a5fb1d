//! The `approval-requester` Lambda entry point (work in progress).

fn main() {}
