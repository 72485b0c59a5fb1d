//! A local stand-in for Slack that records what the functions send (work in progress, issue 3).
