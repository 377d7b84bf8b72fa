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

/// The district's outline, schematic (a few points along the border, WGS 84, latitude first):
/// the frame of the finder's map and of the offer form's, drawn from shipped data so that no
/// map server is asked, and the test whether a place lies in the district at all.
pub const DISTRICT_OUTLINE: &[(f64, f64)] = &[
    (52.105, 7.840),
    (52.060, 7.960),
    (52.030, 8.100),
    (51.975, 8.190),
    (51.900, 8.200),
    (51.850, 8.260),
    (51.780, 8.300),
    (51.700, 8.340),
    (51.675, 8.200),
    (51.700, 8.050),
    (51.715, 7.900),
    (51.735, 7.780),
    (51.760, 7.665),
    (51.850, 7.690),
    (51.930, 7.700),
    (51.990, 7.690),
    (52.060, 7.740),
];

/// How far outside the schematic outline a place may lie and still count as in the district: the
/// outline has 17 points, so the real border runs up to a few kilometres beyond it in places
/// (decision 0015). Münster's centre (5 km), Hamm's (5 km) and swapped coordinates lie beyond.
pub const DISTRICT_MARGIN_KM: f64 = 3.0;

/// Kilometres from `point` (latitude, longitude) to the district's outline when it lies outside,
/// 0 inside.
pub fn km_outside_district(point: (f64, f64)) -> f64 {
    let flat = |(lat, lon): (f64, f64)| (lon * 68.5, lat * 111.2);
    let p = flat(point);
    let n = DISTRICT_OUTLINE.len();
    let mut inside = false;
    let mut nearest = f64::INFINITY;
    for i in 0..n {
        let a = flat(DISTRICT_OUTLINE[i]);
        let b = flat(DISTRICT_OUTLINE[(i + 1) % n]);
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
            inside = !inside;
        }
        // Distance to the segment a–b.
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        nearest = nearest.min((p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy));
    }
    if inside { 0.0 } else { nearest }
}

/// Whether a place lies in the district (within [`DISTRICT_MARGIN_KM`] of the outline).
pub fn in_district(point: (f64, f64)) -> bool {
    km_outside_district(point) <= DISTRICT_MARGIN_KM
}

/// Where an offer's place was put when nobody gave its coordinates: estimated from the
/// shipped reference data (decision 0015). Stored with the place, so the form and the staff
/// pages can say so, and an estimate follows a changed address while hand-set coordinates stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Located {
    /// The centre of the town the postcode belongs to.
    PostalCode,
    /// The centre of the chosen town.
    Town,
}

impl Located {
    pub fn key(self) -> &'static str {
        match self {
            Located::PostalCode => "postal_code",
            Located::Town => "town",
        }
    }

    pub fn parse(text: &str) -> Option<Located> {
        match text.trim() {
            "postal_code" => Some(Located::PostalCode),
            "town" => Some(Located::Town),
            _ => None,
        }
    }

    /// What the staff pages say of such a place.
    pub fn label(self) -> &'static str {
        match self {
            Located::PostalCode => "Lage aus Postleitzahl geschätzt",
            Located::Town => "Lage aus Stadt/Gemeinde geschätzt",
        }
    }
}

/// A place's position estimated from its address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub located: Located,
    pub lat: f64,
    pub lon: f64,
    /// The town whose centre it is.
    pub ags: &'static str,
}

/// The district's town a postcode belongs to.
pub fn postcode_town(postal_code: &str) -> Option<&'static TownPlace> {
    let code = postal_code.trim();
    TOWN_PLACES.iter().find(|t| t.postcodes.contains(&code))
}

/// The position of an address from the shipped reference data: the centre of the postcode's
/// town when the postcode belongs to the chosen town (or no town is chosen), else the chosen
/// town's centre. No street is looked up: no table of the district's streets with coordinates
/// could be had from public data here (decision 0015).
pub fn estimate(postal_code: &str, town: &str) -> Option<Estimate> {
    let town = town.trim();
    let of = |located: Located, place: &'static TownPlace| Estimate {
        located,
        lat: place.lat,
        lon: place.lon,
        ags: place.ags,
    };
    match (postcode_town(postal_code), town_place(town)) {
        (Some(p), Some(t)) if p.ags == t.ags => Some(of(Located::PostalCode, p)),
        (Some(p), None) if town.is_empty() => Some(of(Located::PostalCode, p)),
        (_, Some(t)) => Some(of(Located::Town, t)),
        _ => None,
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

    #[test]
    fn every_town_and_its_centre_lie_in_the_district() {
        for t in TOWN_PLACES {
            assert_eq!(km_outside_district((t.lat, t.lon)), 0.0, "{}", t.ags);
        }
        // Münster, Hamm and Gütersloh do not; nor does Ahlen with its coordinates swapped.
        for (place, point) in [
            ("Münster", (51.9624, 7.6257)),
            ("Hamm", (51.6803, 7.8209)),
            ("Gütersloh", (51.9069, 8.3785)),
            ("Ahlen swapped", (7.8912, 51.7633)),
        ] {
            assert!(!in_district(point), "{place}");
        }
        // Just beyond the schematic border still counts.
        assert!(in_district((51.712, 7.94)));
    }

    #[test]
    fn an_address_is_placed_at_its_postcodes_or_towns_centre() {
        let e = estimate("59229", "05570004").unwrap();
        assert_eq!((e.located, e.ags), (Located::PostalCode, "05570004"));
        assert_eq!((e.lat, e.lon), (51.7633, 7.8912));
        // A postcode of another town: the chosen town decides.
        let e = estimate("59229", "05570008").unwrap();
        assert_eq!((e.located, e.ags), (Located::Town, "05570008"));
        assert_eq!(estimate("", "05570008").unwrap().located, Located::Town);
        assert_eq!(estimate("48231", "").unwrap().located, Located::PostalCode);
        assert_eq!(estimate("48143", ""), None, "Münster's postcode");
        assert_eq!(estimate("", ""), None);
    }
}
