//! The binary: parse, run, exit code — all of it in the library (`llmroute::main`), so tests and
//! benchmarks call the same code.

fn main() -> std::process::ExitCode {
    llmroute::main()
}
