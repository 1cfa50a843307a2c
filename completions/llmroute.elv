
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
            cand train 'Train the ML router from labelled logs'
            cand evaluate 'Measure a trained model on a labelled file'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'llmroute;route'= {
            cand --tag 'Task tag matched by rules with `tags`'
            cand --strategy 'Routing strategy'
            cand --model 'Trained model for the ML stage (overrides `[ml] model`)'
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
        &'llmroute;train'= {
            cand -o 'Where to write the model'
            cand --output 'Where to write the model'
            cand --format 'Input format [default: from the extension, else sniffed]'
            cand --text-col 'Column (or JSON key) holding the prompt'
            cand --label-col 'Column (or JSON key) holding the label'
            cand --min-quality 'Quality a model needs for --label-from-outcomes [default: the row''s best quality]'
            cand --valid 'Validation file (instead of holding out --valid-split of DATA)'
            cand --valid-split 'Share of DATA held out for validation (seeded); 0 disables validation'
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
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --force 'Overwrite an existing model file'
            cand --label-from-outcomes 'Label each row with the cheapest model that was good enough (RouterBench columns `<model>` and `<model>|total_cost`)'
            cand --sublinear-tf 'Use 1 + ln(tf) instead of raw term counts'
            cand --calibrate 'Choose the threshold on the validation data (max accuracy-after-fallback, or --target-premium-share)'
            cand --skip-bad 'Skip malformed rows (reported on stderr; exit code 1 at the end)'
            cand --json 'Print the report as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'llmroute;evaluate'= {
            cand --model 'Trained model file'
            cand --format 'Input format [default: from the extension, else sniffed]'
            cand --text-col 'Column (or JSON key) holding the prompt'
            cand --label-col 'Column (or JSON key) holding the label'
            cand --min-quality 'Quality bar for --label-from-outcomes'
            cand --min-confidence 'Confidence threshold [default: [ml] min_confidence, else the model''s]'
            cand --config 'Configuration file [default: $LLMROUTE_CONFIG, ./llmroute.toml, the embedded default]'
            cand --state 'State store [default: $LLMROUTE_STATE, $XDG_STATE_HOME/llmroute/state.db]'
            cand --label-from-outcomes 'Labels from outcome columns (see `train --label-from-outcomes`)'
            cand --skip-bad 'Skip malformed rows (reported on stderr; exit code 1 at the end)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
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
            cand train 'Train the ML router from labelled logs'
            cand evaluate 'Measure a trained model on a labelled file'
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
        &'llmroute;help;train'= {
        }
        &'llmroute;help;evaluate'= {
        }
        &'llmroute;help;completions'= {
        }
        &'llmroute;help;help'= {
        }
    ]
    $completions[$command]
}
