//! Docker credential helpers are run under a time limit, and only the one the config names.
//! A test binary of its own: it changes `PATH`, which must not race other tests' threads.

use layerwise_registry::credentials::{Credential, CredentialStore, Secret};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

#[tokio::test]
async fn helpers_run_with_a_time_limit() {
    let dir = std::env::temp_dir().join(format!("layerwise-helpers-{}", std::process::id()));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let write_helper = |name: &str, body: &str| {
        let p = bin.join(format!("docker-credential-{name}"));
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    write_helper(
        "fast",
        r#"read server; echo "{\"Username\":\"u-$server\",\"Secret\":\"from-helper\"}""#,
    );
    write_helper(
        "tok",
        r#"read server; echo '{"Username":"<token>","Secret":"tkn"}'"#,
    );
    write_helper("slow", "sleep 2; echo '{}'");
    write_helper(
        "store",
        r#"read server; echo "{\"Username\":\"store-$server\",\"Secret\":\"s\"}""#,
    );
    // Helpers are found on PATH, as Docker finds them. This is the only test in this binary.
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::set_var("PATH", format!("{}:{path}", bin.display()));
    let config = r#"{"credHelpers":{"fast.io":"fast","tok.io":"tok","slow.io":"slow"},"credsStore":"store"}"#;
    std::fs::write(dir.join("config.json"), config).unwrap();
    let s = CredentialStore::new(Some(dir.clone()), Duration::from_millis(500));
    assert_eq!(
        s.get("fast.io").await,
        Some(Credential::UsernamePassword {
            username: "u-fast.io".into(),
            password: Secret::new("from-helper")
        })
    );
    assert_eq!(
        s.get("tok.io").await,
        Some(Credential::IdentityToken(Secret::new("tkn")))
    );
    // Gives up at the time limit instead of waiting for the helper.
    assert_eq!(s.get("slow.io").await, None);
    // Other registries go to the credsStore helper, with Docker Hub under its legacy key.
    assert_eq!(
        s.get("docker.io").await,
        Some(Credential::UsernamePassword {
            username: "store-https://index.docker.io/v1/".into(),
            password: Secret::new("s")
        })
    );
    let _ = std::fs::remove_dir_all(&dir);
}
