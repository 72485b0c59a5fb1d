//! Writing to stdout without panicking when the reader goes away (`pipeline-router ... |
//! head`): `print!` panics on a closed pipe; [`write`] returns the error, and `main` ends
//! quietly on [`is_closed_pipe`] as other Unix tools do.

use std::io::Write;

/// Writes `text` to stdout and flushes it.
pub fn write(text: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_fmt(text)?;
    stdout.flush()
}

/// Whether `error` is stdout's reader having gone away (nothing left to report).
pub fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// `print!` that returns an error (with `?`) instead of panicking on a closed stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!($($arg)*))?
    };
}

/// `println!` that returns an error (with `?`) instead of panicking on a closed stdout.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!("{}\n", format_args!($($arg)*)))?
    };
}
