//! The `parkhub` binary: see the `parkhub` library crate.

use std::process::ExitCode;

fn main() -> ExitCode {
    parkhub::cli::main()
}
