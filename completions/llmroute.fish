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
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "models" -d 'List the model catalog'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "quota" -d 'Show today\'s quota usage, or reset it'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "config" -d 'Write, show or check the configuration'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c llmroute -n "__fish_llmroute_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l tag -d 'Task tag matched by rules with `tags`' -r
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l strategy -d 'Routing strategy' -r -f -a "chain\t'The production chain (`[chain] stages`)'
rules\t'The rules alone, with the default route when no rule matches (the article\'s RuleBasedRouter)'
difficulty\t'The difficulty score alone'"
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l chat -d 'Treat the input as an OpenAI chat-completions body and route on the last user message'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l json -d 'Print one JSON object'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l explain -d 'Show every stage\'s verdict and the difficulty breakdown'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -l dry-run -d 'Decide without counting against the daily quota'
complete -c llmroute -n "__fish_llmroute_using_subcommand route" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c llmroute -n "__fish_llmroute_using_subcommand models" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand models" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand models" -l json -d 'Print JSON'
complete -c llmroute -n "__fish_llmroute_using_subcommand models" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -l json -d 'Print JSON'
complete -c llmroute -n "__fish_llmroute_using_subcommand quota; and not __fish_seen_subcommand_from reset help" -s h -l help -d 'Print help'
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
complete -c llmroute -n "__fish_llmroute_using_subcommand completions" -l config -d 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand completions" -l state -d 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]' -r -F
complete -c llmroute -n "__fish_llmroute_using_subcommand completions" -s h -l help -d 'Print help'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route models quota config completions help" -f -a "route" -d 'Decide which model should answer a prompt'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route models quota config completions help" -f -a "models" -d 'List the model catalog'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route models quota config completions help" -f -a "quota" -d 'Show today\'s quota usage, or reset it'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route models quota config completions help" -f -a "config" -d 'Write, show or check the configuration'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route models quota config completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and not __fish_seen_subcommand_from route models quota config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from quota" -f -a "reset" -d 'Reset today\'s counters (of one model, or all)'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write the embedded default configuration to a file'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective configuration and where it came from'
complete -c llmroute -n "__fish_llmroute_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "validate" -d 'Check a configuration file (default: the effective one)'
