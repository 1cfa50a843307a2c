# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_llmroute_global_optspecs
    string join \n config= state= h/help V/version
end

function __fish_llmroute_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_llmroute_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_llmroute_using_subcommand
    set -l cmd (__fish_llmroute_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c llmroute -n "__fish_llmroute_needs_command" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_needs_command" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_needs_command" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_needs_command" -s V -l version -d 'Print version'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "route" -d 'Decide which model should answer a prompt'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "ask" -d 'Route a prompt, call the model and print its answer'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "models" -d 'List the model catalog'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "quota" -d 'Show today\'s quota usage, or reset it'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "config" -d 'Write, show or check the configuration'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "simulate" -d 'Replay logs under every strategy and print the savings table'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "batch" -d 'Route every row of a log and stream one decision per row'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "feedback" -d 'Record outcomes of routed requests; per-model stats; rule suggestions'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "train" -d 'Train the ML router from labelled logs'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "evaluate" -d 'Measure a trained model on a labelled file'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "serve" -d 'Run an OpenAI-compatible routing gateway (POST /v1/chat/completions with model `auto`)'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "report" -d 'What routed traffic cost against sending everything to the premium model, from the decision log'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "state" -d 'Export or import the state (quotas, decisions, feedback) as JSON Lines'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "man" -d 'Print a man page (roff), of llmroute or of a subcommand, or write them all to a directory'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l tag -d 'Task tag matched by rules with `tags`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l strategy -d 'Routing strategy' -r -f -a "chain\t'The production chain (`[chain] stages`)'
rules\t'The rules alone, with the default route when no rule matches (the article\'s RuleBasedRouter)'
difficulty\t'The difficulty score alone'
ml\t'The trained classifier alone (the article\'s `balanced` default while untrained)'
adaptive\t'The adaptive router alone (learns from feedback)'"
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l classifier -d 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l model -l force-model -d 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l request-id -d 'Id to log the decision under (default: a generated one, printed in the output)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l user -d 'Key for the gray release, so that one user always lands in the same arm' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l format -d 'Output format' -r -f -a "table\t'Text with boxed tables that fit the terminal'
plain\t'Text with aligned columns without borders, never wrapped'
markdown\t'Text with Markdown tables'
json\t'JSON'"
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l chat -d 'Treat the input as an OpenAI chat-completions body (routing uses the last user message)'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l log-prompts -d 'Store the prompt itself in the decision log (only its hash otherwise)'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l explain -d 'Show every stage\'s verdict and the difficulty breakdown'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l dry-run -d 'Decide without counting against the daily quota'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l tag -d 'Task tag matched by rules with `tags`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l strategy -d 'Routing strategy' -r -f -a "chain\t'The production chain (`[chain] stages`)'
rules\t'The rules alone, with the default route when no rule matches (the article\'s RuleBasedRouter)'
difficulty\t'The difficulty score alone'
ml\t'The trained classifier alone (the article\'s `balanced` default while untrained)'
adaptive\t'The adaptive router alone (learns from feedback)'"
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l classifier -d 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l model -l force-model -d 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l request-id -d 'Id to log the decision under (default: a generated one, printed in the output)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l user -d 'Key for the gray release, so that one user always lands in the same arm' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l system -d 'A system prompt sent before the messages' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l timeout -d 'Per-request timeout in seconds (overrides `[live] timeout_secs`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l deadline -d 'Overall deadline in seconds (overrides `[live] deadline_secs`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l chat -d 'Treat the input as an OpenAI chat-completions body (routing uses the last user message)'
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l log-prompts -d 'Store the prompt itself in the decision log (only its hash otherwise)'
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l cascade -d 'Cheapest model first, scored, escalated until an answer is accepted (`[cascade]`)'
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l consensus -d 'Several models answer concurrently; the majority answer wins (`[consensus]`)'
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l stream -d 'Stream the answer to stdout even when it is not a terminal'
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -l json -d 'Print one JSON record: decision, answer, usage, cost, latency, attempts'
complete -c llmroute -n "__fish_llmroute_using_subcommand ask" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and not __fish_seen_subcommand_from import-prices help" -l format -d 'Output format' -r -f -a "table\t'Boxed tables that fit the terminal'
plain\t'Aligned columns without borders, never wrapped'
markdown\t'Markdown tables'
json\t'JSON'
csv\t'CSV'"
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and not __fish_seen_subcommand_from import-prices help" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and not __fish_seen_subcommand_from import-prices help" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and not __fish_seen_subcommand_from import-prices help" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and not __fish_seen_subcommand_from import-prices help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and not __fish_seen_subcommand_from import-prices help" -f -a "import-prices" -d 'Update the catalog\'s prices from LiteLLM\'s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and not __fish_seen_subcommand_from import-prices help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from import-prices" -s o -l output -d 'Write the updated configuration here instead of stdout' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from import-prices" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from import-prices" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from import-prices" -l force -d 'Overwrite --output if it exists'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from import-prices" -l in-place -d 'Update the configuration file itself'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from import-prices" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from help" -f -a "import-prices" -d 'Update the catalog\'s prices from LiteLLM\'s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place'
complete -c llmroute -n "__fish_llmroute_using_subcommand models; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -l format -d 'Output format' -r -f -a "table\t'Boxed tables that fit the terminal'
plain\t'Aligned columns without borders, never wrapped'
markdown\t'Markdown tables'
json\t'JSON'
csv\t'CSV'"
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -f -a "reset" -d 'Reset today\'s counters (of one model, or all)'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and __fish_seen_subcommand_from reset" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and __fish_seen_subcommand_from reset" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Reset today\'s counters (of one model, or all)'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and not __fish_seen_subcommand_from init show validate help" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and not __fish_seen_subcommand_from init show validate help" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and not __fish_seen_subcommand_from init show validate help" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and not __fish_seen_subcommand_from init show validate help" -f -a "init" -d 'Write the embedded default configuration to a file'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and not __fish_seen_subcommand_from init show validate help" -f -a "show" -d 'Print the effective configuration and where it came from'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and not __fish_seen_subcommand_from init show validate help" -f -a "validate" -d 'Check a configuration file (default: the effective one)'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and not __fish_seen_subcommand_from init show validate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from init" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from init" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from init" -l force -d 'Overwrite an existing file'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from init" -l article -d 'Write the design article\'s profile instead (its Chinese keyword rules and difficulty signals, no trained model)'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from show" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from validate" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from validate" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write the embedded default configuration to a file'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective configuration and where it came from'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check a configuration file (default: the effective one)'
complete -c llmroute -n "__fish_llmroute_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l input-format -d 'Input format [default: from the extension, else sniffed]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l text-col -d 'Column (or JSON key) with the prompt [default: prompt, question, query, text or input]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l quality -d 'Quality column template; `{model}` stands for the model name, dots walk into JSON objects (e.g. `scores.{model}`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l quality-col-suffix -d 'Shorthand for `--quality \'{model}SUFFIX\'`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l cost -d 'Cost column template (USD per request); models without one are priced from tokens' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l response -d 'Response column template (answers for consensus votes and output-token counts)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l models -d 'The models of the data, when the header does not reveal them' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l id-col -d 'Row id column (with --long: the column grouping a request\'s rows, default `id`) [default: sample_id, id or request_id if present, else the row number]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l model-col -d 'Model column for --long' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l timestamp-col -d 'Timestamp column (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds) [default: `timestamp` if present]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l label-col -d 'Label column for plain logs: the label\'s model (via `[ml.labels]`) is the cheapest adequate one' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l tag-col -d 'Column holding each row\'s task tag, routed as `route --tag` routes it [default: the trained outcome model\'s feature column, if the log has it]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l input-tokens-col -d 'Input-token column (plain logs, --long)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l output-tokens-col -d 'Output-token column (plain logs, --long)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l cached-tokens-col -d 'Column of input tokens read from the provider\'s prompt cache (plain logs), priced at the model\'s `cached_input_price`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l map -d 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l prices -d 'Price table (LiteLLM\'s model_prices_and_context_window.json) for data models not in the catalog' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l candidates -d 'Restrict the candidates to these data models' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l baseline -d 'The all-premium baseline [default: the most expensive candidate]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l classifier -d 'Classifier file for the ML strategy and the chain\'s ML stage, or `builtin:tiers`' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l requests-per-day -d 'Without timestamps, split the log into days of N requests for quotas' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l requests-per-year -d 'Traffic for annual savings [default: from the timestamp span, else 11,700,000 as in the article]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l cascade-threshold -d 'Cascade: accept an answer whose recorded quality reaches this [default: `[cascade] accept`]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l cascade-models -d 'Cascade models, cheapest first [default: `[cascade] models` as the data serves them]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l max-attempts -d 'Cascade: most models tried per request [default: `[cascade] max_attempts`]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l judge-error-rate -d 'Cascade: probability that the judge\'s accept/reject is wrong (seeded); the default is GPT-4\'s disagreement with human experts on MT-Bench (Zheng et al., 2023)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l consensus-models -d 'Consensus voters [default: `[consensus] models` as the data serves them]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l quality-scale -d 'Quality values range over [0, X] and are divided by X (e.g. 10 for 1–10 ratings)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l by -d 'Break the table down by this column (e.g. eval_name)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l bootstrap -d 'Bootstrap resamples for the 95 % intervals (0 disables)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l seed -d 'Seed for the bootstrap, the evaluator errors and the random mix' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l threads -d 'Worker threads [default: all cores]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l format -d 'Output format' -r -f -a "table\t'Boxed tables that fit the terminal'
plain\t'Aligned columns without borders, never wrapped'
markdown\t'Markdown tables'
json\t'JSON'
csv\t'CSV'"
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l plot -d 'Draw the cost–quality plane to a .png or .svg file' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l decisions -d 'Write every decision (one line per row and strategy: id, strategy, model, method, reason, tokens, cost, quality) to FILE: CSV, or JSON Lines when FILE ends in .jsonl' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l long -d 'Long format: one row per (request, model); `--id-col` groups rows, `--model-col` names the model, and `--quality`/`--cost`/`--response` name plain columns'
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l skip-bad -d 'Skip malformed rows (reported; exit code 1 at the end) instead of stopping'
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l all-models -d 'Show a row for every single model, not only the baseline and the cheapest'
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l force -d 'Overwrite --plot and --decisions files that exist'
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -l canary -d 'Report the gray release of `[canary]`: its share of rows on the canary strategy, the rest on the chain'
complete -c llmroute -n "__fish_llmroute_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l input-format -d 'Input format [default: from the extension, else sniffed]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l text-col -d 'Column (or JSON key) with the prompt [default: prompt, question, query, text or input]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l id-col -d 'Column (or JSON key) with the request id [default: sample_id, id or request_id if present, else the row number]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l timestamp-col -d 'Timestamp column for --quotas [default: `timestamp`]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l cost -d 'Recorded cost column template (USD per request); `{model}` is a catalog model\'s name or `model_id`, or a data name given with --map. The chosen model\'s recorded cost is reported when the row has it' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l map -d 'Treat a data model\'s columns as a catalog model\'s, and an outcome model\'s label as that catalog model: `--map data_name=catalog_name` (repeatable)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l tag-col -d 'Column holding each row\'s task tag, routed as `route --tag` routes it [default: the trained outcome model\'s feature column, if the log has it]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l input-tokens-col -d 'Logged input-token column: priced instead of counting the prompt\'s tokens' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l output-tokens-col -d 'Logged output-token column: priced instead of the model\'s expected output' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l cached-tokens-col -d 'Logged column of input tokens read from the provider\'s prompt cache, priced at the model\'s `cached_input_price`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l strategy -d 'Routing strategy' -r -f -a "chain\t'The production chain (`[chain] stages`)'
rules\t'The rules alone, with the default route when no rule matches (the article\'s RuleBasedRouter)'
difficulty\t'The difficulty score alone'
ml\t'The trained classifier alone (the article\'s `balanced` default while untrained)'
adaptive\t'The adaptive router alone (learns from feedback)'"
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l classifier -d 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l format -d 'Output format: one CSV line or one JSON line per row' -r -f -a "csv\t''
jsonl\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -s o -l output -d 'Write to FILE instead of stdout (written to a temporary file, then renamed)' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l threads -d 'Worker threads [default: all cores]; the output order is the input order' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l quotas -d 'Apply daily quotas over the log\'s timestamps (in memory; the state store is not touched)'
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l json -d 'Shorthand for `--format jsonl`'
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l force -d 'Overwrite --output if it exists'
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l skip-bad -d 'Skip malformed rows (reported; exit code 1 at the end) instead of stopping'
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -l summary -d 'End with a summary on stderr (rows, model mix, estimated cost, all-premium cost) [default: when stderr is a terminal]'
complete -c llmroute -n "__fish_llmroute_using_subcommand batch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -f -a "add" -d 'Record the outcome of one request'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -f -a "import" -d 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -f -a "stats" -d 'Rating, success rate, latency and cost over a recent window'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -f -a "suggest" -d 'Recommend rule changes from ratings (the article\'s optimize_rules), as a TOML diff'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and not __fish_seen_subcommand_from add import stats suggest help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l request-id -d 'The request id `route` printed (or passed with --request-id)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l rating -d 'User rating, 1 to 5' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l success -d 'Whether the answer did its job' -r -f -a "true\t''
false\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l latency-ms -d 'Latency of the answer in milliseconds' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l model -d 'The model that answered, for a request llmroute did not log' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l rule -d 'The rule that matched, for a request llmroute did not log' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from import" -l input-format -d 'Input format [default: from the extension, else sniffed]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from import" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from import" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from stats" -l days -d 'Window in days (0 = all)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from stats" -l by -d 'Group by' -r -f -a "model\t''
rule\t''
method\t''
arm\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from stats" -l format -d 'Output format' -r -f -a "table\t'Boxed tables that fit the terminal'
plain\t'Aligned columns without borders, never wrapped'
markdown\t'Markdown tables'
json\t'JSON'
csv\t'CSV'"
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from stats" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from stats" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from stats" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l min-samples -d 'Ratings a rule needs before it is judged' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l below -d 'Judge rules whose model averages below this rating' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l days -d 'Window in days (0 = all)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l apply -d 'Write the configuration with the suggestions applied to FILE' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l format -d 'Output format' -r -f -a "table\t'Text with boxed tables that fit the terminal'
plain\t'Text with aligned columns without borders, never wrapped'
markdown\t'Text with Markdown tables'
json\t'JSON'"
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l in-place -d 'Apply the suggestions to the configuration file itself'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l force -d 'Overwrite --apply FILE if it exists'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from suggest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from help" -f -a "add" -d 'Record the outcome of one request'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from help" -f -a "import" -d 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Rating, success rate, latency and cost over a recent window'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from help" -f -a "suggest" -d 'Recommend rule changes from ratings (the article\'s optimize_rules), as a TOML diff'
complete -c llmroute -n "__fish_llmroute_using_subcommand feedback; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l quality -d 'Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l cost -d 'Cost column template (USD per request); models without one are priced from tokens' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l response -d 'Response column template' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l models -d 'The models of the data, when the header does not reveal them' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l candidates -d 'Learn only these data models' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l id-col -d 'Request id column for --long' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l model-col -d 'Model column for --long' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l map -d 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l prices -d 'Price table for data models without costs' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l quality-scale -d 'Quality values range over [0, X] and are divided by X' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l feature-col -d 'A categorical column the router also learns from (e.g. `eval_name`); when routing, its value is the request\'s `--tag`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l min-samples-leaf -d 'Smallest leaf of the outcome forest' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l lambda -d 'The cost–quality knob: maximise expected quality − λ × expected cost (USD)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l target-quality -d 'The cheapest operating point whose validation quality reaches Q' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l max-cost -d 'The best validation quality at a mean cost per request of at most USD [default: half the dearest model\'s]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l premium-share -d 'The best validation quality sending at most this share of requests to the dearest model' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -s o -l output -d 'Where to write the model' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l input-format -d 'Input format [default: from the extension, else sniffed]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l text-col -d 'Column (or JSON key) holding the prompt' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l label-col -d 'Column (or JSON key) holding the label' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l min-quality -d 'Quality a model needs for --label-from-outcomes [default: the row\'s best quality]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l valid -d 'Validation file (instead of holding out --valid-split of DATA)' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l valid-split -d 'Share of DATA held out for validation (seeded); 0 disables validation' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l features -d 'What the classifier reads: TF-IDF n-grams, the sentence encoder\'s vector (carries to languages and wordings absent from the training data), or both' -r -f -a "tfidf\t'TF-IDF over the prompt\'s n-grams (the trained vocabulary only)'
encoder\t'The sentence encoder\'s vector'
both\t'Both, side by side'"
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l encoder -d 'The sentence encoder of --features encoder|both: `builtin:multilingual`, or the directory of a Model2Vec static model (model.safetensors + tokenizer.json) [default: builtin:multilingual]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l classifier -d 'The classifier [default: forest with --features tfidf, logistic otherwise: the better of the two measured on each]' -r -f -a "forest\t'A random forest (the only one for TF-IDF before encoders)'
logistic\t'L2-regularised logistic regression (softmax over labels; a sigmoid per model for outcomes)'"
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l c -d 'Logistic regression\'s inverse regularisation C [default: chosen by 5-fold cross-validation inside the training rows]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l analyzer -d 'Text analyzer [default: char_wb, the best measured on the tier data]' -r -f -a "word\t'scikit-learn\'s default word tokens'
char_wb\t'character n-grams inside word boundaries (scikit-learn\'s `char_wb`)'
cjk\t'word tokens, with CJK runs split into character unigrams and bigrams'"
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l ngram -d 'N-gram range MIN,MAX (characters for char_wb, words otherwise) [default: char_wb 1,4; word 1,1]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l max-features -d 'Vocabulary size: the most frequent terms' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l n-estimators -d 'Number of trees' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l max-depth -d 'Maximum tree depth, or `none` (grow until pure; the article used 10, which leaves most predictions below a 0.6 confidence threshold)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l seed -d 'Random seed (bootstrap, feature sampling, validation split)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l threads -d 'Worker threads [default: all cores]; results do not depend on it' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l min-confidence -d 'Confidence threshold stored in the model [default: [ml] min_confidence, else 0.6]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l target-premium-share -d 'With --calibrate: the highest threshold whose premium share stays at or below X' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l cv -d 'Also report K-fold cross-validated accuracy' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l format -d 'Output format' -r -f -a "table\t'Text with boxed tables that fit the terminal'
plain\t'Text with aligned columns without borders, never wrapped'
markdown\t'Text with Markdown tables'
json\t'JSON'"
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l outcomes -d 'Learn every model\'s expected quality from outcome logs (as `simulate` reads them) instead of a label per prompt: the outcome router'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l long -d 'Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l force -d 'Overwrite an existing model file'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l label-from-outcomes -d 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l skip-bad -d 'Skip malformed rows (reported on stderr; exit code 1 at the end)'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l sublinear-tf -d 'Use 1 + ln(tf) instead of raw term counts'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l calibrate -d 'Choose the threshold on the validation data (max accuracy-after-fallback, or --target-premium-share)'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l no-calibration -d 'Keep the trees\' raw vote shares as probabilities (by default they are calibrated on the out-of-bag predictions of the training rows)'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand train" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l classifier -d 'Classifier file to measure (a `train -o` output, or `builtin:tiers`)' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l quality -d 'Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l cost -d 'Cost column template (USD per request); models without one are priced from tokens' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l response -d 'Response column template' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l models -d 'The models of the data, when the header does not reveal them' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l candidates -d 'Learn only these data models' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l id-col -d 'Request id column for --long' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l model-col -d 'Model column for --long' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l map -d 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l prices -d 'Price table for data models without costs' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l quality-scale -d 'Quality values range over [0, X] and are divided by X' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l feature-col -d 'A categorical column the router also learns from (e.g. `eval_name`); when routing, its value is the request\'s `--tag`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l min-samples-leaf -d 'Smallest leaf of the outcome forest' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l lambda -d 'The cost–quality knob: maximise expected quality − λ × expected cost (USD)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l target-quality -d 'The cheapest operating point whose validation quality reaches Q' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l max-cost -d 'The best validation quality at a mean cost per request of at most USD [default: half the dearest model\'s]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l premium-share -d 'The best validation quality sending at most this share of requests to the dearest model' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l input-format -d 'Input format [default: from the extension, else sniffed]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l text-col -d 'Column (or JSON key) holding the prompt' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l label-col -d 'Column (or JSON key) holding the label' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l min-quality -d 'Quality a model needs for --label-from-outcomes [default: the row\'s best quality]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l min-confidence -d 'Confidence threshold [default: [ml] min_confidence, else the model\'s]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l by -d 'Also report accuracy, fallback and under-routing per value of this column (e.g. `lang`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l format -d 'Output format' -r -f -a "table\t'Text with boxed tables that fit the terminal'
plain\t'Text with aligned columns without borders, never wrapped'
markdown\t'Text with Markdown tables'
json\t'JSON'"
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l long -d 'Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`'
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l label-from-outcomes -d 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)'
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l skip-bad -d 'Skip malformed rows (reported on stderr; exit code 1 at the end)'
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand evaluate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l listen -d 'Address to listen on; port 0 picks a free port, printed on stderr [default: `[serve] listen`, 127.0.0.1:8080]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l keys-env -d 'Environment variable holding the client keys (comma-separated) a request must present as `Authorization: Bearer KEY` [default: `[serve] keys_env`; neither: no client auth]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l classifier -d 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l max-request-bytes -d 'Largest request body in bytes, 1 KiB to 64 MiB [default: `[serve] max_request_bytes`, 4 MiB]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l max-concurrency -d 'Upstream calls in flight at most, 1 to 10,000; more requests wait [default: `[serve] max_concurrency`, 256]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l timeout -d 'Per-request upstream timeout in seconds (overrides `[live] timeout_secs`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l deadline -d 'Deadline of one request, retries and fallbacks included (overrides `[live] deadline_secs`)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l shutdown-grace -d 'On SIGTERM/SIGINT, how long requests in flight may still take [default: `[serve] shutdown_grace_secs`, 10]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l workers -d 'Threads serving requests, 1 to 1,024; 0 for one per core [default: `[serve] workers`, 0]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l max-connections -d 'Client connections open at most, 16 to 1,048,576; at the cap a new one closes the oldest idle one [default: `[serve] max_connections`, 4096]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l header-read-timeout -d 'Seconds a client may take to send a request\'s head, or to start the next one on a kept-alive connection [default: `[serve] header_read_timeout_secs`, 10]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l body-read-timeout -d 'Seconds a client may take to send a request\'s body (408 after) [default: `[serve] body_read_timeout_secs`, 30]' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand serve" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -l by -d 'Group by' -r -f -a "day\t'The quota day in `[quota] timezone`'
model\t'The model that answered (or was decided, when nothing was called)'
method\t'How the model was chosen (rule, ml, difficulty, fallback, client…)'
arm\t'The gray-release arm'
strategy\t'The routing strategy'"
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -l since -d 'Only decisions from this day on (YYYY-MM-DD in `[quota] timezone`, or an RFC 3339 time)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -l days -d 'Only the last N days (0: all time)' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -l format -d 'Output format' -r -f -a "table\t'Boxed tables that fit the terminal'
plain\t'Aligned columns without borders, never wrapped'
markdown\t'Markdown tables'
json\t'JSON'
csv\t'CSV'"
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -l json -d 'Shorthand for `--format json`'
complete -c llmroute -n "__fish_llmroute_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and not __fish_seen_subcommand_from export import help" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and not __fish_seen_subcommand_from export import help" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and not __fish_seen_subcommand_from export import help" -f -a "export" -d 'Write every quota counter, decision and feedback record of the configured store'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and not __fish_seen_subcommand_from export import help" -f -a "import" -d 'Read an export into the configured store (all or nothing; counters are never lowered)'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and not __fish_seen_subcommand_from export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from export" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from export" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from export" -l force -d 'Replace an existing output file'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from import" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from import" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write every quota counter, decision and feedback record of the configured store'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "import" -d 'Read an export into the configured store (all or nothing; counters are never lowered)'
complete -c llmroute -n "__fish_llmroute_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand completions" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand completions" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand completions" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand man" -l dir -d 'Write every page (llmroute.1, llmroute-route.1, llmroute-feedback-add.1, …) to DIR' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand man" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand man" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand man" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "route" -d 'Decide which model should answer a prompt'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "ask" -d 'Route a prompt, call the model and print its answer'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "models" -d 'List the model catalog'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "quota" -d 'Show today\'s quota usage, or reset it'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "config" -d 'Write, show or check the configuration'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "simulate" -d 'Replay logs under every strategy and print the savings table'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "batch" -d 'Route every row of a log and stream one decision per row'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "feedback" -d 'Record outcomes of routed requests; per-model stats; rule suggestions'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "train" -d 'Train the ML router from labelled logs'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "evaluate" -d 'Measure a trained model on a labelled file'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "serve" -d 'Run an OpenAI-compatible routing gateway (POST /v1/chat/completions with model `auto`)'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "report" -d 'What routed traffic cost against sending everything to the premium model, from the decision log'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "state" -d 'Export or import the state (quotas, decisions, feedback) as JSON Lines'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "man" -d 'Print a man page (roff), of llmroute or of a subcommand, or write them all to a directory'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route ask models quota config simulate batch feedback train evaluate serve report state completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from models" -f -a "import-prices" -d 'Update the catalog\'s prices from LiteLLM\'s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from quota" -f -a "reset" -d 'Reset today\'s counters (of one model, or all)'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write the embedded default configuration to a file'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective configuration and where it came from'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "validate" -d 'Check a configuration file (default: the effective one)'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from feedback" -f -a "add" -d 'Record the outcome of one request'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from feedback" -f -a "import" -d 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from feedback" -f -a "stats" -d 'Rating, success rate, latency and cost over a recent window'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from feedback" -f -a "suggest" -d 'Recommend rule changes from ratings (the article\'s optimize_rules), as a TOML diff'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "export" -d 'Write every quota counter, decision and feedback record of the configured store'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "import" -d 'Read an export into the configured store (all or nothing; counters are never lowered)'
