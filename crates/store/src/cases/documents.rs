//! Documents on a case (decision 0012, slice 4): stored in the database with their checked
//! type, size and SHA-256; listed for whoever sees the case whole; their contents handed out
//! only to whoever may change the case (they work with the case), and every download recorded
//! in the access log.

use lotse_domain::access::Action as Act;
use lotse_domain::case::{DocumentDraft, DocumentKind};
use sha2::{Digest, Sha256};

use super::work::note;
use super::{CaseRecord, Cases, lock};
use crate::audit::{Actor, Entity};
use crate::db::{Tx, new_id, read, tx};
use crate::scoped::{Scoped, Viewer};
use crate::{Result, StoreError};

/// A document as the case page lists it (without its content).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub created_at: i64,
}

impl Document {
    pub fn kind_label(&self) -> &'static str {
        DocumentKind::parse(&self.kind).map_or("", DocumentKind::label)
    }

    /// "1,2 MB", "350 KB".
    pub fn size_label(&self) -> String {
        let kb = self.size as f64 / 1024.0;
        if kb >= 1024.0 {
            format!("{:.1} MB", kb / 1024.0).replace('.', ",")
        } else {
            format!("{} KB", kb.ceil() as i64)
        }
    }
}

/// A document's content, for a download.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentFile {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Adds a document to the case (whoever may change it). Returns its id.
pub async fn add_document(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    d: &DocumentDraft,
    content: &[u8],
    now: i64,
) -> Result<String> {
    lock(tx, viewer, case_id, Act::Change, now).await?;
    let id = new_id();
    let digest = format!("{:x}", Sha256::digest(content));
    let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO case_documents (id, case_id, kind, title, file_name, content_type, size, sha256, content, \
             uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(d.kind.key())
        .bind(&d.title)
        .bind(&d.file_name)
        .bind(d.content_type)
        .bind(size)
        .bind(&digest)
        .bind(content)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, case_id, "document_added", &id, now);
    Ok(id)
}

impl Cases<'_> {
    /// The documents of a case, newest first, for a viewer who sees it whole (empty otherwise:
    /// a document's title and name can say as much as its content).
    pub async fn documents(&self, case: &Scoped<CaseRecord>) -> Result<Vec<Document>> {
        if !case.access.sees_all() {
            return Ok(Vec::new());
        }
        let id = case.id.as_str();
        Ok(read!(self.db, |c| {
            sqlx::query_as(
                "SELECT d.id, d.kind, d.title, d.file_name, d.content_type, d.size, u.display_name AS uploaded_by, \
                 d.created_at FROM case_documents d LEFT JOIN users u ON u.id = d.uploaded_by \
                 WHERE d.case_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT 500",
            )
            .bind(id)
            .fetch_all(c)
            .await
        })?)
    }

    /// One document's content, for whoever may change the case; the download is recorded in
    /// the access log (as a read of the case and of the document).
    pub async fn document_file(
        &self,
        case: &Scoped<CaseRecord>,
        document: &str,
        now: i64,
    ) -> Result<DocumentFile> {
        if !case.access.change {
            return Err(StoreError::NotFound);
        }
        let id = case.id.as_str();
        let found: Option<DocumentFile> = read!(self.db, |c| {
            sqlx::query_as(
                "SELECT file_name, content_type, content FROM case_documents WHERE id = $1 AND case_id = $2",
            )
            .bind(document)
            .bind(id)
            .fetch_optional(c)
            .await
        })?;
        let file = found.ok_or(StoreError::NotFound)?;
        self.db
            .access_log()
            .record(&Actor::from(self.viewer), now, Entity::Case, id)
            .await;
        Ok(file)
    }
}
