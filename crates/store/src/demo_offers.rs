//! Offers for the demo (invented, flagged fictitious) and a generator of synthetic offers for
//! benchmarks (`lotse demo offers --count N`).

use lotse_domain::offer::{
    Capacity, Locale, OfferContent, OfferLocation, OfferTexts, OpeningHours, TargetGroup, Topic,
    Weekday,
};

use lotse_domain::Date;

use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::offers::{self, SaveAs};
use crate::scoped::Viewer;
use crate::{Result, organisations};

/// The day (UTC) of an instant in epoch milliseconds; instants outside the calendar Lotse
/// accepts end up on its first day.
pub fn date_of(ms: i64) -> Date {
    lotse_domain::measure::date_from_days(ms.div_euclid(86_400_000)).unwrap_or(Date::EARLIEST)
}

/// A day the demo data names; [`Date::EARLIEST`] if it were not one (a test reads them all).
fn day(text: &str) -> Date {
    Date::parse(text).unwrap_or(Date::EARLIEST)
}

struct DemoOffer {
    /// Index into the demo organisations.
    provider: usize,
    title: &'static str,
    easy: &'static str,
    description: &'static str,
    /// (locale, title, easy summary)
    translations: &'static [(Locale, &'static str, &'static str)],
    topics: &'static [Topic],
    groups: &'static [TargetGroup],
    ages: (Option<u8>, Option<u8>),
    languages: &'static [&'static str],
    free: bool,
    fees: &'static str,
    capacity: Option<Capacity>,
    /// (place, street, postal code, AGS, lat, lon)
    place: (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        f64,
        f64,
    ),
    hours: &'static [(Weekday, &'static str, &'static str)],
    schedule_note: &'static str,
    registration: &'static str,
    documents: &'static str,
    accessibility: &'static str,
    phone: &'static str,
    valid: (Option<&'static str>, Option<&'static str>),
    /// Published (verified on the day given, or today), submitted, …
    state: DemoState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DemoState {
    Published,
    /// Published long ago and not verified since: shows the "Prüfung fällig" flag.
    PublishedUnverified,
    /// A provider's new offer waiting for the coordination.
    Submitted,
}

use Locale::{Ar, En, Fa, Ru, Tr, Uk};
use TargetGroup as G;
use Topic as T;
use Weekday as D;

const OFFERS: &[DemoOffer] = &[
    DemoOffer {
        provider: 2,
        title: "Sprachcafé – Deutsch sprechen im Alltag",
        easy: "Hier sprechen Sie Deutsch mit anderen. Sie üben für den Alltag. Sie brauchen keine Anmeldung.",
        description: "Jede Woche treffen sich Menschen, die Deutsch lernen, mit Ehrenamtlichen. Bei Kaffee und Tee sprechen wir über Alltag, Arbeit und Familie. Alle Sprachniveaus sind willkommen.",
        translations: &[
            (
                En,
                "Language café – speaking German in everyday life",
                "Practise German with others. No registration needed.",
            ),
            (
                Ar,
                "مقهى اللغة – التحدث بالألمانية في الحياة اليومية",
                "تتحدث هنا الألمانية مع الآخرين وتتدرب على الحياة اليومية. لا حاجة للتسجيل.",
            ),
            (
                Tr,
                "Dil kafesi – günlük hayatta Almanca konuşmak",
                "Burada başkalarıyla Almanca konuşursunuz. Kayıt gerekmez.",
            ),
            (
                Uk,
                "Мовне кафе – розмовляємо німецькою щодня",
                "Тут ви розмовляєте німецькою з іншими. Реєстрація не потрібна.",
            ),
            (
                Ru,
                "Языковое кафе – говорим по-немецки",
                "Здесь вы говорите по-немецки с другими. Запись не нужна.",
            ),
            (
                Fa,
                "کافه زبان – آلمانی صحبت کردن در زندگی روزمره",
                "اینجا با دیگران آلمانی صحبت می‌کنید. ثبت‌نام لازم نیست.",
            ),
        ],
        topics: &[T::LanguageCourse, T::Meeting],
        groups: &[G::Adults],
        ages: (None, None),
        languages: &["de", "ar", "tr"],
        free: true,
        fees: "",
        capacity: Some(Capacity::PlacesFree),
        place: (
            "Familienzentrum Am Markt (Demo)",
            "Marktplatz 3",
            "59269",
            "05570008",
            51.7551,
            8.0408,
        ),
        hours: &[(D::Wednesday, "15:00", "17:00")],
        schedule_note: "Nicht in den Schulferien.",
        registration: "Einfach vorbeikommen.",
        documents: "",
        accessibility: "Erdgeschoss, stufenloser Zugang.",
        phone: "02521 000 100",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 2,
        title: "Migrationsberatung für Erwachsene",
        easy: "Sie sind neu in Deutschland? Wir beraten Sie zu Aufenthalt, Sprachkurs, Arbeit und Wohnen. Die Beratung ist kostenlos.",
        description: "Beratung für Zugewanderte ab 27 Jahren in den ersten Jahren nach der Ankunft: Integrationskurs, Anträge bei Behörden, Anerkennung von Abschlüssen, Arbeit, Wohnen und Gesundheit. Vertraulich und kostenlos.",
        translations: &[
            (
                En,
                "Migration counselling for adults",
                "New in Germany? We advise on residence, language courses, work and housing. Free of charge.",
            ),
            (
                Ar,
                "استشارات الهجرة للبالغين",
                "هل أنت جديد في ألمانيا؟ نقدم لك الاستشارة حول الإقامة ودورة اللغة والعمل والسكن. الاستشارة مجانية.",
            ),
            (
                Ru,
                "Миграционная консультация для взрослых",
                "Вы недавно в Германии? Мы консультируем по вопросам пребывания, курсов, работы и жилья. Бесплатно.",
            ),
            (
                Uk,
                "Міграційна консультація для дорослих",
                "Ви нещодавно в Німеччині? Ми консультуємо щодо перебування, курсів, роботи та житла. Безкоштовно.",
            ),
        ],
        topics: &[T::Counselling, T::Residence],
        groups: &[G::Adults, G::Refugees, G::EuCitizens],
        ages: (Some(27), None),
        languages: &["de", "ar", "ru", "tr"],
        free: true,
        fees: "",
        capacity: Some(Capacity::WaitingList),
        place: (
            "Beratungsstelle (Demo)",
            "Oststraße 12",
            "59227",
            "05570004",
            51.7630,
            7.8930,
        ),
        hours: &[
            (D::Monday, "09:00", "12:00"),
            (D::Thursday, "14:00", "17:00"),
        ],
        schedule_note: "Termine nach Vereinbarung, offene Sprechstunde montags.",
        registration: "Bitte rufen Sie an oder kommen Sie in die offene Sprechstunde.",
        documents: "Aufenthaltstitel oder Ausweis, Briefe von Behörden.",
        accessibility: "",
        phone: "02382 000 200",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 6,
        title: "Integrationskurs mit Kinderbetreuung",
        easy: "Deutschkurs am Vormittag. Ihre Kinder werden in der Zeit betreut.",
        description: "Allgemeiner Integrationskurs (Sprachkurs und Orientierungskurs) am Vormittag. Während des Unterrichts betreuen Fachkräfte Kinder ab einem Jahr im Haus.",
        translations: &[
            (
                En,
                "Integration course with childcare",
                "German course in the morning; your children are looked after meanwhile.",
            ),
            (
                Ar,
                "دورة الاندماج مع رعاية الأطفال",
                "دورة لغة ألمانية في الصباح، ويتم الاعتناء بأطفالك خلالها.",
            ),
            (
                Uk,
                "Інтеграційний курс із доглядом за дітьми",
                "Курс німецької зранку, поки ваші діти під наглядом.",
            ),
        ],
        topics: &[T::LanguageCourse],
        groups: &[G::Adults, G::Families],
        ages: (None, None),
        languages: &["de"],
        free: false,
        fees: "Kostenlos mit Berechtigung des Bundesamts für Migration und Flüchtlinge, sonst Eigenbeitrag je Unterrichtsstunde.",
        capacity: Some(Capacity::WaitingList),
        place: (
            "Bildungszentrum (Demo)",
            "Bahnhofstraße 8",
            "48291",
            "05570044",
            51.9810,
            7.7860,
        ),
        hours: &[
            (D::Monday, "08:30", "12:30"),
            (D::Tuesday, "08:30", "12:30"),
            (D::Wednesday, "08:30", "12:30"),
            (D::Thursday, "08:30", "12:30"),
            (D::Friday, "08:30", "12:30"),
        ],
        schedule_note: "",
        registration: "Einstufungstest nach Anmeldung im Büro.",
        documents: "Berechtigungsschein oder Verpflichtung, Ausweis.",
        accessibility: "Aufzug vorhanden.",
        phone: "02504 000 300",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 5,
        title: "Frauentreff International",
        easy: "Ein Treffen nur für Frauen. Wir reden, kochen und machen Ausflüge.",
        description: "Offener Treff für Frauen aus aller Welt: Austausch, gemeinsames Kochen, Informationen zu Gesundheit und Schule, Ausflüge in der Region. Kinder bis drei Jahre dürfen mitkommen.",
        translations: &[
            (
                Ar,
                "ملتقى النساء الدولي",
                "لقاء للنساء فقط: نتحدث ونطبخ ونقوم برحلات.",
            ),
            (
                Fa,
                "دورهمی بین‌المللی زنان",
                "دیداری فقط برای زنان: گفتگو، آشپزی و گردش.",
            ),
            (
                En,
                "International women's meeting",
                "A meeting for women only: talk, cook and go on outings.",
            ),
        ],
        topics: &[T::Meeting, T::EverydayLife],
        groups: &[G::Women],
        ages: (None, None),
        languages: &["de", "ar", "fa", "ku"],
        free: true,
        fees: "",
        capacity: Some(Capacity::PlacesFree),
        place: (
            "Begegnungsstätte (Demo)",
            "Kirchplatz 1",
            "59302",
            "05570028",
            51.8260,
            8.1440,
        ),
        hours: &[(D::Tuesday, "10:00", "12:00")],
        schedule_note: "",
        registration: "Keine Anmeldung nötig.",
        documents: "",
        accessibility: "",
        phone: "02522 000 400",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 5,
        title: "Hausaufgabenhilfe für Seiteneinsteiger",
        easy: "Hilfe bei den Hausaufgaben für Kinder, die neu an der Schule sind.",
        description: "Ehrenamtliche helfen Schülerinnen und Schülern, die neu nach Deutschland gekommen sind, bei Hausaufgaben und beim Deutschlernen. In kleinen Gruppen, zweimal pro Woche.",
        translations: &[
            (
                Ar,
                "مساعدة في الواجبات المدرسية للتلاميذ الجدد",
                "مساعدة في الواجبات المدرسية للأطفال الجدد في المدرسة.",
            ),
            (
                Uk,
                "Допомога з домашніми завданнями для нових учнів",
                "Допомога з домашніми завданнями для дітей, які нещодавно в школі.",
            ),
        ],
        topics: &[T::Education],
        groups: &[G::Children, G::YoungPeople],
        ages: (Some(10), Some(16)),
        languages: &["de", "ar", "uk"],
        free: true,
        fees: "",
        capacity: Some(Capacity::PlacesFree),
        place: (
            "Stadtteilbüro Süd (Demo)",
            "Südstraße 40",
            "59229",
            "05570004",
            51.7570,
            7.8890,
        ),
        hours: &[
            (D::Monday, "14:00", "16:00"),
            (D::Thursday, "14:00", "16:00"),
        ],
        schedule_note: "",
        registration: "Anmeldung über die Schule oder direkt bei uns.",
        documents: "",
        accessibility: "",
        phone: "",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 1,
        title: "Beratung zur Anerkennung ausländischer Berufsabschlüsse",
        easy: "Sie haben einen Beruf im Ausland gelernt? Wir helfen bei der Anerkennung in Deutschland.",
        description: "Erstberatung zu Anerkennungsverfahren: welche Stelle zuständig ist, welche Unterlagen gebraucht werden, welche Kosten entstehen und welche Förderung es gibt.",
        translations: &[
            (
                En,
                "Advice on the recognition of foreign qualifications",
                "Trained abroad? We help with recognition in Germany.",
            ),
            (
                Ar,
                "استشارة حول الاعتراف بالمؤهلات المهنية الأجنبية",
                "هل تعلمت مهنة في الخارج؟ نساعدك في الاعتراف بها في ألمانيا.",
            ),
            (
                Ru,
                "Консультация по признанию иностранных профессиональных дипломов",
                "Вы получили профессию за границей? Мы поможем с признанием в Германии.",
            ),
        ],
        topics: &[T::Work, T::Counselling],
        groups: &[G::Adults],
        ages: (None, None),
        languages: &["de", "en", "ar", "ru"],
        free: true,
        fees: "",
        capacity: None,
        place: (
            "Kreishaus (Demo)",
            "Waldenburger Straße 2",
            "48231",
            "05570052",
            51.9540,
            7.9930,
        ),
        hours: &[(D::Tuesday, "09:00", "15:00")],
        schedule_note: "Nur mit Termin.",
        registration: "Termin telefonisch vereinbaren.",
        documents: "Zeugnisse und Nachweise über Berufserfahrung (Kopien genügen).",
        accessibility: "Barrierefreier Eingang an der Rückseite.",
        phone: "02581 000 500",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 1,
        title: "Eltern-Kind-Gruppe (Griffbereit)",
        easy: "Eltern spielen und singen mit ihren kleinen Kindern. Sie lernen dabei Deutsch und Ihre Sprache.",
        description: "Spielgruppe für Eltern mit Kindern bis drei Jahre: spielen, singen, erzählen in der Familiensprache und auf Deutsch. Elternbegleiterinnen leiten die Gruppe.",
        translations: &[
            (
                Tr,
                "Anne-çocuk grubu (Griffbereit)",
                "Ebeveynler küçük çocuklarıyla oynar ve şarkı söyler.",
            ),
            (
                Ar,
                "مجموعة الآباء والأطفال (Griffbereit)",
                "يلعب الآباء ويغنون مع أطفالهم الصغار.",
            ),
        ],
        topics: &[T::Family],
        groups: &[G::Families],
        ages: (Some(1), Some(3)),
        languages: &["de", "tr", "ar"],
        free: true,
        fees: "",
        capacity: Some(Capacity::Full),
        place: (
            "Kita Sonnenschein (Demo)",
            "Lindenweg 5",
            "59320",
            "05570020",
            51.8380,
            8.0310,
        ),
        hours: &[(D::Friday, "09:30", "11:00")],
        schedule_note: "",
        registration: "Anmeldung in der Kita.",
        documents: "",
        accessibility: "",
        phone: "",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 2,
        title: "Sprechstunde Wohnungssuche",
        easy: "Sie suchen eine Wohnung? Wir helfen bei Anzeigen, Briefen und Anträgen.",
        description: "Unterstützung bei der Wohnungssuche: Wohnungsanzeigen verstehen, Bewerbungen an Vermieter, Wohnberechtigungsschein, Mietvertrag.",
        translations: &[
            (
                Ar,
                "ساعة استشارة للبحث عن سكن",
                "هل تبحث عن شقة؟ نساعدك في الإعلانات والرسائل والطلبات.",
            ),
            (
                Fa,
                "مشاوره جستجوی مسکن",
                "دنبال خانه هستید؟ در آگهی‌ها، نامه‌ها و درخواست‌ها کمک می‌کنیم.",
            ),
        ],
        topics: &[T::Housing],
        groups: &[],
        ages: (None, None),
        languages: &["de", "ar", "fa"],
        free: true,
        fees: "",
        capacity: None,
        place: (
            "Rathaus (Demo)",
            "Kirchstraße 1",
            "48324",
            "05570040",
            51.8440,
            7.8280,
        ),
        hours: &[(D::Wednesday, "10:00", "12:00")],
        schedule_note: "",
        registration: "",
        documents: "",
        accessibility: "",
        phone: "",
        valid: (None, None),
        state: DemoState::PublishedUnverified,
    },
    DemoOffer {
        provider: 5,
        title: "Radfahrkurs für Frauen",
        easy: "Sie lernen Fahrrad fahren. Nur für Frauen.",
        description: "In sechs Terminen lernen Frauen Rad fahren und die wichtigsten Verkehrsregeln. Fahrräder und Helme werden gestellt.",
        translations: &[(
            Ar,
            "دورة ركوب الدراجات للنساء",
            "تتعلمين ركوب الدراجة. للنساء فقط.",
        )],
        topics: &[T::Leisure, T::EverydayLife],
        groups: &[G::Women],
        ages: (Some(16), None),
        languages: &["de", "ar", "fa"],
        free: true,
        fees: "",
        capacity: Some(Capacity::PlacesFree),
        place: (
            "Schulhof Grundschule (Demo)",
            "Schulstraße 2",
            "48351",
            "05570024",
            51.9250,
            7.8480,
        ),
        hours: &[(D::Saturday, "10:00", "12:00")],
        schedule_note: "Im Frühjahr und Sommer.",
        registration: "Anmeldung telefonisch.",
        documents: "",
        accessibility: "",
        phone: "02582 000 600",
        valid: (Some("2027-04-01"), Some("2027-09-30")),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 6,
        title: "Jobcafé – Bewerbungen schreiben",
        easy: "Wir helfen bei Lebenslauf und Bewerbung.",
        description: "Junge Erwachsene schreiben mit Unterstützung Lebenslauf und Bewerbungen, üben Vorstellungsgespräche und suchen Ausbildungsplätze.",
        translations: &[
            (
                En,
                "Job café – writing applications",
                "We help with your CV and applications.",
            ),
            (
                Uk,
                "Кафе вакансій – пишемо резюме",
                "Ми допомагаємо з резюме та заявками на роботу.",
            ),
            (
                Ar,
                "مقهى العمل – كتابة طلبات التوظيف",
                "نساعدك في السيرة الذاتية وطلبات العمل.",
            ),
        ],
        topics: &[T::Work],
        groups: &[G::YoungPeople],
        ages: (Some(18), Some(27)),
        languages: &["de", "en", "ar", "uk"],
        free: true,
        fees: "",
        capacity: Some(Capacity::PlacesFree),
        place: (
            "Jugendzentrum (Demo)",
            "Am Bahnhof 4",
            "59302",
            "05570028",
            51.8270,
            8.1420,
        ),
        hours: &[(D::Thursday, "16:00", "18:00")],
        schedule_note: "",
        registration: "",
        documents: "Zeugnisse, wenn vorhanden.",
        accessibility: "",
        phone: "",
        valid: (None, None),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 2,
        title: "Ferien-Sprachkurs Sommer 2026",
        easy: "",
        description: "Sprachkurs in den Sommerferien für Schulkinder.",
        translations: &[],
        topics: &[T::LanguageCourse, T::Education],
        groups: &[G::Children],
        ages: (Some(6), Some(14)),
        languages: &["de"],
        free: true,
        fees: "",
        capacity: None,
        place: (
            "Grundschule (Demo)",
            "Weg 1",
            "59269",
            "05570008",
            51.7560,
            8.0420,
        ),
        hours: &[],
        schedule_note: "",
        registration: "",
        documents: "",
        accessibility: "",
        phone: "",
        valid: (Some("2026-07-01"), Some("2026-08-31")),
        state: DemoState::Published,
    },
    DemoOffer {
        provider: 2,
        title: "Nähcafé für alle",
        easy: "Gemeinsam nähen und reparieren.",
        description: "Nähmaschinen stehen bereit; Ehrenamtliche zeigen, wie es geht.",
        translations: &[],
        topics: &[T::Meeting, T::Leisure],
        groups: &[],
        ages: (None, None),
        languages: &["de", "uk", "ru"],
        free: true,
        fees: "",
        capacity: None,
        place: (
            "Familienzentrum Am Markt (Demo)",
            "Marktplatz 3",
            "59269",
            "05570008",
            51.7551,
            8.0408,
        ),
        hours: &[(D::Tuesday, "18:00", "20:00")],
        schedule_note: "",
        registration: "",
        documents: "",
        accessibility: "",
        phone: "",
        valid: (None, None),
        state: DemoState::Submitted,
    },
];

fn content_of(o: &DemoOffer) -> OfferContent {
    let mut content = OfferContent {
        topics: o.topics.to_vec(),
        target_groups: o.groups.to_vec(),
        min_age: o.ages.0,
        max_age: o.ages.1,
        languages: o.languages.iter().map(|l| (*l).to_owned()).collect(),
        free_of_charge: o.free,
        capacity: o.capacity,
        locations: vec![OfferLocation {
            name: o.place.0.into(),
            street: o.place.1.into(),
            postal_code: o.place.2.into(),
            town: o.place.3.into(),
            city: String::new(),
            latitude: Some(o.place.4),
            longitude: Some(o.place.5),
            located: None,
        }],
        opening_hours: o
            .hours
            .iter()
            .map(|(day, opens, closes)| OpeningHours {
                day: *day,
                opens: (*opens).into(),
                closes: (*closes).into(),
            })
            .collect(),
        phone: o.phone.into(),
        valid_from: o.valid.0.map(day),
        valid_to: o.valid.1.map(day),
        ..OfferContent::default()
    };
    content.texts.insert(
        Locale::De,
        OfferTexts {
            title: o.title.into(),
            easy_summary: o.easy.into(),
            description: o.description.into(),
            schedule_note: o.schedule_note.into(),
            fees: o.fees.into(),
            registration: o.registration.into(),
            required_documents: o.documents.into(),
            accessibility: o.accessibility.into(),
            ..OfferTexts::default()
        },
    );
    for (locale, title, easy) in o.translations {
        content.texts.insert(
            *locale,
            OfferTexts {
                title: (*title).into(),
                easy_summary: (*easy).into(),
                ..OfferTexts::default()
            },
        );
        // Translated from the German text as shipped: current (decision 0015).
        content.note_translation_source(*locale);
    }
    content
}

/// The demo's offers; `organisations` are the demo organisations in their fixed order.
pub async fn load(
    tx: &mut Tx,
    viewer: &Viewer,
    organisations: &[String],
    now: i64,
) -> Result<usize> {
    let today = date_of(now);
    for o in OFFERS {
        let Some(org) = organisations.get(o.provider) else {
            continue;
        };
        let (save_as, verified) = match o.state {
            DemoState::Published => (SaveAs::Published, today),
            DemoState::PublishedUnverified => (SaveAs::Published, date_of(now - 400 * 86_400_000)),
            DemoState::Submitted => (SaveAs::Submitted, today),
        };
        offers::create(
            tx,
            viewer,
            None,
            org,
            &content_of(o),
            save_as,
            true,
            verified,
            now,
        )
        .await?;
    }
    Ok(OFFERS.len())
}

// ---------------------------------------------------------------------------------------------
// Synthetic offers for benchmarks

/// A small deterministic generator (xorshift), so benchmark data is the same on every run.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WHAT: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    // (de, en, ar, tr, uk, ru, fa)
    (
        "Sprachkurs",
        "Language course",
        "دورة لغة",
        "Dil kursu",
        "Мовний курс",
        "Языковой курс",
        "کلاس زبان",
    ),
    (
        "Beratung",
        "Counselling",
        "استشارة",
        "Danışmanlık",
        "Консультація",
        "Консультация",
        "مشاوره",
    ),
    (
        "Elterncafé",
        "Parents' café",
        "مقهى الآباء",
        "Veli kafesi",
        "Кафе для батьків",
        "Кафе для родителей",
        "کافه والدین",
    ),
    (
        "Hausaufgabenhilfe",
        "Homework help",
        "مساعدة في الواجبات",
        "Ödev yardımı",
        "Допомога з уроками",
        "Помощь с уроками",
        "کمک در تکالیف",
    ),
    (
        "Bewerbungstraining",
        "Job application training",
        "تدريب على طلبات العمل",
        "Başvuru eğitimi",
        "Тренінг із резюме",
        "Тренинг по резюме",
        "آموزش درخواست کار",
    ),
    (
        "Frauentreff",
        "Women's meeting",
        "لقاء النساء",
        "Kadın buluşması",
        "Жіноча зустріч",
        "Женская встреча",
        "دورهمی زنان",
    ),
    (
        "Gesundheitssprechstunde",
        "Health consultation",
        "استشارة صحية",
        "Sağlık danışmanlığı",
        "Консультація зі здоров'я",
        "Консультация по здоровью",
        "مشاوره سلامت",
    ),
    (
        "Wohnungssuche",
        "Flat hunting",
        "البحث عن سكن",
        "Ev arama",
        "Пошук житла",
        "Поиск жилья",
        "جستجوی مسکن",
    ),
    (
        "Sportgruppe",
        "Sports group",
        "مجموعة رياضية",
        "Spor grubu",
        "Спортивна група",
        "Спортивная группа",
        "گروه ورزشی",
    ),
    (
        "Nähwerkstatt",
        "Sewing workshop",
        "ورشة خياطة",
        "Dikiş atölyesi",
        "Швейна майстерня",
        "Швейная мастерская",
        "کارگاه خیاطی",
    ),
];

const FOR_WHOM: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "für Frauen",
        "for women",
        "للنساء",
        "kadınlar için",
        "для жінок",
        "для женщин",
        "برای زنان",
    ),
    (
        "für Familien",
        "for families",
        "للعائلات",
        "aileler için",
        "для сімей",
        "для семей",
        "برای خانواده‌ها",
    ),
    (
        "für Jugendliche",
        "for young people",
        "للشباب",
        "gençler için",
        "для молоді",
        "для молодёжи",
        "برای جوانان",
    ),
    (
        "für Geflüchtete",
        "for refugees",
        "للاجئين",
        "mülteciler için",
        "для біженців",
        "для беженцев",
        "برای پناهجویان",
    ),
    (
        "für alle",
        "for everyone",
        "للجميع",
        "herkes için",
        "для всіх",
        "для всех",
        "برای همه",
    ),
];

const SENTENCES: &[&str] = &[
    "Wir treffen uns jede Woche in kleinen Gruppen.",
    "Die Teilnahme ist freiwillig und vertraulich.",
    "Kinderbetreuung ist während der Termine möglich.",
    "Erfahrene Ehrenamtliche begleiten das Angebot.",
    "Sie können jederzeit einsteigen.",
    "Bitte bringen Sie Ihre Unterlagen mit, wenn Sie Fragen zu Anträgen haben.",
    "Wir sprechen auch Ihre Sprache.",
    "Das Angebot findet in barrierefreien Räumen statt.",
];

/// Writes `count` synthetic offers in all seven languages, published, spread over the towns,
/// topics and languages; in transactions of 500 so a long run shows progress and memory stays flat.
/// Returns the number written.
pub async fn generate(db: &Db, count: usize, seed: u64, progress: impl Fn(usize)) -> Result<usize> {
    let actor = Actor::system("benchmark");
    let now = crate::now_ms();
    let today = date_of(now);
    let towns: Vec<String> = crate::reference::towns(db)
        .await?
        .into_iter()
        .map(|t| t.ags)
        .collect();
    let vocabulary = organisations::vocabulary(db).await?;
    let existing = organisations::list(db, false).await?;
    let mut providers: Vec<String> = existing
        .iter()
        .filter(|o| o.name.ends_with("(synthetisch)"))
        .map(|o| o.id.clone())
        .collect();
    if providers.is_empty() {
        let mut tx = db.begin().await?;
        for i in 0..50 {
            let input = lotse_domain::organisation::OrganisationInput {
                name: format!("Anbieter {i:02} (synthetisch)"),
                kind: "welfare_association".into(),
                ..Default::default()
            };
            let draft = input.validate(&vocabulary)?;
            providers.push(organisations::create(&mut tx, &actor, &draft, true, now).await?);
        }
        tx.commit().await?;
    }
    let mut rng = Rng(seed.max(1));
    let languages: Vec<&str> = lotse_domain::offer::DELIVERY_LANGUAGES
        .iter()
        .map(|(c, _, _)| *c)
        .collect();
    let mut written = 0;
    while written < count {
        let batch = (count - written).min(500);
        let mut tx = db.begin().await?;
        for _ in 0..batch {
            let what = rng.pick(WHAT);
            let whom = rng.pick(FOR_WHOM);
            let n = rng.below(10_000);
            let mut description = String::new();
            for _ in 0..4 {
                description.push_str(rng.pick::<&str>(SENTENCES));
                description.push(' ');
            }
            let mut content = OfferContent {
                topics: vec![*rng.pick(Topic::ALL)],
                target_groups: vec![*rng.pick(TargetGroup::ALL)],
                languages: vec!["de".into(), (*rng.pick(&languages)).to_owned()],
                free_of_charge: rng.below(4) != 0,
                capacity: Some(*rng.pick(Capacity::ALL)),
                locations: vec![OfferLocation {
                    name: format!("Treffpunkt {n}"),
                    street: format!("Hauptstraße {}", rng.below(200) + 1),
                    postal_code: "59227".into(),
                    town: rng.pick(&towns).clone(),
                    city: String::new(),
                    latitude: None,
                    longitude: None,
                    located: None,
                }],
                opening_hours: vec![OpeningHours {
                    day: *rng.pick(Weekday::ALL),
                    opens: "10:00".into(),
                    closes: "12:00".into(),
                }],
                ..OfferContent::default()
            };
            // The postcode of the town drawn (the form refuses a postcode of another town).
            if let Some(place) = content.locations.first_mut()
                && let Some(code) =
                    lotse_domain::town::town_place(&place.town).and_then(|t| t.postcodes.first())
            {
                place.postal_code = (*code).to_owned();
            }
            content.languages.dedup();
            let titles = [
                (Locale::De, what.0, whom.0),
                (Locale::En, what.1, whom.1),
                (Locale::Ar, what.2, whom.2),
                (Locale::Tr, what.3, whom.3),
                (Locale::Uk, what.4, whom.4),
                (Locale::Ru, what.5, whom.5),
                (Locale::Fa, what.6, whom.6),
            ];
            for (locale, w, f) in titles {
                content.texts.insert(
                    locale,
                    OfferTexts {
                        title: format!("{w} {f} {n}"),
                        description: if locale == Locale::De {
                            description.trim().to_owned()
                        } else {
                            format!("{w} {f}.")
                        },
                        ..OfferTexts::default()
                    },
                );
            }
            let provider = rng.pick(&providers).clone();
            offers::create(
                &mut tx,
                &Viewer::system("benchmark"),
                None,
                &provider,
                &content,
                SaveAs::Published,
                true,
                today,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        written += batch;
        progress(written);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::{OFFERS, date_of};
    use lotse_domain::Date;

    #[test]
    fn every_demo_validity_is_a_day() {
        for o in OFFERS {
            for text in [o.valid.0, o.valid.1].into_iter().flatten() {
                assert!(Date::parse(text).is_some(), "{text}");
            }
        }
    }

    #[test]
    fn dates_of_instants() {
        assert_eq!(date_of(0).to_string(), "1970-01-01");
        assert_eq!(date_of(1_782_900_000_000).to_string(), "2026-07-01");
        assert_eq!(date_of(951_782_400_000).to_string(), "2000-02-29");
    }
}
