//! The `langnghe` command line, built beside the end-to-end tests so that
//! they can run it as a process (`CARGO_BIN_EXE_langnghe-under-test`): the
//! README's examples and the deployment's topology start the service the
//! way an operator does, from the same code as the `langnghe` binary.

fn main() -> std::process::ExitCode {
    langnghe_api::cli::run()
}
