
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
            cand models 'List the model catalog'
            cand quota 'Show today''s quota usage, or reset it'
            cand config 'Write, show or check the configuration'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;route'= {
            cand --tag 'Task tag matched by rules with `tags`'
            cand --strategy 'Routing strategy'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --chat 'Treat the input as an OpenAI chat-completions body and route on the last user message'
            cand --json 'Print one JSON object'
            cand --explain 'Show every stage''s verdict and the difficulty breakdown'
            cand --dry-run 'Decide without counting against the daily quota'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;models'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;quota'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
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
        &'llmroute;completions'= {
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'llmroute;help'= {
            cand route 'Decide which model should answer a prompt'
            cand models 'List the model catalog'
            cand quota 'Show today''s quota usage, or reset it'
            cand config 'Write, show or check the configuration'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;help;route'= {
        }
        &'llmroute;help;models'= {
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
        &'llmroute;help;completions'= {
        }
        &'llmroute;help;help'= {
        }
    ]
    $completions[$command]
}
