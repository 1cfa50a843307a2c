//! The cost–quality plane of a replay, as PNG or SVG (plotters, with an embedded font so no
//! system fonts are needed).

use std::path::Path;

use plotters::prelude::*;

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

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

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
        let root = BitMapBackend::new(&tmp, (1100, 720)).into_drawing_area();
        render(&root, r).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    } else {
        let root = SVGBackend::new(&tmp, (1100, 720)).into_drawing_area();
        render(&root, r).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    file.commit()
}

fn render<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    r: &SimReport,
) -> std::result::Result<(), Box<dyn std::error::Error + 'static>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let mut pts: Vec<(f64, f64)> = r.strategies.iter().filter_map(|s| s.quality.map(|q| (s.avg_cost, q))).collect();
    for c in r.curves.iter().map(|c| &c.points) {
        pts.extend(c.iter().map(|p| (p.cost, p.quality)));
    }
    let pos: Vec<(f64, f64)> = pts.into_iter().filter(|p| p.0 > 0.0 && p.1.is_finite()).collect();
    if pos.is_empty() {
        return Err("no strategy has both a cost and a known quality".into());
    }
    let (mut x0, mut x1) = pos.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = pos.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    x0 /= 1.4;
    x1 *= 1.4;
    let pad = ((y1 - y0) * 0.08).max(0.02);
    y0 = (y0 - pad).max(0.0);
    y1 = (y1 + pad).min(1.05);
    let mut chart = ChartBuilder::on(root)
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

    // Zero router: the hull of the single models.
    let single: Vec<(f64, f64)> =
        r.models.iter().filter_map(|m| m.quality.map(|q| (m.avg_cost, q))).filter(|p| p.0 > 0.0).collect();
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
        chart
            .draw_series(LineSeries::new(line, ShapeStyle::from(&RGBColor(120, 120, 120)).stroke_width(2)))?
            .label("zero router (single-model hull)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RGBColor(120, 120, 120)));
    }
    for m in &r.models {
        if let Some(q) = m.quality.filter(|_| m.avg_cost > 0.0) {
            chart.draw_series(std::iter::once(Cross::new((m.avg_cost, q), 7, BLACK.stroke_width(2))))?;
            chart.draw_series(std::iter::once(Text::new(
                crate::replay::short(&m.name).to_string(),
                (m.avg_cost, q),
                ("sans-serif", 13).into_font().color(&BLACK),
            )))?;
        }
    }
    for (i, (name, c)) in r.curves.iter().map(|c| (&c.name, &c.points)).enumerate() {
        let color = COLORS[i % COLORS.len()].mix(0.5);
        let line: Vec<(f64, f64)> = c.iter().filter(|p| p.cost > 0.0).map(|p| (p.cost, p.quality)).collect();
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))?
            .label(format!("{name} curve"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
    }
    if let Some(lc) = &r.adaptive_learning_curve {
        let line: Vec<(f64, f64)> =
            lc.iter().filter_map(|c| c.quality.map(|q| (c.avg_cost, q))).filter(|p| p.0 > 0.0).collect();
        let color = RGBColor(90, 90, 200);
        chart
            .draw_series(LineSeries::new(line.clone(), color.stroke_width(1)))?
            .label("adaptive learning (tenths of the log)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
        chart.draw_series(line.into_iter().map(|p| TriangleMarker::new(p, 4, color.filled())))?;
    }
    for (i, s) in r.strategies.iter().filter(|s| !s.single).enumerate() {
        let Some(q) = s.quality else { continue };
        if s.avg_cost <= 0.0 {
            continue;
        }
        let color = COLORS[(i + 3) % COLORS.len()];
        chart
            .draw_series(std::iter::once(Circle::new((s.avg_cost, q), 6, color.filled())))?
            .label(s.name.clone())
            .legend(move |(x, y)| Circle::new((x + 9, y), 5, color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}
