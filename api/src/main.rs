//! The `kenpo` binary.

/// mimalloc: the service allocates many small JSON values per request; measured with
/// `kenpo bench http` (see the issue note for the figures).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match kenpo_api::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            // 78 (EX_CONFIG): the keys do not fit the database (docs/operations.md)
            error
                .chain()
                .find_map(|cause| {
                    cause
                        .downcast_ref::<kenpo_infrastructure::crypto::key_check::KeyCheckError>()
                        .and_then(|e| e.exit_code())
                })
                .map_or(
                    std::process::ExitCode::FAILURE,
                    std::process::ExitCode::from,
                )
        }
    }
}
