//! Rule-based routing: the first rule whose conditions all hold decides.

use crate::config::{Config, KeywordMatch, Route, Rule};
use crate::router::{Decision, Eval, Method, Router, Stage, Verdict};
use crate::text::{Analysis, KeywordId, KeywordIndexBuilder};

#[derive(Clone)]
struct Compiled {
    rule: Rule,
    keywords: Vec<KeywordId>,
}

/// Shared compiled rules, exposed as two routers: in the chain (declines when nothing matches) and
/// standalone (the article's RuleBasedRouter, which falls back to its default route).
#[derive(Clone)]
pub struct RuleRouter {
    pub in_chain: Rules,
    pub standalone: Rules,
}

#[derive(Clone)]
pub struct Rules {
    rules: std::sync::Arc<Vec<Compiled>>,
    default: Option<Route>,
}

impl RuleRouter {
    pub fn new(config: &Config, kw: &mut KeywordIndexBuilder) -> RuleRouter {
        let rules: Vec<Compiled> = config
            .rules
            .iter()
            .map(|r| Compiled { keywords: r.keywords.iter().map(|k| kw.add(k)).collect(), rule: r.clone() })
            .collect();
        let rules = std::sync::Arc::new(rules);
        RuleRouter {
            in_chain: Rules { rules: rules.clone(), default: None },
            standalone: Rules { rules, default: Some(config.default_route.clone()) },
        }
    }
}

impl Rules {
    /// The first matching rule and the keywords that matched it.
    pub fn matching<'r>(&'r self, a: &Analysis) -> Option<(&'r Rule, Vec<&'r str>)> {
        self.rules.iter().find_map(|c| matches(c, a).map(|kws| (&c.rule, kws)))
    }
}

fn matches<'r>(c: &'r Compiled, a: &Analysis) -> Option<Vec<&'r str>> {
    let r = &c.rule;
    let mut hits = Vec::new();
    if !c.keywords.is_empty() {
        for (i, &id) in c.keywords.iter().enumerate() {
            if a.has(id) {
                hits.push(r.keywords[i].as_str());
            }
        }
        let ok = match r.keyword_match {
            KeywordMatch::Any => !hits.is_empty(),
            KeywordMatch::All => hits.len() == c.keywords.len(),
        };
        if !ok {
            return None;
        }
    }
    if r.min_length.is_some_and(|m| a.chars < m) || r.max_length.is_some_and(|m| a.chars > m) {
        return None;
    }
    if !r.tags.is_empty() && !a.tag.is_some_and(|t| r.tags.iter().any(|x| x.eq_ignore_ascii_case(t))) {
        return None;
    }
    if let Some(re) = &r.regex
        && !re.is_match(a.text)
    {
        return None;
    }
    Some(hits)
}

impl Router for Rules {
    fn stage(&self) -> &'static str {
        "rules"
    }

    fn route(&self, eval: &mut Eval) -> Verdict {
        // The standalone router is the chain's rules plus the default route: it reads the rules'
        // verdict instead of matching again.
        if let Some(d) = &self.default {
            return match eval.verdict(Stage::Rules) {
                Verdict::Decide(decided) => Verdict::Decide(decided.clone()),
                Verdict::Decline(_) => {
                    let mut decision = Decision::new(d.model, d.params, Method::Rule, "default");
                    decision.rule = Some("default".to_string());
                    Verdict::Decide(decision)
                }
            };
        }
        match self.matching(eval.analysis()) {
            Some((rule, _)) => {
                let mut d = Decision::new(rule.model, rule.params, Method::Rule, rule.name.clone());
                d.rule = Some(rule.name.clone());
                Verdict::Decide(d)
            }
            None => Verdict::Decline("no rule matched".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, EMBEDDED_DEFAULT, Source};
    use crate::router::{Engine, Stage, Verdict};

    fn route(text: &str, standalone: bool) -> Option<(String, String, String)> {
        let c = Config::from_str(EMBEDDED_DEFAULT, Source::Embedded).unwrap();
        let e = Engine::new(&c, None).unwrap();
        let mut eval = e.eval(text, None);
        let stage = if standalone { Stage::RulesOrDefault } else { Stage::Rules };
        match eval.verdict(stage).clone() {
            Verdict::Decide(d) => Some((c.models[d.model].name.clone(), d.reason, format!("{:?}", d.params))),
            Verdict::Decline(_) => None,
        }
    }

    #[test]
    fn article_examples_route_as_in_the_article() {
        let (m, r, p) = route("你好", true).unwrap();
        assert_eq!((m.as_str(), r.as_str()), ("gpt-4o-mini", "greeting"));
        assert!(p.contains("temperature: Some(0.3)") && p.contains("max_tokens: Some(100)"), "{p}");
        let (m, r, _) = route("帮我写代码实现快速排序", true).unwrap();
        assert_eq!((m.as_str(), r.as_str()), ("claude-3-sonnet", "code_generation"));
        let (m, r, p) = route("分析一下这只股票的财报", true).unwrap();
        assert_eq!((m.as_str(), r.as_str()), ("gpt-4o", "financial_analysis"));
        assert!(p.contains("temperature: Some(0.1)") && p.contains("max_tokens: Some(1000)"), "{p}");
    }

    #[test]
    fn rules_are_tried_in_order() {
        // Greeting comes before code generation.
        let (m, r, _) = route("hello, 帮我写代码", true).unwrap();
        assert_eq!((m.as_str(), r.as_str()), ("gpt-4o-mini", "greeting"));
    }

    #[test]
    fn standalone_rules_use_the_default_route_and_the_chain_stage_declines() {
        let (m, r, p) = route("what is the capital of France", true).unwrap();
        assert_eq!((m.as_str(), r.as_str()), ("gpt-4o-mini", "default"));
        assert!(p.contains("temperature: Some(0.7)") && p.contains("max_tokens: None"), "{p}");
        assert!(route("what is the capital of France", false).is_none());
    }

    #[test]
    fn hi_inside_a_word_does_not_trigger_the_greeting_rule() {
        // The article's substring test would send this to the greeting rule.
        assert!(route("explain this theorem", false).is_none());
        assert_eq!(route("Hi! explain this theorem", false).unwrap().1, "greeting");
    }
}
