use govbot::cli::Cli;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let format = cli.log_format();
    govbot::logging::init(format);
    let mut stdout = std::io::stdout().lock();
    match cli.run(&mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match format {
                // A log collector reads every line of standard error as JSON.
                govbot::logging::LogFormat::Json => tracing::error!("error: {e:#}"),
                govbot::logging::LogFormat::Text => eprintln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}
