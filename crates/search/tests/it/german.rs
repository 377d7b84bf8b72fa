//! German analysis on its own: folding, the light stemmer, compounds split by the dictionary.

use lotse_search::german::{Dictionary, fold, stem, terms};

#[test]
fn umlauts_and_sharp_s_fold_to_plain_letters() {
    assert_eq!(fold("führerschein"), "fuhrerschein");
    assert_eq!(fold("ausländerbehörde"), "auslanderbehorde");
    assert_eq!(fold("straße"), "strasse");
    assert_eq!(fold("café"), "cafe");
    assert_eq!(fold("türkçe"), "turkce");
    assert_eq!(fold("fuehrerschein"), fold("führerschein"));
    assert_eq!(fold("aerztin"), "arztin");
    assert_eq!(fold("курс"), "курс", "other scripts pass");
}

#[test]
fn the_stemmer_keeps_singular_and_plural_together() {
    for forms in [
        &["kurs", "kurse", "kursen", "kurses"][..],
        &["kita", "kitas"],
        &["beratung", "beratungen"],
        &["kind", "kinder", "kindern", "kindes"],
        &["arzt", "arzte"],
        &["lehrer", "lehrern"],
        &["bus", "busse"],
        &["familie", "familien"],
        &["angebot", "angebote", "angeboten", "angebots"],
        &["nachweis", "nachweise"],
        &["frau", "frauen"],
        &["schule", "schulen"],
        &["termin", "termine"],
    ] {
        let stems: Vec<String> = forms.iter().map(|f| stem(f)).collect();
        assert!(
            stems.iter().all(|s| *s == stems[0]),
            "{forms:?} → {stems:?}"
        );
    }
    // Three letters always stay.
    assert_eq!(stem("amt"), "amt");
    assert_eq!(stem("ern"), "ern");
}

#[test]
fn compounds_split_into_known_words_with_their_linking_letters() {
    let d = Dictionary::shipped();
    let split = |w: &str| d.split(w).unwrap_or_default();
    assert_eq!(split("bewerbungswerkstatt"), ["bewerbungs", "werkstatt"]);
    assert_eq!(
        split("einburgerungsberatung"),
        ["einburgerungs", "beratung"]
    );
    assert_eq!(split("kitaplatz"), ["kita", "platz"]);
    assert_eq!(split("wohnungssuche"), ["wohnungs", "suche"]);
    assert_eq!(split("deutschkurs"), ["deutsch", "kurs"]);
    assert_eq!(split("sozialamt"), ["sozial", "amt"]);
    assert_eq!(split("auslanderbehorde"), ["auslander", "behorde"]);
    // No split where a part is unknown, and none of a simple word.
    assert_eq!(d.split("beratung"), None);
    assert_eq!(d.split("xyzkurs"), None);
    assert_eq!(d.split("kurs"), None);
    // A run of letters without spaces is no word to cut (and would cost the cube of its length).
    assert_eq!(d.split(&"kurs".repeat(2_500)), None);
    // The index keeps the whole word and adds the parts' stems.
    assert_eq!(
        terms(&d, "bewerbungswerkstatten"),
        ["bewerbungswerkstatt", "bewerbung", "werkstatt"]
    );
}

#[test]
fn words_of_the_offers_and_of_editors_grow_the_dictionary() {
    let mut d = Dictionary::shipped();
    assert_eq!(d.split("nahcafe"), None);
    d.add_text("Wir nähen gemeinsam.");
    // "nahen" is a word of an offer now; "Café" a shipped one.
    assert_eq!(d.split("nahencafe").unwrap_or_default(), ["nahen", "cafe"]);
    // Short words of texts do not enter (they would cut words that are none) …
    d.add_text("Die Uhr am Tor");
    assert_eq!(d.split("torwart"), None);
    // … but an editor's word does, whatever its length.
    d.add_word("Tor");
    d.add_word("Wart");
    assert_eq!(d.split("torwart").unwrap_or_default(), ["tor", "wart"]);
}
