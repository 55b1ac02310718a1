//! Every command's output, written so that a failed write is a message and an exit
//! code, never a panic: `println!` panics when standard output is full
//! (`> /dev/full`), a disk quota is reached, or a terminal has gone away.

use std::io::Write;
use std::process::ExitCode;

/// Standard output refused the report.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the output: {0}")]
pub struct WriteError(#[from] std::io::Error);

/// Writes `text` whole to standard output and flushes it, so that a failure shows here
/// and not in the flush at exit, where nothing reports it.
pub fn print(text: &str) -> Result<(), WriteError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// `instance-id: MESSAGE` on standard error. When standard error fails too there is no
/// one left to tell: the exit code still says it.
pub fn warn(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "instance-id: {message}");
}

/// Prints `text` and ends with `code`; a failed write ends with 1 and says why. A
/// reader that stopped early (a closed pipe) needs no message: on Unix SIGPIPE has
/// already ended the process, elsewhere it ends quietly here.
pub fn finish(text: &str, code: ExitCode) -> ExitCode {
    match print(text) {
        Ok(()) => code,
        Err(WriteError(err)) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::FAILURE,
        Err(err) => {
            warn(&err.to_string());
            ExitCode::FAILURE
        }
    }
}
