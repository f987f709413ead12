//! `load-upstream PORT`: the trivial axum handler the load script compares `tollgate serve` with
//! (200 `ok` for every request), on the same kind of multi-threaded tokio runtime.

use std::net::SocketAddr;

fn main() -> std::process::ExitCode {
    let Some(port) = std::env::args().nth(1).and_then(|p| p.parse::<u16>().ok()) else {
        eprintln!("usage: load-upstream PORT");
        return std::process::ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("load-upstream: {error}");
            return std::process::ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let app = axum::Router::new().fallback(|| async { "ok" });
        axum::serve(listener, app).await
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("load-upstream: {error}");
            std::process::ExitCode::from(1)
        }
    }
}
