
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
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'llmroute;route' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Task tag matched by rules with `tags`')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Routing strategy')
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
