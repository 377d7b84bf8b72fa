//! Towns (Städte und Gemeinden) and their official key.

use std::fmt;
use std::str::FromStr;

/// Amtlicher Gemeindeschlüssel: eight digits (Land 2, Regierungsbezirk 1, Kreis 2, Gemeinde 3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Ags(String);

impl Ags {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Ags {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Ags(s.to_owned()))
        } else {
            Err(format!(
                "„{s}“ ist kein Amtlicher Gemeindeschlüssel (8 Ziffern)."
            ))
        }
    }
}

impl fmt::Display for Ags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ags_is_eight_digits() {
        assert!("05570004".parse::<Ags>().is_ok());
        assert!("5570004".parse::<Ags>().is_err());
        assert!("0557000a".parse::<Ags>().is_err());
    }
}
