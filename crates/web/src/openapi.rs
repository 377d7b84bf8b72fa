//! The OpenAPI 3.1 description of `/api/v1`, written by hand beside the handlers it describes.
//! A test compares its paths with the route table, and the test script validates it with
//! openapi-spec-validator, so it can neither drift nor be invalid.

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

pub fn document() -> Value {
    let mut doc = staff_document();
    add_public_finder(&mut doc);
    add_hsds(&mut doc);
    doc
}

/// The read-only HSDS 3.0 API. Its objects are those of the Open Referral schemas
/// (https://docs.openreferral.org/en/v3.0/), described here by reference rather than copied.
fn add_hsds(doc: &mut Value) {
    let paging = json!([
        { "name": "page", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "default": 1 } },
        { "name": "per_page", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } }
    ]);
    let id =
        json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }]);
    let page = |what: &str| {
        ok_json(
            &format!("Eine Seite {what} (HSDS-Page, Inhalt in `contents`)"),
            one("HsdsPage"),
        )
    };
    let object = |what: &str| ok_json(what, one("HsdsObject"));
    let not_found = error_response("Nicht (mehr) veröffentlicht.");
    let bad = json!({ "description": "Ungültiger Parameter.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ParameterError" } } } });
    let mut service_params = paging.as_array().cloned().unwrap_or_default();
    for (name, description) in [
        (
            "search",
            "Volltextsuche wie im Angebotsfinder (nur aktuell gültige Angebote)",
        ),
        ("organization_id", "nur Angebote dieser Organisation"),
        (
            "taxonomy_term_id",
            "nur Angebote mit diesem Begriff (Lotse-Themen oder -Zielgruppen)",
        ),
        ("full", "true: Angebote voll verschachtelt"),
    ] {
        service_params.push(json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": description }));
    }
    let paths = &mut doc["paths"];
    paths["/hsds/"] = json!({ "get": { "operationId": "hsdsInfo", "summary": "HSDS: Version und Beschreibung dieser Schnittstelle", "security": [],
        "responses": { "200": object("Angaben zur Schnittstelle") } } });
    paths["/hsds/services"] = json!({ "get": { "operationId": "hsdsServices", "summary": "HSDS: veröffentlichte Angebote", "security": [],
        "parameters": service_params, "responses": { "200": page("Angebote"), "400": bad } } });
    paths["/hsds/services/{id}"] = json!({ "get": { "operationId": "hsdsService", "summary": "HSDS: ein Angebot, voll verschachtelt", "security": [],
        "parameters": id, "responses": { "200": object("service"), "404": not_found } } });
    paths["/hsds/organizations"] = json!({ "get": { "operationId": "hsdsOrganizations", "summary": "HSDS: Organisationen mit veröffentlichten Angeboten", "security": [],
        "parameters": paging, "responses": { "200": page("Organisationen"), "400": bad } } });
    paths["/hsds/organizations/{id}"] = json!({ "get": { "operationId": "hsdsOrganization", "summary": "HSDS: eine Organisation mit Orten und Angeboten", "security": [],
        "parameters": id, "responses": { "200": object("organization"), "404": not_found } } });
    paths["/hsds/service_at_locations"] = json!({ "get": { "operationId": "hsdsServiceAtLocations", "summary": "HSDS: Angebote an Orten", "security": [],
        "parameters": paging, "responses": { "200": page("Angebote an Orten"), "400": bad } } });
    paths["/hsds/service_at_locations/{id}"] = json!({ "get": { "operationId": "hsdsServiceAtLocation", "summary": "HSDS: ein Angebot an einem Ort", "security": [],
        "parameters": id, "responses": { "200": object("service_at_location"), "404": not_found } } });
    paths["/hsds/taxonomies"] = json!({ "get": { "operationId": "hsdsTaxonomies", "summary": "HSDS: Lotses Taxonomien", "security": [],
        "parameters": paging, "responses": { "200": page("Taxonomien"), "400": bad } } });
    paths["/hsds/taxonomies/{id}"] = json!({ "get": { "operationId": "hsdsTaxonomy", "summary": "HSDS: eine Taxonomie", "security": [],
        "parameters": id, "responses": { "200": object("taxonomy"), "404": not_found } } });
    paths["/hsds/taxonomy_terms"] = json!({ "get": { "operationId": "hsdsTaxonomyTerms", "summary": "HSDS: Begriffe der Taxonomien", "security": [],
        "parameters": [paging[0].clone(), paging[1].clone(), { "name": "taxonomy_id", "in": "query", "required": false, "schema": { "type": "string" } }],
        "responses": { "200": page("Begriffe"), "400": bad } } });
    paths["/hsds/taxonomy_terms/{id}"] = json!({ "get": { "operationId": "hsdsTaxonomyTerm", "summary": "HSDS: ein Begriff", "security": [],
        "parameters": id, "responses": { "200": object("taxonomy_term"), "404": not_found } } });
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
    let bad_request = json!({ "description": "Ungültiger Parameter (`field` nennt ihn).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ParameterError" } } } });
    let param = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description });
    let locale = json!({ "type": "string", "enum": ["de", "en", "ar", "tr", "uk", "ru", "fa"], "default": "de" });
    doc["paths"]["/api/v1/public/offers"] = json!({ "get": {
        "operationId": "searchOffers", "summary": "Angebote suchen (öffentlich, ohne Anmeldung)", "security": [],
        "parameters": [
            param("q", "Suchwörter; deutsche Wortformen und ein Tippfehler je Wort werden gefunden", json!({ "type": "string" })),
            param("town", "Stadt/Gemeinde: Name oder AGS", json!({ "type": "string" })),
            param("topic", "Thema", json!({ "$ref": "#/components/schemas/OfferTopic" })),
            param("language", "Sprache, in der das Angebot stattfindet (ISO 639-1)", json!({ "type": "string", "pattern": "^[a-z]{2}$" })),
            param("group", "Zielgruppe; Angebote für alle passen immer", json!({ "$ref": "#/components/schemas/OfferTargetGroup" })),
            param("free", "nur kostenlose Angebote", json!({ "type": "boolean" })),
            param("locale", "Sprache der Texte; fehlende Übersetzungen kommen auf Deutsch", locale.clone()),
            param("limit", "Treffer je Seite", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 20 })),
            param("offset", "Treffer überspringen", json!({ "type": "integer", "minimum": 0, "default": 0 }))
        ],
        "responses": { "200": ok_json("Treffer nach Relevanz (mit Suchwörtern) oder Titel", one("PublicOfferList")), "400": bad_request }
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
    schemas["ParameterError"] = json!({ "type": "object", "required": ["error", "field"], "properties": { "error": { "type": "string" }, "field": { "type": "string" } } });
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
            "url": { "type": "string", "description": "Seite des Angebots im Angebotsfinder" }
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
                "day": { "type": "string", "enum": ["mo", "tu", "we", "th", "fr", "sa", "su"] },
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
            "description": "Schnittstelle der Lotse-Plattform (Kreis Warendorf). Anmeldung mit persönlichem API-Token: `Authorization: Bearer lotse_…` (Token unter „Mein Konto“ erzeugen)."
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
                    "parameters": [{ "name": "include_inactive", "in": "query", "required": false, "schema": { "type": "boolean", "default": false } }],
                    "responses": { "200": ok_json("Organisationen, nach Name sortiert", list_of("Organisation")), "401": unauthorized }
                },
                "post": {
                    "operationId": "createOrganisation", "summary": "Organisation anlegen (Koordination, Administration)",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": one("OrganisationInput") } } },
                    "responses": {
                        "201": ok_json("Angelegt", one("Organisation")),
                        "400": error_response("Kein gültiges JSON."),
                        "401": unauthorized, "403": forbidden,
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
                "operationId": "listUsers", "summary": "Benutzerkonten (nur Administration)",
                "responses": { "200": ok_json("Konten", list_of("User")), "401": unauthorized, "403": forbidden }
            }},
            "/api/v1/measures": { "get": {
                "operationId": "listMeasures", "summary": "Maßnahmen der Integrationskonzepte, gefiltert",
                "parameters": [
                    { "name": "concept", "in": "query", "required": false, "schema": { "type": "string" }, "description": "Konzept-ID" },
                    { "name": "field", "in": "query", "required": false, "schema": { "type": "string" }, "description": "Handlungsfeld-ID" },
                    { "name": "status", "in": "query", "required": false, "schema": { "$ref": "#/components/schemas/MeasureStatus" } },
                    { "name": "lead", "in": "query", "required": false, "schema": { "type": "string" }, "description": "ID der federführenden Organisation" },
                    { "name": "town", "in": "query", "required": false, "schema": { "type": "string" }, "description": "AGS; Maßnahmen für alle Gemeinden passen immer" },
                    { "name": "ki", "in": "query", "required": false, "schema": { "type": "string", "enum": ["lead", "involved", "none"] } },
                    { "name": "tag", "in": "query", "required": false, "schema": { "type": "string" } },
                    { "name": "adaptation", "in": "query", "required": false, "schema": { "type": "string", "enum": ["none", "adjust", "drop"] }, "description": "Anpassungsbedarf laut letztem Bericht" },
                    { "name": "q", "in": "query", "required": false, "schema": { "type": "string" }, "description": "Suchwörter in Nr., Titel, Beschreibung, Schlagworten" }
                ],
                "responses": { "200": ok_json("Maßnahmen nach Konzept und Nr.", list_of("Measure")), "401": unauthorized }
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
                        "name": { "type": "string", "maxLength": 200 },
                        "kind": { "type": "string", "description": "Schlüssel oder Bezeichnung der Art, z. B. welfare_association" },
                        "town": { "type": "string", "description": "AGS oder Name der Stadt/Gemeinde" },
                        "street": { "type": "string" }, "postcode": { "type": "string", "pattern": "^([0-9]{5})?$" },
                        "city": { "type": "string" }, "email": { "type": "string" }, "phone": { "type": "string" },
                        "website": { "type": "string" }
                    }
                },
                "Organisation": {
                    "type": "object",
                    "required": ["id", "name", "kind", "kind_label", "street", "postcode", "city", "email", "phone", "website", "active", "fictitious", "created_at", "updated_at"],
                    "properties": {
                        "id": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string" },
                        "kind_label": { "type": "string" },
                        "town_ags": { "type": ["string", "null"] }, "town_name": { "type": ["string", "null"] },
                        "street": { "type": "string" }, "postcode": { "type": "string" }, "city": { "type": "string" },
                        "email": { "type": "string" }, "phone": { "type": "string" }, "website": { "type": "string" },
                        "active": { "type": "boolean" },
                        "fictitious": { "type": "boolean", "description": "Demo-Datensatz, frei erfunden" },
                        "created_at": { "type": "integer", "description": "Millisekunden seit 1970 (UTC)" },
                        "updated_at": { "type": "integer" }
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
                "MeasureStatus": { "type": "string", "enum": ["planned", "in_progress", "established", "completed", "on_hold", "dropped"] },
                "Measure": {
                    "type": "object",
                    "required": ["id", "concept_id", "concept", "code", "title", "description", "ki_involvement", "target_group", "status", "tags", "fictitious", "partners", "towns", "created_at", "updated_at"],
                    "properties": {
                        "id": { "type": "string" }, "concept_id": { "type": "string" },
                        "concept": { "type": "string", "description": "Kurzbezeichnung des Konzepts" },
                        "code": { "type": "string" }, "title": { "type": "string" }, "description": { "type": "string" },
                        "field_of_action_id": { "type": ["string", "null"] }, "field_of_action": { "type": ["string", "null"] },
                        "lead_organisation_id": { "type": ["string", "null"] }, "lead_organisation": { "type": ["string", "null"] },
                        "ki_involvement": { "type": "string", "enum": ["lead", "involved", "none"] },
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
                "Role": { "type": "string", "enum": ["admin", "coordination", "case_manager", "partner", "immigration_office", "school_counsellor", "reader"] }
            }
        }
    })
}
