//! `simulate --plot` (issue 17): every point inside the axes (adaptive steps included), model
//! labels inside the frame, the legend outside the data. Read from the SVG the binary writes.

use crate::harness::{Env, fixture};

struct Svg {
    text: String,
}

impl Svg {
    /// `(attributes, body)` of every `<tag …>` element (bodies only for `text`).
    fn elements(&self, tag: &str) -> Vec<(std::collections::HashMap<String, String>, String)> {
        let mut out = Vec::new();
        let open = format!("<{tag} ");
        let mut rest = self.text.as_str();
        while let Some(i) = rest.find(&open) {
            rest = &rest[i + open.len()..];
            let end = rest.find('>').unwrap();
            let attrs = parse_attrs(&rest[..end]);
            let body = if tag == "text" {
                rest[end + 1..rest.find("</text>").unwrap()].trim().to_string()
            } else {
                String::new()
            };
            out.push((attrs, body));
        }
        out
    }
}

fn parse_attrs(s: &str) -> std::collections::HashMap<String, String> {
    let mut m = std::collections::HashMap::new();
    let mut rest = s;
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].trim().rsplit(' ').next().unwrap().to_string();
        let after = &rest[eq + 2..];
        let close = after.find('"').unwrap();
        m.insert(key, after[..close].to_string());
        rest = &after[close + 1..];
    }
    m
}

fn points(s: &str) -> Vec<(f64, f64)> {
    s.split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

#[test]
fn the_plot_keeps_points_inside_the_axes_labels_inside_the_frame_and_the_legend_outside_the_data() {
    let env = Env::new();
    let f = fixture::arg(fixture::ROUTELLM);
    env.run(&["simulate", &f, "--bootstrap", "0", "--plot", "plane.svg"]).ok();
    let svg = Svg { text: std::fs::read_to_string(env.path("plane.svg")).unwrap() };
    // The frame: the y axis is the first line drawn (left, top to bottom); the chart ends 16 px
    // (its margin) before the legend's 340 px.
    let axis = points(&svg.elements("polyline")[0].0["points"]);
    let (left, top, bottom) = (axis[0].0, axis[0].1, axis[1].1);
    let right = 1200.0 - 340.0 - 16.0;
    assert!(left > 40.0 && top > 20.0 && bottom > 600.0, "{axis:?}");
    let inside = |(x, y): (f64, f64)| x >= left - 1.0 && x <= right + 1.0 && y >= top - 1.0 && y <= bottom + 1.0;
    let mut data_points = 0;
    // Curves (colored lines), strategies (circles) and the adaptive steps (triangles); black
    // lines are the axes and their ticks. Legend samples sit right of the chart.
    for (a, _) in svg.elements("polyline") {
        if a["stroke"] == "#000000" {
            continue;
        }
        let pts = points(&a["points"]);
        if pts.iter().all(|p| p.0 > right + 16.0) {
            continue;
        }
        for p in pts {
            data_points += 1;
            assert!(inside(p), "a curve's point {p:?} is outside the axes");
        }
    }
    for (a, _) in svg.elements("circle") {
        let p: (f64, f64) = (a["cx"].parse().unwrap(), a["cy"].parse().unwrap());
        if p.0 < right + 16.0 {
            data_points += 1;
            assert!(inside(p), "a strategy's point {p:?} is outside the axes");
        }
    }
    for (a, _) in svg.elements("polygon") {
        for p in points(&a["points"]) {
            data_points += 1;
            assert!(inside(p), "an adaptive step {p:?} is outside the axes");
        }
    }
    assert!(data_points > 1000, "{data_points}");
    // Model labels: inside the frame whichever side of their point they are drawn on (13 px
    // sans-serif: under 8 px per character).
    let texts = svg.elements("text");
    for name in ["Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview"] {
        let (a, _) = texts.iter().find(|(_, body)| body == name).unwrap_or_else(|| panic!("no label {name}"));
        let x: f64 = a["x"].parse().unwrap();
        let width = 8.0 * name.len() as f64;
        let (from, to) = if a["text-anchor"] == "end" { (x - width, x) } else { (x, x + width) };
        assert!(from >= left && to <= right, "{name} spans {from}..{to}, the frame {left}..{right}");
    }
    // The legend: every strategy and curve, right of the chart.
    for label in ["rules", "chain", "oracle (upper bound)", "difficulty curve", "adaptive learning (tenths of the log)"]
    {
        let (a, _) = texts.iter().find(|(_, body)| body == label).unwrap_or_else(|| panic!("no legend entry {label}"));
        assert!(a["x"].parse::<f64>().unwrap() > right + 16.0, "{label} is drawn over the chart");
    }
}

#[test]
fn every_curve_and_strategy_of_the_plot_has_its_own_colour() {
    let env = Env::new();
    let f = fixture::arg(fixture::ROUTELLM);
    env.run(&["simulate", &f, "--bootstrap", "0", "--plot", "plane.svg"]).ok();
    let svg = Svg { text: std::fs::read_to_string(env.path("plane.svg")).unwrap() };
    // The legend's dots (radius 5), one per strategy.
    let dots: Vec<String> =
        svg.elements("circle").into_iter().filter(|(a, _)| a["r"] == "5").map(|(a, _)| a["fill"].clone()).collect();
    // The routing curves (half opaque), drawn in the chart and again in the legend.
    let mut curves: Vec<String> = svg
        .elements("polyline")
        .into_iter()
        .filter(|(a, _)| a.get("opacity").is_some_and(|o| o == "0.5"))
        .map(|(a, _)| a["stroke"].clone())
        .collect();
    curves.sort();
    curves.dedup();
    let mut all = [dots.clone(), curves.clone()].concat();
    assert!(dots.len() >= 5 && curves.len() >= 2, "{dots:?} {curves:?}");
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "a colour is shared: dots {dots:?}, curves {curves:?}");
}
