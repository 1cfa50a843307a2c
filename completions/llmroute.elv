
use builtin;
use str;

set edit:completion:arg-completer[llmroute] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'llmroute'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'llmroute'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand route 'Decide which model should answer a prompt'
            cand ask 'Route a prompt, call the model and print its answer'
            cand models 'List the model catalog'
            cand quota 'Show today''s quota usage, or reset it'
            cand config 'Write, show or check the configuration'
            cand simulate 'Replay logs under every strategy and print the savings table'
            cand batch 'Route every row of a log and stream one decision per row'
            cand feedback 'Record outcomes of routed requests; per-model stats; rule suggestions'
            cand train 'Train the ML router from labelled logs'
            cand evaluate 'Measure a trained model on a labelled file'
            cand serve 'Run an OpenAI-compatible routing gateway (POST /v1/chat/completions with model `auto`)'
            cand report 'What routed traffic cost against sending everything to the premium model, from the decision log'
            cand state 'Export or import the state (quotas, decisions, feedback) as JSON Lines'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff), of llmroute or of a subcommand, or write them all to a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;route'= {
            cand --tag 'Task tag matched by rules with `tags`'
            cand --strategy 'Routing strategy'
            cand --classifier 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)'
            cand --model 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)'
            cand --force-model 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)'
            cand --request-id 'Id to log the decision under (default: a generated one, printed in the output)'
            cand --user 'Key for the gray release, so that one user always lands in the same arm'
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --chat 'Treat the input as an OpenAI chat-completions body (routing uses the last user message)'
            cand --log-prompts 'Store the prompt itself in the decision log (only its hash otherwise)'
            cand --json 'Shorthand for `--format json`'
            cand --explain 'Show every stage''s verdict and the difficulty breakdown'
            cand --dry-run 'Decide without counting against the daily quota'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;ask'= {
            cand --tag 'Task tag matched by rules with `tags`'
            cand --strategy 'Routing strategy'
            cand --classifier 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)'
            cand --model 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)'
            cand --force-model 'Skip routing: send the request to this catalog model (its quota is counted and the decision logged with method `client`, as the gateway does for a named model)'
            cand --request-id 'Id to log the decision under (default: a generated one, printed in the output)'
            cand --user 'Key for the gray release, so that one user always lands in the same arm'
            cand --system 'A system prompt sent before the messages'
            cand --timeout 'Per-request timeout in seconds (overrides `[live] timeout_secs`)'
            cand --deadline 'Overall deadline in seconds (overrides `[live] deadline_secs`)'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --chat 'Treat the input as an OpenAI chat-completions body (routing uses the last user message)'
            cand --log-prompts 'Store the prompt itself in the decision log (only its hash otherwise)'
            cand --cascade 'Cheapest model first, scored, escalated until an answer is accepted (`[cascade]`)'
            cand --consensus 'Several models answer concurrently; the majority answer wins (`[consensus]`)'
            cand --stream 'Stream the answer to stdout even when it is not a terminal'
            cand --json 'Print one JSON record: decision, answer, usage, cost, latency, attempts'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;models'= {
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --json 'Shorthand for `--format json`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand import-prices 'Update the catalog''s prices from LiteLLM''s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;models;import-prices'= {
            cand -o 'Write the updated configuration here instead of stdout'
            cand --output 'Write the updated configuration here instead of stdout'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --force 'Overwrite --output if it exists'
            cand --in-place 'Update the configuration file itself'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;models;help'= {
            cand import-prices 'Update the catalog''s prices from LiteLLM''s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;models;help;import-prices'= {
        }
        &'llmroute;models;help;help'= {
        }
        &'llmroute;quota'= {
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --json 'Shorthand for `--format json`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand reset 'Reset today''s counters (of one model, or all)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;quota;reset'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;quota;help'= {
            cand reset 'Reset today''s counters (of one model, or all)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;quota;help;reset'= {
        }
        &'llmroute;quota;help;help'= {
        }
        &'llmroute;config'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand init 'Write the embedded default configuration to a file'
            cand show 'Print the effective configuration and where it came from'
            cand validate 'Check a configuration file (default: the effective one)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;config;init'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --force 'Overwrite an existing file'
            cand --article 'Write the design article''s profile instead (its Chinese keyword rules and difficulty signals, no trained model)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;config;show'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;config;validate'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;config;help'= {
            cand init 'Write the embedded default configuration to a file'
            cand show 'Print the effective configuration and where it came from'
            cand validate 'Check a configuration file (default: the effective one)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;config;help;init'= {
        }
        &'llmroute;config;help;show'= {
        }
        &'llmroute;config;help;validate'= {
        }
        &'llmroute;config;help;help'= {
        }
        &'llmroute;simulate'= {
            cand --input-format 'Input format [default: from the extension, else sniffed]'
            cand --text-col 'Column (or JSON key) with the prompt [default: prompt, question, query, text or input]'
            cand --quality 'Quality column template; `{model}` stands for the model name, dots walk into JSON objects (e.g. `scores.{model}`)'
            cand --quality-col-suffix 'Shorthand for `--quality ''{model}SUFFIX''`'
            cand --cost 'Cost column template (USD per request); models without one are priced from tokens'
            cand --response 'Response column template (answers for consensus votes and output-token counts)'
            cand --models 'The models of the data, when the header does not reveal them'
            cand --id-col 'Row id column (with --long: the column grouping a request''s rows, default `id`) [default: sample_id, id or request_id if present, else the row number]'
            cand --model-col 'Model column for --long'
            cand --timestamp-col 'Timestamp column (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds) [default: `timestamp` if present]'
            cand --label-col 'Label column for plain logs: the label''s model (via `[ml.labels]`) is the cheapest adequate one'
            cand --tag-col 'Column holding each row''s task tag, routed as `route --tag` routes it [default: the trained outcome model''s feature column, if the log has it]'
            cand --input-tokens-col 'Input-token column (plain logs, --long)'
            cand --output-tokens-col 'Output-token column (plain logs, --long)'
            cand --cached-tokens-col 'Column of input tokens read from the provider''s prompt cache (plain logs), priced at the model''s `cached_input_price`'
            cand --map 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)'
            cand --prices 'Price table (LiteLLM''s model_prices_and_context_window.json) for data models not in the catalog'
            cand --candidates 'Restrict the candidates to these data models'
            cand --baseline 'The all-premium baseline [default: the most expensive candidate]'
            cand --classifier 'Classifier file for the ML strategy and the chain''s ML stage, or `builtin:tiers`'
            cand --requests-per-day 'Without timestamps, split the log into days of N requests for quotas'
            cand --requests-per-year 'Traffic for annual savings [default: from the timestamp span, else 11,700,000 as in the article]'
            cand --cascade-threshold 'Cascade: accept an answer whose recorded quality reaches this [default: `[cascade] accept`]'
            cand --cascade-models 'Cascade models, cheapest first [default: `[cascade] models` as the data serves them]'
            cand --max-attempts 'Cascade: most models tried per request [default: `[cascade] max_attempts`]'
            cand --judge-error-rate 'Cascade: probability that the judge''s accept/reject is wrong (seeded); the default is GPT-4''s disagreement with human experts on MT-Bench (Zheng et al., 2023)'
            cand --consensus-models 'Consensus voters [default: `[consensus] models` as the data serves them]'
            cand --quality-scale 'Quality values range over [0, X] and are divided by X (e.g. 10 for 1–10 ratings)'
            cand --by 'Break the table down by this column (e.g. eval_name)'
            cand --bootstrap 'Bootstrap resamples for the 95 % intervals (0 disables)'
            cand --seed 'Seed for the bootstrap, the evaluator errors and the random mix'
            cand --threads 'Worker threads [default: all cores]'
            cand --format 'Output format'
            cand --plot 'Draw the cost–quality plane to a .png or .svg file'
            cand --decisions 'Write every decision (one line per row and strategy: id, strategy, model, method, reason, tokens, cost, quality) to FILE: CSV, or JSON Lines when FILE ends in .jsonl'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --long 'Long format: one row per (request, model); `--id-col` groups rows, `--model-col` names the model, and `--quality`/`--cost`/`--response` name plain columns'
            cand --skip-bad 'Skip malformed rows (reported; exit code 1 at the end) instead of stopping'
            cand --all-models 'Show a row for every single model, not only the baseline and the cheapest'
            cand --json 'Shorthand for `--format json`'
            cand --force 'Overwrite --plot and --decisions files that exist'
            cand --canary 'Report the gray release of `[canary]`: its share of rows on the canary strategy, the rest on the chain'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;batch'= {
            cand --input-format 'Input format [default: from the extension, else sniffed]'
            cand --text-col 'Column (or JSON key) with the prompt [default: prompt, question, query, text or input]'
            cand --id-col 'Column (or JSON key) with the request id [default: sample_id, id or request_id if present, else the row number]'
            cand --timestamp-col 'Timestamp column for --quotas [default: `timestamp`]'
            cand --cost 'Recorded cost column template (USD per request); `{model}` is a catalog model''s name or `model_id`, or a data name given with --map. The chosen model''s recorded cost is reported when the row has it'
            cand --map 'Treat a data model''s columns as a catalog model''s, and an outcome model''s label as that catalog model: `--map data_name=catalog_name` (repeatable)'
            cand --tag-col 'Column holding each row''s task tag, routed as `route --tag` routes it [default: the trained outcome model''s feature column, if the log has it]'
            cand --input-tokens-col 'Logged input-token column: priced instead of counting the prompt''s tokens'
            cand --output-tokens-col 'Logged output-token column: priced instead of the model''s expected output'
            cand --cached-tokens-col 'Logged column of input tokens read from the provider''s prompt cache, priced at the model''s `cached_input_price`'
            cand --strategy 'Routing strategy'
            cand --classifier 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)'
            cand --format 'Output format: one CSV line or one JSON line per row'
            cand -o 'Write to FILE instead of stdout (written to a temporary file, then renamed)'
            cand --output 'Write to FILE instead of stdout (written to a temporary file, then renamed)'
            cand --threads 'Worker threads [default: all cores]; the output order is the input order'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --quotas 'Apply daily quotas over the log''s timestamps (in memory; the state store is not touched)'
            cand --json 'Shorthand for `--format jsonl`'
            cand --force 'Overwrite --output if it exists'
            cand --skip-bad 'Skip malformed rows (reported; exit code 1 at the end) instead of stopping'
            cand --summary 'End with a summary on stderr (rows, model mix, estimated cost, all-premium cost) [default: when stderr is a terminal]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;feedback'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Record the outcome of one request'
            cand import 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)'
            cand stats 'Rating, success rate, latency and cost over a recent window'
            cand suggest 'Recommend rule changes from ratings (the article''s optimize_rules), as a TOML diff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;feedback;add'= {
            cand --request-id 'The request id `route` printed (or passed with --request-id)'
            cand --rating 'User rating, 1 to 5'
            cand --success 'Whether the answer did its job'
            cand --latency-ms 'Latency of the answer in milliseconds'
            cand --model 'The model that answered, for a request llmroute did not log'
            cand --rule 'The rule that matched, for a request llmroute did not log'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;feedback;import'= {
            cand --input-format 'Input format [default: from the extension, else sniffed]'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;feedback;stats'= {
            cand --days 'Window in days (0 = all)'
            cand --by 'Group by'
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --json 'Shorthand for `--format json`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;feedback;suggest'= {
            cand --min-samples 'Ratings a rule needs before it is judged'
            cand --below 'Judge rules whose model averages below this rating'
            cand --days 'Window in days (0 = all)'
            cand --apply 'Write the configuration with the suggestions applied to FILE'
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --in-place 'Apply the suggestions to the configuration file itself'
            cand --force 'Overwrite --apply FILE if it exists'
            cand --json 'Shorthand for `--format json`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;feedback;help'= {
            cand add 'Record the outcome of one request'
            cand import 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)'
            cand stats 'Rating, success rate, latency and cost over a recent window'
            cand suggest 'Recommend rule changes from ratings (the article''s optimize_rules), as a TOML diff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;feedback;help;add'= {
        }
        &'llmroute;feedback;help;import'= {
        }
        &'llmroute;feedback;help;stats'= {
        }
        &'llmroute;feedback;help;suggest'= {
        }
        &'llmroute;feedback;help;help'= {
        }
        &'llmroute;train'= {
            cand --quality 'Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)'
            cand --cost 'Cost column template (USD per request); models without one are priced from tokens'
            cand --response 'Response column template'
            cand --models 'The models of the data, when the header does not reveal them'
            cand --candidates 'Learn only these data models'
            cand --id-col 'Request id column for --long'
            cand --model-col 'Model column for --long'
            cand --map 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)'
            cand --prices 'Price table for data models without costs'
            cand --quality-scale 'Quality values range over [0, X] and are divided by X'
            cand --feature-col 'A categorical column the router also learns from (e.g. `eval_name`); when routing, its value is the request''s `--tag`'
            cand --min-samples-leaf 'Smallest leaf of the outcome forest'
            cand --lambda 'The cost–quality knob: maximise expected quality − λ × expected cost (USD)'
            cand --target-quality 'The cheapest operating point whose validation quality reaches Q'
            cand --max-cost 'The best validation quality at a mean cost per request of at most USD [default: half the dearest model''s]'
            cand --premium-share 'The best validation quality sending at most this share of requests to the dearest model'
            cand -o 'Where to write the model'
            cand --output 'Where to write the model'
            cand --input-format 'Input format [default: from the extension, else sniffed]'
            cand --text-col 'Column (or JSON key) holding the prompt'
            cand --label-col 'Column (or JSON key) holding the label'
            cand --min-quality 'Quality a model needs for --label-from-outcomes [default: the row''s best quality]'
            cand --valid 'Validation file (instead of holding out --valid-split of DATA)'
            cand --valid-split 'Share of DATA held out for validation (seeded); 0 disables validation'
            cand --features 'What the classifier reads: TF-IDF n-grams, the sentence encoder''s vector (carries to languages and wordings absent from the training data), or both'
            cand --encoder 'The sentence encoder of --features encoder|both: `builtin:multilingual`, or the directory of a Model2Vec static model (model.safetensors + tokenizer.json) [default: builtin:multilingual]'
            cand --classifier 'The classifier [default: forest with --features tfidf, logistic otherwise: the better of the two measured on each]'
            cand --c 'Logistic regression''s inverse regularisation C [default: chosen by 5-fold cross-validation inside the training rows]'
            cand --analyzer 'Text analyzer [default: char_wb, the best measured on the tier data]'
            cand --ngram 'N-gram range MIN,MAX (characters for char_wb, words otherwise) [default: char_wb 1,4; word 1,1]'
            cand --max-features 'Vocabulary size: the most frequent terms'
            cand --n-estimators 'Number of trees'
            cand --max-depth 'Maximum tree depth, or `none` (grow until pure; the article used 10, which leaves most predictions below a 0.6 confidence threshold)'
            cand --seed 'Random seed (bootstrap, feature sampling, validation split)'
            cand --threads 'Worker threads [default: all cores]; results do not depend on it'
            cand --min-confidence 'Confidence threshold stored in the model [default: [ml] min_confidence, else 0.6]'
            cand --target-premium-share 'With --calibrate: the highest threshold whose premium share stays at or below X'
            cand --cv 'Also report K-fold cross-validated accuracy'
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --outcomes 'Learn every model''s expected quality from outcome logs (as `simulate` reads them) instead of a label per prompt: the outcome router'
            cand --long 'Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`'
            cand --force 'Overwrite an existing model file'
            cand --label-from-outcomes 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)'
            cand --skip-bad 'Skip malformed rows (reported on stderr; exit code 1 at the end)'
            cand --sublinear-tf 'Use 1 + ln(tf) instead of raw term counts'
            cand --calibrate 'Choose the threshold on the validation data (max accuracy-after-fallback, or --target-premium-share)'
            cand --no-calibration 'Keep the trees'' raw vote shares as probabilities (by default they are calibrated on the out-of-bag predictions of the training rows)'
            cand --json 'Shorthand for `--format json`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;evaluate'= {
            cand --classifier 'Classifier file to measure (a `train -o` output, or `builtin:tiers`)'
            cand --quality 'Quality column template; `{model}` stands for the model name (e.g. `scores.{model}`)'
            cand --cost 'Cost column template (USD per request); models without one are priced from tokens'
            cand --response 'Response column template'
            cand --models 'The models of the data, when the header does not reveal them'
            cand --candidates 'Learn only these data models'
            cand --id-col 'Request id column for --long'
            cand --model-col 'Model column for --long'
            cand --map 'Treat a data model as a catalog model: `--map data_name=catalog_name` (repeatable)'
            cand --prices 'Price table for data models without costs'
            cand --quality-scale 'Quality values range over [0, X] and are divided by X'
            cand --feature-col 'A categorical column the router also learns from (e.g. `eval_name`); when routing, its value is the request''s `--tag`'
            cand --min-samples-leaf 'Smallest leaf of the outcome forest'
            cand --lambda 'The cost–quality knob: maximise expected quality − λ × expected cost (USD)'
            cand --target-quality 'The cheapest operating point whose validation quality reaches Q'
            cand --max-cost 'The best validation quality at a mean cost per request of at most USD [default: half the dearest model''s]'
            cand --premium-share 'The best validation quality sending at most this share of requests to the dearest model'
            cand --input-format 'Input format [default: from the extension, else sniffed]'
            cand --text-col 'Column (or JSON key) holding the prompt'
            cand --label-col 'Column (or JSON key) holding the label'
            cand --min-quality 'Quality a model needs for --label-from-outcomes [default: the row''s best quality]'
            cand --min-confidence 'Confidence threshold [default: [ml] min_confidence, else the model''s]'
            cand --by 'Also report accuracy, fallback and under-routing per value of this column (e.g. `lang`)'
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --long 'Long format: one row per (request, model), grouped by `--id-col`, model in `--model-col`'
            cand --label-from-outcomes 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)'
            cand --skip-bad 'Skip malformed rows (reported on stderr; exit code 1 at the end)'
            cand --json 'Shorthand for `--format json`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;serve'= {
            cand --listen 'Address to listen on; port 0 picks a free port, printed on stderr [default: `[serve] listen`, 127.0.0.1:8080]'
            cand --keys-env 'Environment variable holding the client keys (comma-separated) a request must present as `Authorization: Bearer KEY` [default: `[serve] keys_env`; neither: no client auth]'
            cand --classifier 'Classifier file for the ML stage, or `builtin:tiers` (overrides `[ml] model`)'
            cand --max-request-bytes 'Largest request body in bytes, 1 KiB to 64 MiB [default: `[serve] max_request_bytes`, 4 MiB]'
            cand --max-concurrency 'Upstream calls in flight at most, 1 to 10,000; more requests wait [default: `[serve] max_concurrency`, 256]'
            cand --timeout 'Per-request upstream timeout in seconds (overrides `[live] timeout_secs`)'
            cand --deadline 'Deadline of one request, retries and fallbacks included (overrides `[live] deadline_secs`)'
            cand --shutdown-grace 'On SIGTERM/SIGINT, how long requests in flight may still take [default: `[serve] shutdown_grace_secs`, 10]'
            cand --workers 'Threads serving requests, 1 to 1,024; 0 for one per core [default: `[serve] workers`, 0]'
            cand --max-connections 'Client connections open at most, 16 to 1,048,576; at the cap a new one closes the oldest idle one [default: `[serve] max_connections`, 4096]'
            cand --header-read-timeout 'Seconds a client may take to send a request''s head, or to start the next one on a kept-alive connection [default: `[serve] header_read_timeout_secs`, 10]'
            cand --body-read-timeout 'Seconds a client may take to send a request''s body (408 after) [default: `[serve] body_read_timeout_secs`, 30]'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;report'= {
            cand --by 'Group by'
            cand --since 'Only decisions from this day on (YYYY-MM-DD in `[quota] timezone`, or an RFC 3339 time)'
            cand --days 'Only the last N days (0: all time)'
            cand --format 'Output format'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --json 'Shorthand for `--format json`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;state'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand export 'Write every quota counter, decision and feedback record of the configured store'
            cand import 'Read an export into the configured store (all or nothing; counters are never lowered)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;state;export'= {
            cand -o 'Write to this file instead of stdout'
            cand --output 'Write to this file instead of stdout'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --force 'Replace an existing output file'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;state;import'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;state;help'= {
            cand export 'Write every quota counter, decision and feedback record of the configured store'
            cand import 'Read an export into the configured store (all or nothing; counters are never lowered)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;state;help;export'= {
        }
        &'llmroute;state;help;import'= {
        }
        &'llmroute;state;help;help'= {
        }
        &'llmroute;completions'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;man'= {
            cand --dir 'Write every page (llmroute.1, llmroute-route.1, llmroute-feedback-add.1, …) to DIR'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;help'= {
            cand route 'Decide which model should answer a prompt'
            cand ask 'Route a prompt, call the model and print its answer'
            cand models 'List the model catalog'
            cand quota 'Show today''s quota usage, or reset it'
            cand config 'Write, show or check the configuration'
            cand simulate 'Replay logs under every strategy and print the savings table'
            cand batch 'Route every row of a log and stream one decision per row'
            cand feedback 'Record outcomes of routed requests; per-model stats; rule suggestions'
            cand train 'Train the ML router from labelled logs'
            cand evaluate 'Measure a trained model on a labelled file'
            cand serve 'Run an OpenAI-compatible routing gateway (POST /v1/chat/completions with model `auto`)'
            cand report 'What routed traffic cost against sending everything to the premium model, from the decision log'
            cand state 'Export or import the state (quotas, decisions, feedback) as JSON Lines'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff), of llmroute or of a subcommand, or write them all to a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;help;route'= {
        }
        &'llmroute;help;ask'= {
        }
        &'llmroute;help;models'= {
            cand import-prices 'Update the catalog''s prices from LiteLLM''s price table, editing the configuration in place (comments and layout kept); prints it, or writes it to --output or back with --in-place'
        }
        &'llmroute;help;models;import-prices'= {
        }
        &'llmroute;help;quota'= {
            cand reset 'Reset today''s counters (of one model, or all)'
        }
        &'llmroute;help;quota;reset'= {
        }
        &'llmroute;help;config'= {
            cand init 'Write the embedded default configuration to a file'
            cand show 'Print the effective configuration and where it came from'
            cand validate 'Check a configuration file (default: the effective one)'
        }
        &'llmroute;help;config;init'= {
        }
        &'llmroute;help;config;show'= {
        }
        &'llmroute;help;config;validate'= {
        }
        &'llmroute;help;simulate'= {
        }
        &'llmroute;help;batch'= {
        }
        &'llmroute;help;feedback'= {
            cand add 'Record the outcome of one request'
            cand import 'Load feedback from a CSV, JSON Lines or JSON file in one transaction (all or nothing)'
            cand stats 'Rating, success rate, latency and cost over a recent window'
            cand suggest 'Recommend rule changes from ratings (the article''s optimize_rules), as a TOML diff'
        }
        &'llmroute;help;feedback;add'= {
        }
        &'llmroute;help;feedback;import'= {
        }
        &'llmroute;help;feedback;stats'= {
        }
        &'llmroute;help;feedback;suggest'= {
        }
        &'llmroute;help;train'= {
        }
        &'llmroute;help;evaluate'= {
        }
        &'llmroute;help;serve'= {
        }
        &'llmroute;help;report'= {
        }
        &'llmroute;help;state'= {
            cand export 'Write every quota counter, decision and feedback record of the configured store'
            cand import 'Read an export into the configured store (all or nothing; counters are never lowered)'
        }
        &'llmroute;help;state;export'= {
        }
        &'llmroute;help;state;import'= {
        }
        &'llmroute;help;completions'= {
        }
        &'llmroute;help;man'= {
        }
        &'llmroute;help;help'= {
        }
    ]
    $completions[$command]
}
