use lotse_domain::structural_issue::IssueInput;
use lotse_store::structural_issues;
use lotse_store::{Db, StoreError, both_backends};

use crate::{admin, now, prepared};

fn input(title: &str, evidence: &str, status: &str) -> IssueInput {
    IssueInput {
        title: title.into(),
        from_jurisdiction: "asylblg".into(),
        to_jurisdiction: "sgb2".into(),
        towns: vec!["05570004".into()],
        evidence_count: evidence.into(),
        status: status.into(),
        reported_on: "2025-05-01".into(),
        ..Default::default()
    }
}

both_backends!(
    issues_are_registered_updated_and_ordered,
    |db: Db| async move {
        prepared(&db).await;
        for (title, evidence, status) in [
            ("Gelöst", "40", "resolved"),
            ("Wenig", "2", "reported"),
            ("Viel", "12", "under_discussion"),
        ] {
            let d = structural_issues::validate(&db, &input(title, evidence, status))
                .await
                .unwrap();
            db.write(async |tx| structural_issues::create(tx, &admin(), &d, false, now()).await)
                .await
                .unwrap();
        }
        let titles: Vec<String> = structural_issues::list(&db, None)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect();
        assert_eq!(
            titles,
            ["Viel", "Wenig", "Gelöst"],
            "open issues first, by evidence"
        );
        let open = structural_issues::list(&db, Some("reported"))
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
        let issue = &open[0];
        assert_eq!(issue.hand_off(), "AsylbLG → SGB II");
        assert_eq!(
            issue.towns,
            vec![("05570004".to_owned(), "Ahlen".to_owned())]
        );

        let d = structural_issues::validate(&db, &input("Wenig", "3", "solution_agreed"))
            .await
            .unwrap();
        db.write(async |tx| structural_issues::update(tx, &admin(), issue, &d, now()).await)
            .await
            .unwrap();
        let again = structural_issues::get(&db, &issue.id).await.unwrap();
        assert_eq!(
            (again.evidence_count, again.status.as_str()),
            (3, "solution_agreed")
        );

        let mut bad = input("", "viele", "vertagt");
        bad.to_organisation_id = "gibt-es-nicht".into();
        match structural_issues::validate(&db, &bad).await {
            Err(StoreError::Invalid(e)) => {
                for f in ["title", "evidence_count", "status", "to_organisation_id"] {
                    assert!(e.get(f).is_some(), "{f}: {e}");
                }
            }
            other => panic!("expected field errors, got {other:?}"),
        }
    }
);
