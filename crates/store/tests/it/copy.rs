use lotse_store::testing::TestDb;
use lotse_store::{Db, both_backends, copy};

use crate::prepared;

/// A database with some of everything: reference data, demo organisations and users, audit log.
async fn filled(db: &Db) {
    prepared(db).await;
    lotse_store::demo::load(db).await.unwrap();
}

both_backends!(copy_table_list_matches_the_schema, |db: Db| async move {
    let live = copy::live_schema(&db).await.unwrap();
    let mut live_tables: Vec<&str> = live.iter().map(|(t, _)| t.as_str()).collect();
    live_tables.retain(|t| !copy::NOT_COPIED.contains(t));
    let mut listed: Vec<&str> = copy::TABLES.iter().map(|t| t.name).collect();
    live_tables.sort();
    listed.sort();
    assert_eq!(live_tables, listed, "copy::TABLES must list every table");
    for table in copy::TABLES {
        let columns = &live.iter().find(|(t, _)| t == table.name).unwrap().1;
        let listed: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        assert_eq!(columns, &listed, "columns of {}", table.name);
    }
});

async fn copy_and_compare(from: &Db, to: &Db) {
    let report = copy::copy(from, to).await.unwrap();
    assert!(report.rows > 30, "{report:?}");
    assert_eq!(
        copy::fingerprint(from).await.unwrap(),
        copy::fingerprint(to).await.unwrap()
    );
    let verify = lotse_store::audit::verify(to).await.unwrap();
    assert_eq!(verify.first_broken, None);
    assert!(verify.entries > 0);
    // The copy is a working deployment: its users can be found and the chain continues.
    let admin = lotse_store::users::get_by_username(to, "admin")
        .await
        .unwrap();
    assert!(admin.fictitious);
    lotse_store::demo::load(to).await.unwrap();
}

both_backends!(copy_to_sqlite_is_identical, |db: Db| async move {
    filled(&db).await;
    let target = TestDb::sqlite().await;
    copy_and_compare(&db, &target.db).await;
});

both_backends!(copy_to_postgres_is_identical, |db: Db| async move {
    filled(&db).await;
    if let Some(target) = TestDb::postgres().await {
        copy_and_compare(&db, &target.db).await;
    }
});

both_backends!(copy_refuses_a_target_with_data, |db: Db| async move {
    filled(&db).await;
    let target = TestDb::sqlite().await;
    prepared(&target.db).await;
    let err = copy::copy(&db, &target.db).await.unwrap_err();
    assert!(err.to_string().contains("already holds data"), "{err}");
});

both_backends!(backup_and_restore_round_trip, |db: Db| async move {
    filled(&db).await;
    let dir = lotse_store::testing::temp_dir();
    let file = dir.join("backup.db");
    copy::backup(&db, &file).await.unwrap();
    assert!(
        copy::backup(&db, &file).await.is_err(),
        "never overwrites a file"
    );
    let before = std::fs::read(&file).unwrap();
    let restored = TestDb::sqlite().await;
    copy::restore(&file, &restored.db).await.unwrap();
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "restoring leaves the backup file as it was"
    );
    assert_eq!(
        copy::fingerprint(&db).await.unwrap(),
        copy::fingerprint(&restored.db).await.unwrap()
    );
    let _ = std::fs::remove_dir_all(dir);
});

#[tokio::test]
async fn copy_names_the_table_row_and_column_it_cannot_copy() {
    // Text from before input was checked for NUL, stored on SQLite, which accepts it.
    let source = TestDb::sqlite().await;
    filled(&source.db).await;
    lotse_store::testing::raw(
        &source.db,
        "UPDATE organisations SET name = 'Caritas' || char(0) || 'verband' \
         WHERE id = (SELECT MIN(id) FROM organisations)",
    )
    .await
    .unwrap();
    let Some(target) = TestDb::postgres().await else {
        return;
    };
    let err = copy::copy(&source.db, &target.db)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("table organisations, row id = '") && err.contains("column name"),
        "{err}"
    );
    assert!(
        copy::is_empty(&target.db).await.unwrap(),
        "nothing half-written"
    );
}
