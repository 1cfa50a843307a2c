//! Models shipped in the binary, named `builtin:<name>` wherever a model path is accepted
//! (`[ml] model`, `--model`).
//!
//! `builtin:tiers` is a label model trained from the UncommonRoute prompt → tier data (MIT
//! license, `src/ml/builtin/LICENSE-tiers`) on the built-in multilingual encoder's vectors
//! (`ml::encoder::multilingual`, Apache-2.0, `src/ml/builtin/LICENSE-encoder`), rebuilt
//! byte-identically by `scripts/build-tier-model.sh`. Its labels SIMPLE, MEDIUM, COMPLEX and REASONING map to catalog
//! models in `[ml.labels]`, so the default chain routes by tier without any training.

/// The prefix that names a built-in model.
pub const PREFIX: &str = "builtin:";

/// A model shipped in the binary.
pub struct Builtin {
    pub name: &'static str,
    pub bytes: &'static [u8],
    /// Where it comes from, for `models` and `route --explain`.
    pub origin: &'static str,
}

pub const BUILTINS: &[Builtin] = &[Builtin {
    name: "tiers",
    bytes: include_bytes!("builtin/tiers.model"),
    origin: "trained from the UncommonRoute prompt → tier data (MIT license), 1,892 prompts in 7 languages, on the \
             built-in encoder",
}];

/// The built-in model a path names (`builtin:<name>`): `None` when the path is a file,
/// `Some(Err)` for an unknown name.
pub fn lookup(path: &str) -> Option<Result<&'static Builtin, String>> {
    let name = path.strip_prefix(PREFIX)?;
    Some(BUILTINS.iter().find(|b| b.name == name).ok_or_else(|| {
        let names: Vec<String> = BUILTINS.iter().map(|b| format!("{PREFIX}{}", b.name)).collect();
        // Compared without the shared prefix, which would make every name look close.
        let hint = crate::error::did_you_mean(name, BUILTINS.iter().map(|b| b.name))
            .map(|h| h.replacen('`', &format!("`{PREFIX}"), 1))
            .unwrap_or_else(|| format!(" (built-in models: {})", names.join(", ")));
        format!("`{path}` is not a built-in model{hint}")
    }))
}
