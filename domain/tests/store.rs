//! Store tests, run against a real SQLite file and a real PostgreSQL server.
//!
//! Every test is written once as `async fn(Store)` and instantiated for both backends by
//! `on_both_backends!`. PostgreSQL comes from `SEATWISE_TEST_POSTGRES_URL` (a server that
//! `make test` starts); each test gets a database of its own.

use domain::access::{AccessError, NewAccount, ProviderAdmin, Role};
use domain::{
    audit::{NewEntry, Outcome, Query},
    connections::{NewConnection, Secret},
    crypto::Sealer,
    Backend, Store,
};
use partner_center::{Credential, CustomerId, PartnerCenter};

mod backends {
    use domain::Store;

    pub struct Sqlite {
        pub store: Store,
        _dir: tempfile::TempDir,
    }

    pub async fn sqlite() -> Sqlite {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/store.db", dir.path().display());
        let store = Store::open(&url).await.expect("open sqlite store");
        Sqlite { store, _dir: dir }
    }

    pub async fn postgres() -> Option<Store> {
        let admin_url = match std::env::var("SEATWISE_TEST_POSTGRES_URL") {
            Ok(url) => url,
            Err(_) if std::env::var_os("SEATWISE_TEST_SKIP_POSTGRES").is_some() => return None,
            Err(_) => panic!(
                "SEATWISE_TEST_POSTGRES_URL is not set: run `make test`, which starts a \
                 PostgreSQL server, or set SEATWISE_TEST_SKIP_POSTGRES=1 to skip these tests"
            ),
        };
        let admin = Store::connect(&admin_url)
            .await
            .expect("connect to test server");
        let name = format!("seatwise_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .expect("create test database");
        admin.close().await;
        let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
        Some(
            Store::open(&format!("{base}/{name}"))
                .await
                .expect("open postgres store"),
        )
    }
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = super::backends::sqlite().await;
                    super::$name(db.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(store) = super::backends::postgres().await {
                        super::$name(store).await;
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    rate_budget_is_shared_between_instances,
    migrations_are_applied_and_idempotent,
    settings_upsert_and_read_back,
    settings_get_or_insert_never_overwrites,
    audit_log_pages_newest_first_with_filters,
    audit_log_refuses_entries_without_actor,
    connections_keep_secrets_sealed_and_one_default,
    bad_connections_are_refused_and_change_nothing,
    the_sandbox_connection_follows_the_emulator,
    connections_are_renamed_rotated_and_removed_only_when_unused,
    subscriptions_are_replaced_per_customer_and_queried,
    subscription_history_records_each_change_once,
    reconciliation_applies_only_what_was_chosen,
    history_batches_read_every_entry_once,
    jobs_are_claimed_once_and_taken_over_when_their_lease_runs_out,
    catalog_refreshes_flag_new_and_discontinued_skus,
    connections_given_to_a_reseller_bring_their_customers,
    orders_are_claimed_once_and_agreements_appended,
    passwords_are_checked_without_telling_who_exists,
    authorization_follows_role_and_scope,
    bad_accounts_are_refused_and_change_nothing,
    directory_refresh_fills_the_cache_and_queries_it,
    directory_refresh_failing_midway_keeps_the_previous_snapshot,
    directory_reads_are_shared_and_fresh_ones_served_from_the_store,
    user_admin_creates_and_edits_with_errors_on_the_right_field,
    user_admin_licenses_one_update_seats_and_races,
    user_admin_delete_restore_and_passwords,
);

async fn migrations_are_applied_and_idempotent(store: Store) {
    store.ping().await.unwrap();
    let status = store.status().await.unwrap();
    assert!(status.migrations_known >= 1);
    assert_eq!(status.migrations_applied as usize, status.migrations_known);
    // Running the migrator again is a no-op, as it is at every start-up.
    store.migrate().await.unwrap();
    assert_eq!(
        store.status().await.unwrap().migrations_applied as usize,
        status.migrations_known
    );
    assert!(matches!(
        store.backend(),
        Backend::Sqlite | Backend::Postgres
    ));
}

async fn settings_upsert_and_read_back(store: Store) {
    let settings = store.settings();
    assert_eq!(settings.get("users.load_mode").await.unwrap(), None);
    settings.set("users.load_mode", "live").await.unwrap();
    assert_eq!(
        settings.get("users.load_mode").await.unwrap().as_deref(),
        Some("live")
    );
    settings.set("users.load_mode", "cache").await.unwrap();
    assert_eq!(
        settings.get("users.load_mode").await.unwrap().as_deref(),
        Some("cache")
    );
    assert!(settings.set("  ", "x").await.is_err());
}

async fn settings_get_or_insert_never_overwrites(store: Store) {
    let settings = store.settings();
    assert_eq!(settings.get_or_insert("instance", "a").await.unwrap(), "a");
    assert_eq!(settings.get_or_insert("instance", "b").await.unwrap(), "a");
}

async fn audit_log_pages_newest_first_with_filters(store: Store) {
    let audit = store.audit();
    for i in 0..7 {
        audit
            .record(NewEntry {
                actor: if i % 2 == 0 {
                    "ann@sp.example"
                } else {
                    "bob@sp.example"
                },
                customer_id: (i < 5).then_some("cust-1"),
                action: "user.update",
                outcome: if i == 3 {
                    Outcome::Refused
                } else {
                    Outcome::Succeeded
                },
                detail: &format!("change {i}"),
                request_id: Some("req-1"),
            })
            .await
            .unwrap();
    }
    let first = audit
        .list(&Query {
            limit: 3,
            ..Query::default()
        })
        .await
        .unwrap();
    let details: Vec<_> = first.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(details, ["change 6", "change 5", "change 4"]);

    let second = audit
        .list(&Query {
            limit: 3,
            before: Some(first[2].id.clone()),
            ..Query::default()
        })
        .await
        .unwrap();
    let details: Vec<_> = second.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(details, ["change 3", "change 2", "change 1"]);

    let refused = audit
        .list(&Query {
            outcome: Some(Outcome::Refused),
            limit: 50,
            ..Query::default()
        })
        .await
        .unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].detail, "change 3");
    assert_eq!(refused[0].request_id.as_deref(), Some("req-1"));

    let ann_on_customer = audit
        .list(&Query {
            actor: Some("ann@sp.example".into()),
            customer_id: Some("cust-1".into()),
            limit: 50,
            ..Query::default()
        })
        .await
        .unwrap();
    let details: Vec<_> = ann_on_customer.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(details, ["change 4", "change 2", "change 0"]);
    assert!(ann_on_customer.iter().all(|e| e.at > 1_700_000_000_000));
}

async fn audit_log_refuses_entries_without_actor(store: Store) {
    let err = store
        .audit()
        .record(NewEntry {
            actor: "",
            customer_id: None,
            action: "x",
            outcome: Outcome::Failed,
            detail: "",
            request_id: None,
        })
        .await;
    assert!(err.is_err());
    assert!(store
        .audit()
        .list(&Query {
            limit: 10,
            ..Query::default()
        })
        .await
        .unwrap()
        .is_empty());
}

fn sealer() -> Sealer {
    Sealer::new(&[3u8; 32]).unwrap()
}

fn new_connection(name: &str, is_default: bool) -> NewConnection {
    NewConnection {
        name: name.into(),
        country: "us".into(),
        api_url: "https://api.partnercenter.microsoft.com/".into(),
        login_url: "https://login.microsoftonline.com".into(),
        tenant_id: "partner.onmicrosoft.com".into(),
        app_id: "app-1".into(),
        secret: Secret::ClientSecret {
            client_secret: "s3cret-value".into(),
        },
        is_default,
        is_sandbox: false,
    }
}

async fn connections_keep_secrets_sealed_and_one_default(store: Store) {
    let sealer = sealer();
    let connections = store.connections(&sealer);
    let eu = connections
        .create(new_connection("Europe", true))
        .await
        .unwrap();
    assert_eq!(eu.country, "US");
    assert_eq!(eu.api_url, "https://api.partnercenter.microsoft.com");
    assert_eq!(eu.credential_kind, "client_secret");
    let us = connections
        .create(new_connection("Americas", true))
        .await
        .unwrap();
    let all = connections.list().await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Americas", "Europe"]
    );
    assert_eq!(all.iter().filter(|c| c.is_default).count(), 1);
    assert_eq!(
        connections.default_connection().await.unwrap().unwrap().id,
        us.id
    );

    // The secret is stored sealed, never in clear.
    let (sealed,): (String,) =
        sqlx::query_as("SELECT credential_sealed FROM connections WHERE id = $1")
            .bind(us.id.as_str())
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(!sealed.contains("s3cret"));
    let client: PartnerCenter = connections
        .client(PartnerCenter::http_client(), &us.id)
        .await
        .unwrap();
    assert!(
        matches!(&client.config().credential, Credential::ClientSecret(s) if s == "s3cret-value")
    );
    assert_eq!(client.config().tenant, "partner.onmicrosoft.com");

    // Another master key cannot open it.
    let other = Sealer::new(&[4u8; 32]).unwrap();
    assert!(store
        .connections(&other)
        .client(PartnerCenter::http_client(), &us.id)
        .await
        .is_err());
}

async fn bad_connections_are_refused_and_change_nothing(store: Store) {
    let sealer = sealer();
    let connections = store.connections(&sealer);
    connections
        .create(new_connection("Main", true))
        .await
        .unwrap();
    let cases: Vec<(NewConnection, &str)> = vec![
        (new_connection("Main", false), "name:"),
        (new_connection("  ", false), "name:"),
        (
            NewConnection {
                country: "USA".into(),
                ..new_connection("X", false)
            },
            "country:",
        ),
        (
            NewConnection {
                api_url: "ftp://x".into(),
                ..new_connection("X", false)
            },
            "api_url:",
        ),
        (
            NewConnection {
                tenant_id: " ".into(),
                ..new_connection("X", false)
            },
            "tenant_id:",
        ),
        (
            NewConnection {
                secret: Secret::ClientSecret {
                    client_secret: String::new(),
                },
                ..new_connection("X", true)
            },
            "secret:",
        ),
    ];
    for (bad, field) in cases {
        let err = connections.create(bad).await.unwrap_err().to_string();
        assert!(err.starts_with(field), "{err}");
    }
    let all = connections.list().await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(
        all[0].is_default,
        "a refused default did not unset the old one"
    );
}

async fn the_sandbox_connection_follows_the_emulator(store: Store) {
    let sealer = sealer();
    let connections = store.connections(&sealer);
    let first = connections
        .upsert_sandbox("http://127.0.0.1:4001")
        .await
        .unwrap();
    assert!(first.is_sandbox && first.is_default);
    let again = connections
        .upsert_sandbox("http://127.0.0.1:4002")
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.api_url, "http://127.0.0.1:4002");
    assert_eq!(connections.list().await.unwrap().len(), 1);
    assert!(connections
        .remove(&first.id)
        .await
        .unwrap_err()
        .to_string()
        .starts_with("connection:"));
    let real = connections
        .create(new_connection("Real", false))
        .await
        .unwrap();
    connections.remove(&real.id).await.unwrap();
    assert_eq!(connections.list().await.unwrap().len(), 1);
}

/// What the Connections page changes: the name (unique), the secret (sealed anew, the old one
/// gone), the default, the last successful call (only forward), and removal (refused while
/// customers use the connection, naming them).
async fn connections_are_renamed_rotated_and_removed_only_when_unused(store: Store) {
    let sealer = sealer();
    let connections = store.connections(&sealer);
    let main = connections
        .create(new_connection("Main", true))
        .await
        .unwrap();
    let spare = connections
        .create(new_connection("Spare", false))
        .await
        .unwrap();

    // Rename: trimmed, unique, and the same name again is no change.
    let renamed = connections.rename(&spare.id, "  Europe  ").await.unwrap();
    assert_eq!(renamed.name, "Europe");
    let taken = connections
        .rename(&spare.id, "Main")
        .await
        .unwrap_err()
        .to_string();
    assert!(taken.starts_with("name:"), "{taken}");
    let bad = connections
        .rename(&spare.id, "a\u{7}b")
        .await
        .unwrap_err()
        .to_string();
    assert!(bad.starts_with("name:"), "{bad}");
    connections.rename(&spare.id, "Europe").await.unwrap();

    // A new secret: the client decrypts the new one; a blank one is refused.
    let rotated = connections
        .rotate_secret(
            &spare.id,
            &Secret::RefreshToken {
                refresh_token: "new-token".into(),
                client_secret: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(rotated.credential_kind, "refresh_token");
    assert!(rotated.updated_at >= spare.updated_at);
    let client = connections
        .client(PartnerCenter::http_client(), &spare.id)
        .await
        .unwrap();
    assert!(matches!(
        &client.config().credential,
        Credential::RefreshToken { refresh_token, .. } if refresh_token == "new-token"
    ));
    let blank = Secret::ClientSecret {
        client_secret: " ".into(),
    };
    let refused = connections
        .rotate_secret(&spare.id, &blank)
        .await
        .unwrap_err();
    assert!(refused.to_string().starts_with("secret:"), "{refused}");

    // The default moves; exactly one stays.
    connections.set_default(&spare.id).await.unwrap();
    let all = connections.list().await.unwrap();
    assert_eq!(
        all.iter()
            .filter(|c| c.is_default)
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Europe"]
    );

    // The last successful call only moves forward.
    assert_eq!(
        connections
            .by_id(&main.id)
            .await
            .unwrap()
            .unwrap()
            .last_ok_at,
        None
    );
    connections.mark_ok(&main.id, 2_000).await.unwrap();
    connections.mark_ok(&main.id, 1_000).await.unwrap();
    assert_eq!(
        connections
            .by_id(&main.id)
            .await
            .unwrap()
            .unwrap()
            .last_ok_at,
        Some(2_000)
    );

    // Removal is refused while customers use it, and the refusal names them.
    let admin = ProviderAdmin::command_line();
    for (id, name) in [
        ("11111111-1111-1111-1111-111111111111", "Contoso"),
        ("22222222-2222-2222-2222-222222222222", "Fabrikam"),
    ] {
        store
            .access()
            .import_customer(
                &admin,
                &main.id,
                &CustomerId::new(id),
                name,
                "x.onmicrosoft.com",
            )
            .await
            .unwrap();
    }
    assert_eq!(
        connections.customers_of(&main.id).await.unwrap(),
        ["Contoso", "Fabrikam"]
    );
    let refused = connections.remove(&main.id).await.unwrap_err().to_string();
    assert!(
        refused.starts_with("connection:") && refused.contains("Contoso, Fabrikam"),
        "{refused}"
    );
    connections.remove(&spare.id).await.unwrap();
    assert_eq!(connections.list().await.unwrap().len(), 1);
    let gone = connections
        .rename(&spare.id, "Back")
        .await
        .unwrap_err()
        .to_string();
    assert!(gone.starts_with("connection:"), "{gone}");
}

/// Two resellers, three customers (A1, A2 with reseller A; B1 with reseller B), one account of
/// each role.
struct World {
    sp: domain::access::Principal,
    reseller_a: domain::access::Principal,
    customer_a1: domain::access::Principal,
    ids: [CustomerId; 3],
}

async fn world(store: &Store) -> World {
    let sealer = sealer();
    let connection = store
        .connections(&sealer)
        .create(new_connection("Main", true))
        .await
        .unwrap();
    let access = store.access();
    let a = access
        .create_reseller(
            &ProviderAdmin::command_line(),
            "Reseller A",
            Some("1111111"),
        )
        .await
        .unwrap();
    let b = access
        .create_reseller(&ProviderAdmin::command_line(), "Reseller B", None)
        .await
        .unwrap();
    let ids = [
        CustomerId::new("AAAAAAAA-0000-0000-0000-000000000001"),
        CustomerId::new("aaaaaaaa-0000-0000-0000-000000000002"),
        CustomerId::new("bbbbbbbb-0000-0000-0000-000000000001"),
    ];
    for (id, name, reseller) in [
        (&ids[0], "A One", &a),
        (&ids[1], "A Two", &a),
        (&ids[2], "B One", &b),
    ] {
        access
            .import_customer(
                &ProviderAdmin::command_line(),
                &connection.id,
                id,
                name,
                "x.onmicrosoft.com",
            )
            .await
            .unwrap();
        access
            .assign_reseller(&ProviderAdmin::command_line(), id, Some(&reseller.id))
            .await
            .unwrap();
    }
    let account = |email: &str,
                   role: Role,
                   reseller: Option<&domain::access::Reseller>,
                   customer: Option<&CustomerId>| NewAccount {
        email: email.into(),
        display_name: email.split('@').next().unwrap().into(),
        role,
        reseller: reseller.map(|r| r.id.clone()),
        customer: customer.cloned(),
        password: Some("correct horse battery".into()),
    };
    World {
        sp: access
            .create_account(account("Admin@SP.example", Role::SpAdmin, None, None))
            .await
            .unwrap(),
        reseller_a: access
            .create_account(account("ra@a.example", Role::ResellerAdmin, Some(&a), None))
            .await
            .unwrap(),
        customer_a1: access
            .create_account(account(
                "ca@a1.example",
                Role::CustomerAdmin,
                None,
                Some(&ids[0]),
            ))
            .await
            .unwrap(),
        ids,
    }
}

/// A password check as a person meets it: busy moments (every hashing permit taken by other
/// tests of this process) are waited out.
async fn checked(store: &Store, email: &str, password: &str) -> Option<domain::access::Principal> {
    use domain::access::PasswordCheck;
    loop {
        match store
            .access()
            .check_password(email, password)
            .await
            .unwrap()
        {
            PasswordCheck::Valid(p) => return Some(p),
            PasswordCheck::Invalid => return None,
            PasswordCheck::Busy => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}

async fn passwords_are_checked_without_telling_who_exists(store: Store) {
    let w = world(&store).await;
    let access = store.access();
    assert_eq!(
        w.sp.email, "admin@sp.example",
        "addresses are stored in lower case"
    );
    let ok = checked(&store, "ADMIN@sp.example ", "correct horse battery").await;
    assert_eq!(ok.unwrap().account, w.sp.account);
    assert!(checked(&store, "admin@sp.example", "wrong password!!")
        .await
        .is_none());
    assert!(
        checked(&store, "nobody@sp.example", "correct horse battery")
            .await
            .is_none()
    );
    assert!(checked(&store, "not an email", "x").await.is_none());
    access.set_disabled(&w.sp.account, true).await.unwrap();
    assert!(checked(&store, "admin@sp.example", "correct horse battery")
        .await
        .is_none());
    let (stored,): (String,) =
        sqlx::query_as("SELECT password_hash FROM portal_accounts WHERE email = $1")
            .bind("admin@sp.example")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(
        stored.starts_with("$argon2id$"),
        "argon2id, not the password: {stored}"
    );
}

async fn authorization_follows_role_and_scope(store: Store) {
    let w = world(&store).await;
    let access = store.access();
    let [a1, a2, b1] = &w.ids;
    let unknown = CustomerId::new("cccccccc-0000-0000-0000-000000000009");
    let allowed = |r: &Result<domain::access::CustomerScope, AccessError>| r.is_ok();
    for id in [a1, a2, b1] {
        assert!(
            allowed(&access.authorize(&w.sp, id).await),
            "the service provider sees every customer"
        );
    }
    assert!(allowed(&access.authorize(&w.reseller_a, a1).await));
    assert!(allowed(&access.authorize(&w.reseller_a, a2).await));
    assert!(matches!(
        access.authorize(&w.reseller_a, b1).await,
        Err(AccessError::Forbidden)
    ));
    assert!(allowed(&access.authorize(&w.customer_a1, a1).await));
    assert!(matches!(
        access.authorize(&w.customer_a1, a2).await,
        Err(AccessError::Forbidden)
    ));
    assert!(matches!(
        access.authorize(&w.customer_a1, b1).await,
        Err(AccessError::Forbidden)
    ));
    // An unknown customer gets the same answer as someone else's.
    assert!(matches!(
        access.authorize(&w.sp, &unknown).await,
        Err(AccessError::Forbidden)
    ));
    let scope = access
        .authorize(&w.customer_a1, &CustomerId::new(a1.as_str().to_uppercase()))
        .await
        .unwrap();
    assert_eq!(scope.customer().company_name, "A One");

    let names = |v: Vec<domain::access::Customer>| {
        v.into_iter().map(|c| c.company_name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(access.visible_customers(&w.sp).await.unwrap()),
        ["A One", "A Two", "B One"]
    );
    assert_eq!(
        names(access.visible_customers(&w.reseller_a).await.unwrap()),
        ["A One", "A Two"]
    );
    assert_eq!(
        names(access.visible_customers(&w.customer_a1).await.unwrap()),
        ["A One"]
    );

    // Moving a customer to another reseller moves the access with it; disabling ends it.
    access
        .assign_reseller(&ProviderAdmin::command_line(), a2, None)
        .await
        .unwrap();
    assert!(matches!(
        access.authorize(&w.reseller_a, a2).await,
        Err(AccessError::Forbidden)
    ));
    access
        .set_disabled(&w.customer_a1.account, true)
        .await
        .unwrap();
    assert!(matches!(
        access.authorize(&w.customer_a1, a1).await,
        Err(AccessError::Forbidden)
    ));
}

async fn bad_accounts_are_refused_and_change_nothing(store: Store) {
    let w = world(&store).await;
    let access = store.access();
    let base = || NewAccount {
        email: "new@x.example".into(),
        display_name: "New".into(),
        role: Role::SpSupport,
        reseller: None,
        customer: None,
        password: Some("long enough password".into()),
    };
    let cases = [
        (
            NewAccount {
                email: "no-at-sign".into(),
                ..base()
            },
            "email:",
        ),
        (
            NewAccount {
                email: "admin@sp.example".into(),
                ..base()
            },
            "email:",
        ),
        (
            NewAccount {
                password: Some("short".into()),
                ..base()
            },
            "password:",
        ),
        (
            NewAccount {
                role: Role::CustomerAdmin,
                ..base()
            },
            "scope:",
        ),
        (
            NewAccount {
                customer: Some(w.ids[0].clone()),
                ..base()
            },
            "scope:",
        ),
        (
            NewAccount {
                role: Role::CustomerAdmin,
                customer: Some(CustomerId::new("nope")),
                ..base()
            },
            "scope:",
        ),
        (
            NewAccount {
                display_name: " ".into(),
                ..base()
            },
            "display_name:",
        ),
    ];
    for (bad, field) in cases {
        let err = access.create_account(bad).await.unwrap_err().to_string();
        assert!(err.starts_with(field), "{err}");
    }
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM portal_accounts")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(count, 3);
}

// ---------- Directory cache, against the emulator over HTTP ----------

struct DirectoryWorld {
    emulator: std::sync::Arc<pc_emulator::Emulator>,
    _running: pc_emulator::Running,
    pc: PartnerCenter,
    sp: domain::access::Principal,
    customer_admin: domain::access::Principal,
    ids: Vec<CustomerId>,
}

async fn directory_world(store: &Store) -> DirectoryWorld {
    let (emulator, running) = pc_emulator::start(pc_emulator::Options::default()).await;
    let pc = running.client(|config| {
        config.backoff_base = std::time::Duration::from_millis(5);
        config.max_retries = 1;
    });
    let mut connection = new_connection("Emulator", true);
    connection.api_url = running.url();
    let connection = store
        .connections(&sealer())
        .create(connection)
        .await
        .unwrap();
    let access = store.access();
    let mut ids = Vec::new();
    for t in pc.customers(500).all().await.unwrap() {
        access
            .import_customer(
                &ProviderAdmin::command_line(),
                &connection.id,
                &t.id,
                t.company_name(),
                t.domain(),
            )
            .await
            .unwrap();
        ids.push(t.id);
    }
    let account = |email: &str, role: Role, customer: Option<&CustomerId>| NewAccount {
        email: email.into(),
        display_name: "Someone".into(),
        role,
        reseller: None,
        customer: customer.cloned(),
        password: None,
    };
    DirectoryWorld {
        sp: access
            .create_account(account("sp@sp.example", Role::SpAdmin, None))
            .await
            .unwrap(),
        customer_admin: access
            .create_account(account("ca@c.example", Role::CustomerAdmin, Some(&ids[1])))
            .await
            .unwrap(),
        emulator,
        _running: running,
        pc,
        ids,
    }
}

async fn refresh_all(
    store: &Store,
    w: &DirectoryWorld,
) -> Vec<domain::users::directory::RefreshEvent> {
    use futures_util::StreamExt;
    let scopes = store.access().scopes(&w.sp).await.unwrap();
    let targets = scopes.into_iter().map(|s| (s, w.pc.clone())).collect();
    domain::users::directory::refresh(
        store.clone(),
        targets,
        domain::users::directory::Depth::Everything,
    )
    .collect()
    .await
}

async fn directory_refresh_fills_the_cache_and_queries_it(store: Store) {
    use domain::users::directory::{RefreshEvent, StateFilter, UserQuery, UserSort};
    let w = directory_world(&store).await;
    let directory = store.directory();
    let scopes = store.access().scopes(&w.sp).await.unwrap();
    assert_eq!(scopes.len(), 3);
    let before = directory.freshness(&scopes).await.unwrap();
    assert_eq!(before.never_fetched.len(), 3, "nothing cached yet");

    // One user of the second customer is deleted before the refresh: it stays, as Deleted.
    let second = &w.ids[1];
    let victim = w.pc.users(second, 500).all().await.unwrap()[3].clone();
    w.pc.delete_user(second, victim.id.as_ref().unwrap())
        .await
        .unwrap();

    let events = refresh_all(&store, &w).await;
    assert_eq!(
        events.first(),
        Some(&RefreshEvent::Started { customers: 3 })
    );
    assert_eq!(events.last(), Some(&RefreshEvent::Finished));
    let users_events = events
        .iter()
        .filter(|e| matches!(e, RefreshEvent::Users { .. }))
        .count();
    let details_events = events
        .iter()
        .filter(|e| matches!(e, RefreshEvent::Details { .. }))
        .count();
    assert_eq!((users_events, details_events), (3, 3), "{events:?}");
    let last_users = events
        .iter()
        .rposition(|e| matches!(e, RefreshEvent::Users { .. }))
        .unwrap();
    let first_details = events
        .iter()
        .position(|e| matches!(e, RefreshEvent::Details { .. }))
        .unwrap();
    assert!(
        last_users < first_details,
        "every customer's rows come before any details"
    );

    let fresh = directory.freshness(&scopes).await.unwrap();
    assert!(fresh.never_fetched.is_empty() && fresh.details_missing == 0);
    assert!(fresh.oldest_users_at.is_some());

    let all = UserQuery {
        per_page: 500,
        page: 1,
        ..UserQuery::default()
    };
    let page = directory.query(&scopes, &all).await.unwrap();
    assert_eq!(
        page.matching, 36,
        "3 customers x 12 users, the deleted one included"
    );
    let deleted: Vec<_> = page.rows.iter().filter(|u| u.deleted).collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id, *victim.id.as_ref().unwrap());
    assert!(deleted[0].soft_deleted_at.is_some());
    // Licenses as Partner Center reports them, per user.
    for u in page.rows.iter().filter(|u| !u.deleted).take(5) {
        let expected: std::collections::BTreeSet<String> =
            w.pc.user_licenses(&u.customer_id, &u.id)
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.product_sku.id.unwrap().to_string().to_lowercase())
                .collect();
        let cached: std::collections::BTreeSet<String> = u
            .licenses
            .as_ref()
            .expect("details were read")
            .iter()
            .map(|l| l.sku_id.clone())
            .collect();
        assert_eq!(cached, expected, "licenses of {}", u.user_principal_name);
    }
    // The seeded global administrator shows its role.
    assert!(page
        .rows
        .iter()
        .any(|u| u.roles.iter().any(|r| r == "Global Administrator")));

    // Filters: state, search, SKU; sort and paging.
    let only_deleted = UserQuery {
        state: StateFilter::Deleted,
        ..all.clone()
    };
    assert_eq!(
        directory
            .query(&scopes, &only_deleted)
            .await
            .unwrap()
            .matching,
        1
    );
    let search = UserQuery {
        search: victim.display_name.clone().unwrap().to_uppercase(),
        ..all.clone()
    };
    let found = directory.query(&scopes, &search).await.unwrap();
    assert!(found
        .rows
        .iter()
        .any(|u| u.id == *victim.id.as_ref().unwrap()));
    let wildcard = UserQuery {
        search: "%".into(),
        ..all.clone()
    };
    assert_eq!(
        directory.query(&scopes, &wildcard).await.unwrap().matching,
        0
    );
    let skus = directory.skus(&scopes).await.unwrap();
    assert!(!skus.is_empty());
    let sku = &skus[0];
    let holders = directory
        .query(
            &scopes,
            &UserQuery {
                sku: Some(sku.sku_id.to_uppercase()),
                ..all.clone()
            },
        )
        .await
        .unwrap();
    assert!(holders.matching > 0 && holders.matching < 36);
    assert!(holders.rows.iter().all(|u| u
        .licenses
        .as_ref()
        .unwrap()
        .iter()
        .any(|l| l.sku_id == sku.sku_id && l.name == sku.name)));
    let by_name = UserQuery {
        sort: UserSort::UserName,
        descending: true,
        per_page: 10,
        page: 2,
        ..all.clone()
    };
    let second_page = directory.query(&scopes, &by_name).await.unwrap();
    assert_eq!(
        (second_page.page, second_page.pages, second_page.rows.len()),
        (2, 4, 10)
    );
    let names: Vec<_> = second_page
        .rows
        .iter()
        .map(|u| u.user_principal_name.to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");
    let past_the_end = UserQuery {
        page: 99,
        ..by_name.clone()
    };
    assert_eq!(
        directory.query(&scopes, &past_the_end).await.unwrap().page,
        4
    );

    // A customer admin's scopes reach its own customer's rows only.
    let own = store.access().scopes(&w.customer_admin).await.unwrap();
    let own_page = directory.query(&own, &all).await.unwrap();
    assert_eq!(own_page.matching, 12);
    assert!(own_page.rows.iter().all(|u| u.customer_id == w.ids[1]));
}

/// Twenty refreshes of one customer at once send Partner Center the requests of one; a refresh
/// within the freshness window sends none; with the window at 0 it reads again.
async fn directory_reads_are_shared_and_fresh_ones_served_from_the_store(store: Store) {
    use futures_util::StreamExt;
    let w = directory_world(&store).await;
    let scope = store.access().authorize(&w.sp, &w.ids[0]).await.unwrap();
    let requests = || {
        w.emulator
            .stats
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    let refresh = || {
        domain::users::directory::refresh(
            store.clone(),
            vec![(scope.clone(), w.pc.clone())],
            domain::users::directory::Depth::Everything,
        )
        .collect::<Vec<_>>()
    };
    let before = requests();
    let one = refresh().await;
    let per_read = requests() - before;
    assert!(per_read > 3, "a read takes several requests: {per_read}");
    assert!(one
        .iter()
        .all(|e| !matches!(e, domain::users::directory::RefreshEvent::Failed { .. })));

    // A short window, and a read older than it: the first refresh reads, those arriving while
    // it runs join it, those arriving after it find it fresh.
    store
        .settings()
        .set(domain::users::directory::FRESH_SETTING, "1")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let before = requests();
    let all = futures_util::future::join_all((0..20).map(|_| refresh())).await;
    let shared = requests() - before;
    assert_eq!(shared, per_read, "20 at once read once");
    for events in &all {
        assert!(events
            .iter()
            .any(|e| matches!(e, domain::users::directory::RefreshEvent::Details { .. })));
    }

    store
        .settings()
        .set(domain::users::directory::FRESH_SETTING, "30")
        .await
        .unwrap();
    let before = requests();
    refresh().await;
    assert_eq!(requests(), before, "a fresh read is served from the store");
    store
        .settings()
        .set(domain::users::directory::FRESH_SETTING, "0")
        .await
        .unwrap();
    refresh().await;
    assert_eq!(
        requests() - before,
        per_read,
        "without a window every refresh reads"
    );
}

async fn directory_refresh_failing_midway_keeps_the_previous_snapshot(store: Store) {
    use domain::users::directory::{RefreshEvent, UserQuery};
    let w = directory_world(&store).await;
    // Every refresh reads Partner Center (no freshness window).
    store
        .settings()
        .set(domain::users::directory::FRESH_SETTING, "0")
        .await
        .unwrap();
    refresh_all(&store, &w).await;
    let scopes = store.access().scopes(&w.sp).await.unwrap();
    let directory = store.directory();
    let all = UserQuery {
        per_page: 500,
        page: 1,
        ..UserQuery::default()
    };
    let before = directory.query(&scopes, &all).await.unwrap();
    let fresh_before = directory.freshness(&scopes).await.unwrap();

    // A new user in Partner Center, then every call fails: nothing of it reaches the cache.
    let first = &w.ids[0];
    let mut user = w.pc.users(first, 500).all().await.unwrap()[0].clone();
    user.id = None;
    let domain = user.user_principal_name.clone().unwrap();
    let domain = domain.split('@').nth(1).unwrap();
    user.user_principal_name = Some(format!("new.person@{domain}"));
    user.password_profile = Some(partner_center::wire::PasswordProfile {
        password: Some("Str0ng-Passw0rd!".into()),
        force_change_password: Some(true),
    });
    w.pc.create_user(first, &user).await.unwrap();
    w.emulator.set_knobs(pc_emulator::Knobs {
        fault_rate: 1.0,
        faults: vec![pc_emulator::Fault::ServerError],
        ..pc_emulator::Knobs::default()
    });
    let events = refresh_all(&store, &w).await;
    let failed = events
        .iter()
        .filter(|e| matches!(e, RefreshEvent::Failed { .. }))
        .count();
    assert_eq!(failed, 3, "{events:?}");
    assert_eq!(directory.query(&scopes, &all).await.unwrap(), before);
    assert_eq!(directory.freshness(&scopes).await.unwrap(), fresh_before);

    // Partner Center answers again: the new user arrives.
    w.emulator.set_knobs(pc_emulator::Knobs::default());
    refresh_all(&store, &w).await;
    assert_eq!(
        directory.query(&scopes, &all).await.unwrap().matching,
        before.matching + 1
    );
}

// ---------- User administration, against the emulator over HTTP ----------

struct Admin {
    w: DirectoryWorld,
    scope: domain::access::ChangeScope,
}

async fn admin_world(store: &Store) -> Admin {
    let w = directory_world(store).await;
    refresh_all(store, &w).await;
    let scope = store
        .access()
        .authorize_change(&w.sp, &w.ids[0])
        .await
        .unwrap();
    Admin { w, scope }
}

impl Admin {
    fn admin(&self, store: &Store) -> domain::users::UserAdmin<domain::access::ChangeScope> {
        domain::users::UserAdmin::new(
            store.clone(),
            self.w.pc.clone(),
            self.scope.clone(),
            domain::users::Actor {
                email: "sp@sp.example".into(),
                request_id: Some("req-1".into()),
            },
        )
    }

    async fn users(&self, store: &Store) -> Vec<domain::users::directory::DirectoryUser> {
        store
            .directory()
            .query(
                std::slice::from_ref(&*self.scope),
                &domain::users::directory::UserQuery {
                    per_page: 500,
                    page: 1,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .rows
    }

    async fn transactions(&self, store: &Store) -> Vec<domain::users::LicenseTransaction> {
        domain::users::license_transactions(store, &self.scope, 100)
            .await
            .unwrap()
    }
}

fn new_user(name: &str, domain: &str) -> domain::users::NewUser {
    domain::users::NewUser {
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        display_name: "Ann Lee".into(),
        user_name: name.into(),
        domain: domain.into(),
        usage_location: "us".into(),
        password: None,
        force_change: true,
    }
}

fn field_of(e: &domain::users::UserError) -> &'static str {
    match e {
        domain::users::UserError::Field { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn user_admin_creates_and_edits_with_errors_on_the_right_field(store: Store) {
    let a = admin_world(&store).await;
    let admin = a.admin(&store);
    let domain = a.scope.customer().default_domain.clone();
    let before = a.users(&store).await.len();

    // Bad input and Partner Center's refusals land on the right field and change nothing.
    let taken = a.users(&store).await[0].user_principal_name.clone();
    let taken_local = taken.split('@').next().unwrap().to_owned();
    for (new, expected) in [
        (
            domain::users::NewUser {
                password: Some("weak".into()),
                ..new_user("ann.lee", &domain)
            },
            "password",
        ),
        (new_user(&taken_local, &domain), "user_name"),
        (new_user("ann.lee", "not-theirs.example"), "domain"),
        (new_user("ann lee", &domain), "user_name"),
        (
            domain::users::NewUser {
                usage_location: "United States".into(),
                ..new_user("ann.lee", &domain)
            },
            "usage_location",
        ),
        (
            domain::users::NewUser {
                display_name: " ".into(),
                ..new_user("ann.lee", &domain)
            },
            "display_name",
        ),
    ] {
        let e = admin.create(new, None).await.unwrap_err();
        assert_eq!(field_of(&e), expected, "{e}");
    }
    assert_eq!(a.users(&store).await.len(), before, "nothing created");
    assert!(store.outbox().recent(10).await.unwrap().is_empty());

    // Created with a generated password, sent where asked.
    let (created, password) = admin
        .create(
            new_user("Ann.Lee", &domain),
            Some("it@partner.example".into()),
        )
        .await
        .unwrap();
    assert_eq!(password.password.len(), 16);
    assert_eq!(password.notified.as_deref(), Some("it@partner.example"));
    let mail = store.outbox().pending(10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].body.contains(&password.password));
    let listed = store.outbox().recent(10).await.unwrap();
    assert!(
        listed[0].body.is_empty(),
        "a listing never carries a mail's text"
    );
    store.outbox().mark_sent(&mail[0].id).await.unwrap();
    let (kept,): (String,) = sqlx::query_as("SELECT body FROM outbox WHERE id = $1")
        .bind(&mail[0].id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(kept.is_empty(), "a delivered mail keeps no text");
    assert_eq!(mail[0].recipient, "it@partner.example");
    let id = created.id.clone().unwrap();
    let cached = a.users(&store).await;
    let row = cached
        .iter()
        .find(|u| u.id == id)
        .expect("in the cache at once");
    assert_eq!(row.user_principal_name, format!("ann.lee@{domain}"));
    assert_eq!(row.licenses, Some(vec![]));

    // Edit: names, location and a role; the form reads them back.
    let form = admin.edit_form(&id).await.unwrap();
    assert_eq!(form.current_role, None);
    let user_admin = form
        .roles
        .iter()
        .find(|(_, n)| n == "User Administrator")
        .unwrap()
        .0
        .clone();
    let edit = domain::users::UserEdit {
        first_name: "Anna".into(),
        last_name: "Lee".into(),
        display_name: "Anna Lee".into(),
        usage_location: "de".into(),
        role: Some(partner_center::RoleId::new(user_admin.clone())),
    };
    admin.update(&id, edit.clone()).await.unwrap();
    let form = admin.edit_form(&id).await.unwrap();
    assert_eq!(
        (
            form.display_name.as_str(),
            form.usage_location.as_deref(),
            form.current_role.as_deref()
        ),
        ("Anna Lee", Some("DE"), Some(user_admin.as_str()))
    );
    let row = a
        .users(&store)
        .await
        .into_iter()
        .find(|u| u.id == id)
        .unwrap();
    assert_eq!(row.roles, vec!["User Administrator".to_owned()]);
    assert_eq!(row.usage_location.as_deref(), Some("DE"));
    // Back to no role.
    admin
        .update(
            &id,
            domain::users::UserEdit {
                role: None,
                ..edit.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(admin.edit_form(&id).await.unwrap().current_role, None);
    let row = a
        .users(&store)
        .await
        .into_iter()
        .find(|u| u.id == id)
        .unwrap();
    assert!(row.roles.is_empty());
    let bad = admin
        .update(
            &id,
            domain::users::UserEdit {
                role: Some(partner_center::RoleId::new("not-a-role")),
                ..edit
            },
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&bad), "role");
}

async fn user_admin_licenses_one_update_seats_and_races(store: Store) {
    let a = admin_world(&store).await;
    let admin = a.admin(&store);
    let users = a.users(&store).await;
    let someone = users
        .iter()
        .find(|u| !u.deleted && u.usage_location.is_some())
        .unwrap();
    let form = admin.license_form(&someone.id).await.unwrap();
    assert!(!form.options.is_empty());
    let held: Vec<_> = form.options.iter().filter(|o| o.assigned).collect();
    let free = form
        .options
        .iter()
        .find(|o| !o.assigned && o.available > 0)
        .expect("a product with seats");
    let seats_before = free.available;
    let calls_before =
        a.w.emulator
            .stats
            .requests
            .load(std::sync::atomic::Ordering::Relaxed);

    // One update assigns and removes together.
    let assign = vec![partner_center::SkuId::new(free.sku_id.clone())];
    let remove: Vec<_> = held
        .iter()
        .map(|o| partner_center::SkuId::new(o.sku_id.clone()))
        .collect();
    admin
        .update_licenses(&someone.id, &assign, &remove, &[])
        .await
        .unwrap();
    let writes =
        a.w.emulator
            .stats
            .writes_applied
            .load(std::sync::atomic::Ordering::Relaxed);
    assert!(writes >= 1);
    let calls =
        a.w.emulator
            .stats
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
            - calls_before;
    assert_eq!(
        calls, 3,
        "one update, then the user's licenses and the seats read back"
    );
    let row = a
        .users(&store)
        .await
        .into_iter()
        .find(|u| u.id == someone.id)
        .unwrap();
    let names: Vec<_> = row
        .licenses
        .unwrap()
        .into_iter()
        .map(|l| l.sku_id)
        .collect();
    assert_eq!(names, vec![free.sku_id.clone()]);
    let counts = store.directory().sku_counts(&a.scope).await.unwrap();
    let count = counts.iter().find(|c| c.sku_id == free.sku_id).unwrap();
    assert_eq!(count.available, seats_before - 1, "seats read back");
    let tx = a.transactions(&store).await;
    assert_eq!(tx.len(), 1 + held.len());
    assert!(tx
        .iter()
        .any(|t| t.delta == 1 && t.sku_id == free.sku_id && t.reason == "assign"));
    assert_eq!(
        tx.iter()
            .filter(|t| t.delta == -1 && t.reason == "remove")
            .count(),
        held.len()
    );
    assert!(tx.iter().all(
        |t| t.actor == "sp@sp.example" && t.user_principal_name == someone.user_principal_name
    ));

    // Nothing to change, or the same license both ways: refused, nothing sent.
    assert_eq!(
        field_of(
            &admin
                .update_licenses(&someone.id, &[], &[], &[])
                .await
                .unwrap_err()
        ),
        "licenses"
    );
    assert_eq!(
        field_of(
            &admin
                .update_licenses(&someone.id, &assign, &assign, &[])
                .await
                .unwrap_err()
        ),
        "licenses"
    );

    // A user without a usage location cannot be given a license.
    let domain = a.scope.customer().default_domain.clone();
    let (nowhere, _) = admin
        .create(new_user("no.where", &domain), None)
        .await
        .unwrap();
    let nowhere = nowhere.id.unwrap();
    a.w.emulator.with_world(|w| {
        for c in w.customers.iter_mut() {
            for u in c.users.iter_mut() {
                if u.user.id.as_ref() == Some(&nowhere) {
                    u.user.usage_location = None;
                }
            }
        }
    });
    assert!(matches!(
        admin.update_licenses(&nowhere, &assign, &[], &[]).await,
        Err(domain::users::UserError::UsageLocationMissing)
    ));

    // Two people take the last seat at once: one gets it, the other a clear refusal.
    let form = admin.license_form(&someone.id).await.unwrap();
    let product = form
        .options
        .iter()
        .find(|o| o.sku_id == free.sku_id)
        .unwrap();
    let mut takers = a
        .users(&store)
        .await
        .into_iter()
        .filter(|u| {
            !u.deleted
                && u.id != nowhere
                && u.usage_location.is_some()
                && u.licenses
                    .as_ref()
                    .is_some_and(|l| l.iter().all(|l| l.sku_id != free.sku_id))
        })
        .collect::<Vec<_>>();
    assert!(
        takers.len() as i64 > product.available,
        "enough people to run out"
    );
    let sku = partner_center::SkuId::new(free.sku_id.clone());
    for u in takers.drain(..(product.available - 1) as usize) {
        admin
            .update_licenses(&u.id, std::slice::from_ref(&sku), &[], &[])
            .await
            .unwrap();
    }
    let (first, second) = (&takers[0], &takers[1]);
    let (r1, r2) = tokio::join!(
        admin.update_licenses(&first.id, std::slice::from_ref(&sku), &[], &[]),
        admin.update_licenses(&second.id, std::slice::from_ref(&sku), &[], &[])
    );
    let outcomes = [r1.is_ok(), r2.is_ok()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "{r1:?} {r2:?}"
    );
    let refused = if r1.is_err() { r1 } else { r2 }.unwrap_err();
    assert!(
        matches!(&refused, domain::users::UserError::NoSeats { product: p } if *p == product.name),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("no "), "{refused}");
    let counts = store.directory().sku_counts(&a.scope).await.unwrap();
    assert_eq!(
        counts
            .iter()
            .find(|c| c.sku_id == free.sku_id)
            .unwrap()
            .available,
        0
    );

    // Partner Center failing: an error, and our store is as it was.
    let tx_before = a.transactions(&store).await;
    let users_before = a.users(&store).await;
    a.w.emulator.set_knobs(pc_emulator::Knobs {
        fault_rate: 1.0,
        faults: vec![pc_emulator::Fault::Unavailable],
        ..pc_emulator::Knobs::default()
    });
    let e = admin
        .update_licenses(&someone.id, &[], std::slice::from_ref(&sku), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(e, domain::users::UserError::PartnerCenter(_)),
        "{e:?}"
    );
    assert_eq!(a.transactions(&store).await, tx_before);
    assert_eq!(a.users(&store).await, users_before);
    a.w.emulator.set_knobs(pc_emulator::Knobs::default());
}

async fn user_admin_delete_restore_and_passwords(store: Store) {
    let a = admin_world(&store).await;
    let admin = a.admin(&store);
    let users = a.users(&store).await;
    let someone = users
        .iter()
        .find(|u| !u.deleted && u.licenses.as_ref().is_some_and(|l| !l.is_empty()))
        .unwrap()
        .clone();
    let held = someone.licenses.clone().unwrap();
    let seats = |counts: &[domain::users::directory::SkuCount]| {
        counts
            .iter()
            .find(|c| c.sku_id == held[0].sku_id)
            .unwrap()
            .available
    };
    let seats_before = seats(&store.directory().sku_counts(&a.scope).await.unwrap());

    // Delete: greyed with its licenses released.
    admin.delete(&someone.id).await.unwrap();
    let row = a
        .users(&store)
        .await
        .into_iter()
        .find(|u| u.id == someone.id)
        .unwrap();
    assert!(row.deleted && row.soft_deleted_at.is_some());
    assert_eq!(
        seats(&store.directory().sku_counts(&a.scope).await.unwrap()),
        seats_before + 1
    );
    let tx = a.transactions(&store).await;
    assert_eq!(
        tx.iter()
            .filter(|t| t.reason == "delete" && t.delta == -1)
            .count(),
        held.len()
    );

    // Restore: active again, licenses as Microsoft returns them.
    admin.restore(&someone.id, None).await.unwrap();
    let row = a
        .users(&store)
        .await
        .into_iter()
        .find(|u| u.id == someone.id)
        .unwrap();
    assert!(!row.deleted);
    let returned =
        a.w.pc
            .user_licenses(&a.scope.customer().id, &someone.id)
            .await
            .unwrap();
    assert_eq!(row.licenses.unwrap().len(), returned.len());
    assert!(a
        .transactions(&store)
        .await
        .iter()
        .any(|t| t.reason == "restore"));

    // Its name taken in the meantime: a clear refusal, then a restore under another name.
    admin.delete(&someone.id).await.unwrap();
    let (local, domain) = someone.user_principal_name.split_once('@').unwrap();
    admin.create(new_user(local, domain), None).await.unwrap();
    let e = admin.restore(&someone.id, None).await.unwrap_err();
    assert!(
        matches!(&e, domain::users::UserError::NameTaken { user_name } if *user_name == someone.user_principal_name),
        "{e:?}"
    );
    let bad = admin
        .restore(&someone.id, Some("x@elsewhere.example".into()))
        .await
        .unwrap_err();
    assert_eq!(field_of(&bad), "user_name");
    let new_name = format!("{local}.restored@{domain}");
    admin
        .restore(&someone.id, Some(new_name.clone()))
        .await
        .unwrap();
    let row = a
        .users(&store)
        .await
        .into_iter()
        .find(|u| u.id == someone.id)
        .unwrap();
    assert_eq!(
        (row.deleted, row.user_principal_name.as_str()),
        (false, new_name.as_str())
    );

    // After 30 days Partner Center has purged the user: restore says so.
    admin.delete(&someone.id).await.unwrap();
    a.w.emulator.advance_clock(31 * 24 * 3600);
    assert!(matches!(
        admin.restore(&someone.id, None).await,
        Err(domain::users::UserError::NotFound)
    ));

    // Passwords: a weak one is refused on its field; a generated one goes to the user's own
    // address when no other is given.
    let other = users
        .iter()
        .find(|u| !u.deleted && u.id != someone.id)
        .unwrap();
    let weak = admin
        .reset_password(&other.id, Some("short".into()), true, None)
        .await
        .unwrap_err();
    assert_eq!(field_of(&weak), "password");
    let mails = store.outbox().pending(50).await.unwrap().len();
    let set = admin
        .reset_password(&other.id, None, true, Some(" ".into()))
        .await
        .unwrap();
    assert_eq!(
        set.notified.as_deref(),
        Some(other.user_principal_name.as_str())
    );
    let outbox = store.outbox().pending(50).await.unwrap();
    assert_eq!(outbox.len(), mails + 1);
    let newest = outbox.last().unwrap();
    assert!(newest.body.contains(&set.password) && newest.recipient == other.user_principal_name);
    assert!(store
        .outbox()
        .pending(10)
        .await
        .unwrap()
        .iter()
        .any(|m| m.id == outbox[0].id));
}

fn wire_subscription(id: &str, offer: &str, quantity: i64, kind: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "offerId": format!("CFQ7TTC0{offer}:0001:P1Y"),
        "offerName": offer,
        "friendlyName": format!("{offer} for staff"),
        "productType": { "id": kind },
        "quantity": quantity,
        "status": "active",
        "autoRenewEnabled": true,
        "billingCycle": "monthly",
        "termDuration": "P1Y",
        "effectiveStartDate": "2026-01-10T00:00:00Z",
        "commitmentEndDate": "2027-01-09T00:00:00Z",
        "scheduledNextTermInstructions": { "quantity": 3 }
    })
}

/// A customer's subscriptions are replaced whole on each read (never mixed with the previous
/// list), queried across customers with filters and paging, marketplace ones apart, and the
/// page says when the oldest list was read and how many customers never were.
async fn subscriptions_are_replaced_per_customer_and_queried(store: Store) {
    let w = world(&store).await;
    let scopes = store.access().scopes(&w.sp).await.unwrap();
    let subs = store.subscriptions();
    let parse = |v: Vec<serde_json::Value>| -> Vec<partner_center::wire::Subscription> {
        v.into_iter()
            .map(|v| partner_center::json::from_value(v).unwrap())
            .collect()
    };
    let query =
        |search: &str, marketplace: bool, page: usize| domain::subscriptions::SubscriptionQuery {
            search: search.into(),
            status: String::new(),
            marketplace,
            page,
            per_page: 2,
        };
    let nothing = subs.query(&scopes, &query("", false, 1)).await.unwrap();
    assert_eq!((nothing.matching, nothing.never_read), (0, 3));

    let first = parse(vec![
        wire_subscription(
            "11111111-0000-0000-0000-000000000001",
            "Office 365 E3",
            10,
            "OnlineServicesNCE",
        ),
        wire_subscription(
            "11111111-0000-0000-0000-000000000002",
            "Power BI Pro",
            4,
            "OnlineServicesNCE",
        ),
        wire_subscription(
            "11111111-0000-0000-0000-000000000003",
            "Acme 50%_Off SaaS",
            2,
            "SaaS",
        ),
    ]);
    subs.replace(&w.ids[0], &first, 1_000).await.unwrap();
    let later = parse(vec![wire_subscription(
        "22222222-0000-0000-0000-000000000001",
        "Office 365 E1",
        7,
        "OnlineServices",
    )]);
    subs.replace(&w.ids[2], &later, 2_000).await.unwrap();

    let page1 = subs.query(&scopes, &query("", false, 1)).await.unwrap();
    assert_eq!((page1.matching, page1.pages, page1.never_read), (3, 2, 1));
    assert_eq!(page1.oldest_read_at, None, "a customer was never read");
    assert_eq!(
        page1
            .rows
            .iter()
            .map(|r| r.offer_name.as_str())
            .collect::<Vec<_>>(),
        ["Office 365 E3", "Power BI Pro"],
        "by customer, then product"
    );
    let e3 = &page1.rows[0];
    assert_eq!(
        (e3.quantity, e3.auto_renew, e3.term_duration.as_str()),
        (10, true, "P1Y")
    );
    assert_eq!(e3.kind, domain::subscriptions::Kind::Nce);
    assert_eq!(e3.customer_name, "A One");
    assert_eq!(e3.connection_name, "Main");
    assert_eq!(e3.next_term, "3 licenses");
    assert!(e3.start_at.is_some() && e3.commitment_end_at > e3.start_at);
    let page2 = subs.query(&scopes, &query("", false, 2)).await.unwrap();
    assert_eq!(page2.rows[0].offer_name, "Office 365 E1");

    // Marketplace apart; a search matches wildcards literally.
    let market = subs
        .query(&scopes, &query("50%_off", true, 1))
        .await
        .unwrap();
    assert_eq!(market.matching, 1);
    assert_eq!(
        market.rows[0].kind,
        domain::subscriptions::Kind::Marketplace
    );
    assert_eq!(
        subs.query(&scopes, &query("50%_of_", true, 1))
            .await
            .unwrap()
            .matching,
        0
    );

    // A new read replaces the customer's list whole, and only that customer's.
    subs.replace(&w.ids[0], &first[1..2], 3_000).await.unwrap();
    subs.replace(&w.ids[1], &[], 4_000).await.unwrap();
    let all = subs.query(&scopes, &query("", false, 1)).await.unwrap();
    assert_eq!(all.matching, 2);
    assert_eq!(all.never_read, 0);
    assert_eq!(all.oldest_read_at, Some(2_000));

    // A customer admin's scope holds its own customer only.
    let own = store.access().scopes(&w.customer_a1).await.unwrap();
    let mine = subs.query(&own, &query("", false, 1)).await.unwrap();
    assert_eq!(
        mine.rows
            .iter()
            .map(|r| r.customer_name.as_str())
            .collect::<Vec<_>>(),
        ["A One"]
    );
}

/// A connection given to a reseller: customers imported under it from then on are that
/// reseller's and cannot be moved to another; taken back, imports are direct again.
async fn connections_given_to_a_reseller_bring_their_customers(store: Store) {
    let w = world(&store).await;
    let sealer = sealer();
    let connections = store.connections(&sealer);
    let own = connections
        .create(new_connection("Reseller A's own", false))
        .await
        .unwrap();
    let access = store.access();
    let a = access
        .customer(&w.ids[0])
        .await
        .unwrap()
        .unwrap()
        .reseller_id
        .unwrap();
    let refused = connections
        .give(
            &own.id,
            Some(&domain::access::ResellerId::new(
                "00000000-0000-7000-8000-00000000dead",
            )),
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().starts_with("reseller:"), "{refused}");
    let given = connections.give(&own.id, Some(&a)).await.unwrap();
    assert_eq!(given.reseller_id.as_ref(), Some(&a));
    let admin = ProviderAdmin::command_line();
    let new = CustomerId::new("cccccccc-0000-0000-0000-000000000001");
    let imported = access
        .import_customer(&admin, &own.id, &new, "C One", "c.onmicrosoft.com")
        .await
        .unwrap();
    assert_eq!(imported.reseller_id.as_ref(), Some(&a));
    let moved = access
        .assign_reseller(&admin, &new, None)
        .await
        .unwrap_err();
    assert!(moved.to_string().starts_with("reseller:"), "{moved}");
    access
        .assign_reseller(&admin, &new, Some(&a))
        .await
        .unwrap();

    let back = connections.give(&own.id, None).await.unwrap();
    assert_eq!(back.reseller_id, None);
    let later = CustomerId::new("cccccccc-0000-0000-0000-000000000002");
    let direct = access
        .import_customer(&admin, &own.id, &later, "C Two", "c2.onmicrosoft.com")
        .await
        .unwrap();
    assert_eq!(direct.reseller_id, None);
}

/// The history: a first read discovers, a read finding a different quantity records a change
/// made outside Seatwise (once, however often it is read again), a vanished subscription is
/// gone; a change made through Seatwise is recorded by its author with the stored row, so the
/// next read finds nothing; a read interrupted between customers and run again records each
/// change once (one transaction per customer).
async fn subscription_history_records_each_change_once(store: Store) {
    use domain::history::{Author, Kind, OUTSIDE};
    let w = world(&store).await;
    let subs = store.subscriptions();
    let history = store.history();
    let wire = |id: &str, name: &str, quantity: i64| -> partner_center::wire::Subscription {
        partner_center::json::from_value(wire_subscription(id, name, quantity, "OnlineServicesNCE"))
            .unwrap()
    };
    let (a, b) = (
        "22222222-0000-0000-0000-000000000001",
        "22222222-0000-0000-0000-000000000002",
    );
    let c0 = w.ids[0].as_str().to_lowercase();
    let c1 = w.ids[1].as_str().to_lowercase();
    subs.replace(
        &w.ids[0],
        &[wire(a, "Office 365 E3", 5), wire(b, "Power BI Pro", 2)],
        1,
    )
    .await
    .unwrap();
    let first = history.of_customer(&c0).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(first
        .iter()
        .all(|e| e.kind == Kind::Discovered && !e.in_seatwise && e.actor == OUTSIDE));

    // Quantity changed outside, Power BI Pro gone; read twice: recorded once.
    for at in [2, 3] {
        subs.replace(&w.ids[0], &[wire(a, "Office 365 E3", 7)], at)
            .await
            .unwrap();
    }
    let entries = history.of_customer(&c0).await.unwrap();
    assert_eq!(entries.len(), 4, "{entries:?}");
    let change = &entries[2];
    assert_eq!(
        (
            change.kind,
            change.field.as_str(),
            change.old_value.as_str(),
            change.new_value.as_str()
        ),
        (Kind::Change, "quantity", "5", "7")
    );
    assert_eq!(
        (entries[3].kind, entries[3].subscription_id.as_str()),
        (Kind::Gone, b)
    );

    // Through Seatwise: by its author, and the next read finds nothing more.
    let author = Author {
        email: "it@a1.example".into(),
        role: "customer_admin".into(),
        request_id: "req-1".into(),
    };
    subs.record_change(
        &w.ids[0],
        &wire(a, "Office 365 E3", 9),
        &author,
        Kind::Change,
        4,
    )
    .await
    .unwrap();
    subs.replace(&w.ids[0], &[wire(a, "Office 365 E3", 9)], 5)
        .await
        .unwrap();
    let entries = history.of_customer(&c0).await.unwrap();
    assert_eq!(entries.len(), 5, "{entries:?}");
    let mine = &entries[4];
    assert!(mine.in_seatwise);
    assert_eq!(
        (
            mine.actor.as_str(),
            mine.old_value.as_str(),
            mine.new_value.as_str()
        ),
        ("it@a1.example", "7", "9")
    );

    // A read of two customers cut short after the first, then run again: once each.
    let c1_list = [wire("33333333-0000-0000-0000-000000000001", "Exchange", 3)];
    subs.replace(&w.ids[0], &[wire(a, "Office 365 E3", 11)], 6)
        .await
        .unwrap();
    // (the second customer was not reached; now the whole read runs again)
    subs.replace(&w.ids[0], &[wire(a, "Office 365 E3", 11)], 7)
        .await
        .unwrap();
    subs.replace(&w.ids[1], &c1_list, 7).await.unwrap();
    assert_eq!(history.of_customer(&c0).await.unwrap().len(), 6);
    assert_eq!(history.of_customer(&c1).await.unwrap().len(), 1);
}

/// Reconciliation: the store against Partner Center's list finds a quantity that differs, a
/// subscription missing on each side; a dry run shows all three and writes nothing; applying two
/// writes exactly those, with a history entry each by the author; a choice that no longer holds
/// is skipped; the next read does not record the cancelled one as gone again.
async fn reconciliation_applies_only_what_was_chosen(store: Store) {
    use domain::{
        history::{Author, Kind},
        subscriptions::reconcile::{Choice, Problem},
    };
    let w = world(&store).await;
    let subs = store.subscriptions();
    let history = store.history();
    let wire = |id: &str, name: &str, quantity: i64| -> partner_center::wire::Subscription {
        partner_center::json::from_value(wire_subscription(id, name, quantity, "OnlineServicesNCE"))
            .unwrap()
    };
    let (a, b, c) = (
        "44444444-0000-0000-0000-000000000001",
        "44444444-0000-0000-0000-000000000002",
        "44444444-0000-0000-0000-000000000003",
    );
    let customer = &w.ids[0];
    let c0 = customer.as_str().to_lowercase();
    subs.replace(
        customer,
        &[wire(a, "Office 365 E3", 5), wire(b, "Power BI Pro", 2)],
        1,
    )
    .await
    .unwrap();
    let live = [wire(a, "Office 365 E3", 7), wire(c, "Teams Rooms", 1)];
    let found = subs.findings(customer, &live).await.unwrap();
    let problems: Vec<(&str, Problem, &str, &str)> = found
        .iter()
        .map(|f| {
            (
                f.subscription_id.as_str(),
                f.problem.clone(),
                f.ours.as_str(),
                f.theirs.as_str(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (a, Problem::Differs("quantity"), "5", "7"),
            (
                b,
                Problem::MissingThere,
                "2 × Power BI Pro, P1Y monthly, active",
                ""
            ),
            (
                c,
                Problem::MissingHere,
                "",
                "1 × Teams Rooms, P1Y monthly, active"
            ),
        ]
    );
    let every: Vec<Choice> = found.iter().map(|f| f.key().parse().unwrap()).collect();
    let author = Author {
        email: "admin@sp.example".into(),
        role: "sp_admin".into(),
        request_id: "req-r".into(),
    };
    let before = history.of_customer(&c0).await.unwrap().len();

    // The dry run: all three, and nothing written.
    let dry = subs
        .reconcile(customer, &live, &every, &author, 10, true)
        .await
        .unwrap();
    assert_eq!(dry.done, found);
    assert!(dry.gone.is_empty());
    assert_eq!(subs.findings(customer, &live).await.unwrap(), found);
    assert_eq!(history.of_customer(&c0).await.unwrap().len(), before);

    // Two of them for good.
    let chosen = [every[0].clone(), every[1].clone()];
    let applied = subs
        .reconcile(customer, &live, &chosen, &author, 11, false)
        .await
        .unwrap();
    assert_eq!(applied.done.len(), 2);
    let left = subs.findings(customer, &live).await.unwrap();
    assert_eq!(left, [found[2].clone()]);
    let entries = history.of_customer(&c0).await.unwrap();
    let new: Vec<_> = entries[before..]
        .iter()
        .map(|e| {
            (
                e.kind,
                e.subscription_id.as_str(),
                e.field.as_str(),
                e.old_value.as_str(),
                e.new_value.as_str(),
                e.actor.as_str(),
                e.in_seatwise,
            )
        })
        .collect();
    assert_eq!(
        new,
        [
            (
                Kind::Reconcile,
                a,
                "quantity",
                "5",
                "7",
                "admin@sp.example",
                true
            ),
            (
                Kind::Reconcile,
                b,
                "status",
                "active",
                "deleted",
                "admin@sp.example",
                true
            ),
        ]
    );

    // Chosen again: no longer holds, nothing written.
    let again = subs
        .reconcile(customer, &live, &chosen, &author, 12, false)
        .await
        .unwrap();
    assert!(again.done.is_empty());
    assert_eq!(again.gone, chosen);
    assert_eq!(history.of_customer(&c0).await.unwrap().len(), before + 2);

    // The next read: the new one is discovered, the cancelled one is not gone a second time.
    subs.replace(customer, &live, 13).await.unwrap();
    let last: Vec<_> = history.of_customer(&c0).await.unwrap()[before + 2..]
        .iter()
        .map(|e| (e.kind, e.subscription_id.clone()))
        .collect();
    assert_eq!(last, [(Kind::Discovered, c.to_owned())]);

    // Names of findings are parsed, never trusted.
    for bad in [
        "",
        "x/y/z",
        &format!("{c0}/{a}"),
        &format!("{c0}/{a}/quantity/more"),
        &format!("{c0}/{a}/password"),
        &format!("{c0}/not-an-id/import"),
        &format!("../{a}/import"),
    ] {
        assert!(bad.parse::<Choice>().is_err(), "{bad}");
    }
}

/// An export reads the history a batch at a time after the last entry it saw: entries written
/// at the same millisecond across a batch's end are neither lost nor repeated, newest first; a
/// customer admin's batches hold only its own customer's entries.
async fn history_batches_read_every_entry_once(store: Store) {
    use domain::history::{Entry, HistoryQuery, Kind};
    let w = world(&store).await;
    let history = store.history();
    let entry = |customer: &str, at: i64| Entry {
        at,
        customer_id: customer.to_lowercase(),
        subscription_id: "66666666-0000-0000-0000-000000000001".into(),
        product: "Office 365 E3".into(),
        kind: Kind::Change,
        field: "quantity".into(),
        old_value: at.to_string(),
        new_value: (at + 1).to_string(),
        in_seatwise: false,
        actor: domain::history::OUTSIDE.into(),
        role: String::new(),
        request_id: String::new(),
    };
    let (c0, c1) = (w.ids[0].as_str(), w.ids[1].as_str());
    // 25 entries of the first customer at 7 distinct times, 5 of the second.
    for i in 0..25 {
        history.record(&entry(c0, 100 + i / 4)).await.unwrap();
    }
    for i in 0..5 {
        history.record(&entry(c1, 100 + i)).await.unwrap();
    }
    let read = |q: HistoryQuery| {
        let history = store.history();
        async move {
            let (mut all, mut after) = (Vec::new(), None);
            loop {
                let batch = history.batch(&q, after.as_ref(), 4).await.unwrap();
                if batch.is_empty() {
                    break all;
                }
                after = batch.last().map(|(id, e)| (e.at, id.clone()));
                all.extend(batch);
            }
        }
    };
    let every = read(HistoryQuery {
        every_customer: true,
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(every.len(), 30);
    let mut ids: Vec<&String> = every.iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "each entry once");
    assert!(
        every.windows(2).all(|p| p[0].1.at >= p[1].1.at),
        "newest first"
    );
    let own = read(HistoryQuery {
        customers: vec![c1.to_owned()],
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(own.len(), 5);
    assert!(own.iter().all(|(_, e)| e.customer_id == c1.to_lowercase()));
    // Nobody to see: nothing, however it is asked.
    assert!(read(HistoryQuery::default()).await.is_empty());
}

/// Jobs on one database shared by several instances: eight claims at once take a waiting job
/// once; the holder's heartbeat keeps it; once the lease runs out another instance takes it over
/// and the first may no longer record items; an item is counted once; a scheduled job is queued
/// once per slot; cancelling and resuming follow the job's state.
async fn jobs_are_claimed_once_and_taken_over_when_their_lease_runs_out(store: Store) {
    use domain::jobs::{JobKind, JobStatus, LEASE_MS};
    let jobs = store.jobs();
    let id = jobs
        .create(JobKind::Sync, "admin@sp.example")
        .await
        .unwrap();
    let now = domain::time::now_millis();
    let claims = futures_util::future::join_all((0..8).map(|i| {
        let store = store.clone();
        async move {
            store
                .jobs()
                .claim(&format!("instance {i}"), now)
                .await
                .unwrap()
        }
    }))
    .await;
    let won: Vec<_> = claims.into_iter().flatten().collect();
    assert_eq!(won.len(), 1, "one instance runs it");
    let first = won[0].owner.clone();
    assert_eq!(
        (won[0].id.as_str(), won[0].status),
        (id.as_str(), JobStatus::Running)
    );
    assert!(jobs.heartbeat(&id, &first, 3, now + 1_000).await.unwrap());
    assert!(jobs.item_done(&id, &first, "a", None).await.unwrap());
    assert!(jobs.item_done(&id, &first, "a", None).await.unwrap());
    assert!(jobs
        .item_done(&id, &first, "b", Some("Partner Center did not answer"))
        .await
        .unwrap());
    // Within the lease nobody else takes it; after it, another does.
    assert!(jobs.claim("late", now + 2_000).await.unwrap().is_none());
    let later = now + 1_000 + LEASE_MS + 1;
    let taken = jobs
        .claim("late", later)
        .await
        .unwrap()
        .expect("taken over");
    assert_eq!((taken.done, taken.errors, taken.total), (2, 1, 3));
    assert!(
        !jobs.item_done(&id, &first, "c", None).await.unwrap(),
        "no longer its own"
    );
    assert_eq!(
        jobs.finished_items(&id).await.unwrap(),
        ["a", "b"].into_iter().map(String::from).collect()
    );
    assert!(jobs.item_done(&id, "late", "c", None).await.unwrap());
    jobs.finish(&id, "late", "3 customers").await.unwrap();
    let done = jobs.get(&id).await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.done, done.errors),
        (JobStatus::Failed, 3, 1)
    );
    assert!(!jobs.cancel(&id).await.unwrap(), "finished");
    // Resumed: the failed item is to do again, the others stay done.
    assert!(jobs.resume(&id).await.unwrap());
    let again = jobs.claim("late", later + 1).await.unwrap().unwrap();
    assert_eq!((again.done, again.errors), (2, 0));
    assert_eq!(
        jobs.finished_items(&id).await.unwrap(),
        ["a", "c"].into_iter().map(String::from).collect()
    );
    // Asked to stop: the runner is told at its next item (recorded: its work is done), and the
    // job ends cancelled.
    assert!(jobs.cancel(&id).await.unwrap());
    assert!(!jobs.item_done(&id, "late", "b", None).await.unwrap());
    assert!(jobs.finished_items(&id).await.unwrap().contains("b"));
    jobs.finish(&id, "late", "stopped").await.unwrap();
    assert_eq!(
        jobs.get(&id).await.unwrap().unwrap().status,
        JobStatus::Cancelled
    );
    let fresh = jobs.create(JobKind::Sync, "x").await.unwrap();
    assert!(
        !jobs.resume(&fresh).await.unwrap(),
        "a waiting job is not resumed"
    );
    // A run that could not go on is failed, and may be resumed.
    let run = jobs.claim("late", later + 2).await.unwrap().unwrap();
    assert_eq!(run.id, fresh);
    jobs.fail(&fresh, "someone else", "no").await.unwrap();
    assert_eq!(
        jobs.get(&fresh).await.unwrap().unwrap().status,
        JobStatus::Running,
        "not its own to fail"
    );
    jobs.fail(&fresh, "late", "Stopped by an error: the database")
        .await
        .unwrap();
    let failed = jobs.get(&fresh).await.unwrap().unwrap();
    assert_eq!(
        (failed.status, failed.summary.as_str()),
        (JobStatus::Failed, "Stopped by an error: the database")
    );
    assert!(jobs.resume(&fresh).await.unwrap());

    // The schedule: one job per slot however many ask at once, then one for the next slot.
    let queued = futures_util::future::join_all((0..6).map(|_| {
        let store = store.clone();
        async move {
            store
                .jobs()
                .create_scheduled("nightly", "2030-01-01", JobKind::Sync, "schedule")
                .await
                .unwrap()
        }
    }))
    .await;
    assert_eq!(queued.iter().flatten().count(), 1);
    let next = jobs
        .create_scheduled("nightly", "2030-01-02", JobKind::Sync, "schedule")
        .await
        .unwrap();
    assert!(next.is_some());
    assert_eq!(
        jobs.schedule_slot("nightly").await.unwrap().as_deref(),
        Some("2030-01-02")
    );
}

/// A catalog refresh: first everything is new; a SKU no longer listed is discontinued (and no
/// longer offered), one listed again waits for review again; curation keeps to the cycles sold.
async fn catalog_refreshes_flag_new_and_discontinued_skus(store: Store) {
    use domain::catalog::{Curation, ListedSku, State};
    let sealer = sealer();
    let connection = store
        .connections(&sealer)
        .create(new_connection("Main", true))
        .await
        .unwrap();
    let sku = |p: &str, s: &str| ListedSku {
        product_id: p.into(),
        sku_id: s.into(),
        product_title: format!("Product {p}"),
        sku_title: format!("SKU {s}"),
        terms: [
            ("P1Y".to_owned(), "monthly".to_owned()),
            ("P1Y".to_owned(), "annual".to_owned()),
        ]
        .into(),
        provisioning_id: if p == "B" {
            String::new()
        } else {
            format!("grant-{p}{s}")
        },
    };
    let catalog = store.catalog();
    let c = &connection.id;
    let first = catalog
        .record_refresh(c, &[sku("A", "1"), sku("B", "1")], 1)
        .await
        .unwrap();
    assert_eq!((first.added, first.discontinued, first.listed), (2, 0, 2));
    let offer = |cycles: &[&str]| Curation {
        offered: true,
        display_name: " Our A ".into(),
        billing_cycles: cycles.iter().map(|c| c.to_string()).collect(),
        add_to_existing: true,
    };
    let refused = catalog
        .curate(c, "A", "1", &offer(&["triennial"]))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().starts_with("billing_cycles:"),
        "{refused}"
    );
    let a = catalog
        .curate(c, "A", "1", &offer(&["annual"]))
        .await
        .unwrap();
    assert_eq!(
        (
            a.offered,
            a.display_name.as_str(),
            a.state,
            a.add_to_existing
        ),
        (true, "Our A", State::Reviewed, true)
    );

    // A is no longer listed: discontinued and not offered; C is new.
    let second = catalog
        .record_refresh(c, &[sku("B", "1"), sku("C", "1")], 2)
        .await
        .unwrap();
    assert_eq!((second.added, second.discontinued), (1, 1));
    let items = catalog.items(c).await.unwrap();
    let a = items.iter().find(|i| i.product_id == "A").unwrap();
    assert_eq!((a.state, a.offered), (State::Discontinued, false));
    let refused = catalog
        .curate(c, "A", "1", &offer(&["annual"]))
        .await
        .unwrap_err();
    assert!(refused.to_string().starts_with("offered:"), "{refused}");
    // Listed again: new once more.
    let third = catalog
        .record_refresh(c, &[sku("A", "1"), sku("B", "1"), sku("C", "1")], 3)
        .await
        .unwrap();
    assert_eq!((third.added, third.discontinued), (1, 0));
    assert_eq!(catalog.last_refresh(c).await.unwrap(), Some(third));
    // The licensing SKUs they grant, where Partner Center named them (not for B).
    let grants = catalog.licensing_skus(c).await.unwrap();
    assert_eq!(grants.len(), 2);
    assert_eq!(grants["A:1"], "grant-a1");
    assert!(!grants.contains_key("B:1"));
}

/// An order id is claimed once: the same form sent again finds the first order; a failed one
/// starts over with a new request id, an unconfirmed or abandoned one keeps its cart and request
/// id; another order's contents under the same id are refused. Acceptances are checked and
/// appended.
async fn orders_are_claimed_once_and_agreements_appended(store: Store) {
    use domain::orders::{
        Acceptance, Claim, OrderRequest, OrderStatus, Outcome, ABANDONED_AFTER_MS,
        FOUND_IN_PARTNER_CENTER,
    };
    let w = world(&store).await;
    let orders = store.orders();
    let customer = &w.ids[0];
    let now = 1_800_000_000_000;

    // Agreements: none, then a bad one refused on its field, then two kept, the latest shown.
    assert_eq!(orders.agreement(customer).await.unwrap(), None);
    let accepted = Acceptance {
        first_name: "Tania".into(),
        last_name: "Carr".into(),
        email: "tania@a1.example".into(),
        phone: "+1 425 555 0100".into(),
        agreed_at: now - 86_400_000,
    };
    for (bad, field) in [
        (
            Acceptance {
                email: "not an address".into(),
                ..accepted.clone()
            },
            "email",
        ),
        (
            Acceptance {
                first_name: " ".into(),
                ..accepted.clone()
            },
            "first_name",
        ),
        (
            Acceptance {
                phone: "call me".into(),
                ..accepted.clone()
            },
            "phone",
        ),
        (
            Acceptance {
                agreed_at: now + 86_400_000,
                ..accepted.clone()
            },
            "agreed_on",
        ),
    ] {
        let e = orders
            .record_agreement(customer, &bad, "ra@a.example", now)
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with(&format!("{field}: ")), "{e}");
    }
    assert_eq!(orders.agreement(customer).await.unwrap(), None);
    orders
        .record_agreement(customer, &accepted, FOUND_IN_PARTNER_CENTER, now)
        .await
        .unwrap();
    let again = Acceptance {
        last_name: "Carr-Smith".into(),
        ..accepted.clone()
    };
    orders
        .record_agreement(customer, &again, "ra@a.example", now + 1)
        .await
        .unwrap();
    let latest = orders.agreement(customer).await.unwrap().unwrap();
    assert_eq!(latest.acceptance, again);
    assert_eq!(latest.recorded_by, "ra@a.example");
    assert_eq!(orders.agreement(&w.ids[1]).await.unwrap(), None);

    // Orders: the id is claimed once.
    let request = OrderRequest {
        id: uuid::Uuid::new_v4(),
        customer_id: CustomerId::new(customer.as_str().to_uppercase()),
        product_id: "CFQ7TTC0LCHC".into(),
        sku_id: "0003".into(),
        title: "Business Premium".into(),
        quantity: 5,
        term_duration: "P1Y".into(),
        billing_cycle: "monthly".into(),
        friendly_name: "Sales team".into(),
        partner_id: "1111111".into(),
        placed_by: "ra@a.example".into(),
    };
    let Claim::Mine(first) = orders.claim(&request, now).await.unwrap() else {
        panic!("a new order is mine");
    };
    assert_eq!(first.status, OrderStatus::Placing);
    let Claim::Theirs(busy) = orders.claim(&request, now + 10).await.unwrap() else {
        panic!("a second sending while the first runs is not");
    };
    assert_eq!(busy.request_id, first.request_id);
    let other = OrderRequest {
        quantity: 6,
        ..request.clone()
    };
    let e = orders.claim(&other, now + 20).await.unwrap_err();
    assert!(e.to_string().starts_with("order: "), "{e}");

    // A failure: taken again with a new request id and no cart.
    orders.set_cart(&request.id, "cart-1").await.unwrap();
    let failed = Outcome {
        status: OrderStatus::Failed,
        pc_order_id: String::new(),
        subscription_id: String::new(),
        message: "refused".into(),
    };
    orders.finish(&request.id, &failed, now + 30).await.unwrap();
    let Claim::Mine(retry) = orders.claim(&request, now + 40).await.unwrap() else {
        panic!("a failed order is taken again");
    };
    assert_ne!(retry.request_id, first.request_id);
    assert_eq!(retry.cart_id, "");
    assert_eq!(retry.message, "");

    // Unconfirmed: taken again with the same cart and request id.
    orders.set_cart(&request.id, "cart-2").await.unwrap();
    let lost = Outcome {
        status: OrderStatus::Unconfirmed,
        ..failed.clone()
    };
    orders.finish(&request.id, &lost, now + 50).await.unwrap();
    let Claim::Mine(resent) = orders.claim(&request, now + 60).await.unwrap() else {
        panic!("an unconfirmed order is sent again");
    };
    assert_eq!(
        (resent.cart_id.as_str(), resent.request_id.as_str()),
        ("cart-2", retry.request_id.as_str())
    );

    // Abandoned while placing: taken over after a while, not before.
    assert!(matches!(
        orders.claim(&request, now + 70).await.unwrap(),
        Claim::Theirs(_)
    ));
    let Claim::Mine(taken) = orders
        .claim(&request, now + 61 + ABANDONED_AFTER_MS)
        .await
        .unwrap()
    else {
        panic!("an abandoned order is taken over");
    };
    assert_eq!(taken.cart_id, "cart-2");

    // Placed: every later sending finds it, with its subscription.
    let placed = Outcome {
        status: OrderStatus::Placed,
        pc_order_id: "order-1".into(),
        subscription_id: "SUB-1".into(),
        message: String::new(),
    };
    orders.finish(&request.id, &placed, now + 80).await.unwrap();
    let Claim::Theirs(done) = orders.claim(&request, now + 90).await.unwrap() else {
        panic!("a placed order is not placed again");
    };
    assert_eq!(done.status, OrderStatus::Placed);
    assert_eq!(done.subscription_id, "SUB-1");
    let recent = orders.recent(customer, 10).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].request.friendly_name, "Sales team");
    assert!(orders.recent(&w.ids[1], 10).await.unwrap().is_empty());
}

/// The Partner Center budget kept in the database: of 30 requests taken at once by two
/// instances for one tenant, exactly the limit (10) go, the others are told to wait until the
/// window's first request leaves it; another tenant, or another connection, has its own budget;
/// a window later the tenant's budget is back; old slots are swept.
async fn rate_budget_is_shared_between_instances(store: Store) {
    use domain::budget::DbBudget;
    use std::time::Duration;
    let minute = Duration::from_secs(60);
    let a = DbBudget::new(store.pool().clone(), "connection-1", 10, minute);
    let b = DbBudget::new(store.pool().clone(), "connection-1", 10, minute);
    let now = 1_800_000_000_000_i64;
    let takes = (0..30).map(|i| {
        let budget = if i % 2 == 0 { &a } else { &b };
        budget.take_at("tenant-1", now + i)
    });
    let results: Vec<Option<Duration>> = futures_util::future::join_all(takes)
        .await
        .into_iter()
        .map(|r| r.expect("the budget answers"))
        .collect();
    assert_eq!(
        results.iter().filter(|r| r.is_none()).count(),
        10,
        "{results:?}"
    );
    for wait in results.iter().flatten() {
        assert!(
            *wait > Duration::from_secs(58) && *wait <= minute,
            "waits for the first to leave the window: {wait:?}"
        );
    }
    assert_eq!(
        a.take_at("tenant-2", now).await.unwrap(),
        None,
        "its own budget"
    );
    let other = DbBudget::new(store.pool().clone(), "connection-2", 10, minute);
    assert_eq!(
        other.take_at("tenant-1", now).await.unwrap(),
        None,
        "per connection"
    );
    assert!(
        b.take_at("tenant-1", now + 30_000).await.unwrap().is_some(),
        "still spent"
    );
    assert_eq!(
        b.take_at("tenant-1", now + 61_000).await.unwrap(),
        None,
        "a window later"
    );
    let swept = domain::budget::sweep(store.pool(), now + 120_000)
        .await
        .unwrap();
    assert!(swept >= 3, "old slots swept: {swept}");
}
