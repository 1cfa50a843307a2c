//! JSON number serialisers shared by every layer that emits JSON (spend records, provider
//! attempts, live answers, reports): figures rounded so no float noise reaches the output. A leaf,
//! so the layers below the renderers can tag their fields without importing `output`.

/// Rounds to `decimals` places for JSON output, so printed numbers are stable.
pub fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Serialises milliseconds to 3 decimals (a microsecond): no float noise in JSON.
pub fn json_ms<S: serde::Serializer>(v: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(round(*v, 3))
}

/// Serialises US dollars to 10 decimals (catalog prices are per million tokens): no float noise.
pub fn json_usd<S: serde::Serializer>(v: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(round(*v, 10))
}
