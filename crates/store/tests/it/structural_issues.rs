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

both_backends!(
    the_register_pages_in_the_order_of_the_whole_list,
    |db: Db| async move {
        use lotse_store::paging::{Count, PageRequest};
        prepared(&db).await;
        let statuses = [
            "reported",
            "under_discussion",
            "solution_agreed",
            "resolved",
            "not_solvable",
        ];
        for i in 0..23 {
            let mut issue = input(
                &format!("Hürde {i}"),
                &((i * 7) % 13).to_string(),
                statuses[i % 5],
            );
            issue.reported_on = format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let d = structural_issues::validate(&db, &issue).await.unwrap();
            db.write(async |tx| structural_issues::create(tx, &admin(), &d, false, now()).await)
                .await
                .unwrap();
        }
        // Change one so its key must follow: settled, with more evidence.
        let first = structural_issues::list(&db, None).await.unwrap()[0].clone();
        let mut changed = input(&first.title, "99", "resolved");
        changed.reported_on = first.reported_on.to_string();
        let d = structural_issues::validate(&db, &changed).await.unwrap();
        db.write(async |tx| structural_issues::update(tx, &admin(), &first, &d, now()).await)
            .await
            .unwrap();
        for status in [None, Some("resolved")] {
            // The order the list had when the program sorted it (ties aside: the key adds the id).
            let whole = structural_issues::list(&db, status).await.unwrap();
            let rank = |i: &structural_issues::Issue| {
                (
                    matches!(i.status.as_str(), "resolved" | "not_solvable"),
                    -i.evidence_count,
                    std::cmp::Reverse(i.reported_on),
                )
            };
            let mut paged = Vec::new();
            let mut request = PageRequest::first(4);
            loop {
                let (page, count) = structural_issues::register_page(&db, status, &request)
                    .await
                    .unwrap();
                assert_eq!(count, Count::Exactly(whole.len() as i64));
                paged.extend(page.items);
                match page.next {
                    Some(next) => request.after = Some(next),
                    None => break,
                }
            }
            assert_eq!(paged.len(), whole.len(), "{status:?}");
            let ranks: Vec<_> = paged.iter().map(rank).collect();
            let mut sorted = ranks.clone();
            sorted.sort();
            assert_eq!(ranks, sorted, "{status:?}: register order");
            let mut ids: Vec<&str> = paged.iter().map(|i| i.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), whole.len(), "each issue once");
        }
    }
);

both_backends!(
    pick_lists_find_issues_and_accounts_whatever_the_umlauts_and_case,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        for title in ["Ärztliche Bescheinigung fehlt", "Wartezeit Anerkennung"] {
            let d = structural_issues::validate(&db, &input(title, "3", "reported"))
                .await
                .unwrap();
            db.write(async |tx| structural_issues::create(tx, &admin(), &d, false, now()).await)
                .await
                .unwrap();
        }
        for words in [
            "ärztl",
            "ÄRZTL",
            "aerztliche bescheinigung",
            "BESCHEINIGUNG",
        ] {
            let (found, _) = lotse_store::bodies::issue_choices(&db, words, 50)
                .await
                .unwrap();
            let titles: Vec<&str> = found.iter().map(|(_, t)| t.as_str()).collect();
            assert_eq!(titles, ["Ärztliche Bescheinigung fehlt"], "{words}");
        }
        // Accounts likewise, by display name or user name.
        let partner = lotse_store::users::get_by_username(&db, "partner")
            .await
            .unwrap();
        let draft = lotse_store::users::UserDraft {
            username: partner.username.clone(),
            display_name: "Gül Özdemir".into(),
            email: partner.email.clone(),
            organisation_id: partner.organisation_id.clone(),
            roles: partner.roles.clone(),
        };
        db.write(async |tx| {
            lotse_store::users::update(tx, &admin(), &partner, &draft, now()).await
        })
        .await
        .unwrap();
        for words in ["özdemir", "OEZDEMIR", "gül", "PARTNER"] {
            let (found, _) = lotse_store::users::pick(&db, words, 50).await.unwrap();
            assert!(found.iter().any(|(id, _)| *id == partner.id), "{words}");
        }
    }
);
