//! Charts as server-side SVG: no JavaScript, the same picture in pages and (later) reports. Every
//! chart is shown beside a table with the same numbers, which is what screen readers read.

use base64::Engine;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart of (label, value) as an SVG document.
pub fn bar_chart_svg(items: &[(String, usize)]) -> String {
    let label_width = 220.0;
    let bar_space = 360.0;
    let row = 28.0;
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let height = row * items.len() as f64 + 8.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{height}\" viewBox=\"0 0 640 {height}\" \
         font-family=\"sans-serif\" font-size=\"14\">"
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let width = bar_space * (*value as f64) / max;
        svg.push_str(&format!(
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#1b1f24\">{label}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{width:.1}\" height=\"20\" fill=\"#0b4f6c\"/>\
             <text x=\"{vx:.1}\" y=\"{ty}\" fill=\"#1b1f24\">{value}</text>",
            x = label_width - 8.0,
            ty = y + 15.0,
            label = escape(label),
            bx = label_width,
            vx = label_width + width + 6.0,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The chart as a `data:` URI for an `<img>` (allowed by the Content-Security-Policy).
pub fn bar_chart_data_uri(items: &[(String, usize)]) -> String {
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bar_chart_svg(items))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_labels_are_escaped() {
        let svg = bar_chart_svg(&[("a<b".into(), 10), ("c".into(), 5)]);
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("width=\"360.0\"") && svg.contains("width=\"180.0\""));
        assert!(bar_chart_svg(&[]).starts_with("<svg"));
    }
}
