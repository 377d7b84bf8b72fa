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

/// [`sort_key`] as a database column holds it: PostgreSQL text cannot hold NUL, so the tie-break
/// separator is U+0001, which sorts below every character a name can contain just the same.
/// Compared as bytes (SQLite's default, `COLLATE "C"` on PostgreSQL) these keys order as
/// [`sort_key`] does.
pub fn column_key(name: &str) -> String {
    sort_key(name).replacen('\u{0}', "\u{1}", 1)
}

/// A code as people number it ("1.2" before "1.10", "A 3" after "A 2"), as a column key: each
/// number zero-padded to 12 digits, other parts by [`column_key`]'s folding.
pub fn code_key(code: &str) -> String {
    let mut key = String::new();
    for part in code.trim().split(['.', '-', ' ', '/']) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        let rest = &part[digits.len()..];
        match digits.parse::<u64>() {
            Ok(n) => key.push_str(&format!("{n:012}")),
            Err(_) => key.push_str("999999999999"),
        }
        let folded = sort_key(rest);
        key.push_str(folded.split('\u{0}').next().unwrap_or(""));
        key.push('\u{2}');
    }
    key
}

/// Lower case with umlauts and their spellings folded ("Foerderung", "förderung", "Förderung"),
/// for searching words in stored text.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .replace('ä', "a")
        .replace('ö', "o")
        .replace('ü', "u")
        .replace('ß', "ss")
        .replace("ae", "a")
        .replace("oe", "o")
        .replace("ue", "u")
}

#[cfg(test)]
mod tests {
    use super::{code_key, column_key, sort_key};

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

    #[test]
    fn column_keys_order_as_sort_keys_do() {
        let mut names = vec![
            "Zahnarzt",
            "Ärztehaus",
            "Arzt",
            "arzt",
            "Ölmühle",
            "Straße",
            "Strasser",
        ];
        let mut by_column = names.clone();
        names.sort_by_cached_key(|n| sort_key(n));
        by_column.sort_by_cached_key(|n| column_key(n));
        assert_eq!(names, by_column);
        assert!(!column_key("x").contains('\u{0}'));
    }

    #[test]
    fn codes_order_as_people_number_them() {
        let mut codes = vec!["1.10", "1.2", "2", "1.2a", "A 3", "A 2", "1"];
        codes.sort_by_cached_key(|c| code_key(c));
        assert_eq!(codes, ["1", "1.2", "1.2a", "1.10", "2", "A 2", "A 3"]);
    }
}
