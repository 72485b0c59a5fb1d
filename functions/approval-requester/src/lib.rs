//! The `approval-requester` Lambda (work in progress).
