//! The OpenAPI 3.1 description of `/api/v1`, written by hand beside the handlers it describes.
//! A test compares its paths with the route table, the browser tests validate it against the
//! OpenAPI 3.1 schema, and Schemathesis (`tests/api/schemathesis.sh`) holds the running API to
//! it: status codes, content types and bodies as written here, invalid input refused.

use lotse_domain::limits::{SEARCH_WINDOW, count_label};
use lotse_domain::measure::{Adaptation, KiInvolvement, MeasureStatus};
use lotse_store::paging::{DEFAULT_PAGE, MAX_PAGE};
use serde_json::{Value, json};

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn list_of(name: &str) -> Value {
    json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{name}") } })
}

fn one(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A 400 with a `ParameterError`. `plain_text`: the handler reads its query string with axum's
/// `Query`, whose refusal of an unreadable one (a parameter given twice) is plain text.
fn bad_parameter(description: &str, plain_text: bool) -> Value {
    let mut response = ok_json(description, one("ParameterError"));
    if plain_text {
        response["content"]["text/plain"] = json!({ "schema": { "type": "string",
            "description": "Parameter nicht lesbar (z. B. doppelt angegeben)" } });
    }
    response
}

/// A link from a list to one of its entries, for clients and for Schemathesis' stateful tests.
fn link_to(operation_id: &str, id: &str) -> Value {
    json!({ "operationId": operation_id, "parameters": { "id": id } })
}

/// `after` and `limit`: how every list of the staff API is paged.
fn paging_parameters() -> [Value; 2] {
    [
        json!({ "name": "after", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" },
                "description": "Der Wert `next` der vorigen Seite; ohne: die erste Seite. Jede Seite kostet gleich viel, wie tief sie auch liegt." }),
        json!({ "name": "limit", "in": "query", "required": false, "allowEmptyValue": true,
                "schema": { "type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE }, "description": "Einträge je Seite" }),
    ]
}

/// One page of a list: `items` and the cursor of the next page (`null` on the last).
fn page_of(name: &str) -> Value {
    json!({
        "type": "object", "required": ["items", "next"],
        "properties": {
            "items": list_of(name),
            "next": { "type": ["string", "null"], "description": "Für `after`, um die nächste Seite zu holen; null auf der letzten Seite" }
        }
    })
}

/// A string that may be missing.
fn text_or_null() -> Value {
    json!({ "type": ["string", "null"] })
}

/// An object schema whose properties are all required (absent values are `null`).
fn record(properties: Value) -> Value {
    let required: Vec<String> = properties
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    json!({ "type": "object", "required": required, "properties": properties })
}

/// The interpreter pool: asking for an interpreter, the request's schema, the unmet demand.
fn add_interpreter_pool(doc: &mut Value, unauthorized: &Value, forbidden: &Value) {
    use lotse_domain::interpreters::{PoolRule, RequestStatus, Setting};
    let text_or_null = json!({ "type": ["string", "null"] });
    let int_or_null = json!({ "type": ["integer", "null"] });
    let settings: Vec<&str> = Setting::ALL.iter().map(|s| s.key()).collect();
    let rules: Vec<&str> = PoolRule::ALL.iter().map(|r| r.code()).collect();
    doc["paths"]["/api/v1/interpreter-requests"]["post"] = json!({
        "operationId": "createInterpreterRequest",
        "summary": "Sprachmittlung anfragen: mindestens fünf Werktage im Voraus (Feiertage in NRW zählen nicht), nur mündlich, im Kreis, nicht für Privatpersonen, Polizei, Gerichte, medizinische Termine, wiederkehrende Termine oder längere Beratungsprozesse",
        "requestBody": { "required": true, "content": { "application/json": {
            "schema": { "type": "object", "required": ["language", "date", "start", "duration_minutes", "town", "setting"], "properties": {
                "language": { "type": "string", "description": "ISO 639-1, z. B. ar" },
                "dialect": { "type": "string" },
                "date": { "type": "string", "format": "date" },
                "start": { "type": "string", "description": "HH:MM" },
                "duration_minutes": { "type": "integer", "minimum": 15, "maximum": 480 },
                "town": { "type": "string", "description": "Name oder AGS einer der 13 Städte und Gemeinden" },
                "setting": { "type": "string", "enum": settings },
                "occasion": { "type": "string", "enum": ["parent_meeting", "information_evening", "other"], "description": "bei Schulen" },
                "recurring": { "type": "boolean" },
                "written": { "type": "boolean" },
                "long_counselling": { "type": "boolean" },
                "place": { "type": "string" },
                "contact_name": { "type": "string" },
                "contact_phone": { "type": "string" },
                "contact_email": { "type": "string" },
                "note": { "type": "string" },
                "organisation_id": { "type": "string", "description": "nur die Koordination: für welche Organisation" }
            } },
            "example": { "language": "ar", "date": "2027-02-01", "start": "14:00", "duration_minutes": 60, "town": "Ahlen", "setting": "school", "recurring": false }
        } } },
        "responses": {
            "201": { "description": "Eingegangen (Adresse im Header `location`)",
                     "content": { "application/json": { "schema": one("InterpreterRequest") } },
                     "links": { "request": link_to("getInterpreterRequest", "$response.body#/id") } },
            "400": bad_parameter("Kein JSON-Objekt, oder ein Feld der falschen Art (`field` nennt es).", false),
            "401": unauthorized, "403": forbidden,
            "413": error_response("Inhalt zu groß."),
            "422": ok_json("Abgelehnt: `error` ist die Regel des Pools (oder `invalid` mit `errors` je Feld), `message` sagt es auf Deutsch", json!({
                "type": "object", "required": ["error", "message"], "properties": {
                    "error": { "type": "string", "enum": rules.iter().copied().chain(["invalid"]).collect::<Vec<_>>() },
                    "field": { "type": "string" },
                    "message": { "type": "string" },
                    "errors": { "type": "object", "additionalProperties": { "type": "string" } }
                } }))
        }
    });
    doc["paths"]["/api/v1/interpreter-pool/unmet"] = json!({ "get": {
        "operationId": "unmetInterpreterDemand",
        "summary": "Anfragen, für die niemand gefunden wurde, je Sprache (ungedeckter Bedarf; Anfragen von Einrichtungen, keine Personen)",
        "parameters": [
            { "name": "from", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string", "format": "date" }, "description": "ohne: vor einem Jahr" },
            { "name": "to", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string", "format": "date" }, "description": "ohne: heute" }
        ],
        "responses": {
            "200": ok_json("Anfragen je Sprache", record(json!({
                "from": { "type": "string" }, "to": { "type": "string" },
                "items": { "type": "array", "items": record(json!({ "language": { "type": "string" }, "count": { "type": "integer" } })) }
            }))),
            "400": bad_parameter("from oder to ist kein Datum (`field` nennt ihn).", true),
            "401": unauthorized, "403": forbidden
        }
    }});
    doc["components"]["schemas"]["InterpreterRequest"] = record(json!({
        "id": { "type": "string" },
        "status": { "type": "string", "enum": RequestStatus::ALL.iter().map(|s| s.key()).collect::<Vec<_>>() },
        "organisation_id": { "type": "string" }, "organisation": { "type": "string" },
        "language": { "type": "string" }, "dialect": { "type": "string" },
        "date": { "type": "string", "format": "date" }, "start": { "type": "string" },
        "duration_minutes": { "type": "integer" }, "town": { "type": "string" }, "town_ags": { "type": "string" },
        "setting": { "type": "string" }, "occasion": text_or_null.clone(), "place": { "type": "string" },
        "contact_name": { "type": "string" }, "contact_phone": { "type": "string" }, "contact_email": { "type": "string" },
        "note": text_or_null.clone(), "reason": text_or_null.clone(), "interpreter": text_or_null,
        "actual_minutes": int_or_null.clone(), "travel_km": int_or_null.clone(), "allowance_cents": int_or_null
    }));
}

/// The read endpoints of the records the staff pages show beside measures and organisations:
/// review rounds, offers, programmes, funding, bodies, decisions, structural issues. Each is a
/// paged list and one entry.
fn add_staff_records(doc: &mut Value) {
    let unauthorized = error_response("Nicht angemeldet (kein oder ungültiger Token).");
    let forbidden = error_response("Der Rolle fehlt die Berechtigung.");
    let not_found = error_response("Nicht gefunden (oder für dieses Konto nicht sichtbar).");
    let id =
        json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }]);
    let filter = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "allowEmptyValue": true, "schema": schema, "description": description });
    // (path, list operation, entry operation, summary, list item schema, entry schema, filters)
    type StaffList<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        Vec<Value>,
    );
    let lists: [StaffList; 9] = [
        (
            "/api/v1/rounds",
            "listRounds",
            "getRound",
            "Überprüfungsrunden mit Stand der Berichte, in der Reihenfolge ihrer Eröffnung",
            "RoundSummary",
            "Round",
            vec![filter(
                "state",
                "open oder closed",
                json!({ "type": "string", "enum": crate::api::rounds::STATES }),
            )],
        ),
        (
            "/api/v1/offers",
            "listStaffOffers",
            "getStaffOffer",
            "Angebote im Verzeichnis, wie das Konto sie sehen darf (eigene ganz, fremde veröffentlicht), nach Titel",
            "OfferSummary",
            "Offer",
            vec![
                filter(
                    "state",
                    "Stand",
                    json!({ "type": "string", "enum": lotse_store::offers::ListState::ALL.map(lotse_store::offers::ListState::key) }),
                ),
                filter(
                    "organisation",
                    "ID der anbietenden Organisation",
                    json!({ "type": "string" }),
                ),
                filter("q", "Wörter im Titel", json!({ "type": "string" })),
            ],
        ),
        (
            "/api/v1/programmes",
            "listProgrammes",
            "getProgramme",
            "Programme, in der Reihenfolge ihrer Anlage",
            "ProgrammeSummary",
            "Programme",
            vec![],
        ),
        (
            "/api/v1/funding",
            "listFunding",
            "getFunding",
            "Förderprogramme mit Summen (Koordination), in der Reihenfolge ihrer Anlage",
            "FundingSummary",
            "Funding",
            vec![],
        ),
        (
            "/api/v1/bodies",
            "listBodies",
            "getBody",
            "Gremien mit Mitgliedern, in der Reihenfolge ihrer Anlage",
            "Body",
            "Body",
            vec![],
        ),
        (
            "/api/v1/decisions",
            "listDecisions",
            "getDecision",
            "Beschlüsse der Gremien mit den betroffenen Maßnahmen, in der Reihenfolge ihrer Erfassung",
            "Decision",
            "Decision",
            vec![filter(
                "body",
                "ID des Gremiums",
                json!({ "type": "string" }),
            )],
        ),
        (
            "/api/v1/cases",
            "listCases",
            "getCase",
            "KIM-Fälle, die das Konto sehen darf (eigene mit Namen; die Koordination alle pseudonymisiert), offene zuerst",
            "Case",
            "Case",
            vec![],
        ),
        (
            "/api/v1/structural-issues",
            "listStructuralIssues",
            "getStructuralIssue",
            "Strukturelle Hürden an den Übergängen zwischen Stellen, in der Reihenfolge ihrer Erfassung",
            "StructuralIssue",
            "StructuralIssue",
            vec![filter(
                "status",
                "Stand",
                json!({ "type": "string", "enum": lotse_domain::structural_issue::IssueStatus::ALL.map(lotse_domain::structural_issue::IssueStatus::key) }),
            )],
        ),
        (
            "/api/v1/interpreter-requests",
            "listInterpreterRequests",
            "getInterpreterRequest",
            "Anfragen an den Sprachmittlerpool, die das Konto sehen darf (die eigene Organisation; die Koordination alle; Sprachmittler:innen ihre Einsätze), in der Reihenfolge ihres Eingangs",
            "InterpreterRequest",
            "InterpreterRequest",
            vec![
                filter(
                    "status",
                    "Stand",
                    json!({ "type": "string", "enum": lotse_domain::interpreters::RequestStatus::ALL.iter().map(|s| s.key()).collect::<Vec<_>>() }),
                ),
                filter(
                    "language",
                    "Sprache (ISO 639-1)",
                    json!({ "type": "string" }),
                ),
            ],
        ),
    ];
    for (path, list_id, get_id, summary, item, detail, mut parameters) in lists {
        parameters.extend(paging_parameters());
        let forbidden_or_not = if path == "/api/v1/funding"
            || path == "/api/v1/cases"
            || path == "/api/v1/interpreter-requests"
        {
            Some(forbidden.clone())
        } else {
            None
        };
        let mut list_responses = json!({
            "200": { "description": summary, "content": { "application/json": { "schema": page_of(item) } },
                     "links": { "entry": link_to(get_id, "$response.body#/items/0/id") } },
            "400": bad_parameter("after, limit oder ein Filter ungültig (`field` nennt ihn), oder Parameter nicht lesbar.", false),
            "401": unauthorized
        });
        let mut get_responses = json!({ "200": ok_json("Eintrag", one(detail)), "401": unauthorized, "404": not_found });
        if let Some(f) = forbidden_or_not {
            list_responses["403"] = f.clone();
            get_responses["403"] = f;
        }
        doc["paths"][path] = json!({ "get": { "operationId": list_id, "summary": summary, "parameters": parameters, "responses": list_responses } });
        doc["paths"][format!("{path}/{{id}}")] = json!({ "get": { "operationId": get_id, "summary": format!("Ein Eintrag: {summary}"), "parameters": id, "responses": get_responses } });
    }
    // Case figures: counts under the statistics rule, null where suppressed.
    let param = |name: &str, description: &str, schema: Value, required: bool| json!({ "name": name, "in": "query", "required": required, "allowEmptyValue": !required, "schema": schema, "description": description });
    doc["paths"]["/api/v1/statistics/cases"] = json!({ "get": {
        "operationId": "caseStatistics",
        "summary": "Fallzahlen eines Zeitraums nach einem Merkmal (Statistikregel: keine Zahl von 1 bis 4, keine daraus ableitbare)",
        "parameters": [
            param("by", "Merkmal", json!({ "type": "string", "enum": lotse_store::statistics::CaseFigure::ALL.iter().map(|f| f.key()).collect::<Vec<_>>() }), true),
            param("from", "Beginn (JJJJ-MM-TT); ohne: 1. Januar dieses Jahres", json!({ "type": "string", "format": "date" }), false),
            param("to", "Ende (JJJJ-MM-TT, eingeschlossen); ohne: heute", json!({ "type": "string", "format": "date" }), false)
        ],
        "responses": {
            "200": ok_json("Zahlen je Schlüssel; Schlüssel ohne Personen fehlen", one("CaseFigure")),
            "400": bad_parameter("by, from oder to ungültig (`field` nennt ihn), oder Parameter nicht lesbar.", true),
            "401": unauthorized,
            "403": forbidden.clone()
        }
    }});
    add_interpreter_pool(doc, &unauthorized, &forbidden);
    let named = json!({ "type": "array", "items": { "$ref": "#/components/schemas/Named" } });
    let nullable_named =
        json!({ "oneOf": [{ "$ref": "#/components/schemas/Named" }, { "type": "null" }] });
    let schemas = &mut doc["components"]["schemas"];
    schemas["Named"] = record(json!({ "id": { "type": "string" }, "name": { "type": "string" } }));
    let reports = record(json!({
        "total": { "type": "integer" }, "missing": { "type": "integer" }, "submitted": { "type": "integer" },
        "returned": { "type": "integer" }, "accepted": { "type": "integer" }
    }));
    let round = record(json!({
        "id": { "type": "string" }, "title": { "type": "string" }, "reference_date": { "type": "string", "format": "date" },
        "state": { "type": "string", "enum": crate::api::rounds::STATES }, "fictitious": { "type": "boolean" },
        "opened_at": { "type": "integer", "description": "Millisekunden seit 1970 (UTC)" },
        "closed_at": { "type": ["integer", "null"] }, "reports": reports
    }));
    let mut detail = round.clone();
    detail["properties"]["turnaround"] = json!({ "oneOf": [record(json!({
        "reports": { "type": "integer" }, "median_days": { "type": "number" }, "p90_days": { "type": "number" } })), { "type": "null" }],
        "description": "Tage von der Eröffnung bis zu den eingereichten Berichten (Median, 90. Perzentil); null, solange weniger als fünf eingereicht sind (Statistikregel)" });
    if let Some(required) = detail["required"].as_array_mut() {
        required.push(json!("turnaround"));
    }
    schemas["RoundSummary"] = round;
    schemas["Round"] = detail;
    let revision = record(json!({
        "id": { "type": "string" }, "state": { "type": "string", "enum": ["draft", "submitted", "returned", "published", "superseded"] },
        "saved_at": { "type": "integer" }, "note": { "type": "string" },
        "content": { "type": "object", "description": "Inhalt des Angebots (Titel, Beschreibung, Übersetzungen, Orte, Zeiten, Kontakt …)" }
    }));
    let nullable_revision = json!({ "oneOf": [revision, { "type": "null" }] });
    schemas["OfferSummary"] = record(json!({
        "id": { "type": "string" }, "organisation_id": { "type": "string" }, "organisation": { "type": "string" },
        "title": { "type": "string" }, "published_title": text_or_null(), "valid_from": text_or_null(), "valid_to": text_or_null(),
        "verified_on": text_or_null(), "withdrawn_at": { "type": ["integer", "null"] },
        "pending": { "type": ["string", "null"], "enum": ["draft", "submitted", "returned", null] }, "fictitious": { "type": "boolean" }
    }));
    schemas["Offer"] = record(json!({
        "id": { "type": "string" }, "organisation_id": { "type": "string" }, "organisation": { "type": "string" },
        "title": { "type": "string" }, "verified_on": text_or_null(), "withdrawn_at": { "type": ["integer", "null"] },
        "fictitious": { "type": "boolean" }, "created_at": { "type": "integer" }, "updated_at": { "type": "integer" },
        "published": nullable_revision.clone(), "pending": nullable_revision
    }));
    schemas["ProgrammeSummary"] = record(json!({
        "id": { "type": "string" }, "name": { "type": "string" }, "part_of": nullable_named.clone(),
        "active": { "type": "boolean" }, "sites": { "type": "integer" }, "measures": { "type": "integer" }
    }));
    let figures = record(
        json!({ "site": { "type": "string" }, "groups": { "type": "integer" }, "participants": { "type": "string", "description": "Zahl, „<5“ oder verdeckt (Statistikregel)" } }),
    );
    let whole = json!({ "oneOf": [record(json!({ "groups": { "type": "integer" }, "participants": { "type": "string" } })), { "type": "null" }] });
    schemas["Programme"] = record(json!({
        "id": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" },
        "part_of": nullable_named, "parts": named.clone(), "active": { "type": "boolean" }, "fictitious": { "type": "boolean" },
        "partners": named.clone(),
        "sites": { "type": "array", "items": record(json!({
            "id": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string" },
            "town_ags": { "type": "string" }, "town": { "type": "string" }, "active": { "type": "boolean" } })) },
        "figures": { "type": "array", "items": record(json!({
            "period": { "type": "string" }, "sites": { "type": "array", "items": figures },
            "total_groups": { "type": "integer" }, "total_participants": { "type": "string" }, "whole": whole })) },
        "measures": named.clone()
    }));
    schemas["FundingSummary"] = record(json!({
        "id": { "type": "string" }, "name": { "type": "string" }, "funder": { "type": "string" }, "active": { "type": "boolean" },
        "grants": { "type": "integer" }, "granted_cents": { "type": "integer" }, "paid_cents": { "type": "integer" },
        "spent_cents": { "type": "integer" }, "open_deadlines": { "type": "integer" }
    }));
    schemas["Funding"] = record(json!({
        "id": { "type": "string" }, "name": { "type": "string" }, "funder": { "type": "string" }, "description": { "type": "string" },
        "active": { "type": "boolean" }, "fictitious": { "type": "boolean" },
        "budgets": { "type": "array", "items": record(json!({ "year": { "type": "integer" }, "amount_cents": { "type": "integer" } })) },
        "grants": { "type": "array", "items": record(json!({
            "id": { "type": "string" }, "organisation_id": text_or_null(), "organisation": text_or_null(),
            "programme_id": text_or_null(), "programme": text_or_null(), "purpose": { "type": "string" }, "reference": { "type": "string" },
            "amount_cents": { "type": "integer" }, "period_from": { "type": "string" }, "period_to": { "type": "string" },
            "paid_cents": { "type": "integer" }, "spent_cents": { "type": "integer" }, "fictitious": { "type": "boolean" },
            "movements": { "type": "array", "items": record(json!({
                "id": { "type": "string" }, "kind": { "type": "string", "enum": ["payment", "expense"] }, "on_date": { "type": "string" },
                "amount_cents": { "type": "integer" }, "note": { "type": "string" } })) },
            "deadlines": { "type": "array", "items": record(json!({
                "id": { "type": "string" }, "title": { "type": "string" }, "due_on": { "type": "string" }, "submitted_on": text_or_null() })) }
        })) }
    }));
    schemas["Body"] = record(json!({
        "id": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" },
        "fictitious": { "type": "boolean" }, "members": named.clone()
    }));
    schemas["Decision"] = record(json!({
        "id": { "type": "string" }, "body_id": { "type": "string" }, "body": { "type": "string" }, "meeting_id": text_or_null(),
        "number": { "type": "string" }, "decided_on": { "type": "string" }, "text": { "type": "string" }, "measures": named.clone()
    }));
    let side = record(
        json!({ "organisation_id": text_or_null(), "organisation": text_or_null(), "jurisdiction": text_or_null() }),
    );
    let count = json!({
        "count": { "type": ["integer", "null"], "minimum": 0, "description": "null, wenn unterdrückt" },
        "suppressed": { "type": ["string", "null"], "enum": ["small", "derived", null],
                        "description": "small: 1 bis 4 Personen; derived: ließe eine kleine Zahl errechnen" }
    });
    let mut item = count.clone();
    item["key"] = json!({ "type": "string" });
    item["label"] = json!({ "type": "string" });
    let mut item = record(item);
    item["properties"]["median_days"] = json!({ "type": ["number", "null"] });
    item["properties"]["p90_days"] = json!({ "type": ["number", "null"] });
    schemas["CaseFigure"] = record(json!({
        "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" },
        "by": { "type": "string" }, "label": { "type": "string" }, "min_group": { "type": "integer" },
        "items": { "type": "array", "items": item }, "total": record(count)
    }));
    schemas["Case"] = record(json!({
        "id": { "type": "string" }, "pseudonym": { "type": "string" },
        "family_name": text_or_null(), "given_names": text_or_null(),
        "birth_date": { "type": ["string", "null"], "format": "date" }, "birth_year": text_or_null(),
        "town_ags": text_or_null(), "jurisdiction": { "type": ["string", "null"], "enum": lotse_domain::case::Jurisdiction::ALL.iter().map(|j| json!(j.key())).chain(std::iter::once(serde_json::Value::Null)).collect::<Vec<_>>() },
        "phase": { "type": "string", "enum": lotse_domain::case::CasePhase::ALL.iter().map(|p| p.key()).collect::<Vec<_>>() },
        "access_route": { "type": "string", "enum": lotse_domain::case::AccessRoute::ALL.iter().map(|a| a.key()).collect::<Vec<_>>() },
        "opened_on": { "type": "string", "format": "date" }, "closed_on": { "type": ["string", "null"], "format": "date" },
        "whole": { "type": "boolean", "description": "false: pseudonymisiert oder über eine Schweigepflichtentbindung; Zurückgehaltenes ist null" },
        "view": { "type": "string", "enum": ["whole", "pseudonymised", "released"] }
    }));
    schemas["StructuralIssue"] = record(json!({
        "id": { "type": "string" }, "title": { "type": "string" }, "description": { "type": "string" },
        "from": side.clone(), "to": side,
        "evidence": { "type": "string", "description": "Zahl der Fälle; 1 bis 4 als „<5“ (Statistikregel)" },
        "status": { "type": "string", "enum": lotse_domain::structural_issue::IssueStatus::ALL.map(lotse_domain::structural_issue::IssueStatus::key) },
        "status_label": { "type": "string" }, "reported_on": { "type": "string" }, "towns": named,
        "fictitious": { "type": "boolean" }, "created_at": { "type": "integer" }, "updated_at": { "type": "integer" }
    }));
}

pub fn document() -> Value {
    let mut doc = staff_document();
    add_staff_records(&mut doc);
    add_public_finder(&mut doc);
    add_hsds(&mut doc);
    refuse_nul_everywhere(&mut doc);
    doc
}

/// Every route refuses a NUL in its address or body with 400 before any handler runs
/// (`null_bytes`); operations that do not document a 400 of their own get that one.
fn refuse_nul_everywhere(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for operations in paths.values_mut() {
        let Some(operations) = operations.as_object_mut() else {
            continue;
        };
        for operation in operations.values_mut() {
            let responses = &mut operation["responses"];
            if responses.get("400").is_none() {
                responses["400"] = ok_json(
                    "Unzulässiges Steuerzeichen (U+0000) in Adresse oder Inhalt.",
                    one("Error"),
                );
            }
        }
    }
}

/// The read-only HSDS 3.0 API. Its objects are those of the Open Referral schemas
/// (https://docs.openreferral.org/en/v3.0/), described here by reference rather than copied.
fn add_hsds(doc: &mut Value) {
    let paging = json!([
        { "name": "page", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1 },
          "description": "Seite ab 1; jede Seite kostet gleich viel, wie tief sie auch liegt, so dass sich das ganze Verzeichnis Seite für Seite abholen lässt. Hinter der letzten Seite: leere Seite (`empty`)." },
        { "name": "per_page", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } }
    ]);
    let id =
        json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }]);
    // Lotse's taxonomies have fixed ids (derived from their names): real examples.
    let themes = lotse_domain::hsds::derived_id(&["taxonomy", "lotse-themen"]);
    let work = lotse_domain::hsds::derived_id(&["taxonomy_term", "lotse-themen", "work"]);
    let id_example = |example: &str| json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "example": example }]);
    let page = |what: &str, entry: &str| {
        let mut response = ok_json(
            &format!("Eine Seite {what} (HSDS-Page, Inhalt in `contents`)"),
            one("HsdsPage"),
        );
        response["links"] = json!({ "entry": link_to(entry, "$response.body#/contents/0/id") });
        response
    };
    let object = |what: &str| ok_json(what, one("HsdsObject"));
    let not_found = error_response("Nicht (mehr) veröffentlicht.");
    let bad = bad_parameter("Ungültiger Parameter (`field` nennt ihn).", true);
    let mut service_params = paging.as_array().cloned().unwrap_or_default();
    let search = format!(
        "Volltextsuche wie im Angebotsfinder (nur aktuell gültige Angebote, nach Relevanz). \
         Gerankt werden nur die ersten {max} Treffer: page × per_page ≤ {max}, sonst 400 \
         (`field`: page). Ohne search liefert die Liste alle veröffentlichten Angebote.",
        max = count_label(SEARCH_WINDOW)
    );
    for (name, description) in [
        ("search", search.as_str()),
        (
            "organization_id",
            "nur Angebote dieser Organisation (ohne search)",
        ),
        (
            "taxonomy_term_id",
            "nur Angebote mit diesem Begriff (Lotse-Themen oder -Zielgruppen, wie ihre Attribute \
             ihn nennen; ohne search auch nicht aktuelle, siehe `status`)",
        ),
        ("full", "true: Angebote voll verschachtelt"),
    ] {
        service_params.push(json!({ "name": name, "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" }, "description": description }));
    }
    let paths = &mut doc["paths"];
    paths["/hsds/"] = json!({ "get": { "operationId": "hsdsInfo", "summary": "HSDS: Version und Beschreibung dieser Schnittstelle", "security": [],
        "responses": { "200": object("Angaben zur Schnittstelle") } } });
    paths["/hsds/services"] = json!({ "get": { "operationId": "hsdsServices", "summary": "HSDS: veröffentlichte Angebote, nach id geordnet (ohne search: alle, Seite für Seite abholbar)", "security": [],
        "parameters": service_params, "responses": { "200": page("Angebote", "hsdsService"), "400": bad } } });
    paths["/hsds/services/{id}"] = json!({ "get": { "operationId": "hsdsService", "summary": "HSDS: ein Angebot, voll verschachtelt", "security": [],
        "parameters": id, "responses": { "200": object("service"), "404": not_found } } });
    paths["/hsds/organizations"] = json!({ "get": { "operationId": "hsdsOrganizations", "summary": "HSDS: Organisationen mit veröffentlichten Angeboten", "security": [],
        "parameters": paging, "responses": { "200": page("Organisationen", "hsdsOrganization"), "400": bad } } });
    paths["/hsds/organizations/{id}"] = json!({ "get": { "operationId": "hsdsOrganization", "summary": "HSDS: eine Organisation mit Orten und Angeboten", "security": [],
        "parameters": id, "responses": { "200": object("organization"), "404": not_found } } });
    paths["/hsds/service_at_locations"] = json!({ "get": { "operationId": "hsdsServiceAtLocations", "summary": "HSDS: Angebote an Orten", "security": [],
        "parameters": paging, "responses": { "200": page("Angebote an Orten", "hsdsServiceAtLocation"), "400": bad } } });
    paths["/hsds/service_at_locations/{id}"] = json!({ "get": { "operationId": "hsdsServiceAtLocation", "summary": "HSDS: ein Angebot an einem Ort", "security": [],
        "parameters": id, "responses": { "200": object("service_at_location"), "404": not_found } } });
    paths["/hsds/taxonomies"] = json!({ "get": { "operationId": "hsdsTaxonomies", "summary": "HSDS: Lotses Taxonomien", "security": [],
        "parameters": paging, "responses": { "200": page("Taxonomien", "hsdsTaxonomy"), "400": bad } } });
    paths["/hsds/taxonomies/{id}"] = json!({ "get": { "operationId": "hsdsTaxonomy", "summary": "HSDS: eine Taxonomie", "security": [],
        "parameters": id_example(&themes), "responses": { "200": object("taxonomy"), "404": not_found } } });
    paths["/hsds/taxonomy_terms"] = json!({ "get": { "operationId": "hsdsTaxonomyTerms", "summary": "HSDS: Begriffe der Taxonomien", "security": [],
        "parameters": [paging[0].clone(), paging[1].clone(), { "name": "taxonomy_id", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" }, "example": themes }],
        "responses": { "200": page("Begriffe", "hsdsTaxonomyTerm"), "400": bad } } });
    paths["/hsds/taxonomy_terms/{id}"] = json!({ "get": { "operationId": "hsdsTaxonomyTerm", "summary": "HSDS: ein Begriff", "security": [],
        "parameters": id_example(&work), "responses": { "200": object("taxonomy_term"), "404": not_found } } });
    let schemas = &mut doc["components"]["schemas"];
    schemas["HsdsObject"] = json!({ "type": "object", "description": "Ein Objekt nach Open Referral HSDS 3.0 (Schema des jeweiligen Typs, https://docs.openreferral.org/en/v3.0/)." });
    schemas["HsdsPage"] = json!({
        "type": "object",
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
        "properties": {
            "total_items": { "type": "integer" }, "total_pages": { "type": "integer" },
            "page_number": { "type": "integer" }, "size": { "type": "integer" },
            "first_page": { "type": "boolean" }, "last_page": { "type": "boolean" }, "empty": { "type": "boolean" },
            "contents": { "type": "array", "items": { "$ref": "#/components/schemas/HsdsObject" } }
        }
    });
}

/// The finder's API: public, no token, cacheable; the HSDS API sits beside it under `/hsds`.
fn add_public_finder(doc: &mut Value) {
    let bad_request = bad_parameter("Ungültiger Parameter (`field` nennt ihn).", true);
    // An empty parameter counts as absent, as a search form sends it.
    let param = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "allowEmptyValue": true, "schema": schema, "description": description });
    let locale = json!({ "type": "string", "enum": lotse_domain::offer::Locale::ALL.iter().map(|l| l.key()).collect::<Vec<_>>(), "default": "de" });
    doc["paths"]["/api/v1/public/offers"] = json!({ "get": {
        "operationId": "searchOffers", "summary": "Angebote suchen (öffentlich, ohne Anmeldung)", "security": [],
        "parameters": [
            param("q", "Suchwörter; deutsche Wortformen und ein Tippfehler je Wort werden gefunden", json!({ "type": "string" })),
            param("town", "Stadt/Gemeinde: Name oder AGS", json!({ "type": "string" })),
            param("topic", "Thema", json!({ "$ref": "#/components/schemas/OfferTopic" })),
            param("language", "Sprache, in der das Angebot stattfindet (ISO 639-1, Groß-/Kleinschreibung egal)", json!({ "type": "string", "pattern": "^[A-Za-z]{2}$" })),
            param("group", "Zielgruppe; Angebote für alle passen immer", json!({ "$ref": "#/components/schemas/OfferTargetGroup" })),
            param("free", "nur kostenlose Angebote", json!({ "type": "boolean" })),
            param("places", "nur Angebote mit freien Plätzen (ohne Warteliste, nicht ausgebucht; Angebote ohne Angabe zählen mit)", json!({ "type": "boolean" })),
            param("open", "nur Angebote, die jetzt (now) oder an einem Wochentag (mo, tu, we, th, fr, sa, su) geöffnet sind", json!({ "type": "string", "enum": ["now", "mo", "tu", "we", "th", "fr", "sa", "su"] })),
            param("near", "die nächsten zuerst, von einem Ort, Ortsteil oder einer Postleitzahl des Kreises aus; jedes Angebot nennt dann distance_km", json!({ "type": "string" })),
            param("locale", "Sprache der Texte; fehlende Übersetzungen kommen auf Deutsch", locale.clone()),
            param("limit", "Treffer je Seite (0 zählt als 1)", json!({ "type": "integer", "minimum": 0, "maximum": 100, "default": 20 })),
            param("offset", &format!(
                "Treffer überspringen. Gerankt werden nur die ersten {max} Treffer: offset + limit ≤ {max}, \
                 sonst 400 (`field`: offset); offset reicht also höchstens bis {max} − limit \
                 (das Maximum hier gilt für limit 1). `total` nennt trotzdem alle Treffer. Das ganze \
                 Verzeichnis gibt es Seite für Seite über die HSDS-Schnittstelle `/hsds/services`, \
                 deren Seiten in jeder Tiefe gleich viel kosten.",
                max = count_label(SEARCH_WINDOW)
            ), json!({ "type": "integer", "minimum": 0, "maximum": SEARCH_WINDOW - 1, "default": 0 }))
        ],
        "responses": {
            "200": { "description": "Treffer nach Relevanz (mit Suchwörtern) oder Titel",
                     "content": { "application/json": { "schema": one("PublicOfferList") } },
                     "links": { "offer": link_to("getPublicOffer", "$response.body#/items/0/id") } },
            "400": bad_request
        }
    }});
    doc["paths"]["/api/v1/public/offers/{id}"] = json!({ "get": {
        "operationId": "getPublicOffer", "summary": "Ein veröffentlichtes Angebot (öffentlich)", "security": [],
        "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
            param("locale", "Sprache der Texte", locale)
        ],
        "responses": { "200": ok_json("Angebot", one("PublicOffer")), "400": bad_request, "404": error_response("Nicht (mehr) veröffentlicht.") }
    }});
    let schemas = &mut doc["components"]["schemas"];
    schemas["ParameterError"] = json!({ "type": "object", "required": ["error"], "properties": { "error": { "type": "string" },
        "field": { "type": "string", "description": "der fehlerhafte Parameter, wenn es einer ist" } } });
    schemas["OfferTopic"] = json!({ "type": "string", "enum": lotse_domain::offer::Topic::ALL.iter().map(|t| t.key()).collect::<Vec<_>>() });
    schemas["OfferTargetGroup"] = json!({ "type": "string", "enum": lotse_domain::offer::TargetGroup::ALL.iter().map(|t| t.key()).collect::<Vec<_>>() });
    schemas["PublicOfferList"] = json!({
        "type": "object", "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": { "type": "array", "items": { "$ref": "#/components/schemas/PublicOfferItem" } },
            "total": { "type": "integer", "description": "alle Treffer, nicht nur diese Seite" },
            "limit": { "type": "integer" }, "offset": { "type": "integer" }
        }
    });
    schemas["PublicOfferItem"] = json!({
        "type": "object",
        "required": ["id", "title", "title_language", "summary", "provider", "towns", "languages", "topics", "target_groups", "free_of_charge", "url"],
        "properties": {
            "id": { "type": "string" }, "title": { "type": "string" },
            "title_language": { "type": "string", "description": "Sprache des Titels (de, wenn die Übersetzung fehlt)" },
            "summary": { "type": "string" }, "provider": { "type": "string" },
            "towns": { "type": "array", "items": { "type": "string" }, "description": "Namen der Orte" },
            "languages": { "type": "array", "items": { "type": "string" }, "description": "ISO 639-1" },
            "topics": { "type": "array", "items": { "$ref": "#/components/schemas/OfferTopic" } },
            "target_groups": { "type": "array", "items": { "$ref": "#/components/schemas/OfferTargetGroup" } },
            "free_of_charge": { "type": "boolean" },
            "capacity": { "type": ["string", "null"], "enum": ["places_free", "waiting_list", "full", null] },
            "url": { "type": "string", "description": "Seite des Angebots im Angebotsfinder" },
            "distance_km": { "type": "number", "description": "Entfernung zum nächsten Ort des Angebots (nur mit near)" },
            "open_now": { "type": "boolean", "description": "jetzt geöffnet nach den Öffnungszeiten" }
        }
    });
    schemas["PublicOffer"] = json!({
        "type": "object",
        "required": ["id", "provider", "locale", "incompletely_translated", "texts", "topics", "target_groups", "languages", "free_of_charge", "locations", "opening_hours", "contact", "url"],
        "properties": {
            "id": { "type": "string" }, "provider": { "type": "string" }, "locale": { "type": "string" },
            "incompletely_translated": { "type": "boolean" },
            "texts": { "type": "object", "description": "title, easy_summary, description, schedule_note, fees, eligibility, required_documents, registration, accessibility – soweit vorhanden",
                "additionalProperties": { "type": "object", "required": ["text", "lang"], "properties": { "text": { "type": "string" }, "lang": { "type": "string" } } } },
            "topics": { "type": "array", "items": { "$ref": "#/components/schemas/OfferTopic" } },
            "target_groups": { "type": "array", "items": { "$ref": "#/components/schemas/OfferTargetGroup" } },
            "min_age": { "type": ["integer", "null"] }, "max_age": { "type": ["integer", "null"] },
            "languages": { "type": "array", "items": { "type": "string" } },
            "free_of_charge": { "type": "boolean" },
            "capacity": { "type": ["string", "null"] },
            "locations": { "type": "array", "items": { "type": "object", "properties": {
                "name": { "type": "string" }, "street": { "type": "string" }, "postal_code": { "type": "string" },
                "town_ags": { "type": "string" }, "town": { "type": ["string", "null"] },
                "latitude": { "type": ["number", "null"] }, "longitude": { "type": ["number", "null"] } } } },
            "opening_hours": { "type": "array", "items": { "type": "object", "required": ["day", "opens", "closes"], "properties": {
                // As serialised: the day's name (monday …), not the two-letter key.
                "day": { "type": "string", "enum": lotse_domain::offer::Weekday::ALL.iter().map(|d| json!(d)).collect::<Vec<_>>() },
                "opens": { "type": "string" }, "closes": { "type": "string" } } } },
            "contact": { "type": "object", "properties": { "name": { "type": "string" }, "phone": { "type": "string" }, "email": { "type": "string" }, "website": { "type": "string" } } },
            "valid_from": { "type": ["string", "null"], "format": "date" },
            "valid_to": { "type": ["string", "null"], "format": "date" },
            "verified_on": { "type": ["string", "null"], "format": "date" },
            "url": { "type": "string" }
        }
    });
}

fn staff_document() -> Value {
    let unauthorized = error_response("Nicht angemeldet (kein oder ungültiger Token).");
    let forbidden = error_response("Der Rolle fehlt die Berechtigung.");
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Lotse API",
            "version": "1",
            "description": "Schnittstelle der Lotse-Plattform (Kreis Warendorf). Anmeldung mit persönlichem API-Token: `Authorization: Bearer lotse_…` (Token unter „Mein Konto“ erzeugen). Die öffentliche Angebotssuche (`/api/v1/public/…`) und die HSDS-Schnittstelle (`/hsds/…`) brauchen keinen Token; sie lesen Abfrageparameter ohne Leerraum an den Enden, und ein leerer Parameter gilt als nicht angegeben. Jede Liste des Mitarbeiterbereichs ist eine Seite `{\"items\": […], \"next\": …}`: die nächste Seite mit `after` = `next` holen, bis `next` null ist (seit November 2026; vorher lieferten Maßnahmen, Organisationen und Konten ein Array). `next` ist kein Änderungsfeed: was seit dem letzten Abruf neu ist, zeigt ein erneuter Durchlauf."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "paths": {
            "/api/v1/me": { "get": {
                "operationId": "me", "summary": "Das angemeldete Konto",
                "responses": { "200": ok_json("Angemeldetes Konto", one("Principal")), "401": unauthorized }
            }},
            "/api/v1/towns": { "get": {
                "operationId": "listTowns", "summary": "Die 13 Städte und Gemeinden des Kreises",
                "responses": { "200": ok_json("Städte und Gemeinden", list_of("Town")), "401": unauthorized }
            }},
            "/api/v1/organisations": {
                "get": {
                    "operationId": "listOrganisations", "summary": "Organisationen",
                    "parameters": [{ "name": "include_inactive", "in": "query", "required": false, "schema": { "type": "boolean", "default": false } },
                                   paging_parameters()[0], paging_parameters()[1]],
                    "responses": { "200": { "description": "Eine Seite Organisationen, nach Name sortiert",
                                            "content": { "application/json": { "schema": page_of("Organisation") } },
                                            "links": { "organisation": link_to("getOrganisation", "$response.body#/items/0/id") } },
                                   "400": bad_parameter("Parameter nicht lesbar (include_inactive: true oder false), oder after/limit ungültig (`field` nennt ihn).", false),
                                   "401": unauthorized }
                },
                "post": {
                    "operationId": "createOrganisation", "summary": "Organisation anlegen (Koordination, Administration)",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": one("OrganisationInput"),
                        "example": { "name": "Jugendmigrationsdienst Telgte", "kind": "welfare_association", "town": "Telgte", "postcode": "48291" } } } },
                    "responses": {
                        "201": { "description": "Angelegt (Adresse im Header `location`)",
                                 "content": { "application/json": { "schema": one("Organisation") } },
                                 "links": { "organisation": link_to("getOrganisation", "$response.body#/id") } },
                        "400": error_response("Kein gültiges JSON für OrganisationInput, oder ein unzulässiges Steuerzeichen (U+0000)."),
                        "401": unauthorized, "403": forbidden,
                        "413": error_response("Inhalt zu groß."),
                        "422": ok_json("Ungültige Felder", one("ValidationErrors"))
                    }
                }
            },
            "/api/v1/organisations/{id}": { "get": {
                "operationId": "getOrganisation", "summary": "Eine Organisation",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": ok_json("Organisation", one("Organisation")), "401": unauthorized, "404": error_response("Nicht gefunden.") }
            }},
            "/api/v1/users": { "get": {
                "operationId": "listUsers", "summary": "Benutzerkonten (nur Administration), nach Benutzername; jedes gezeigte Konto wird als Lesezugriff protokolliert",
                "parameters": paging_parameters(),
                "responses": { "200": ok_json("Eine Seite Konten", page_of("User")),
                               "400": bad_parameter("after oder limit ungültig (`field` nennt ihn), oder Parameter nicht lesbar.", false),
                               "401": unauthorized, "403": forbidden }
            }},
            "/api/v1/measures": { "get": {
                "operationId": "listMeasures", "summary": "Maßnahmen der Integrationskonzepte, gefiltert",
                "parameters": [
                    { "name": "concept", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" }, "description": "Konzept-ID" },
                    { "name": "field", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" }, "description": "Handlungsfeld-ID" },
                    { "name": "status", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "$ref": "#/components/schemas/MeasureStatus" } },
                    { "name": "lead", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" }, "description": "ID der federführenden Organisation" },
                    { "name": "town", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" }, "description": "AGS; Maßnahmen für alle Gemeinden passen immer" },
                    { "name": "ki", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string", "enum": KiInvolvement::ALL.map(KiInvolvement::key) } },
                    { "name": "tag", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" } },
                    { "name": "adaptation", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string", "enum": Adaptation::ALL.map(Adaptation::key) }, "description": "Anpassungsbedarf laut letztem Bericht" },
                    { "name": "q", "in": "query", "required": false, "allowEmptyValue": true, "schema": { "type": "string" }, "description": "Suchwörter in Nr., Titel, Beschreibung, Schlagworten" },
                    paging_parameters()[0], paging_parameters()[1]
                ],
                "responses": { "200": { "description": "Eine Seite Maßnahmen, nach Konzept und Nr.",
                                        "content": { "application/json": { "schema": page_of("Measure") } },
                                        "links": { "measure": link_to("getMeasure", "$response.body#/items/0/id") } },
                               "400": bad_parameter("Unbekannter Wert für status, ki oder adaptation, oder after/limit ungültig (`field` nennt ihn), oder Parameter nicht lesbar.", false),
                               "401": unauthorized }
            }},
            "/api/v1/measures/{id}": { "get": {
                "operationId": "getMeasure", "summary": "Eine Maßnahme",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": ok_json("Maßnahme", one("Measure")), "401": unauthorized, "404": error_response("Nicht gefunden.") }
            }},
            "/api/v1/openapi.json": { "get": {
                "operationId": "openapi", "summary": "Diese Beschreibung", "security": [],
                "responses": { "200": { "description": "OpenAPI-Dokument", "content": { "application/json": {} } } }
            }}
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "Persönlicher API-Token (beginnt mit lotse_)" },
                "session": { "type": "apiKey", "in": "cookie", "name": "__Host-lotse_session" }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" } } },
                "ValidationErrors": {
                    "type": "object", "required": ["errors"],
                    "properties": { "errors": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Fehlermeldung je Feld" } }
                },
                "Town": {
                    "type": "object", "required": ["ags", "name", "kind", "first_counselling_site"],
                    "properties": {
                        "ags": { "type": "string", "pattern": "^[0-9]{8}$", "description": "Amtlicher Gemeindeschlüssel" },
                        "name": { "type": "string" },
                        "kind": { "type": "string", "enum": ["Stadt", "Gemeinde"] },
                        "first_counselling_site": { "type": "boolean" }
                    }
                },
                "OrganisationInput": {
                    "type": "object", "required": ["name", "kind"],
                    "properties": {
                        "name": { "type": "string", "minLength": 1, "maxLength": 200 },
                        "kind": { "type": "string", "minLength": 1, "description": "Schlüssel oder Bezeichnung der Art, z. B. welfare_association" },
                        "town": { "type": "string", "description": "AGS oder Name der Stadt/Gemeinde" },
                        "street": { "type": "string" }, "postcode": { "type": "string", "pattern": "^([0-9]{5})?$" },
                        "city": { "type": "string" }, "email": { "type": "string" }, "phone": { "type": "string" },
                        "website": { "type": "string" }
                    }
                },
                "Organisation": {
                    "type": "object",
                    "required": ["id", "name", "kind", "kind_label", "street", "postcode", "city", "email", "phone", "website", "active", "fictitious", "created_at", "updated_at", "trusted_publisher"],
                    "properties": {
                        "id": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string" },
                        "kind_label": { "type": "string" },
                        "town_ags": { "type": ["string", "null"] }, "town_name": { "type": ["string", "null"] },
                        "street": { "type": "string" }, "postcode": { "type": "string" }, "city": { "type": "string" },
                        "email": { "type": "string" }, "phone": { "type": "string" }, "website": { "type": "string" },
                        "active": { "type": "boolean" },
                        "fictitious": { "type": "boolean", "description": "Demo-Datensatz, frei erfunden" },
                        "created_at": { "type": "integer", "description": "Millisekunden seit 1970 (UTC)" },
                        "updated_at": { "type": "integer" },
                        "trusted_publisher": { "type": "boolean", "description": "Angebote erscheinen ohne Freigabe durch die Koordination" }
                    }
                },
                "User": {
                    "type": "object",
                    "required": ["id", "username", "display_name", "email", "organisation_id", "organisation_name", "active", "fictitious", "totp_enabled", "roles", "created_at", "updated_at"],
                    "properties": {
                        "id": { "type": "string" }, "username": { "type": "string" }, "display_name": { "type": "string" },
                        "email": { "type": "string" }, "organisation_id": { "type": "string" }, "organisation_name": { "type": "string" },
                        "active": { "type": "boolean" }, "fictitious": { "type": "boolean" }, "totp_enabled": { "type": "boolean" },
                        "roles": { "type": "array", "items": { "$ref": "#/components/schemas/Role" } },
                        "created_at": { "type": "integer" }, "updated_at": { "type": "integer" }
                    }
                },
                "Principal": {
                    "type": "object",
                    "required": ["user_id", "username", "display_name", "organisation_id", "organisation_name", "roles", "totp_enabled"],
                    "properties": {
                        "user_id": { "type": "string" }, "username": { "type": "string" }, "display_name": { "type": "string" },
                        "organisation_id": { "type": "string" }, "organisation_name": { "type": "string" },
                        "roles": { "type": "array", "items": { "$ref": "#/components/schemas/Role" } },
                        "totp_enabled": { "type": "boolean" }
                    }
                },
                "MeasureStatus": { "type": "string", "enum": MeasureStatus::ALL.map(MeasureStatus::key) },
                "Measure": {
                    "type": "object",
                    "required": ["id", "concept_id", "concept", "code", "title", "description", "ki_involvement", "target_group", "status", "tags", "fictitious", "partners", "towns", "created_at", "updated_at"],
                    "properties": {
                        "id": { "type": "string" }, "concept_id": { "type": "string" },
                        "concept": { "type": "string", "description": "Kurzbezeichnung des Konzepts" },
                        "code": { "type": "string" }, "title": { "type": "string" }, "description": { "type": "string" },
                        "field_of_action_id": { "type": ["string", "null"] }, "field_of_action": { "type": ["string", "null"] },
                        "lead_organisation_id": { "type": ["string", "null"] }, "lead_organisation": { "type": ["string", "null"] },
                        "ki_involvement": { "type": "string", "enum": KiInvolvement::ALL.map(KiInvolvement::key) },
                        "target_group": { "type": "string" },
                        "planned_start": { "type": ["string", "null"], "format": "date" },
                        "planned_end": { "type": ["string", "null"], "format": "date" },
                        "status": { "$ref": "#/components/schemas/MeasureStatus" },
                        "tags": { "type": "array", "items": { "type": "string" } },
                        "fictitious": { "type": "boolean", "description": "Beispiel aus den Demo-Daten" },
                        "partners": { "type": "array", "items": { "type": "array", "prefixItems": [{ "type": "string" }, { "type": "string" }], "minItems": 2, "maxItems": 2 }, "description": "[ID, Name]" },
                        "towns": { "type": "array", "items": { "type": "array", "prefixItems": [{ "type": "string" }, { "type": "string" }], "minItems": 2, "maxItems": 2 }, "description": "[AGS, Name]; leer = alle Gemeinden" },
                        "created_at": { "type": "integer" }, "updated_at": { "type": "integer" }
                    }
                },
                "Role": { "type": "string", "enum": ["admin", "coordination", "case_manager", "partner", "immigration_office", "school_counsellor", "interpreter", "reader"] }
            }
        }
    })
}
