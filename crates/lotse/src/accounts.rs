//! `lotse user create`: accounts from the command line (the first admin of a new database).

use std::io::{IsTerminal, Read};

use lotse_domain::organisation::OrganisationInput;
use lotse_domain::user::validate_new_password;
use lotse_domain::{FieldErrors, Role};
use lotse_store::users::UserInput;
use lotse_store::{Actor, Db, StoreError, now_ms, organisations, password, users};

pub(crate) fn read_password() -> Result<Option<String>, StoreError> {
    if let Ok(p) = std::env::var("LOTSE_USER_PASSWORD") {
        return Ok(Some(p));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .map_err(|e| StoreError::Config(format!("cannot read stdin: {e}")))?;
    let line = text.lines().next().unwrap_or("").to_owned();
    Ok((!line.is_empty()).then_some(line))
}

pub(crate) async fn create_user(
    db: &Db,
    username: &str,
    org: &str,
    org_kind: &str,
    roles: &[String],
    display_name: Option<&str>,
    email: &str,
) -> Result<(), StoreError> {
    let actor = Actor::system("cli");
    let existing = organisations::list(db, true)
        .await?
        .into_iter()
        .find(|o| o.id == org || o.name.eq_ignore_ascii_case(org.trim()));
    let (password, generated) = match read_password()? {
        Some(p) => (p, false),
        None => (password::random_token(15)?, true),
    };
    // Everything is validated before anything is written, and the organisation and the account are
    // created in one transaction: a refused account leaves no orphaned organisation behind.
    let new_org = match &existing {
        Some(_) => None,
        None => {
            let vocab = organisations::vocabulary(db).await?;
            let draft = OrganisationInput {
                name: org.into(),
                kind: org_kind.into(),
                ..Default::default()
            }
            .validate(&vocab)?;
            Some(draft)
        }
    };
    let input = UserInput {
        username: username.into(),
        display_name: display_name.unwrap_or(username).into(),
        email: email.into(),
        organisation_id: existing
            .as_ref()
            .map_or_else(|| "(neu)".to_owned(), |o| o.id.clone()),
        roles: roles.to_vec(),
    };
    let mut password_errors = FieldErrors::new();
    validate_new_password(&mut password_errors, "password", &password);
    let mut draft = match input.validate(true) {
        Ok(d) if password_errors.is_empty() => d,
        Ok(_) => return Err(StoreError::Invalid(password_errors)),
        Err(mut e) => {
            for (field, message) in password_errors.iter() {
                e.add(field, message);
            }
            return Err(StoreError::Invalid(e));
        }
    };
    let hash = password::hash(&password)?;
    let mut tx = db.begin().await?;
    if let Some(org_draft) = &new_org {
        draft.organisation_id =
            organisations::create(&mut tx, &actor, org_draft, false, now_ms()).await?;
    }
    users::create(&mut tx, &actor, &draft, &hash, false, now_ms()).await?;
    tx.commit().await?;
    if let Some(org_draft) = &new_org {
        println!("created organisation '{}'", org_draft.name);
    }
    let role_names: Vec<&str> = draft.roles.iter().map(|r: &Role| r.key()).collect();
    println!(
        "created user '{}' with roles {}",
        draft.username,
        role_names.join(", ")
    );
    if generated {
        println!("initial password (shown once, change it after the first login): {password}");
    }
    Ok(())
}
