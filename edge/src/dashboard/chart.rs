//! The revenue chart, drawn on the edge as SVG: one solid bar per day of
//! the period, and the previous period as a dashed outline behind it.
//! Readable without colour (solid versus dashed, a text legend), and
//! described for screen readers, which also get the same figures as a table
//! on the admin page.

use super::figures::DaySum;
use super::tz::Date;
use shared::html::escape;
use shared::money::{Currency, Money};

const WIDTH: i64 = 720;
const HEIGHT: i64 = 260;
const LEFT: i64 = 64;
const RIGHT: i64 = 12;
const TOP: i64 = 28;
const BOTTOM: i64 = 40;

/// A round top for the axis: 1, 2 or 5 times a power of ten, in cents.
fn nice_max(max: i64) -> i64 {
    let mut step = 100;
    loop {
        for m in [1, 2, 5] {
            if step * m >= max {
                return step * m;
            }
        }
        step *= 10;
    }
}

/// The chart of `days` (date, paid, previous date, previous paid).
pub(crate) fn svg(days: &[(Date, DaySum, Date, DaySum)], currency: Currency) -> String {
    let money = |m: i64| Money::new(m, currency).to_decimal();
    let max = days
        .iter()
        .map(|(_, c, _, p)| c.gross.max(p.gross))
        .max()
        .unwrap_or(0);
    let top = nice_max(max.max(1));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = i64::try_from(days.len()).unwrap_or(1).max(1);
    // Integer pixel maths: a bar slot is plot_w / n wide.
    let x = |i: i64| LEFT + i * plot_w / n;
    let h = |v: i64| v.saturating_mul(plot_h) / top;
    let total: i64 = days.iter().map(|(_, c, _, _)| c.gross).sum();
    let previous: i64 = days.iter().map(|(_, _, _, p)| p.gross).sum();
    let (first, last) = match (days.first(), days.last()) {
        (Some(f), Some(l)) => (f.0.to_string(), l.0.to_string()),
        _ => (String::new(), String::new()),
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"chart-title chart-desc\" class=\"revenue-chart\">\
         <title id=\"chart-title\">Paid revenue per day, {first} to {last}</title>\
         <desc id=\"chart-desc\">Solid bars: this period, {} {cur} in total. Dashed outlines: the previous period, \
         {} {cur}. The table below gives every day's figures.</desc>",
        money(total),
        money(previous),
        cur = currency.as_str(),
    );
    // Axis and three grid lines with their amounts.
    for k in 0..=2 {
        let v = top * k / 2;
        let y = TOP + plot_h - h(v);
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"currentColor\" stroke-opacity=\"0.2\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6,
            y + 4,
            money(v)
        ));
    }
    for (i, (date, cur, pdate, prev)) in (0_i64..).zip(days) {
        let slot = x(i + 1) - x(i);
        let bar_w = (slot * 3 / 5).max(1);
        let bx = x(i) + (slot - bar_w) / 2;
        let ph = h(prev.gross);
        if ph > 0 {
            out.push_str(&format!(
                "<rect class=\"previous\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{ph}\" fill=\"none\" \
                 stroke=\"currentColor\" stroke-opacity=\"0.45\" stroke-dasharray=\"3 2\">\
                 <title>{pdate}: {} {cur}</title></rect>",
                x(i) + slot / 8,
                TOP + plot_h - ph,
                (slot * 3 / 4).max(1),
                money(prev.gross),
                cur = currency.as_str(),
            ));
        }
        let ch = h(cur.gross);
        out.push_str(&format!(
            "<rect class=\"current\" x=\"{bx}\" y=\"{}\" width=\"{bar_w}\" height=\"{ch}\" fill=\"currentColor\">\
             <title>{date}: {} {cur}, {} paid</title></rect>",
            TOP + plot_h - ch,
            money(cur.gross),
            cur.orders,
            cur = currency.as_str(),
        ));
    }
    let base = TOP + plot_h;
    out.push_str(&format!(
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\" stroke=\"currentColor\"/>\
         <text x=\"{LEFT}\" y=\"{}\" font-size=\"11\" fill=\"currentColor\">{}</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"currentColor\">{}</text>",
        WIDTH - RIGHT,
        base + 16,
        escape(&first),
        WIDTH - RIGHT,
        base + 16,
        escape(&last),
    ));
    // The legend, in words and shapes.
    out.push_str(&format!(
        "<rect x=\"{LEFT}\" y=\"8\" width=\"14\" height=\"10\" fill=\"currentColor\"/>\
         <text x=\"{}\" y=\"17\" font-size=\"12\" fill=\"currentColor\">This period</text>\
         <rect x=\"{}\" y=\"8\" width=\"14\" height=\"10\" fill=\"none\" stroke=\"currentColor\" stroke-dasharray=\"3 2\"/>\
         <text x=\"{}\" y=\"17\" font-size=\"12\" fill=\"currentColor\">Previous period</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"currentColor\">Paid revenue per day ({})</text></svg>",
        LEFT + 20,
        LEFT + 120,
        LEFT + 140,
        LEFT + plot_w / 2,
        HEIGHT - 6,
        currency.as_str(),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(1), 100);
        assert_eq!(nice_max(101), 200);
        assert_eq!(nice_max(4_999), 5_000);
        assert_eq!(nice_max(5_001), 10_000);
        assert_eq!(nice_max(123_456), 200_000);
    }

    #[test]
    fn the_chart_has_a_bar_per_day_and_the_previous_period() {
        let day = |s: &str| Date::parse(s).unwrap();
        let sum = |day, gross| DaySum {
            day,
            orders: 1,
            gross,
        };
        let days = vec![
            (
                day("2025-04-01"),
                sum(0, 5000),
                day("2025-03-30"),
                sum(0, 2500),
            ),
            (day("2025-04-02"), sum(1, 0), day("2025-03-31"), sum(1, 0)),
        ];
        let svg = svg(&days, Currency::EUR);
        assert_eq!(svg.matches("class=\"current\"").count(), 2);
        assert_eq!(svg.matches("class=\"previous\"").count(), 1);
        assert!(svg.contains("2025-04-01: 50.00 EUR, 1 paid"), "{svg}");
        assert!(svg.contains("Solid bars: this period, 50.00 EUR in total"));
        assert!(svg.contains("Previous period"));
        // The 50.00 bar reaches the top of the axis (50.00 is already round).
        assert!(svg.contains(&format!("height=\"{}\"", HEIGHT - TOP - BOTTOM)));
    }
}
