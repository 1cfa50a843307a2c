//! The cost–quality plane of a replay, as PNG or SVG (plotters, with an embedded font so no
//! system fonts are needed).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::fsutil::AtomicFile;
use crate::replay::report::SimReport;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-subset.ttf");

fn register() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// The series' colours (Tableau 10 without its grey, which the single-model hull uses).
const COLORS: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
];

/// The single-model hull's colour.
const HULL: RGBColor = RGBColor(120, 120, 120);
/// The adaptive learning steps' colour.
const ADAPTIVE: RGBColor = RGBColor(90, 90, 200);

/// The colour of the `i`-th series (routing curves first, then the strategies' dots): the
/// palette, then hues spread by the golden angle, so that no two series share a colour.
fn series_color(i: usize) -> RGBColor {
    if let Some(&c) = COLORS.get(i) {
        return c;
    }
    let k = (i - COLORS.len()) as f64;
    let hue = (k * 137.507_764 + 15.0) % 360.0;
    // Lightness alternates so that hues close on the wheel still differ.
    let light = if (i - COLORS.len()).is_multiple_of(2) { 0.40 } else { 0.55 };
    let (r, g, b) = HSLColor(hue / 360.0, 0.65, light).rgb();
    RGBColor(r, g, b)
}

/// Writes the plot; the format follows the extension (`.png` or `.svg`). An existing file is
/// replaced only with `overwrite`.
pub fn draw(path: &Path, r: &SimReport, overwrite: bool) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("png" | "svg")) {
        return Err(Error::Usage(format!("{}: the plot must end in .png or .svg", path.display())));
    }
    // The temporary file keeps the extension, which tells the image encoder the format.
    let file = AtomicFile::create(path, overwrite)?;
    let tmp = file.temp_path().to_path_buf();
    let fail = |e: String| Error::Usage(format!("{}: cannot draw the plot: {e}", path.display()));
    register();
    if ext.as_deref() == Some("png") {
        let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
        render(&root, r).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    } else {
        let root = SVGBackend::new(&tmp, SIZE).into_drawing_area();
        render(&root, r).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    file.commit()
}

/// Width and height of the image; the legend takes the right [`LEGEND`] pixels, outside the data.
const SIZE: (u32, u32) = (1200, 720);
const LEGEND: u32 = 340;

/// What a legend entry shows beside its label.
enum Mark {
    Line(RGBAColor),
    Dot(RGBAColor),
    Cross,
}

/// An axis' range, low to high.
type Range = (f64, f64);

/// The axes' ranges: every point drawn (strategies, curves, single models, adaptive steps) inside,
/// with a margin.
fn bounds(
    r: &SimReport,
    single: &[(f64, f64)],
    adaptive: &[(f64, f64)],
) -> std::result::Result<(Range, Range), Box<dyn std::error::Error + 'static>> {
    let mut pts: Vec<(f64, f64)> = r.strategies.iter().filter_map(|s| s.quality.map(|q| (s.avg_cost, q))).collect();
    for c in r.curves.iter().map(|c| &c.points) {
        pts.extend(c.iter().map(|p| (p.cost, p.quality)));
    }
    pts.extend(single.iter().chain(adaptive));
    let pos: Vec<(f64, f64)> = pts.into_iter().filter(|p| p.0 > 0.0 && p.1.is_finite()).collect();
    if pos.is_empty() {
        return Err("no strategy has both a cost and a known quality".into());
    }
    let (x0, x1) = pos.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pos.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (x0, x1) = (x0 / 1.6, x1 * 1.6);
    let pad = ((y1 - y0) * 0.08).max(0.02);
    let (y0, y1) = ((y0 - pad).max(0.0).min(y0), y1 + pad);
    Ok(((x0, x1), (y0, y1)))
}

fn render<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    r: &SimReport,
) -> std::result::Result<(), Box<dyn std::error::Error + 'static>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let single: Vec<(f64, f64)> =
        r.models.iter().filter_map(|m| m.quality.map(|q| (m.avg_cost, q))).filter(|p| p.0 > 0.0).collect();
    let adaptive: Vec<(f64, f64)> = r
        .adaptive_learning_curve
        .iter()
        .flatten()
        .filter_map(|c| c.quality.map(|q| (c.avg_cost, q)))
        .filter(|p| p.0 > 0.0)
        .collect();
    let ((x0, x1), (y0, y1)) = bounds(r, &single, &adaptive)?;
    let (plot, legend_area) = root.split_horizontally(SIZE.0 - LEGEND);
    let mut chart = ChartBuilder::on(&plot)
        .caption(format!("cost vs quality: {} requests", r.rows), ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(60)
        .build_cartesian_2d((x0..x1).log_scale(), y0..y1)?;
    chart
        .configure_mesh()
        .x_desc("average cost per request (USD, log scale)")
        .y_desc("quality")
        .x_label_formatter(&|x| format!("{x:.1e}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .label_style(("sans-serif", 14))
        .draw()?;
    let mut legend: Vec<(String, Mark)> = Vec::new();

    // Zero router: the hull of the single models.
    let hull = crate::replay::metrics::hull(&single);
    if hull.len() >= 2 {
        // Mixing two models is linear in cost; sample it so it bends correctly on the log axis.
        let mut line = Vec::new();
        for w in hull.windows(2) {
            for i in 0..=40 {
                let t = f64::from(i) / 40.0;
                line.push((w[0].0 + t * (w[1].0 - w[0].0), w[0].1 + t * (w[1].1 - w[0].1)));
            }
        }
        let grey = HULL;
        chart.draw_series(LineSeries::new(line, ShapeStyle::from(&grey).stroke_width(2)))?;
        legend.push(("zero router (single-model hull)".to_string(), Mark::Line(grey.to_rgba())));
    }
    // Single models, labelled on the side that stays inside the frame.
    let mid_x = (x0.ln() + x1.ln()) / 2.0;
    for m in &r.models {
        if let Some(q) = m.quality.filter(|_| m.avg_cost > 0.0) {
            chart.draw_series(std::iter::once(Cross::new((m.avg_cost, q), 7, BLACK.stroke_width(2))))?;
            let h = if m.avg_cost.ln() > mid_x { HPos::Right } else { HPos::Left };
            let v = if q > (y0 + y1) / 2.0 { VPos::Top } else { VPos::Bottom };
            let style = ("sans-serif", 13).into_font().color(&BLACK).pos(Pos::new(h, v));
            chart.draw_series(std::iter::once(Text::new(
                crate::replay::short(&m.name).to_string(),
                (m.avg_cost, q),
                style,
            )))?;
        }
    }
    if !single.is_empty() {
        legend.push(("single model".to_string(), Mark::Cross));
    }
    for (i, (name, c)) in r.curves.iter().map(|c| (&c.name, &c.points)).enumerate() {
        let color = series_color(i).mix(0.5);
        let line: Vec<(f64, f64)> = c.iter().filter(|p| p.cost > 0.0).map(|p| (p.cost, p.quality)).collect();
        chart.draw_series(LineSeries::new(line, color.stroke_width(2)))?;
        legend.push((format!("{name} curve"), Mark::Line(color)));
    }
    if !adaptive.is_empty() {
        let color = ADAPTIVE;
        chart.draw_series(LineSeries::new(adaptive.clone(), color.stroke_width(1)))?;
        chart.draw_series(adaptive.iter().map(|&p| TriangleMarker::new(p, 4, color.filled())))?;
        legend.push(("adaptive learning (tenths of the log)".to_string(), Mark::Line(color.to_rgba())));
    }
    for (i, s) in r.strategies.iter().filter(|s| !s.single).enumerate() {
        let Some(q) = s.quality else { continue };
        if s.avg_cost <= 0.0 {
            continue;
        }
        // After the curves' colours: a strategy's dot never takes a curve's colour.
        let color = series_color(r.curves.len() + i);
        chart.draw_series(std::iter::once(Circle::new((s.avg_cost, q), 6, color.filled())))?;
        legend.push((s.name.clone(), Mark::Dot(color.to_rgba())));
    }
    draw_legend(&legend_area, &legend)
}

/// The legend, in its own area right of the chart: it never covers data.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, Mark)],
) -> std::result::Result<(), Box<dyn std::error::Error + 'static>>
where
    DB::ErrorType: 'static,
{
    let font = ("sans-serif", 13).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    let top = 60;
    for (i, (label, mark)) in entries.iter().enumerate() {
        let y = top + 22 * i as i32;
        match mark {
            Mark::Line(c) => area.draw(&PathElement::new(vec![(8, y), (30, y)], c.stroke_width(2)))?,
            Mark::Dot(c) => area.draw(&Circle::new((19, y), 5, c.filled()))?,
            Mark::Cross => area.draw(&Cross::new((19, y), 5, BLACK.stroke_width(2)))?,
        }
        area.draw(&Text::new(label.clone(), (38, y), font.clone()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_gets_its_own_colour_apart_from_the_hull_and_the_adaptive_steps() {
        let colors: Vec<(u8, u8, u8)> = (0..40).map(|i| series_color(i).rgb()).collect();
        for (i, a) in colors.iter().enumerate() {
            for b in &colors[i + 1..] {
                assert_ne!(a, b, "{colors:?}");
            }
            assert_ne!(*a, HULL.rgb());
            assert_ne!(*a, ADAPTIVE.rgb());
        }
        // The first ten are the palette's, in its order.
        assert_eq!(series_color(3), RGBColor(214, 39, 40));
    }
}
