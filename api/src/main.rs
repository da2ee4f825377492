//! The `kenpo` binary.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match kenpo_api::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
