//! The `approval-handler` Lambda (work in progress).
