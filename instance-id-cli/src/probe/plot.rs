//! `--plot FILE.svg`: the timeline as a picture a person opens in a browser. Three
//! panels over the same seconds: each instance's share of the answers, the errors,
//! and the p99; the rollout's two moments (last old answer, first new) marked.
//!
//! plotters' SVG backend writes text as `<text>` elements that the browser lays out
//! with its own fonts; without a font feature plotters only estimates text sizes for
//! its layout, so no system font is read.

use std::io::Write;

use instance_id::short_form;
use plotters::prelude::*;

use super::report::Report;
use super::tally::Results;

/// The picture's size in pixels: wide enough for an hour at one point a second.
const SIZE: (u32, u32) = (1200, 800);

/// Why the picture could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("cannot draw the plot: {0}")]
    Draw(String),
    #[error("cannot write the plot: {0}")]
    Write(#[from] std::io::Error),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(err: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(err.to_string())
    }
}

/// Draws the timeline of `results` into `file`.
pub fn draw(mut file: std::fs::File, report: &Report, results: &Results) -> Result<(), PlotError> {
    let mut svg = String::new();
    render(&mut svg, report, results)?;
    file.write_all(svg.as_bytes())?;
    file.flush()?;
    Ok(())
}

fn render(svg: &mut String, report: &Report, results: &Results) -> Result<(), PlotError> {
    let seconds = results.timeline.len().max(1) as f64;
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "instance-id probe: who answered, second by second",
        ("sans-serif", 22),
    )?;
    let (shares, rest) = root.split_vertically(SIZE.1 * 11 / 20);
    let (errors, p99) = rest.split_vertically((SIZE.1 - SIZE.1 * 11 / 20) / 2);

    // Each instance's share of the second's outcomes (answers and failures), one
    // line per instance, in the order the table lists them.
    let mut chart = ChartBuilder::on(&shares)
        .caption(
            "share of each second's answers, per instance",
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..seconds, 0f64..100f64)?;
    chart
        .configure_mesh()
        .y_desc("% of answers")
        .x_desc("seconds from the start")
        .draw()?;
    let answering = report.instances.iter().filter(|i| {
        results
            .instances
            .get(&i.id)
            .is_some_and(|tally| tally.count > 0)
    });
    for (n, instance) in answering.enumerate() {
        let color = Palette99::pick(n).to_rgba();
        let points = results.timeline.iter().enumerate().map(|(second, s)| {
            let total = s.outcomes();
            let mine = s.instances.get(&instance.id).copied().unwrap_or(0);
            let share = if total == 0 {
                0.0
            } else {
                mine as f64 * 100.0 / total as f64
            };
            (second as f64 + 0.5, share)
        });
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(short_form(&instance.id))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    if let Some(rollout) = &report.rollout {
        for (moment, label) in [
            (rollout.last_old_s, "last old answer"),
            (rollout.first_new_s, "first new answer"),
        ] {
            let Some(at) = moment else { continue };
            let style = BLACK.mix(0.6).stroke_width(1);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(at, 0.0), (at, 100.0)],
                style,
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{label} {at:.2} s"),
                (at, 97.0),
                ("sans-serif", 12),
            )))?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;

    // The failures of each second, as bars.
    let most = results.timeline.iter().map(|s| s.errors).max().unwrap_or(0);
    let mut chart = ChartBuilder::on(&errors)
        .caption("errors per second", ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..seconds, 0f64..(most.max(1) as f64 * 1.1))?;
    chart.configure_mesh().y_desc("errors").draw()?;
    chart.draw_series(results.timeline.iter().enumerate().map(|(second, s)| {
        let x = second as f64;
        Rectangle::new([(x + 0.1, 0.0), (x + 0.9, s.errors as f64)], RED.filled())
    }))?;

    // The p99 of each second's outcomes.
    let p99s: Vec<(f64, f64)> = results
        .timeline
        .iter()
        .enumerate()
        .filter_map(|(second, s)| Some((second as f64 + 0.5, s.p99_us? as f64 / 1000.0)))
        .collect();
    let top = p99s.iter().map(|(_, ms)| *ms).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&p99)
        .caption("p99 latency per second", ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..seconds, 0f64..(top.max(1.0) * 1.1))?;
    chart
        .configure_mesh()
        .y_desc("ms")
        .x_desc("seconds from the start")
        .draw()?;
    chart.draw_series(LineSeries::new(p99s, BLUE.stroke_width(2)))?;
    root.present()?;
    drop(chart);
    Ok(())
}
