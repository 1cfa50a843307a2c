// Batch and replay allocate per row on one thread and free on another; mimalloc handles that
// pattern far better than the system allocator (see the README's replay figures).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    llmroute::main()
}
