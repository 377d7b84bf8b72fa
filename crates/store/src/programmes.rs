//! Programmes of the integration centre, their sites, figures per period and linked measures.

use lotse_domain::collation::sort_key;
use lotse_domain::ids::{Ags, MeasureId, ProgrammeId, SiteId};
use lotse_domain::programme::{Figures, ProgrammeDraft, SiteKind};
use serde::Serialize;
use serde_json::json;

use lotse_domain::access::{Action as Act, Record};

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{
    Backend, Db, Tx, Value, bind_values, is_unique_violation, new_id, on_missing_reference, read,
    tx,
};
use crate::paging::{Keyset, Page, PageRequest, Query};
use crate::scoped::{Access, Scoped, Viewer, require};
use crate::{Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProgrammeSummary {
    pub id: String,
    pub name: String,
    pub part_of: Option<String>,
    pub part_of_name: Option<String>,
    pub active: bool,
    pub sites: i64,
    pub measures: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub town_ags: String,
    pub town: String,
    pub active: bool,
}

impl Site {
    pub fn kind_label(&self) -> &'static str {
        SiteKind::parse(&self.kind).map_or("", SiteKind::label)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FigureRow {
    pub period: String,
    pub site_id: Option<String>,
    pub site: Option<String>,
    pub group_count: i64,
    pub participant_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Programme {
    pub id: String,
    pub name: String,
    pub description: String,
    pub part_of: Option<(String, String)>,
    pub parts: Vec<(String, String)>,
    pub active: bool,
    pub fictitious: bool,
    /// (organisation id, name)
    pub partners: Vec<(String, String)>,
    pub sites: Vec<Site>,
    /// Newest period first, whole-programme figures before the sites': every period, or the
    /// periods asked for (see [`Periods`]).
    pub figures: Vec<FigureRow>,
    /// Older periods than those in `figures` have figures too.
    pub older_periods: bool,
    /// (measure id, concept short name, code, title)
    pub measures: Vec<(String, String, String, String)>,
}

const SUMMARY: &str = "SELECT p.id, p.name, p.part_of, parent.name AS part_of_name, p.active, \
    (SELECT COUNT(*) FROM programme_sites s WHERE s.programme_id = p.id AND s.active = TRUE) AS sites, \
    (SELECT COUNT(*) FROM programme_measures m WHERE m.programme_id = p.id) AS measures \
    FROM programmes p LEFT JOIN programmes parent ON parent.id = p.part_of";

/// The programmes as one viewer may see and keep them (`lotse_domain::access`, record
/// `Programme`): everyone reads them, the coordination keeps them.
pub struct Programmes<'a> {
    db: &'a Db,
    viewer: &'a Viewer,
}

pub fn for_viewer<'a>(db: &'a Db, viewer: &'a Viewer) -> Programmes<'a> {
    Programmes { db, viewer }
}

impl Programmes<'_> {
    fn access(&self) -> Access {
        Access::of(self.viewer, Record::Programme, None)
    }

    /// All programmes the viewer may see, umbrellas followed by their parts, by name.
    pub async fn list(&self) -> Result<Vec<Scoped<ProgrammeSummary>>> {
        let access = self.access();
        if !access.view.allows() {
            return Ok(Vec::new());
        }
        Ok(list(self.db)
            .await?
            .into_iter()
            .map(|record| Scoped { record, access })
            .collect())
    }

    /// One page of the programmes the viewer may see, in the order they were made (the API's list).
    pub async fn page(&self, request: &PageRequest) -> Result<Page<Scoped<ProgrammeSummary>>> {
        let access = self.access();
        let mut q = Query::default();
        if !access.view.allows() {
            q.and("FALSE");
        }
        let page = crate::paging::read_page(
            self.db,
            SUMMARY,
            q,
            &Keyset::by_id("p.id"),
            request,
            |p: &ProgrammeSummary| Keyset::id_cursor(&p.id),
        )
        .await?;
        Ok(page.map(|record| Scoped { record, access }))
    }

    /// A programme with the figures of every period (the API's entry).
    pub async fn get(&self, id: &str) -> Result<Scoped<Programme>> {
        self.get_with(id, Periods::All).await
    }

    /// A programme with the figures of the periods asked for (its page shows a few at a time).
    pub async fn get_with(&self, id: &str, periods: Periods<'_>) -> Result<Scoped<Programme>> {
        require(self.viewer, Record::Programme, None, Act::View)?;
        Ok(Scoped {
            record: get(self.db, id, periods).await?,
            access: self.access(),
        })
    }

    /// The newest `limit` grants behind a programme, and whether there are older ones: part of
    /// what its page shows everyone who may see it (the funding programmes' own books are the
    /// coordination's, see `funding`).
    pub async fn grants(
        &self,
        id: &str,
        limit: usize,
    ) -> Result<(Vec<crate::funding::Grant>, bool)> {
        require(self.viewer, Record::Programme, None, Act::View)?;
        crate::funding::grants_of_programme(self.db, id, limit).await
    }
}

/// All programmes, umbrellas followed by their parts, by name.
pub(crate) async fn list(db: &Db) -> Result<Vec<ProgrammeSummary>> {
    let rows: Vec<ProgrammeSummary> = read!(db, |c| sqlx::query_as(SUMMARY).fetch_all(c).await)?;
    let mut rows = rows;
    rows.sort_by_cached_key(|p| {
        let top = p.part_of_name.as_deref().unwrap_or(&p.name);
        (sort_key(top), p.part_of.is_some(), sort_key(&p.name))
    });
    Ok(rows)
}

/// Which periods' figures a programme is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Periods<'a> {
    /// Every period.
    All,
    /// None (a form that needs only the programme's own fields).
    None,
    /// The newest `count` periods, those before `before` if given (a period's text, the last one
    /// of the page before).
    Newest {
        count: usize,
        before: Option<&'a str>,
    },
}

/// (id, name) of programmes, by name.
async fn named(db: &Db, sql: &'static str, id: &str) -> Result<Vec<(String, String)>> {
    let mut rows: Vec<(String, String)> =
        read!(db, |c| sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    rows.sort_by_cached_key(|(_, n)| sort_key(n));
    Ok(rows)
}

/// The figures of a programme for the periods asked for, and whether older periods have some.
async fn figures(db: &Db, id: &str, periods: Periods<'_>) -> Result<(Vec<FigureRow>, bool)> {
    const SELECT: &str = "SELECT f.period, f.site_id, s.name AS site, f.group_count, f.participant_count \
        FROM programme_figures f LEFT JOIN programme_sites s ON s.id = f.site_id WHERE f.programme_id = $1";
    // Byte order of the periods on both backends, as the page sorts them.
    let period = match db.backend() {
        Backend::Sqlite => "period",
        Backend::Postgres => "period COLLATE \"C\"",
    };
    let (mut rows, older): (Vec<FigureRow>, bool) = match periods {
        Periods::None => (Vec::new(), false),
        Periods::All => (
            read!(db, |c| sqlx::query_as(SELECT).bind(id).fetch_all(c).await)?,
            false,
        ),
        Periods::Newest { count, before } => {
            // The periods of the page (one more, to know whether older ones follow), then their rows.
            let mut q = Query::default();
            let programme = q.bind(Value::Text(id.to_owned()));
            q.and(format!("programme_id = {programme}"));
            if let Some(before) = before {
                let before = q.bind(Value::Text(before.to_owned()));
                q.and(format!("{period} < {before}"));
            }
            let limit = q.bind(Value::Int(count as i64 + 1));
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT DISTINCT {period} AS period FROM programme_figures{} ORDER BY 1 DESC LIMIT {limit}",
                q.where_clause()
            ));
            let mut shown: Vec<String> =
                read!(db, |c| bind_values!(sqlx::query_scalar(sql), &q.values)
                    .fetch_all(c)
                    .await)?;
            let older = shown.len() > count;
            shown.truncate(count);
            let mut q = Query::default();
            q.bind(Value::Text(id.to_owned()));
            let refs: Vec<&str> = shown.iter().map(String::as_str).collect();
            let which = q.any_of("f.period", &refs);
            let sql = sqlx::AssertSqlSafe(format!("{SELECT} AND {which}"));
            let rows = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
                .fetch_all(c)
                .await)?;
            (rows, older)
        }
    };
    rows.sort_by(|a, b| {
        b.period
            .cmp(&a.period)
            .then(a.site_id.is_some().cmp(&b.site_id.is_some()))
            .then_with(|| {
                sort_key(a.site.as_deref().unwrap_or(""))
                    .cmp(&sort_key(b.site.as_deref().unwrap_or("")))
            })
    });
    Ok((rows, older))
}

pub(crate) async fn get(db: &Db, id: &str, periods: Periods<'_>) -> Result<Programme> {
    let row: Option<(String, String, String, Option<String>, bool, bool)> = read!(db, |c| {
        sqlx::query_as("SELECT id, name, description, part_of, active, fictitious FROM programmes WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let (id, name, description, part_of, active, fictitious) = row.ok_or(StoreError::NotFound)?;
    let part_of = match part_of {
        Some(p) => named(db, "SELECT id, name FROM programmes WHERE id = $1", &p)
            .await?
            .pop(),
        None => None,
    };
    let parts = named(
        db,
        "SELECT id, name FROM programmes WHERE part_of = $1",
        &id,
    )
    .await?;
    let mut partners: Vec<(String, String)> = read!(db, |c| {
        sqlx::query_as("SELECT o.id, o.name FROM programme_partners pp JOIN organisations o ON o.id = pp.organisation_id WHERE pp.programme_id = $1")
            .bind(&id)
            .fetch_all(c)
            .await
    })?;
    partners.sort_by_cached_key(|(_, n)| sort_key(n));
    let mut sites: Vec<Site> = read!(db, |c| {
        sqlx::query_as("SELECT s.id, s.name, s.kind, s.town_ags, t.name AS town, s.active FROM programme_sites s JOIN towns t ON t.ags = s.town_ags WHERE s.programme_id = $1")
            .bind(&id)
            .fetch_all(c)
            .await
    })?;
    sites.sort_by_cached_key(|s| (!s.active, sort_key(&s.town), sort_key(&s.name)));
    let (figures, older_periods) = figures(db, &id, periods).await?;
    let mut measures: Vec<(String, String, String, String)> = read!(db, |c| {
        sqlx::query_as("SELECT m.id, c.short_name, m.code, m.title FROM programme_measures pm JOIN measures m ON m.id = pm.measure_id JOIN concepts c ON c.id = m.concept_id WHERE pm.programme_id = $1")
            .bind(&id)
            .fetch_all(c)
            .await
    })?;
    measures.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)));
    Ok(Programme {
        id,
        name,
        description,
        part_of,
        parts,
        active,
        fictitious,
        partners,
        sites,
        figures,
        older_periods,
        measures,
    })
}

fn duplicate_name(name: &str) -> StoreError {
    StoreError::field("name", format!("Ein Programm „{name}“ gibt es schon."))
}

async fn write_partners(tx: &mut Tx, id: &str, partners: &[String]) -> Result<()> {
    tx!(&mut *tx, |c| sqlx::query(
        "DELETE FROM programme_partners WHERE programme_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for p in partners {
        let inserted = tx!(&mut *tx, |c| sqlx::query(
            "INSERT INTO programme_partners (programme_id, organisation_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(p)
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
        on_missing_reference(inserted, || {
            StoreError::field("partners", "Eine der Partnerorganisationen gibt es nicht.")
        })?;
    }
    Ok(())
}

/// Programmes nest one level deep (FIT over Griffbereit and Rucksack): the umbrella must exist and
/// be top-level itself, and a programme with parts cannot become a part.
async fn check_part_of(tx: &mut Tx, id: Option<&str>, part_of: Option<&str>) -> Result<()> {
    let Some(parent) = part_of else {
        return Ok(());
    };
    if Some(parent) == id {
        return Err(StoreError::field(
            "part_of",
            "Ein Programm kann nicht Teil von sich selbst sein.",
        ));
    }
    let grandparent: Option<(Option<String>,)> = tx!(&mut *tx, |c| sqlx::query_as(
        "SELECT part_of FROM programmes WHERE id = $1"
    )
    .bind(parent)
    .fetch_optional(c)
    .await)?;
    match grandparent {
        None => {
            return Err(StoreError::field(
                "part_of",
                "Dieses Programm gibt es nicht.",
            ));
        }
        Some((Some(_),)) => {
            return Err(StoreError::field(
                "part_of",
                "Das gewählte Programm ist selbst Teil eines anderen; Programme werden nur eine Ebene tief geschachtelt.",
            ));
        }
        Some((None,)) => {}
    }
    if let Some(id) = id {
        let (parts,): (i64,) = tx!(&mut *tx, |c| sqlx::query_as(
            "SELECT COUNT(*) FROM programmes WHERE part_of = $1"
        )
        .bind(id)
        .fetch_one(c)
        .await)?;
        if parts > 0 {
            return Err(StoreError::field(
                "part_of",
                "Dieses Programm hat selbst Teilprogramme und kann nicht Teil eines anderen sein.",
            ));
        }
    }
    Ok(())
}

pub async fn create(
    tx: &mut Tx,
    viewer: &Viewer,
    d: &ProgrammeDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    require(viewer, Record::Programme, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    check_part_of(tx, None, d.part_of.as_deref()).await?;
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO programmes (id, name, description, part_of, fictitious, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
    )
    .bind(&id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(d.part_of.as_deref())
    .bind(fictitious)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&d.name)),
        other => other?,
    };
    write_partners(tx, &id, &d.partners).await?;
    tx.record(
        Event::new(actor, now, Entity::Programme, Action::Create, &id).with(
            json!({ "name": d.name, "part_of": d.part_of, "partners": d.partners.join(",") }),
        ),
    );
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    viewer: &Viewer,
    id: &str,
    d: &ProgrammeDraft,
    now: i64,
) -> Result<()> {
    require(viewer, Record::Programme, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    check_part_of(tx, Some(id), d.part_of.as_deref()).await?;
    let updated = tx!(&mut *tx, |c| {
        sqlx::query(
        "UPDATE programmes SET name = $2, description = $3, part_of = $4, updated_at = $5 WHERE id = $1"
    )
    .bind(id)
    .bind(&d.name)
    .bind(&d.description)
    .bind(d.part_of.as_deref())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    match updated {
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&d.name)),
        Ok(0) => return Err(StoreError::NotFound),
        other => other?,
    };
    write_partners(tx, id, &d.partners).await?;
    tx.record(
        Event::new(actor, now, Entity::Programme, Action::Update, id).with(
            json!({ "name": d.name, "part_of": d.part_of, "partners": d.partners.join(",") }),
        ),
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn add_site(
    tx: &mut Tx,
    viewer: &Viewer,
    programme_id: &ProgrammeId,
    name: &str,
    kind: SiteKind,
    town_ags: &Ags,
    now: i64,
) -> Result<String> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let programme_id = programme_id.as_str();
    let town_ags = town_ags.as_str();
    require(viewer, Record::Programme, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(StoreError::field(
            "site_name",
            "Bitte den Namen des Standorts angeben (höchstens 200 Zeichen).",
        ));
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO programme_sites (id, programme_id, name, kind, town_ags, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(&id)
    .bind(programme_id)
    .bind(name)
    .bind(kind.key())
    .bind(town_ags)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    on_missing_reference(inserted, || {
        StoreError::field("site_town", "Programm oder Stadt/Gemeinde gibt es nicht.")
    })?;
    tx.record(
        Event::new(actor, now, Entity::Programme, Action::AddSite, programme_id)
            .with(json!({ "site": id, "name": name, "kind": kind.key(), "town": town_ags })),
    );
    Ok(id)
}

pub async fn set_site_active(
    tx: &mut Tx,
    viewer: &Viewer,
    programme_id: &ProgrammeId,
    site_id: &SiteId,
    active: bool,
    now: i64,
) -> Result<()> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let programme_id = programme_id.as_str();
    let site_id = site_id.as_str();
    require(viewer, Record::Programme, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let n = tx!(&mut *tx, |c| sqlx::query(
        "UPDATE programme_sites SET active = $3 WHERE id = $1 AND programme_id = $2"
    )
    .bind(site_id)
    .bind(programme_id)
    .bind(active)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.record(
        Event::new(
            actor,
            now,
            Entity::Programme,
            if active {
                Action::ReactivateSite
            } else {
                Action::DeactivateSite
            },
            programme_id,
        )
        .with(json!({ "site": site_id })),
    );
    Ok(())
}

/// Records (or corrects) the figures of one period, for a site of this programme or the whole.
pub async fn set_figures(
    tx: &mut Tx,
    viewer: &Viewer,
    programme_id: &str,
    f: &Figures,
    now: i64,
) -> Result<()> {
    require(viewer, Record::Programme, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    if let Some(site) = &f.site_id {
        let belongs: Option<(String,)> = tx!(&mut *tx, |c| sqlx::query_as(
            "SELECT id FROM programme_sites WHERE id = $1 AND programme_id = $2"
        )
        .bind(site)
        .bind(programme_id)
        .fetch_optional(c)
        .await)?;
        if belongs.is_none() {
            return Err(StoreError::field(
                "site_id",
                "Dieser Standort gehört nicht zum Programm.",
            ));
        }
    }
    tx!(&mut *tx, |c| {
        sqlx::query(
        "DELETE FROM programme_figures WHERE programme_id = $1 AND COALESCE(site_id, '') = $2 AND period = $3"
    )
    .bind(programme_id)
    .bind(f.site_id.as_deref().unwrap_or(""))
    .bind(&f.period)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO programme_figures (id, programme_id, site_id, period, group_count, participant_count, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(new_id())
    .bind(programme_id)
    .bind(f.site_id.as_deref())
    .bind(&f.period)
    .bind(f.groups)
    .bind(f.participants)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    match inserted {
        // Someone saved the same period at the same moment (PostgreSQL): say so, lose nothing.
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "period",
                "Gerade wurden Zahlen für denselben Zeitraum gespeichert. Bitte die Seite neu laden und prüfen.",
            ));
        }
        other => on_missing_reference(other, || StoreError::NotFound)?,
    };
    tx.record(Event::new(actor, now, Entity::Programme, Action::SetFigures, programme_id).with(json!({ "period": f.period, "site": f.site_id, "groups": f.groups, "participants": f.participants })));
    Ok(())
}

pub async fn link_measure(
    tx: &mut Tx,
    viewer: &Viewer,
    programme_id: &ProgrammeId,
    measure_id: &MeasureId,
    now: i64,
) -> Result<()> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let programme_id = programme_id.as_str();
    let measure_id = measure_id.as_str();
    require(viewer, Record::Programme, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO programme_measures (programme_id, measure_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(programme_id)
    .bind(measure_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    if on_missing_reference(inserted, || {
        StoreError::field("measure_id", "Diese Maßnahme gibt es nicht.")
    })? == 1
    {
        tx.record(
            Event::new(
                actor,
                now,
                Entity::Programme,
                Action::LinkMeasure,
                programme_id,
            )
            .with(json!({ "measure": measure_id })),
        );
    } else {
        tx.nothing_changed();
    }
    Ok(())
}

pub async fn unlink_measure(
    tx: &mut Tx,
    viewer: &Viewer,
    programme_id: &ProgrammeId,
    measure_id: &MeasureId,
    now: i64,
) -> Result<()> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let programme_id = programme_id.as_str();
    let measure_id = measure_id.as_str();
    require(viewer, Record::Programme, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let n = tx!(&mut *tx, |c| sqlx::query(
        "DELETE FROM programme_measures WHERE programme_id = $1 AND measure_id = $2"
    )
    .bind(programme_id)
    .bind(measure_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n > 0 {
        tx.record(
            Event::new(
                actor,
                now,
                Entity::Programme,
                Action::UnlinkMeasure,
                programme_id,
            )
            .with(json!({ "measure": measure_id })),
        );
    } else {
        // Not linked (any more): nothing to undo, as twice pressing the button should be.
        tx.nothing_changed();
    }
    Ok(())
}

/// (programme id, name) of the programmes that carry a measure.
pub async fn of_measure(db: &Db, measure_id: &str) -> Result<Vec<(String, String)>> {
    let mut rows: Vec<(String, String)> = read!(db, |c| {
        sqlx::query_as("SELECT p.id, p.name FROM programme_measures pm JOIN programmes p ON p.id = pm.programme_id WHERE pm.measure_id = $1")
            .bind(measure_id)
            .fetch_all(c)
            .await
    })?;
    rows.sort_by_cached_key(|(_, n)| sort_key(n));
    Ok(rows)
}
