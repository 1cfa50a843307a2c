
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
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the model catalog')
            [CompletionResult]::new('quota', 'quota', [CompletionResultType]::ParameterValue, 'Show today''s quota usage, or reset it')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Write, show or check the configuration')
            [CompletionResult]::new('train', 'train', [CompletionResultType]::ParameterValue, 'Train the ML router from labelled logs')
            [CompletionResult]::new('evaluate', 'evaluate', [CompletionResultType]::ParameterValue, 'Measure a trained model on a labelled file')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;route' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Task tag matched by rules with `tags`')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Routing strategy')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Trained model for the ML stage (overrides `[ml] model`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Treat the input as an OpenAI chat-completions body and route on the last user message')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Show every stage''s verdict and the difficulty breakdown')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Decide without counting against the daily quota')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;models' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;quota' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
        'llmroute;train' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the model')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the model')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Input format [default: from the extension, else sniffed]')
            [CompletionResult]::new('--text-col', '--text-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the prompt')
            [CompletionResult]::new('--label-col', '--label-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the label')
            [CompletionResult]::new('--min-quality', '--min-quality', [CompletionResultType]::ParameterName, 'Quality a model needs for --label-from-outcomes [default: the row''s best quality]')
            [CompletionResult]::new('--valid', '--valid', [CompletionResultType]::ParameterName, 'Validation file (instead of holding out --valid-split of DATA)')
            [CompletionResult]::new('--valid-split', '--valid-split', [CompletionResultType]::ParameterName, 'Share of DATA held out for validation (seeded); 0 disables validation')
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
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing model file')
            [CompletionResult]::new('--label-from-outcomes', '--label-from-outcomes', [CompletionResultType]::ParameterName, 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)')
            [CompletionResult]::new('--sublinear-tf', '--sublinear-tf', [CompletionResultType]::ParameterName, 'Use 1 + ln(tf) instead of raw term counts')
            [CompletionResult]::new('--calibrate', '--calibrate', [CompletionResultType]::ParameterName, 'Choose the threshold on the validation data (max accuracy-after-fallback, or --target-premium-share)')
            [CompletionResult]::new('--skip-bad', '--skip-bad', [CompletionResultType]::ParameterName, 'Skip malformed rows (reported on stderr; exit code 1 at the end)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the report as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'llmroute;evaluate' {
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Trained model file')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Input format [default: from the extension, else sniffed]')
            [CompletionResult]::new('--text-col', '--text-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the prompt')
            [CompletionResult]::new('--label-col', '--label-col', [CompletionResultType]::ParameterName, 'Column (or JSON key) holding the label')
            [CompletionResult]::new('--min-quality', '--min-quality', [CompletionResultType]::ParameterName, 'Quality bar for --label-from-outcomes')
            [CompletionResult]::new('--min-confidence', '--min-confidence', [CompletionResultType]::ParameterName, 'Confidence threshold [default: [ml] min_confidence, else the model''s]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('--label-from-outcomes', '--label-from-outcomes', [CompletionResultType]::ParameterName, 'Labels from outcome columns (see `train --label-from-outcomes`)')
            [CompletionResult]::new('--skip-bad', '--skip-bad', [CompletionResultType]::ParameterName, 'Skip malformed rows (reported on stderr; exit code 1 at the end)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'llmroute;help' {
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Decide which model should answer a prompt')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the model catalog')
            [CompletionResult]::new('quota', 'quota', [CompletionResultType]::ParameterValue, 'Show today''s quota usage, or reset it')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Write, show or check the configuration')
            [CompletionResult]::new('train', 'train', [CompletionResultType]::ParameterValue, 'Train the ML router from labelled logs')
            [CompletionResult]::new('evaluate', 'evaluate', [CompletionResultType]::ParameterValue, 'Measure a trained model on a labelled file')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;help;route' {
            break
        }
        'llmroute;help;models' {
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
        'llmroute;help;train' {
            break
        }
        'llmroute;help;evaluate' {
            break
        }
        'llmroute;help;completions' {
            break
        }
        'llmroute;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
