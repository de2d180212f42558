use clap::Parser;
use govbot::cli::Cli;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    govbot::logging::init(cli.log_format());
    let mut stdout = std::io::stdout().lock();
    match cli.run(&mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::debug!("exiting with an error: {e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
