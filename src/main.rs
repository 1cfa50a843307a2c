fn main() -> std::process::ExitCode {
    llmroute::main()
}
