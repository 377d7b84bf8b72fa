// The relevance suite's directory and queries (decision 0013), shared by the search crate's
// tests (the index alone) and the web crate's (the same offers stored in SQLite and PostgreSQL,
// searched through the public API). Included with `include!`, so it names only what both have.

const AHLEN_AGS: &str = "05570004";
const BECKUM_AGS: &str = "05570008";
const WARENDORF: &str = "05570052";
const OELDE: &str = "05570028";

/// An offer of the directory: id, title, description, town, languages of delivery, topic.
type Entry = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    Topic,
);

const DIRECTORY: &[Entry] = &[
    (
        "bewerbungswerkstatt",
        "Bewerbungswerkstatt",
        "Hilfe beim Lebenslauf und beim Anschreiben, Fotos für die Bewerbung inklusive.",
        AHLEN_AGS,
        &["de"],
        Topic::Work,
    ),
    (
        "fahrradwerkstatt",
        "Offene Fahrradwerkstatt",
        "Gemeinsam Fahrräder reparieren, Werkzeug ist da.",
        BECKUM_AGS,
        &["de"],
        Topic::Leisure,
    ),
    (
        "einbuergerung",
        "Einbürgerungsberatung",
        "Voraussetzungen, Unterlagen und Antrag: wir beraten Sie zur deutschen Staatsangehörigkeit.",
        WARENDORF,
        &["de", "tr"],
        Topic::Counselling,
    ),
    (
        "wohnungssuche",
        "Wohnungssuche für Geflüchtete",
        "Unterstützung bei der Suche nach einer Mietwohnung und beim Gespräch mit Vermietern.",
        BECKUM_AGS,
        &["de", "ar"],
        Topic::Housing,
    ),
    (
        "kitaplatz",
        "Hilfe beim Kita-Platz",
        "Wir helfen Eltern bei der Anmeldung in einer Kindertagesstätte.",
        AHLEN_AGS,
        &["de", "uk"],
        Topic::Family,
    ),
    (
        "konversation",
        "Konversationskurs Deutsch",
        "Sprechen üben in kleiner Gruppe, für alle mit Grundkenntnissen.",
        OELDE,
        &["de"],
        Topic::LanguageCourse,
    ),
    (
        "integrationskurs",
        "Integrationskurs mit Kinderbetreuung",
        "Sprachkurs und Orientierungskurs bis zum Niveau B1.",
        AHLEN_AGS,
        &["de"],
        Topic::LanguageCourse,
    ),
    (
        "fuehrerschein",
        "Führerschein-Theorie in Ihrer Sprache",
        "Die Fragen der Theorieprüfung mit Erklärungen.",
        AHLEN_AGS,
        &["de", "ar"],
        Topic::Education,
    ),
    (
        "abh",
        "Sprechstunde der Ausländerbehörde",
        "Fragen zum Aufenthaltstitel, Verlängerung und Termine.",
        WARENDORF,
        &["de"],
        Topic::Counselling,
    ),
    (
        "arztsuche",
        "Hilfe bei der Arztsuche",
        "Wir finden mit Ihnen eine Hausärztin oder einen Kinderarzt.",
        BECKUM_AGS,
        &["de", "ru"],
        Topic::Health,
    ),
    (
        "elterncafe",
        "Elterncafé",
        "Treffpunkt für Mütter und Väter, mit Kinderbetreuung.",
        OELDE,
        &["de"],
        Topic::Family,
    ),
    (
        "hausaufgaben",
        "Hausaufgabenhilfe",
        "Nachmittags in der Grundschule, für Kinder der Klassen 1 bis 4.",
        AHLEN_AGS,
        &["de"],
        Topic::Education,
    ),
    (
        "schuldner",
        "Schuldnerberatung",
        "Vertrauliche Beratung bei Schulden, Mahnungen und Pfändung.",
        WARENDORF,
        &["de"],
        Topic::Counselling,
    ),
    (
        "schwimmen",
        "Schwimmkurs für Frauen",
        "Schwimmen lernen in geschützter Runde mit Trainerin.",
        BECKUM_AGS,
        &["de"],
        Topic::Leisure,
    ),
    (
        "computer",
        "Computerkurse für Senioren",
        "Umgang mit Smartphone, E-Mail und Internet.",
        OELDE,
        &["de"],
        Topic::Education,
    ),
    (
        "mbe",
        "Migrationsberatung für Erwachsene",
        "Beratung zu Sprache, Arbeit, Wohnen und Gesundheit.",
        AHLEN_AGS,
        &["de", "ar", "fa"],
        Topic::Counselling,
    ),
    (
        "tafel",
        "Tafel Ahlen",
        "Lebensmittel für Menschen mit wenig Geld, Ausgabe dienstags.",
        AHLEN_AGS,
        &["de"],
        Topic::Leisure,
    ),
    (
        "kleider",
        "Kleiderkammer",
        "Kleidung für Erwachsene und Kinder gegen eine kleine Spende.",
        WARENDORF,
        &["de"],
        Topic::Leisure,
    ),
    (
        "anerkennung",
        "Anerkennungsberatung",
        "Anerkennung ausländischer Berufsabschlüsse und Zeugnisse.",
        WARENDORF,
        &["de", "en"],
        Topic::Work,
    ),
    (
        "sprachpaten",
        "Ehrenamtliche Sprachpaten",
        "Paten üben mit Ihnen Deutsch im Alltag.",
        BECKUM_AGS,
        &["de"],
        Topic::LanguageCourse,
    ),
];

/// Each query with the offers that must be among its first three results.
const IN_TOP_THREE: &[(&str, &[&str])] = &[
    // A part of a compound finds the compound.
    ("Bewerbung", &["bewerbungswerkstatt"]),
    ("werkstatt", &["bewerbungswerkstatt", "fahrradwerkstatt"]),
    ("Einbürgerung", &["einbuergerung"]),
    ("Wohnung", &["wohnungssuche"]),
    ("Arzt", &["arztsuche"]),
    ("Hausaufgaben", &["hausaufgaben"]),
    ("Schulden", &["schuldner"]),
    ("Beratung Schulden", &["schuldner"]),
    // A compound typed finds its parts side by side.
    ("Kitaplatz", &["kitaplatz"]),
    ("Deutschkurs", &["konversation"]),
    // Umlauts and ß typed without.
    ("Fuhrerschein", &["fuehrerschein"]),
    ("Auslanderbehorde", &["abh"]),
    ("Auslaenderbehoerde", &["abh"]),
    ("Einburgerung", &["einbuergerung"]),
    ("Elterncafe", &["elterncafe"]),
    // Singular and plural.
    ("Kurs Schwimmen", &["schwimmen"]),
    ("Computerkurs", &["computer"]),
    ("Kleider", &["kleider"]),
    // The start of a word, as typed.
    ("Bewerb", &["bewerbungswerkstatt"]),
    ("Einbürg", &["einbuergerung"]),
    ("Integrationsk", &["integrationskurs"]),
    ("Schwimm", &["schwimmen"]),
    // One typo.
    ("Schuldnerberatng", &["schuldner"]),
    ("Integartionskurs", &["integrationskurs"]),
    // Words with a town.
    ("Schuldnerberatung Warendorf", &["schuldner"]),
    ("Sprechstunde Warendorf", &["abh"]),
    ("Tafel", &["tafel"]),
];

/// Queries that reach their offers through the concepts: other words, abbreviations, and words
/// of the other finder languages for offers written in German only.
const THROUGH_CONCEPTS: &[(&str, &[&str])] = &[
    ("ABH", &["abh"]),
    ("Ausländeramt", &["abh"]),
    ("Kindergarten", &["kitaplatz"]),
    ("Deutschkurs", &["konversation", "integrationskurs"]),
    ("Hausarzt", &["arztsuche"]),
    ("Lebenslauf", &["bewerbungswerkstatt"]),
    ("Nachhilfe", &["hausaufgaben"]),
    ("immigration office", &["abh"]),
    ("daycare", &["kitaplatz"]),
    ("driving licence", &["fuehrerschein"]),
    ("روضة", &["kitaplatz"]),
    ("طبيب", &["arztsuche"]),
    ("дитячий садок", &["kitaplatz"]),
    ("житло", &["wohnungssuche"]),
    ("врач", &["arztsuche"]),
    ("курс немецкого", &["konversation", "integrationskurs"]),
    ("ehliyet", &["fuehrerschein"]),
    ("borç", &["schuldner"]),
    ("مهدکودک", &["kitaplatz"]),
    ("vatandaşlık", &["einbuergerung"]),
    // The languages added for the district's newer communities (Romanian, Bulgarian, Kurmanji,
    // Dari, Tigrinya, Somali).
    ("medic", &["arztsuche"]),
    ("апартамент", &["wohnungssuche"]),
    ("belgeya ajotinê", &["fuehrerschein"]),
    ("داکتر", &["arztsuche"]),
    ("ሓኪም", &["arztsuche"]),
    ("deymo", &["schuldner"]),
];
