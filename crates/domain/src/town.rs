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

/// Where a town of the district lies and what else names it: the centre (latitude, longitude)
/// for distances and the finder's map, its postcodes, and its villages (Ortsteile), which people
/// give as where they live ("Neubeckum", "Vorhelm").
pub struct TownPlace {
    pub ags: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub postcodes: &'static [&'static str],
    pub villages: &'static [&'static str],
}

/// The 13 towns of Kreis Warendorf.
pub const TOWN_PLACES: &[TownPlace] = &[
    TownPlace {
        ags: "05570004",
        lat: 51.7633,
        lon: 7.8912,
        postcodes: &["59227", "59229"],
        villages: &["Dolberg", "Vorhelm", "Tönnishäuschen"],
    },
    TownPlace {
        ags: "05570008",
        lat: 51.7558,
        lon: 8.0413,
        postcodes: &["59269"],
        villages: &["Neubeckum", "Roland", "Vellern"],
    },
    TownPlace {
        ags: "05570012",
        lat: 51.9293,
        lon: 8.1183,
        postcodes: &["48361"],
        villages: &[],
    },
    TownPlace {
        ags: "05570016",
        lat: 51.7951,
        lon: 7.7392,
        postcodes: &["48317"],
        villages: &["Rinkerode", "Walstedde"],
    },
    TownPlace {
        ags: "05570020",
        lat: 51.8383,
        lon: 8.0306,
        postcodes: &["59320"],
        villages: &["Enniger", "Ostenfelde", "Westkirchen"],
    },
    TownPlace {
        ags: "05570024",
        lat: 51.9253,
        lon: 7.8478,
        postcodes: &["48351"],
        villages: &["Alverskirchen"],
    },
    TownPlace {
        ags: "05570028",
        lat: 51.8258,
        lon: 8.1434,
        postcodes: &["59302"],
        villages: &["Stromberg", "Lette", "Sünninghausen"],
    },
    TownPlace {
        ags: "05570032",
        lat: 52.0403,
        lon: 7.8413,
        postcodes: &["48346"],
        villages: &["Brock"],
    },
    TownPlace {
        ags: "05570036",
        lat: 51.9903,
        lon: 8.0439,
        postcodes: &["48336"],
        villages: &["Füchtorf"],
    },
    TownPlace {
        ags: "05570040",
        lat: 51.8436,
        lon: 7.8283,
        postcodes: &["48324"],
        villages: &["Albersloh"],
    },
    TownPlace {
        ags: "05570044",
        lat: 51.9817,
        lon: 7.7856,
        postcodes: &["48291"],
        villages: &["Westbevern"],
    },
    TownPlace {
        ags: "05570048",
        lat: 51.7378,
        lon: 8.2511,
        postcodes: &["59329"],
        villages: &["Diestedde", "Liesborn"],
    },
    TownPlace {
        ags: "05570052",
        lat: 51.9539,
        lon: 7.9933,
        postcodes: &["48231"],
        villages: &["Freckenhorst", "Milte", "Einen", "Hoetmar", "Müssingen"],
    },
];

/// The place of a town, by its key.
pub fn town_place(ags: &str) -> Option<&'static TownPlace> {
    TOWN_PLACES.iter().find(|t| t.ags == ags)
}

/// The town a person names as where they are: a postcode, or the name of a town or village as
/// typed (any case, umlauts optional: "Sunninghausen", "neubeckum"). `names` are the towns'
/// names by key, as the reference data holds them.
pub fn town_named(names: &[(String, String)], text: &str) -> Option<&'static TownPlace> {
    let text = text.trim();
    if text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()) {
        return TOWN_PLACES.iter().find(|t| t.postcodes.contains(&text));
    }
    let fold = |name: &str| crate::collation::fold(name.trim());
    let wanted = fold(text);
    if wanted.is_empty() {
        return None;
    }
    TOWN_PLACES.iter().find(|t| {
        t.ags == text
            || names
                .iter()
                .any(|(ags, name)| ags == t.ags && fold(name) == wanted)
            || t.villages.iter().any(|v| fold(v) == wanted)
    })
}

/// Distance in kilometres between two points of the district. A flat projection at 52° north
/// is within a few metres of the great circle over the district's 50 km.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0) * 111.2).hypot((a.1 - b.1) * 68.5)
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

    #[test]
    fn a_town_is_named_by_postcode_name_or_village() {
        let names = vec![
            ("05570008".to_owned(), "Beckum".to_owned()),
            ("05570028".to_owned(), "Oelde".to_owned()),
        ];
        let ags = |t: &str| town_named(&names, t).map(|p| p.ags);
        assert_eq!(ags("59269"), Some("05570008"));
        assert_eq!(ags(" beckum "), Some("05570008"));
        assert_eq!(ags("Neubeckum"), Some("05570008"));
        assert_eq!(ags("Sunninghausen"), Some("05570028"));
        assert_eq!(ags("Sünninghausen"), Some("05570028"));
        assert_eq!(ags("48143"), None, "Münster is not in the district");
        assert_eq!(ags("Paris"), None);
        assert_eq!(ags(""), None);
    }

    #[test]
    fn distances_between_towns_are_as_on_the_map() {
        let ahlen = town_place("05570004")
            .map(|t| (t.lat, t.lon))
            .unwrap_or_default();
        let beckum = town_place("05570008")
            .map(|t| (t.lat, t.lon))
            .unwrap_or_default();
        // Ahlen to Beckum is about 10 km as the crow flies.
        let d = distance_km(ahlen, beckum);
        assert!((9.0..11.5).contains(&d), "{d}");
    }
}
