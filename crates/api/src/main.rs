//! `langnghe`: run the service, apply migrations, print the API contract or
//! seed the demo organisation.

fn main() -> std::process::ExitCode {
    langnghe_api::cli::run()
}
