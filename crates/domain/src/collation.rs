//! Sorting names the way German readers expect (DIN 5007-1, "Wörterbuch"): umlauts sort with their
//! base letter, ß as ss, case is ignored. Done in Rust rather than with `ORDER BY`, because SQLite
//! compares bytes and PostgreSQL uses the server's locale: the same list must come out in the same
//! order on both.

/// A key for `sort_by_cached_key`.
pub fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => key.push('a'),
            'ö' => key.push('o'),
            'ü' => key.push('u'),
            'ß' => key.push_str("ss"),
            other => key.push(other),
        }
    }
    // Ties (Müller / Muller) are broken by the original, so the order is total and stable.
    key.push('\u{0}');
    key.push_str(name);
    key
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn umlauts_sort_with_their_base_letter() {
        let mut names = vec![
            "Zahnarzt",
            "Ärztehaus",
            "apotheke",
            "Ostbevern",
            "Ölmühle",
            "Straße",
            "Strasser",
        ];
        names.sort_by_cached_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "apotheke",
                "Ärztehaus",
                "Ölmühle",
                "Ostbevern",
                "Straße",
                "Strasser",
                "Zahnarzt"
            ]
        );
    }
}
