//! Fixed vocabularies: a Rust enum per list of codes, with the stored key (stable: files, the API
//! and statistics use it; add codes, never rename), the German label and a parser that accepts
//! either. Used by the offer directory and case management.

/// Declares a fixed vocabulary: stored key, German label, parse from key or label.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        // Serde writes the variant's name in snake case, which offer content stored as JSON
        // relies on; where a vocabulary's key differs (a weekday's "mo"), code that exchanges
        // it (HSDS, the API) writes `key()`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }

            /// German label (staff pages; the public pages use their translation catalogue).
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Accepts the key or the German label, ignoring case.
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim().to_lowercase();
                $name::ALL.iter().copied().find(|v| v.key() == t || v.label().to_lowercase() == t)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// A vocabulary's (key, German label) pairs in its order: for select lists and for the rows of
/// a statistic, which list every code.
pub fn options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (key(*v).to_owned(), label(*v).to_owned()))
        .collect()
}
