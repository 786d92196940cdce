//! A SQLite URL to a file that does not exist: the error says the file is missing, names
//! it, and says how to have it created, instead of SQLite's bare `(code: 14) unable to
//! open database file`.

use dbconform::{DbConform, Error};

#[tokio::test]
async fn a_missing_file_is_named_with_how_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let url = format!("sqlite://{}", path.display());
    let error = DbConform::connect(&url).await.unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "cannot connect to `{url}`: the SQLite database file `{}` does not exist; to have it created, add `?mode=rwc` to the URL (`{url}?mode=rwc`), or pass `--create-database-if-missing` to the command line's `apply` or `wait` (in code: `dbconform::create_database_if_missing`)",
            path.display()
        )
    );
    assert!(!path.exists(), "nothing was created");
}

#[tokio::test]
async fn other_query_parameters_are_kept_in_the_suggested_url() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let url = format!("sqlite://{}?mode=rw", path.display());
    let error = DbConform::connect(&url).await.unwrap_err().to_string();
    assert!(
        error.contains(&format!("(`sqlite://{}?mode=rwc`)", path.display())),
        "{error}"
    );
    let url = format!("sqlite://{}?cache=shared", path.display());
    let error = DbConform::connect(&url).await.unwrap_err().to_string();
    assert!(error.contains(&format!("(`{url}&mode=rwc`)")), "{error}");
}

#[tokio::test]
async fn a_missing_directory_is_named_too() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no_such_dir");
    let path = missing.join("app.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let error = DbConform::connect(&url).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot connect to `{url}`: the directory `{}` of the SQLite database file does not exist; create it first (SQLite creates the file, not its directory)",
            missing.display()
        )
    );
}

#[tokio::test]
async fn a_relative_path_says_where_it_was_looked_for() {
    let error = DbConform::connect("sqlite://dbconform_no_such_file_here.db")
        .await
        .unwrap_err()
        .to_string();
    let cwd = std::env::current_dir().unwrap();
    assert!(
        error.contains(&format!(
            "the SQLite database file `dbconform_no_such_file_here.db` (in `{}`) does not exist",
            cwd.display()
        )),
        "{error}"
    );
}
