
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'llmroute' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'llmroute'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'llmroute' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Decide which model should answer a prompt')
            [CompletionResult]::new('ask', 'ask', [CompletionResultType]::ParameterValue, 'Route a prompt, call the model and print its answer')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the model catalog')
            [CompletionResult]::new('quota', 'quota', [CompletionResultType]::ParameterValue, 'Show today''s quota usage, or reset it')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Write, show or check the configuration')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay logs under every strategy and print the savings table')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Route every row of a log and stream one decision per row')
            [CompletionResult]::new('feedback', 'feedback', [CompletionResultType]::ParameterValue, 'Record outcomes of routed requests; per-model stats; rule suggestions')
            [CompletionResult]::new('train', 'train', [CompletionResultType]::ParameterValue, 'Train the ML router from labelled logs')
            [CompletionResult]::new('evaluate', 'evaluate', [CompletionResultType]::ParameterValue, 'Measure a trained model on a labelled file')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run an OpenAI-compatible routing gateway (POST /v1/chat/completions with model `auto`)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'What routed traffic cost against sending everything to the premium model, from the decision log')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Export or import the state (quotas, decisions, feedback) as JSON Lines')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff), of llmroute or of a subcommand, or write them all to a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;route' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Task tag matched by rules with `tags`')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Routing strategy')
            [CompletionResult]::new('--classifier', '--classifier', [CompletionResultType]::ParameterName, 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)')
            [CompletionResult]::new('--force-model', '--force-model', [CompletionResultType]::ParameterName, 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)')
            [CompletionResult]::new('--request-id', '--request-id', [CompletionResultType]::ParameterName, 'Id to log the decision under (default: a generated one, printed in the output)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Key for the gray release, so that one user always lands in the same arm')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Treat the input as an OpenAI chat-completions body (routing uses the last user message)')
            [CompletionResult]::new('--log-prompts', '--log-prompts', [CompletionResultType]::ParameterName, 'Store the prompt itself in the decision log (only its hash otherwise)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Show every stage''s verdict and the difficulty breakdown')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Decide without counting against the daily quota')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;ask' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Task tag matched by rules with `tags`')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Routing strategy')
            [CompletionResult]::new('--classifier', '--classifier', [CompletionResultType]::ParameterName, 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)')
            [CompletionResult]::new('--force-model', '--force-model', [CompletionResultType]::ParameterName, 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)')
            [CompletionResult]::new('--request-id', '--request-id', [CompletionResultType]::ParameterName, 'Id to log the decision under (default: a generated one, printed in the output)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Key for the gray release, so that one user always lands in the same arm')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'A system prompt sent before the messages')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout in seconds (overrides `[live] timeout_secs`)')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Overall deadline in seconds (overrides `[live] deadline_secs`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Treat the input as an OpenAI chat-completions body (routing uses the last user message)')
            [CompletionResult]::new('--log-prompts', '--log-prompts', [CompletionResultType]::ParameterName, 'Store the prompt itself in the decision log (only its hash otherwise)')
            [CompletionResult]::new('--cascade', '--cascade', [CompletionResultType]::ParameterName, 'Cheapest model first, scored, escalated until an answer is accepted (`[cascade]`)')
            [CompletionResult]::new('--consensus', '--consensus', [CompletionResultType]::ParameterName, 'Several models answer concurrently; the majority answer wins (`[consensus]`)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Stream the answer to stdout even when it is not a terminal')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON record: decision, answer, usage, cost, latency, attempts')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;models' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('import-prices', 'import-prices', [CompletionResultType]::ParameterValue, 'Update the catalog''s prices from LiteLLM''s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;models;import-prices' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the updated configuration here instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the updated configuration here instead of stdout')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite --output if it exists')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Update the configuration file itself')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;models;help' {
            [CompletionResult]::new('import-prices', 'import-prices', [CompletionResultType]::ParameterValue, 'Update the catalog''s prices from LiteLLM''s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;models;help;import-prices' {
            break
        }
        'llmroute;models;help;help' {
            break
        }
        'llmroute;quota' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Reset today''s counters (of one model, or all)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;quota;reset' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;quota;help' {
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Reset today''s counters (of one model, or all)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;quota;help;reset' {
            break
        }
        'llmroute;quota;help;help' {
            break
        }
        'llmroute;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write the embedded default configuration to a file')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration and where it came from')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a configuration file (default: the effective one)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;config;init' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('--article', '--article', [CompletionResultType]::ParameterName, 'Write the design article''s profile instead (its Chinese keyword rules and difficulty signals, no trained model)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;config;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;config;validate' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;config;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write the embedded default configuration to a file')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration and where it came from')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a configuration file (default: the effective one)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;config;help;init' {
            break
        }
        'llmroute;config;help;show' {
            break
        }
        'llmroute;config;help;validate' {
            break
        }
        'llmroute;config;help;help' {
            break
        }
        'llmroute;simulate' {
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input format [default: from the extension, else sniffed]')
            [CompletionResult]::new('--text-col', '--text-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) with the prompt [default: prompt, question, query, text or input]')
            [CompletionResult]::new('--quality', '--quality', [CompletionResultType]::ParameterName, 'Quality column template; `{model}` stands for the model name, dots walk into JSON objects (e.g. `scores.{model}`)')
            [CompletionResult]::new('--quality-col-suffix', '--quality-col-suffix', [CompletionResultType]::ParameterName, 'Shorthand for `--quality ''{model}SUFFIX''`')
            [CompletionResult]::new('--cost', '--cost', [CompletionResultType]::ParameterName, 'Cost column template (USD per request); models without one are priced from tokens')
            [CompletionResult]::new('--response', '--response', [CompletionResultType]::ParameterName, 'Response column template (answers for consensus votes and output-token counts)')
            [CompletionResult]::new('--models', '--models', [CompletionResultType]::ParameterName, 'The models of the data, when the header does not reveal them')
            [CompletionResult]::new('--id-col', '--id-col', [CompletionResultType]::ParameterName, 'Row id column (with --long: the column grouping a request''s rows, default `id`) [default: sample_id, id or request_id if present, else the row number]')
            [CompletionResult]::new('--model-col', '--model-col', [CompletionResultType]::ParameterName, 'Model column for --long')
            [CompletionResult]::new('--timestamp-col', '--timestamp-col', [CompletionResultType]::ParameterName, 'Timestamp column (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds) [default: `timestamp` if present]')
            [CompletionResult]::new('--label-col', '--label-col', [CompletionResultType]::ParameterName, 'Label column for plain logs: the label''s model (via `[ml.labels]`) is the cheapest adequate one')
            [CompletionResult]::new('--tag-col', '--tag-col', [CompletionResultType]::ParameterName, 'Column holding each row''s task tag, routed as `route --tag` routes it [default: the trained outcome model''s feature column, if the log has it]')
            [CompletionResult]::new('--input-tokens-col', '--input-tokens-col', [CompletionResultType]::ParameterName, 'Input-token column (plain logs, --long)')
            [CompletionResult]::new('--output-tokens-col', '--output-tokens-col', [CompletionResultType]::ParameterName, 'Output-token column (plain logs, --long)')
            [CompletionResult]::new('--cached-tokens-col', '--cached-tokens-col', [CompletionResultType]::ParameterName, 'Column of input tokens read from the provider''s prompt cache (plain logs), priced at the model''s `cached_input_price`')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price table (LiteLLM''s model_prices_and_context_window.json) for data models not in the catalog')
            [CompletionResult]::new('--candidates', '--candidates', [CompletionResultType]::ParameterName, 'Restrict the candidates to these data models')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'The all-premium baseline [default: the most expensive candidate]')
            [CompletionResult]::new('--classifier', '--classifier', [CompletionResultType]::ParameterName, 'Classifier file for the ML strategy and the chain''s ML stage, or `builtin:tiers`')
            [CompletionResult]::new('--requests-per-day', '--requests-per-day', [CompletionResultType]::ParameterName, 'Without timestamps, split the log into days of N requests for quotas')
            [CompletionResult]::new('--requests-per-year', '--requests-per-year', [CompletionResultType]::ParameterName, 'Traffic for annual savings [default: from the timestamp span, else 11,700,000 as in the article]')
            [CompletionResult]::new('--cascade-threshold', '--cascade-threshold', [CompletionResultType]::ParameterName, 'Cascade: accept an answer whose recorded quality reaches this [default: `[cascade] accept`]')
            [CompletionResult]::new('--cascade-models', '--cascade-models', [CompletionResultType]::ParameterName, 'Cascade models, cheapest first [default: `[cascade] models` as the data serves them]')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Cascade: most models tried per request [default: `[cascade] max_attempts`]')
            [CompletionResult]::new('--judge-error-rate', '--judge-error-rate', [CompletionResultType]::ParameterName, 'Cascade: probability that the judge''s accept/reject is wrong (seeded); the default is GPT-4''s disagreement with human experts on MT-Bench (Zheng et al., 2023)')
            [CompletionResult]::new('--consensus-models', '--consensus-models', [CompletionResultType]::ParameterName, 'Consensus voters [default: `[consensus] models` as the data serves them]')
            [CompletionResult]::new('--quality-scale', '--quality-scale', [CompletionResultType]::ParameterName, 'Quality values range over [0, X] and are divided by X (e.g. 10 for 1–10 ratings)')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Break the table down by this column (e.g. eval_name)')
            [CompletionResult]::new('--bootstrap', '--bootstrap', [CompletionResultType]::ParameterName, 'Bootstrap resamples for the 95 % intervals (0 disables)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for the bootstrap, the evaluator errors and the random mix')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads [default: all cores]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw the cost–quality plane to a .png or .svg file')
            [CompletionResult]::new('--decisions', '--decisions', [CompletionResultType]::ParameterName, 'Write every decision (one line per row and strategy: id, strategy, model, method, reason, tokens, cost, quality) to FILE: CSV, or JSON Lines when FILE ends in .jsonl')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'Long format: one row per (request, model); `--id-col` groups rows, `--model-col` names the model, and `--quality`/`--cost`/`--response` name plain columns')
            [CompletionResult]::new('--skip-bad', '--skip-bad', [CompletionResultType]::ParameterName, 'Skip malformed rows (reported; exit code 1 at the end) instead of stopping')
            [CompletionResult]::new('--all-models', '--all-models', [CompletionResultType]::ParameterName, 'Show a row for every single model, not only the baseline and the cheapest')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite --plot and --decisions files that exist')
            [CompletionResult]::new('--canary', '--canary', [CompletionResultType]::ParameterName, 'Report the gray release of `[canary]`: its share of rows on the canary strategy, the rest on the chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;batch' {
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input format [default: from the extension, else sniffed]')
            [CompletionResult]::new('--text-col', '--text-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) with the prompt [default: prompt, question, query, text or input]')
            [CompletionResult]::new('--id-col', '--id-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) with the request id [default: sample_id, id or request_id if present, else the row number]')
            [CompletionResult]::new('--timestamp-col', '--timestamp-col', [CompletionResultType]::ParameterName, 'Timestamp column for --quotas [default: `timestamp`]')
            [CompletionResult]::new('--cost', '--cost', [CompletionResultType]::ParameterName, 'Recorded cost column template (USD per request); `{model}` is a catalog model''s name or `model_id`, or a data name given with --map. The chosen model''s recorded cost is reported when the row has it')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Treat a data model''s columns as a catalog model''s, and an outcome model''s label as that catalog model: `--map data_name=catalog_name` (repeatable)')
            [CompletionResult]::new('--tag-col', '--tag-col', [CompletionResultType]::ParameterName, 'Column holding each row''s task tag, routed as `route --tag` routes it [default: the trained outcome model''s feature column, if the log has it]')
            [CompletionResult]::new('--input-tokens-col', '--input-tokens-col', [CompletionResultType]::ParameterName, 'Logged input-token column: priced instead of counting the prompt''s tokens')
            [CompletionResult]::new('--output-tokens-col', '--output-tokens-col', [CompletionResultType]::ParameterName, 'Logged output-token column: priced instead of the model''s expected output')
            [CompletionResult]::new('--cached-tokens-col', '--cached-tokens-col', [CompletionResultType]::ParameterName, 'Logged column of input tokens read from the provider''s prompt cache, priced at the model''s `cached_input_price`')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Routing strategy')
            [CompletionResult]::new('--classifier', '--classifier', [CompletionResultType]::ParameterName, 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: one CSV line or one JSON line per row')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (written to a temporary file, then renamed)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (written to a temporary file, then renamed)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads [default: all cores]; the output order is the input order')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--quotas', '--quotas', [CompletionResultType]::ParameterName, 'Apply daily quotas over the log''s timestamps (in memory; the state store is not touched)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format jsonl`')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite --output if it exists')
            [CompletionResult]::new('--skip-bad', '--skip-bad', [CompletionResultType]::ParameterName, 'Skip malformed rows (reported; exit code 1 at the end) instead of stopping')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'End with a summary on stderr (rows, model mix, estimated cost, all-premium cost) [default: when stderr is a terminal]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;feedback' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Record the outcome of one request')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Rating, success rate, latency and cost over a recent window')
            [CompletionResult]::new('suggest', 'suggest', [CompletionResultType]::ParameterValue, 'Recommend rule changes from ratings (the article''s optimize_rules), as a TOML diff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;feedback;add' {
            [CompletionResult]::new('--request-id', '--request-id', [CompletionResultType]::ParameterName, 'The request id `route` printed (or passed with --request-id)')
            [CompletionResult]::new('--rating', '--rating', [CompletionResultType]::ParameterName, 'User rating, 1 to 5')
            [CompletionResult]::new('--success', '--success', [CompletionResultType]::ParameterName, 'Whether the answer did its job')
            [CompletionResult]::new('--latency-ms', '--latency-ms', [CompletionResultType]::ParameterName, 'Latency of the answer in milliseconds')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The model that answered, for a request llmroute did not log')
            [CompletionResult]::new('--rule', '--rule', [CompletionResultType]::ParameterName, 'The rule that matched, for a request llmroute did not log')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;feedback;import' {
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input format [default: from the extension, else sniffed]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;feedback;stats' {
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Window in days (0 = all)')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Group by')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;feedback;suggest' {
            [CompletionResult]::new('--min-samples', '--min-samples', [CompletionResultType]::ParameterName, 'Ratings a rule needs before it is judged')
            [CompletionResult]::new('--below', '--below', [CompletionResultType]::ParameterName, 'Judge rules whose model averages below this rating')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Window in days (0 = all)')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Write the configuration with the suggestions applied to FILE')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Apply the suggestions to the configuration file itself')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite --apply FILE if it exists')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;feedback;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Record the outcome of one request')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Rating, success rate, latency and cost over a recent window')
            [CompletionResult]::new('suggest', 'suggest', [CompletionResultType]::ParameterValue, 'Recommend rule changes from ratings (the article''s optimize_rules), as a TOML diff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;feedback;help;add' {
            break
        }
        'llmroute;feedback;help;import' {
            break
        }
        'llmroute;feedback;help;stats' {
            break
        }
        'llmroute;feedback;help;suggest' {
            break
        }
        'llmroute;feedback;help;help' {
            break
        }
        'llmroute;train' {
            [CompletionResult]::new('--quality', '--quality', [CompletionResultType]::ParameterName, 'Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)')
            [CompletionResult]::new('--cost', '--cost', [CompletionResultType]::ParameterName, 'Cost column template (USD per request); models without one are priced from tokens')
            [CompletionResult]::new('--response', '--response', [CompletionResultType]::ParameterName, 'Response column template')
            [CompletionResult]::new('--models', '--models', [CompletionResultType]::ParameterName, 'The models of the data, when the header does not reveal them')
            [CompletionResult]::new('--candidates', '--candidates', [CompletionResultType]::ParameterName, 'Learn only these data models')
            [CompletionResult]::new('--id-col', '--id-col', [CompletionResultType]::ParameterName, 'Request id column for --long')
            [CompletionResult]::new('--model-col', '--model-col', [CompletionResultType]::ParameterName, 'Model column for --long')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price table for data models without costs')
            [CompletionResult]::new('--quality-scale', '--quality-scale', [CompletionResultType]::ParameterName, 'Quality values range over [0, X] and are divided by X')
            [CompletionResult]::new('--feature-col', '--feature-col', [CompletionResultType]::ParameterName, 'A categorical column the router also learns from (e.g. `eval_name`); when routing, its value is the request''s `--tag`')
            [CompletionResult]::new('--min-samples-leaf', '--min-samples-leaf', [CompletionResultType]::ParameterName, 'Smallest leaf of the outcome forest')
            [CompletionResult]::new('--lambda', '--lambda', [CompletionResultType]::ParameterName, 'The cost–quality knob: maximise expected quality − λ × expected cost (USD)')
            [CompletionResult]::new('--target-quality', '--target-quality', [CompletionResultType]::ParameterName, 'The cheapest operating point whose validation quality reaches Q')
            [CompletionResult]::new('--max-cost', '--max-cost', [CompletionResultType]::ParameterName, 'The best validation quality at a mean cost per request of at most USD [default: half the dearest model''s]')
            [CompletionResult]::new('--premium-share', '--premium-share', [CompletionResultType]::ParameterName, 'The best validation quality sending at most this share of requests to the dearest model')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the model')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the model')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input format [default: from the extension, else sniffed]')
            [CompletionResult]::new('--text-col', '--text-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the prompt')
            [CompletionResult]::new('--label-col', '--label-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the label')
            [CompletionResult]::new('--min-quality', '--min-quality', [CompletionResultType]::ParameterName, 'Quality a model needs for --label-from-outcomes [default: the row''s best quality]')
            [CompletionResult]::new('--valid', '--valid', [CompletionResultType]::ParameterName, 'Validation file (instead of holding out --valid-split of DATA)')
            [CompletionResult]::new('--valid-split', '--valid-split', [CompletionResultType]::ParameterName, 'Share of DATA held out for validation (seeded); 0 disables validation')
            [CompletionResult]::new('--features', '--features', [CompletionResultType]::ParameterName, 'What the classifier reads: TF-IDF n-grams, the sentence encoder''s vector (carries to languages and wordings absent from the training data), or both')
            [CompletionResult]::new('--encoder', '--encoder', [CompletionResultType]::ParameterName, 'The sentence encoder of --features encoder|both: `builtin:multilingual`, or the directory of a Model2Vec static model (model.safetensors + tokenizer.json) [default: builtin:multilingual]')
            [CompletionResult]::new('--classifier', '--classifier', [CompletionResultType]::ParameterName, 'The classifier [default: forest with --features tfidf, logistic otherwise: the better of the two measured on each]')
            [CompletionResult]::new('--c', '--c', [CompletionResultType]::ParameterName, 'Logistic regression''s inverse regularisation C [default: chosen by 5-fold cross-validation inside the training rows]')
            [CompletionResult]::new('--analyzer', '--analyzer', [CompletionResultType]::ParameterName, 'Text analyzer [default: char_wb, the best measured on the tier data]')
            [CompletionResult]::new('--ngram', '--ngram', [CompletionResultType]::ParameterName, 'N-gram range MIN,MAX (characters for char_wb, words otherwise) [default: char_wb 1,4; word 1,1]')
            [CompletionResult]::new('--max-features', '--max-features', [CompletionResultType]::ParameterName, 'Vocabulary size: the most frequent terms')
            [CompletionResult]::new('--n-estimators', '--n-estimators', [CompletionResultType]::ParameterName, 'Number of trees')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Maximum tree depth, or `none` (grow until pure; the article used 10, which leaves most predictions below a 0.6 confidence threshold)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Random seed (bootstrap, feature sampling, validation split)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads [default: all cores]; results do not depend on it')
            [CompletionResult]::new('--min-confidence', '--min-confidence', [CompletionResultType]::ParameterName, 'Confidence threshold stored in the model [default: [ml] min_confidence, else 0.6]')
            [CompletionResult]::new('--target-premium-share', '--target-premium-share', [CompletionResultType]::ParameterName, 'With --calibrate: the highest threshold whose premium share stays at or below X')
            [CompletionResult]::new('--cv', '--cv', [CompletionResultType]::ParameterName, 'Also report K-fold cross-validated accuracy')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--outcomes', '--outcomes', [CompletionResultType]::ParameterName, 'Learn every model''s expected quality from outcome logs (as `simulate` reads them) instead of a label per prompt: the outcome router')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing model file')
            [CompletionResult]::new('--label-from-outcomes', '--label-from-outcomes', [CompletionResultType]::ParameterName, 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)')
            [CompletionResult]::new('--skip-bad', '--skip-bad', [CompletionResultType]::ParameterName, 'Skip malformed rows (reported on stderr; exit code 1 at the end)')
            [CompletionResult]::new('--sublinear-tf', '--sublinear-tf', [CompletionResultType]::ParameterName, 'Use 1 + ln(tf) instead of raw term counts')
            [CompletionResult]::new('--calibrate', '--calibrate', [CompletionResultType]::ParameterName, 'Choose the threshold on the validation data (max accuracy-after-fallback, or --target-premium-share)')
            [CompletionResult]::new('--no-calibration', '--no-calibration', [CompletionResultType]::ParameterName, 'Keep the trees'' raw vote shares as probabilities (by default they are calibrated on the out-of-bag predictions of the training rows)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;evaluate' {
            [CompletionResult]::new('--classifier', '--classifier', [CompletionResultType]::ParameterName, 'Classifier file to measure (a `train -o` output, or `builtin:tiers`)')
            [CompletionResult]::new('--quality', '--quality', [CompletionResultType]::ParameterName, 'Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)')
            [CompletionResult]::new('--cost', '--cost', [CompletionResultType]::ParameterName, 'Cost column template (USD per request); models without one are priced from tokens')
            [CompletionResult]::new('--response', '--response', [CompletionResultType]::ParameterName, 'Response column template')
            [CompletionResult]::new('--models', '--models', [CompletionResultType]::ParameterName, 'The models of the data, when the header does not reveal them')
            [CompletionResult]::new('--candidates', '--candidates', [CompletionResultType]::ParameterName, 'Learn only these data models')
            [CompletionResult]::new('--id-col', '--id-col', [CompletionResultType]::ParameterName, 'Request id column for --long')
            [CompletionResult]::new('--model-col', '--model-col', [CompletionResultType]::ParameterName, 'Model column for --long')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)')
            [CompletionResult]::new('--prices', '--prices', [CompletionResultType]::ParameterName, 'Price table for data models without costs')
            [CompletionResult]::new('--quality-scale', '--quality-scale', [CompletionResultType]::ParameterName, 'Quality values range over [0, X] and are divided by X')
            [CompletionResult]::new('--feature-col', '--feature-col', [CompletionResultType]::ParameterName, 'A categorical column the router also learns from (e.g. `eval_name`); when routing, its value is the request''s `--tag`')
            [CompletionResult]::new('--min-samples-leaf', '--min-samples-leaf', [CompletionResultType]::ParameterName, 'Smallest leaf of the outcome forest')
            [CompletionResult]::new('--lambda', '--lambda', [CompletionResultType]::ParameterName, 'The cost–quality knob: maximise expected quality − λ × expected cost (USD)')
            [CompletionResult]::new('--target-quality', '--target-quality', [CompletionResultType]::ParameterName, 'The cheapest operating point whose validation quality reaches Q')
            [CompletionResult]::new('--max-cost', '--max-cost', [CompletionResultType]::ParameterName, 'The best validation quality at a mean cost per request of at most USD [default: half the dearest model''s]')
            [CompletionResult]::new('--premium-share', '--premium-share', [CompletionResultType]::ParameterName, 'The best validation quality sending at most this share of requests to the dearest model')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input format [default: from the extension, else sniffed]')
            [CompletionResult]::new('--text-col', '--text-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the prompt')
            [CompletionResult]::new('--label-col', '--label-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the label')
            [CompletionResult]::new('--min-quality', '--min-quality', [CompletionResultType]::ParameterName, 'Quality a model needs for --label-from-outcomes [default: the row''s best quality]')
            [CompletionResult]::new('--min-confidence', '--min-confidence', [CompletionResultType]::ParameterName, 'Confidence threshold [default: [ml] min_confidence, else the model''s]')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Also report accuracy, fallback and under-routing per value of this column (e.g. `lang`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`')
            [CompletionResult]::new('--label-from-outcomes', '--label-from-outcomes', [CompletionResultType]::ParameterName, 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)')
            [CompletionResult]::new('--skip-bad', '--skip-bad', [CompletionResultType]::ParameterName, 'Skip malformed rows (reported on stderr; exit code 1 at the end)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on; port 0 picks a free port, printed on stderr [default: `[serve] listen`, 127.0.0.1:8080]')
            [CompletionResult]::new('--keys-env', '--keys-env', [CompletionResultType]::ParameterName, 'Environment variable holding the client keys (comma-separated) a request must present as `Authorization: Bearer KEY` [default: `[serve] keys_env`; neither: no client auth]')
            [CompletionResult]::new('--classifier', '--classifier', [CompletionResultType]::ParameterName, 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)')
            [CompletionResult]::new('--max-request-bytes', '--max-request-bytes', [CompletionResultType]::ParameterName, 'Largest request body in bytes, 1 KiB to 64 MiB [default: `[serve] max_request_bytes`, 4 MiB]')
            [CompletionResult]::new('--max-concurrency', '--max-concurrency', [CompletionResultType]::ParameterName, 'Upstream calls in flight at most, 1 to 10,000; more requests wait [default: `[serve] max_concurrency`, 256]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request upstream timeout in seconds (overrides `[live] timeout_secs`)')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline of one request, retries and fallbacks included (overrides `[live] deadline_secs`)')
            [CompletionResult]::new('--shutdown-grace', '--shutdown-grace', [CompletionResultType]::ParameterName, 'On SIGTERM/SIGINT, how long requests in flight may still take [default: `[serve] shutdown_grace_secs`, 10]')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Threads serving requests, 1 to 1,024; 0 for one per core [default: `[serve] workers`, 0]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Client connections open at most, 16 to 1,048,576; at the cap a new one closes the oldest idle one [default: `[serve] max_connections`, 4096]')
            [CompletionResult]::new('--header-read-timeout', '--header-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send a request''s head, or to start the next one on a kept-alive connection [default: `[serve] header_read_timeout_secs`, 10]')
            [CompletionResult]::new('--body-read-timeout', '--body-read-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send a request''s body (408 after) [default: `[serve] body_read_timeout_secs`, 30]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;report' {
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Group by')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only decisions from this day on (YYYY-MM-DD in `[quota] timezone`, or an RFC 3339 time)')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Only the last N days (0: all time)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for `--format json`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;state' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every quota counter, decision and feedback record of the configured store')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Read an export into the configured store (all or nothing; counters are never lowered)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;state;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing output file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;state;import' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;state;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every quota counter, decision and feedback record of the configured store')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Read an export into the configured store (all or nothing; counters are never lowered)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;state;help;export' {
            break
        }
        'llmroute;state;help;import' {
            break
        }
        'llmroute;state;help;help' {
            break
        }
        'llmroute;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page (llmroute.1, llmroute-route.1, llmroute-feedback-add.1, …) to DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;help' {
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Decide which model should answer a prompt')
            [CompletionResult]::new('ask', 'ask', [CompletionResultType]::ParameterValue, 'Route a prompt, call the model and print its answer')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the model catalog')
            [CompletionResult]::new('quota', 'quota', [CompletionResultType]::ParameterValue, 'Show today''s quota usage, or reset it')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Write, show or check the configuration')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay logs under every strategy and print the savings table')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Route every row of a log and stream one decision per row')
            [CompletionResult]::new('feedback', 'feedback', [CompletionResultType]::ParameterValue, 'Record outcomes of routed requests; per-model stats; rule suggestions')
            [CompletionResult]::new('train', 'train', [CompletionResultType]::ParameterValue, 'Train the ML router from labelled logs')
            [CompletionResult]::new('evaluate', 'evaluate', [CompletionResultType]::ParameterValue, 'Measure a trained model on a labelled file')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run an OpenAI-compatible routing gateway (POST /v1/chat/completions with model `auto`)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'What routed traffic cost against sending everything to the premium model, from the decision log')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Export or import the state (quotas, decisions, feedback) as JSON Lines')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff), of llmroute or of a subcommand, or write them all to a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;help;route' {
            break
        }
        'llmroute;help;ask' {
            break
        }
        'llmroute;help;models' {
            [CompletionResult]::new('import-prices', 'import-prices', [CompletionResultType]::ParameterValue, 'Update the catalog''s prices from LiteLLM''s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place')
            break
        }
        'llmroute;help;models;import-prices' {
            break
        }
        'llmroute;help;quota' {
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Reset today''s counters (of one model, or all)')
            break
        }
        'llmroute;help;quota;reset' {
            break
        }
        'llmroute;help;config' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write the embedded default configuration to a file')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration and where it came from')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a configuration file (default: the effective one)')
            break
        }
        'llmroute;help;config;init' {
            break
        }
        'llmroute;help;config;show' {
            break
        }
        'llmroute;help;config;validate' {
            break
        }
        'llmroute;help;simulate' {
            break
        }
        'llmroute;help;batch' {
            break
        }
        'llmroute;help;feedback' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Record the outcome of one request')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Rating, success rate, latency and cost over a recent window')
            [CompletionResult]::new('suggest', 'suggest', [CompletionResultType]::ParameterValue, 'Recommend rule changes from ratings (the article''s optimize_rules), as a TOML diff')
            break
        }
        'llmroute;help;feedback;add' {
            break
        }
        'llmroute;help;feedback;import' {
            break
        }
        'llmroute;help;feedback;stats' {
            break
        }
        'llmroute;help;feedback;suggest' {
            break
        }
        'llmroute;help;train' {
            break
        }
        'llmroute;help;evaluate' {
            break
        }
        'llmroute;help;serve' {
            break
        }
        'llmroute;help;report' {
            break
        }
        'llmroute;help;state' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every quota counter, decision and feedback record of the configured store')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Read an export into the configured store (all or nothing; counters are never lowered)')
            break
        }
        'llmroute;help;state;export' {
            break
        }
        'llmroute;help;state;import' {
            break
        }
        'llmroute;help;completions' {
            break
        }
        'llmroute;help;man' {
            break
        }
        'llmroute;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
