//! Rule-based routing: the first rule whose conditions all hold decides.

use crate::config::{Config, KeywordMatch, Route, Rule};
use crate::router::{Decision, Eval, Label, Method, Router, Stage, Verdict};
use crate::text::{Analysis, KeywordId, KeywordIndexBuilder};

#[derive(Clone)]
struct Compiled {
    rule: Rule,
    /// The rule's name, shared by its decisions.
    name: std::sync::Arc<str>,
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
            .map(|r| Compiled {
                keywords: r.keywords.iter().map(|k| kw.add(k)).collect(),
                name: std::sync::Arc::from(r.name.as_str()),
                rule: r.clone(),
            })
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

    /// The first matching rule, without collecting the keywords that matched.
    fn first(&self, a: &Analysis) -> Option<&Compiled> {
        self.rules.iter().find(|c| holds(c, a))
    }
}

/// Whether every condition of `c` holds (the keyword test counts hits without keeping them).
fn holds(c: &Compiled, a: &Analysis) -> bool {
    let r = &c.rule;
    if !c.keywords.is_empty() {
        let hits = c.keywords.iter().filter(|&&id| a.has(id)).count();
        let ok = match r.keyword_match {
            KeywordMatch::Any => hits > 0,
            KeywordMatch::All => hits == c.keywords.len(),
        };
        if !ok {
            return false;
        }
    }
    if r.min_length.is_some_and(|m| a.chars < m) || r.max_length.is_some_and(|m| a.chars > m) {
        return false;
    }
    if !r.tags.is_empty() && !a.tag.is_some_and(|t| r.tags.iter().any(|x| x.eq_ignore_ascii_case(t))) {
        return false;
    }
    r.regex.as_ref().is_none_or(|re| re.is_match(a.text))
}

fn matches<'r>(c: &'r Compiled, a: &Analysis) -> Option<Vec<&'r str>> {
    if !holds(c, a) {
        return None;
    }
    Some(c.keywords.iter().zip(&c.rule.keywords).filter(|(id, _)| a.has(**id)).map(|(_, k)| k.as_str()).collect())
}

impl Router for Rules {
    fn stage(&self) -> &'static str {
        "rules"
    }

    fn route(&self, eval: &mut Eval) -> Verdict {
        // The standalone router is the chain's rules plus the default route: it reads the rules'
        // verdict instead of matching again.
        if let Some(d) = &self.default {
            return match eval.verdict(Stage::RULES) {
                Verdict::Decide(decided) => Verdict::Decide(decided.clone()),
                Verdict::Decline(_) => {
                    let mut decision = Decision::new(d.model, d.params, Method::RULE, "default");
                    decision.rule = Some("default".into());
                    Verdict::Decide(decision)
                }
            };
        }
        match self.first(eval.analysis()) {
            Some(c) => {
                let name = Label::from(&c.name);
                let mut d = Decision::new(c.rule.model, c.rule.params, Method::RULE, name.clone());
                d.rule = Some(name);
                Verdict::Decide(d)
            }
            None => Verdict::Decline("no rule matched".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{ARTICLE_PROFILE, Config, EMBEDDED_DEFAULT, Source};
    use crate::router::{Engine, Stage, Verdict};

    fn route(text: &str, standalone: bool) -> Option<(String, String, String)> {
        route_with(ARTICLE_PROFILE, text, standalone, None)
    }

    fn route_with(profile: &str, text: &str, standalone: bool, tag: Option<&str>) -> Option<(String, String, String)> {
        let c = Config::from_str(profile, Source::Embedded).unwrap();
        let e = Engine::new(&c, None).unwrap();
        let mut eval = e.eval(text, tag);
        let stage = if standalone { Stage::RULES_OR_DEFAULT } else { Stage::RULES };
        match eval.verdict(stage).clone() {
            Verdict::Decide(d) => {
                Some((c.models[d.model].name.clone(), d.reason.to_string(), format!("{:?}", d.params)))
            }
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

    #[test]
    fn default_rules_honour_tags_and_speak_english() {
        let rule =
            |text: &str, tag: Option<&str>| route_with(EMBEDDED_DEFAULT, text, false, tag).map(|(m, r, _)| (m, r));
        let pair = |m: &str, r: &str| Some((m.to_string(), r.to_string()));
        assert_eq!(rule("bonjour", Some("translate")), pair("gpt-4o-mini", "tag_translate"));
        assert_eq!(rule("write a parser", Some("code")), pair("claude-3-sonnet", "tag_code"));
        assert_eq!(rule("this report", Some("summarize")), pair("claude-3-haiku", "tag_summarize"));
        assert_eq!(rule("hello there", None), pair("gpt-4o-mini", "greeting"));
        assert_eq!(rule("Translate 'good night' into French", None), pair("gpt-4o-mini", "translation"));
        assert_eq!(rule("你好", None), pair("gpt-4o-mini", "greeting"));
        // A long text that mentions translation is not a short translation request.
        let long = format!("translate {}", "the clause on liability and indemnity ".repeat(10));
        assert_eq!(rule(&long, None), None);
        assert_eq!(rule("Prove that the square root of 2 is irrational.", None), None);
    }
}
