//! Keyset paging for every staff list: a page starts after the last row of the one before, found by
//! its sort key and id through an index, so page 1,000 costs what page 1 costs.
//!
//! Lists sort by a key column computed in Rust when the row is written (the German collation of
//! [`lotse_domain::collation::sort_key`], which neither database has in the same form) and then by
//! id, which makes the order total: two offers with the same title still have a fixed place.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::db::Value;

/// Rows per page unless a caller asks for fewer; never more than [`MAX_PAGE`].
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 200;

/// The most values [`Query::any_of`] binds into one `IN` list.
pub const IN_LIST: usize = 500;

/// How many rows a list has, counted up to a bound: counting 100,000 rows on every page view would
/// cost more than the page. Count with `LIMIT UP_TO + 1` and hand the result to [`Count::of`].
/// The bound is 1,000: counting 10,000 rows through the offer list's joins was most of that
/// page's time (22 ms on SQLite, the B-tree look-ups of the count), and past a thousand people
/// narrow the list rather than read its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Exactly(i64),
    MoreThan(i64),
}

impl Count {
    pub const UP_TO: i64 = 1_000;

    pub fn of(counted: i64) -> Count {
        if counted > Count::UP_TO {
            Count::MoreThan(Count::UP_TO)
        } else {
            Count::Exactly(counted)
        }
    }
}

/// Counts the rows `from` (`"SELECT o.id FROM … "`, the joins the conditions need) yields under
/// the conditions of `q`, up to [`Count::UP_TO`]: the count every paged list shows.
pub(crate) async fn count(db: &crate::Db, from: &str, mut q: Query) -> crate::Result<Count> {
    let limit = q.bind(Value::Int(Count::UP_TO + 1));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ({from}{} LIMIT {limit}) AS counted",
        q.where_clause()
    ));
    let n: i64 = crate::db::read!(db, |c| {
        crate::db::bind_values!(sqlx::query_scalar(sql), &q.values)
            .fetch_one(c)
            .await
    })?;
    Ok(Count::of(n))
}

/// Reads one page: `select` (columns, `FROM` and joins) under the conditions of `q`, in the order
/// of `keyset`, cut by [`Page::from_rows`]. The shared tail of every paged store function.
pub(crate) async fn read_page<T>(
    db: &crate::Db,
    select: &str,
    mut q: Query,
    keyset: &Keyset<'_>,
    request: &PageRequest,
    cursor_of: impl Fn(&T) -> Cursor,
) -> crate::Result<Page<T>>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    if let Some(after) = keyset.after(request, &mut |v| q.bind(v)) {
        q.and(after);
    }
    let tail = keyset.order_and_limit(request, &mut |v| q.bind(v));
    let sql = sqlx::AssertSqlSafe(format!("{select}{}{tail}", q.where_clause()));
    let rows: Vec<T> = crate::db::read!(db, |c| {
        crate::db::bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await
    })?;
    Ok(Page::from_rows(rows, request, cursor_of))
}

/// The last row of the previous page: its sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: String,
}

impl Cursor {
    /// An opaque token for links and the API (URL-safe base64 of key and id).
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\u{0}{}", self.key, self.id))
    }

    /// `None` for anything this program did not write (a hand-edited link starts at the top).
    pub fn decode(token: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (key, id) = text.split_once('\u{0}')?;
        // A hand-made token could carry what no key or id holds: a second NUL (which PostgreSQL
        // refuses in text) in the key, any control character in the id.
        if key.contains('\u{0}') || id.chars().any(char::is_control) {
            return None;
        }
        Some(Cursor {
            key: key.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub size: usize,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            after: None,
            size: DEFAULT_PAGE,
        }
    }
}

impl PageRequest {
    /// From what a link or an API call says: `after` a cursor token, `size` rows (clamped to
    /// 1..=[`MAX_PAGE`]).
    pub fn new(after: Option<&str>, size: Option<usize>) -> PageRequest {
        PageRequest {
            after: after.filter(|a| !a.is_empty()).and_then(Cursor::decode),
            size: size.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
        }
    }

    pub fn first(size: usize) -> PageRequest {
        PageRequest::new(None, Some(size))
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
    /// Whether this is the first page.
    pub first: bool,
}

impl<T> Page<T> {
    /// A first page with nothing on it (a list that does not apply).
    pub fn empty() -> Page<T> {
        Page {
            items: Vec::new(),
            next: None,
            first: true,
        }
    }

    /// Cuts `rows` (read with [`Keyset::limit`], one more than the page holds) to the page and
    /// notes where the next one starts.
    pub fn from_rows(
        mut rows: Vec<T>,
        request: &PageRequest,
        key_of: impl Fn(&T) -> Cursor,
    ) -> Page<T> {
        let more = rows.len() > request.size;
        rows.truncate(request.size);
        let next = if more { rows.last().map(key_of) } else { None };
        Page {
            items: rows,
            next,
            first: request.after.is_none(),
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            first: self.first,
        }
    }
}

/// The SQL of one keyset page over `key_column` and `id_column`: the condition that starts after
/// the cursor, the order, and the limit. Values are bound through `bind`.
pub struct Keyset<'a> {
    pub key_column: &'a str,
    pub id_column: &'a str,
}

impl<'a> Keyset<'a> {
    /// A list in the order its records were made: ids are UUIDv7, which sort by time, and the
    /// primary key is the index. The API's lists use it where no order for people is needed. Not
    /// a change feed: an id is made when its row is written, not when it commits, so a slow
    /// transaction can commit a row behind a cursor that a client has already passed.
    pub fn by_id(id_column: &'a str) -> Keyset<'a> {
        Keyset {
            key_column: "",
            id_column,
        }
    }

    /// The cursor after `id` in a list [`Keyset::by_id`].
    pub fn id_cursor(id: &str) -> Cursor {
        Cursor {
            key: String::new(),
            id: id.to_owned(),
        }
    }

    /// `(key, id) > (cursor)`, or `None` on the first page. Row values compare in both SQLite and
    /// PostgreSQL and let both walk the `(key, id)` index from that point.
    pub fn after(
        &self,
        request: &PageRequest,
        bind: &mut impl FnMut(Value) -> String,
    ) -> Option<String> {
        let cursor = request.after.as_ref()?;
        if self.key_column.is_empty() {
            let id = bind(Value::Text(cursor.id.clone()));
            return Some(format!("{} > {id}", self.id_column));
        }
        let key = bind(Value::Text(cursor.key.clone()));
        let id = bind(Value::Text(cursor.id.clone()));
        Some(format!(
            "({}, {}) > ({key}, {id})",
            self.key_column, self.id_column
        ))
    }

    /// ` ORDER BY key, id LIMIT n+1`: one row more than the page, to know whether another follows.
    pub fn order_and_limit(
        &self,
        request: &PageRequest,
        bind: &mut impl FnMut(Value) -> String,
    ) -> String {
        let limit = bind(Value::Int(request.size as i64 + 1));
        if self.key_column.is_empty() {
            return format!(" ORDER BY {} LIMIT {limit}", self.id_column);
        }
        format!(
            " ORDER BY {}, {} LIMIT {limit}",
            self.key_column, self.id_column
        )
    }
}

/// Collects the conditions and bound values of a list query built at run time. Only fixed
/// fragments and numbered placeholders enter the SQL; every value is bound.
#[derive(Default, Clone)]
pub struct Query {
    pub clauses: Vec<String>,
    pub values: Vec<Value>,
}

impl Query {
    /// Binds a value and returns its placeholder (`$n`).
    pub fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// `column IN ($1, …)` for the values; `FALSE` for none. Past [`IN_LIST`] values it is `TRUE`
    /// instead: the caller reads every row and keeps the ones it asked for (the `attach_*`
    /// helpers look rows up by id anyway). So a statement never nears the databases' limits on
    /// parameters (32,766 on SQLite), nor sqlx-sqlite's binding cost, which grows with the square
    /// of their number.
    pub fn any_of(&mut self, column: &str, values: &[&str]) -> String {
        if values.is_empty() {
            return "FALSE".to_owned();
        }
        if values.len() > IN_LIST {
            return "TRUE".to_owned();
        }
        let placeholders: Vec<String> = values
            .iter()
            .map(|v| self.bind(Value::Text((*v).to_owned())))
            .collect();
        format!("{column} IN ({})", placeholders.join(", "))
    }

    pub fn and(&mut self, clause: impl Into<String>) {
        self.clauses.push(clause.into());
    }

    /// ` WHERE a AND b`, or nothing.
    pub fn where_clause(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_survive_a_link_and_refuse_anything_else() {
        let c = Cursor {
            key: "sprachcafe\u{1}x".into(),
            id: "0190-a".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("nicht base64!"), None);
        assert_eq!(
            Cursor::decode(&URL_SAFE_NO_PAD.encode("a\u{0}b\u{0}c")),
            None
        );
        assert_eq!(
            Cursor::decode(&URL_SAFE_NO_PAD.encode("a\u{0}b\u{1}")),
            None
        );
        assert_eq!(
            Cursor::decode(&URL_SAFE_NO_PAD.encode("ohne Trenner")),
            None
        );
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(PageRequest::new(None, Some(0)).size, 1);
        assert_eq!(PageRequest::new(None, Some(1_000_000)).size, MAX_PAGE);
        assert_eq!(PageRequest::new(Some("kaputt"), None).after, None);
    }

    #[test]
    fn a_page_knows_whether_another_follows() {
        let request = PageRequest::first(2);
        let key = |n: &i32| Cursor {
            key: n.to_string(),
            id: n.to_string(),
        };
        let page = Page::from_rows(vec![1, 2, 3], &request, key);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next.map(|c| c.id), Some("2".to_owned()));
        let last = Page::from_rows(vec![1, 2], &request, key);
        assert_eq!(last.next, None);
    }
}
