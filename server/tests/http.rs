//! The real server on a free port with a fresh SQLite file (and, for readiness, PostgreSQL),
//! driven over HTTP.

mod support;

use support::{header, TestApp, DEMO_PASSWORD};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "SQLite");
}

#[tokio::test]
async fn readiness_on_postgres() {
    let Ok(admin) = std::env::var("SEATWISE_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("SEATWISE_TEST_SKIP_POSTGRES").is_some(),
            "SEATWISE_TEST_POSTGRES_URL is not set: run `make test`"
        );
        return;
    };
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    let master = STANDARD.encode([1u8; 32]);
    let session = STANDARD.encode([2u8; 64]);
    let settings = [
        ("DATABASE_URL", admin.as_str()),
        ("SEATWISE_MASTER_KEY", master.as_str()),
        ("SEATWISE_SESSION_KEY", session.as_str()),
    ];
    let app = TestApp::spawn_with(&settings).await;
    let body: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(body["database"], "PostgreSQL");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_security_headers() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    let id = header(&response, "x-request-id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "x-frame-options"), "DENY");
    assert!(header(&response, "content-security-policy").contains("frame-ancestors 'none'"));

    // An id set by a proxy in front of us is kept, so logs can be joined up.
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "from-the-proxy-1")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, "x-request-id"), "from-the-proxy-1");
}

#[tokio::test]
async fn the_shell_renders_with_a_nonce_based_policy() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider admin").await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let csp = header(&response, "content-security-policy").to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("policy names a nonce")
        .to_owned();
    assert!(nonce.len() >= 16);
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
    let html = response.text().await.unwrap();
    // (Type-erased views mark text ends with <!> comments: `<h1>Overview<!></h1>`.)
    assert!(html.contains("<h1>Overview"), "{html}");
    assert!(html.contains("Seatwise"));
    assert!(html.contains(r#"aria-label="Main""#));
    // The hydration bootstrap is an inline script and must carry this response's nonce.
    assert!(html.contains(&format!(r#"nonce="{nonce}""#)), "{html}");
    assert!(html.contains("/pkg/seatwise.js"));

    // A fresh nonce per response.
    let again = app.get("/").await;
    assert!(!header(&again, "content-security-policy").contains(&nonce));
}

#[tokio::test]
async fn unknown_pages_are_404_and_show_the_request_id() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Customer admin").await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let id = header(&response, "x-request-id").to_owned();
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains(&id), "request id {id} shown on the page");
}

#[tokio::test]
async fn status_server_function_reports_the_store() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider support").await;
    let response = app.get("/api/system-status").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "SQLite");
    assert_eq!(body["migrations_applied"], body["migrations_known"]);

    assert_eq!(body["partner_center"]["name"], "Sandbox");
    assert_eq!(body["partner_center"]["sandbox"], true);

    let page = app.get("/status").await.text().await.unwrap();
    assert!(page.contains("Up to date"), "{page}");
    assert!(page.contains("Sandbox (built-in emulator)"), "{page}");
}

#[tokio::test]
async fn the_embedded_default_runs_the_emulator_behind_a_sandbox_connection() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider admin").await;
    let url = app.emulator_url.clone().expect("emulator runs");
    let body: serde_json::Value = app.get("/api/system-status").await.json().await.unwrap();
    assert_eq!(body["partner_center"]["api_url"], url.as_str());
    // It answers Partner Center's token endpoint and API like the real service.
    let token: serde_json::Value = app
        .client
        .post(format!("{url}/sandbox.onmicrosoft.com/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "x"),
            ("client_secret", "y"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let customers: serde_json::Value = app
        .client
        .get(format!("{url}/v1/customers?size=10"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        customers["items"][0]["companyProfile"]["companyName"],
        "Contoso Ltd"
    );
}

fn seatwise(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(args)
        .env("SEATWISE_DATA_DIR", data_dir)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

#[tokio::test]
async fn pc_check_passes_against_the_emulator_and_fails_on_bad_credentials() {
    let emulator = pc_emulator::Emulator::new(pc_emulator::Options {
        credentials: pc_emulator::Credentials {
            client_id: Some("app".into()),
            client_secret: Some("right".into()),
            refresh_token: None,
        },
        ..pc_emulator::Options::default()
    })
    .unwrap();
    let running = emulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = running.url();
    let dir = tempfile::tempdir().unwrap();
    let check = |secret: &'static str| {
        let (url, dir) = (url.clone(), dir.path().to_owned());
        tokio::task::spawn_blocking(move || {
            seatwise(
                &[
                    "pc-check",
                    "--api-url",
                    &url,
                    "--login-url",
                    &url,
                    "--tenant",
                    "partner",
                    "--client-id",
                    "app",
                    "--client-secret",
                    secret,
                ],
                &dir,
            )
        })
    };
    let good = check("right").await.unwrap();
    let out = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let last = lines.last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{out}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 20, "every read operation: {out}");
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with("ok ")),
        "{out}"
    );
    assert!(out.contains("list users"));
    assert!(out.contains("get availability"));

    let bad = check("wrong").await.unwrap();
    let out = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("FAIL list customers") && l.contains("401")),
        "{out}"
    );
    assert!(out.lines().last().unwrap().ends_with(" failed") && !out.ends_with(" 0 failed\n"));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/system-status"))
        .body(vec![b'x'; 64 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let id = header(&response, "x-request-id").to_owned();
    let body = response.text().await.unwrap();
    assert!(body.contains(&format!("(request id {id})")), "{body}");
    // A refused origin says why, with the id too.
    let refused = app
        .client
        .post(app.url("/auth/sign-in"))
        .header("origin", "http://evil.example")
        .form(&[("email", "a@b.c"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let id = header(&refused, "x-request-id").to_owned();
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("did not come from a Seatwise page") && body.contains(&id),
        "{body}"
    );
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider admin").await;
    let response = app
        .client
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, "content-encoding"), "gzip");
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_server() {
    let mut app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.stop.take().unwrap().send(()).unwrap();
    let result = tokio::time::timeout(std::time::Duration::from_secs(5), &mut app.serving)
        .await
        .expect("server stops within 5 s");
    assert!(result.unwrap().is_ok());
    assert!(app.client.get(app.url("/healthz")).send().await.is_err());
}

#[tokio::test]
async fn connections_are_managed_from_the_command_line() {
    let emulator = pc_emulator::Emulator::new(pc_emulator::Options::default()).unwrap();
    let running = emulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = running.url();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let run = move |args: Vec<String>| {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            seatwise(&args, &path)
        })
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let added = run(args(&[
        "connection",
        "add",
        "--name",
        "Lab",
        "--api-url",
        &url,
        "--login-url",
        &url,
        "--tenant",
        "lab",
        "--client-id",
        "app",
        "--client-secret",
        "s3cret-lab",
        "--default",
    ]))
    .await
    .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let again = run(args(&[
        "connection",
        "add",
        "--name",
        "Lab",
        "--tenant",
        "x",
        "--client-id",
        "y",
        "--client-secret",
        "z",
    ]))
    .await
    .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let list = run(args(&["connection", "list"])).await.unwrap();
    let out = String::from_utf8_lossy(&list.stdout);
    assert!(out.starts_with("* Lab"), "{out}");
    assert!(!out.contains("s3cret"), "secrets never printed");

    // pc-check uses the stored (sealed) credential.
    let check = run(args(&["pc-check", "--connection", "Lab"]))
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{out}");
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");

    let removed = run(args(&["connection", "remove", "Lab"])).await.unwrap();
    assert!(removed.status.success());
    let list = run(args(&["connection", "list"])).await.unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("No connections yet"));
}

#[tokio::test]
async fn sign_in_gates_pages_and_sign_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let r = app.get("/status").await;
    assert_eq!(r.status(), 303);
    assert_eq!(header(&r, "location"), "/sign-in?next=/status");
    let page = app.get("/sign-in").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Email address"));
    let r = app.get("/api/system-status").await;
    assert_eq!(r.status(), 403, "server functions refuse strangers");

    // Wrong password and unknown address: the same answer.
    let (email, password) = app.demo("Service provider admin");
    let wrong = app
        .post_form(
            "/auth/sign-in",
            &[("email", &email), ("password", "not the password")],
        )
        .await;
    let unknown = app
        .post_form(
            "/auth/sign-in",
            &[
                ("email", "nobody@x.example"),
                ("password", "whatever123456"),
            ],
        )
        .await;
    assert_eq!(header(&wrong, "location"), "/sign-in?error=invalid&next=/");
    assert_eq!(header(&unknown, "location"), header(&wrong, "location"));

    let ok = app
        .post_form(
            "/auth/sign-in",
            &[
                ("email", &email),
                ("password", &password),
                ("next", "/status"),
            ],
        )
        .await;
    assert_eq!(header(&ok, "location"), "/status");
    let cookie = header(&ok, "set-cookie").to_owned();
    assert!(cookie.starts_with("seatwise_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let html = app.get("/status").await.text().await.unwrap();
    assert!(
        html.contains("Sam Admin") && html.contains("Sign out"),
        "{html}"
    );

    let out = app.post_form("/auth/sign-out", &[]).await;
    assert_eq!(header(&out, "location"), "/sign-in?signed_out=1");
    assert_eq!(app.get("/status").await.status(), 303, "signed out");
    // The old cookie is worthless too.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let value = cookie.split(';').next().unwrap();
    let r = replay
        .get(app.url("/status"))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn sign_in_is_rate_limited_and_checks_origin() {
    let app = TestApp::spawn().await;
    let (email, password) = app.demo("Reseller admin");
    for _ in 0..5 {
        app.post_form(
            "/auth/sign-in",
            &[("email", &email), ("password", "wrong wrong wrong")],
        )
        .await;
    }
    let blocked = app
        .post_form(
            "/auth/sign-in",
            &[("email", &email), ("password", &password)],
        )
        .await;
    assert!(
        header(&blocked, "location").starts_with("/sign-in?error=throttled&wait=30&next=/"),
        "even the right password waits: {}",
        header(&blocked, "location")
    );

    for origin in [Some("http://evil.example"), None] {
        let mut request = app
            .client
            .post(app.url("/auth/sign-in"))
            .form(&[("email", "a@b.c"), ("password", "x")]);
        if let Some(o) = origin {
            request = request.header("origin", o);
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            403,
            "origin {origin:?}"
        );
    }
}

#[tokio::test]
async fn only_the_service_provider_sees_system_status() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Customer admin").await;
    let r = app.get("/api/system-status").await;
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["kind"], "Forbidden");
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("Casey Contoso"));
    assert!(!home.contains("System status"), "the link is not shown");
}

mod links {
    use super::*;
    use domain::workspace_links::{mint, LinkTarget, NewLink};
    use partner_center::CustomerId;

    fn secret(app: &TestApp) -> Vec<u8> {
        let text = std::fs::read_to_string(app.dir.path().join("secrets.toml")).unwrap();
        let line = text.lines().find(|l| l.starts_with("link_secret")).unwrap();
        line.split('"').nth(1).unwrap().as_bytes().to_vec()
    }

    fn now() -> i64 {
        domain::time::now_millis() / 1000
    }

    fn fresh_client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap()
    }

    async fn follow(client: &reqwest::Client, app: &TestApp, token: &str) -> String {
        let r = client
            .get(app.url(&format!("/workspace?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        header(&r, "location").to_owned()
    }

    #[tokio::test]
    async fn a_link_from_the_cli_opens_a_customer_session_once() {
        let app = TestApp::spawn().await;
        let dir = app.dir.path().to_owned();
        let out = tokio::task::spawn_blocking(move || {
            seatwise(
                &[
                    "workspace-link",
                    "--first-customer",
                    "--email",
                    "pat@contoso.example",
                    "--name",
                    "Pat Buyer",
                ],
                &dir,
            )
        })
        .await
        .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = text.lines().last().unwrap();
        let token = url.split("token=").nth(1).unwrap();

        let browser = fresh_client();
        assert_eq!(
            follow(&browser, &app, token).await,
            "/users",
            "a link opens the customer's workspace"
        );
        let home = browser
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("Pat Buyer") && home.contains("Customer admin"),
            "{home}"
        );

        // The same link again: refused, and no session for whoever tries.
        let other = fresh_client();
        assert_eq!(
            follow(&other, &app, token).await,
            "/sign-in?error=link_used"
        );
        assert_eq!(other.get(app.url("/")).send().await.unwrap().status(), 303);
    }

    #[tokio::test]
    async fn forged_expired_wrong_audience_and_unknown_links_are_refused() {
        let app = TestApp::spawn().await;
        let secret = secret(&app);
        // The demo imports the emulator's tenants: a real customer, so only the link is wrong.
        let store = domain::Store::open(&format!(
            "sqlite://{}/seatwise.db",
            app.dir.path().display()
        ))
        .await
        .unwrap();
        let contoso = store.access().first_customer_id().await.unwrap();
        assert!(contoso.is_some());
        let customer =
            LinkTarget::Customer(CustomerId::new(contoso.unwrap_or_else(|| "missing".into())));
        let link = |secret: &[u8], audience: &str, target: &LinkTarget, issued_at: i64| {
            let link = NewLink {
                issuer: "m",
                audience,
                target,
                email: "x@y.example",
                name: "",
                ttl_secs: 300,
            };
            mint(secret, &link, issued_at).unwrap()
        };
        let unknown = LinkTarget::Customer(CustomerId::new("00000000-0000-0000-0000-00000000dead"));
        let cases = [
            (
                link(
                    b"a different secret that is long enough!!",
                    "seatwise",
                    &customer,
                    now(),
                ),
                "link_invalid",
            ),
            (
                link(&secret, "seatwise", &customer, now() - 400),
                "link_expired",
            ),
            (
                link(&secret, "another-app", &customer, now()),
                "link_invalid",
            ),
            (link(&secret, "seatwise", &unknown, now()), "link_invalid"),
            ("not.a.token".to_owned(), "link_invalid"),
        ];
        for (token, code) in cases {
            let client = fresh_client();
            assert_eq!(
                follow(&client, &app, &token).await,
                format!("/sign-in?error={code}")
            );
            assert_eq!(
                client.get(app.url("/")).send().await.unwrap().status(),
                303,
                "no session after {code}"
            );
        }
        let page = app
            .get("/sign-in?error=link_expired")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("has expired"), "a clear message: {page}");
    }

    #[tokio::test]
    async fn a_reseller_link_opens_a_reseller_session() {
        let app = TestApp::spawn().await;
        app.sign_in_as("Service provider admin").await;
        let secret = secret(&app);
        let dir = app.dir.path().to_owned();
        // The demo reseller's id, read through the CLI-free route: the store file.
        let store = domain::Store::open(&format!("sqlite://{}/seatwise.db", dir.display()))
            .await
            .unwrap();
        let reseller = store.access().resellers().await.unwrap().remove(0);
        let token = mint(
            &secret,
            &NewLink {
                issuer: "seatwise-cli",
                audience: "seatwise",
                target: &LinkTarget::Reseller(reseller.id),
                email: "sales@northwind.example",
                name: "Nora North",
                ttl_secs: 120,
            },
            now(),
        )
        .unwrap();
        let client = fresh_client();
        assert_eq!(follow(&client, &app, &token).await, "/users");
        let home = client
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("Nora North") && home.contains("Reseller admin"),
            "{home}"
        );
    }
}

#[tokio::test]
async fn each_role_sees_only_its_customers() {
    let names = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["company_name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    for (role, expected) in [
        (
            "Service provider admin",
            vec!["Contoso Ltd", "Fabrikam Inc", "Northwind Traders"],
        ),
        ("Reseller admin", vec!["Fabrikam Inc", "Northwind Traders"]),
        ("Customer admin", vec!["Contoso Ltd"]),
    ] {
        let app = TestApp::spawn().await;
        app.sign_in_as(role).await;
        let body: serde_json::Value = app.get("/api/my-customers").await.json().await.unwrap();
        assert_eq!(names(body), expected, "{role}");
        let page = app.get("/").await.text().await.unwrap();
        for name in &expected {
            assert!(page.contains(name), "{role} sees {name} on the overview");
        }
    }
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/my-customers").await.status(), 403);
}

#[tokio::test]
async fn the_service_provider_imports_tenants_and_assigns_resellers() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider admin").await;
    let page: serde_json::Value = app.get("/api/tenants").await.json().await.unwrap();
    let tenants = page["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 5);
    assert_eq!(tenants.iter().filter(|t| t["imported"] == true).count(), 3);
    let tailspin = tenants
        .iter()
        .find(|t| t["company_name"] == "Tailspin Toys")
        .unwrap();
    let id = tailspin["id"].as_str().unwrap();
    assert_eq!(tailspin["imported"], false);

    let r = app
        .post_form("/api/import-tenant", &[("tenant_id", id)])
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let reseller = page["resellers"][0]["id"].as_str().unwrap();
    let r = app
        .post_form(
            "/api/assign-reseller",
            &[("tenant_id", id), ("reseller_id", reseller)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let bad = app
        .post_form(
            "/api/assign-reseller",
            &[("tenant_id", id), ("reseller_id", "no-such-reseller")],
        )
        .await;
    assert_eq!(bad.status(), 400);
    let r = app
        .post_form(
            "/api/import-tenant",
            &[("tenant_id", "00000000-0000-0000-0000-000000000000")],
        )
        .await;
    assert_eq!(r.status(), 404);
    for (name, mpn, status) in [
        ("Tailspin Partners", "778899", 200),
        ("Tailspin Partners", "", 400),
        ("Bad Partner Id", "12ab", 400),
        ("  ", "", 400),
    ] {
        let r = app
            .post_form("/api/create-reseller", &[("name", name), ("mpn_id", mpn)])
            .await;
        assert_eq!(r.status(), status, "{name:?} {mpn:?}");
    }
    let page: serde_json::Value = app.get("/api/tenants").await.json().await.unwrap();
    assert_eq!(
        page["resellers"].as_array().unwrap().len(),
        2,
        "only the valid one was added"
    );

    let audit: serde_json::Value = app.get("/api/audit-log").await.json().await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (action, outcome) = (e["action"].as_str(), e["outcome"].as_str());
            (action.unwrap(), outcome.unwrap())
        })
        .collect();
    assert_eq!(
        &actions[..6],
        [
            ("reseller.create", "failed"),
            ("reseller.create", "failed"),
            ("reseller.create", "succeeded"),
            ("customer.reseller", "succeeded"),
            ("customer.import", "succeeded"),
            ("sign_in", "succeeded"),
        ],
        "changes the store refused are audited as failed: {actions:?}"
    );

    // The reseller now sees Tailspin too (in a fresh session of the same server).
    let out = app.post_form("/auth/sign-out", &[]).await;
    assert_eq!(out.status(), 303);
    app.sign_in_as("Reseller admin").await;
    let mine: serde_json::Value = app.get("/api/my-customers").await.json().await.unwrap();
    assert!(mine
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["company_name"] == "Tailspin Toys"));
}

#[tokio::test]
async fn administration_is_for_service_provider_admins() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider support").await;
    assert_eq!(
        app.get("/api/tenants").await.status(),
        200,
        "support may look"
    );
    let r = app
        .post_form("/api/import-tenant", &[("tenant_id", "x")])
        .await;
    assert_eq!(r.status(), 403, "but not change");
    let app = TestApp::spawn().await;
    app.sign_in_as("Reseller admin").await;
    assert_eq!(app.get("/api/tenants").await.status(), 403);
    assert_eq!(app.get("/api/audit-log").await.status(), 403);
    let r = app
        .post_form(
            "/api/assign-reseller",
            &[("tenant_id", "x"), ("reseller_id", "")],
        )
        .await;
    assert_eq!(r.status(), 403);
}

mod matrix {
    //! Every server function × every role, each call aimed at something the role does not
    //! own. The functions come from the live registry: a new server function without a row
    //! here fails `every_server_function_is_in_the_matrix`.

    use super::*;

    // Indexes into ROLES, by name.
    const ANONYMOUS: usize = 0;
    const CUSTOMER_ADMIN: usize = 1;
    const RESELLER_ADMIN: usize = 2;
    const SUPPORT: usize = 3;
    const ADMIN: usize = 4;

    const ROLES: [&str; 5] = [
        "anonymous",
        "Customer admin",
        "Reseller admin",
        "Service provider support",
        "Service provider admin",
    ];

    /// Ids the calls aim at: Tailspin is not imported; Contoso is direct (no reseller) and is
    /// not the reseller's; Fabrikam is not the customer admin's.
    struct Targets {
        tailspin: String,
        contoso: String,
        fabrikam: String,
        reseller: String,
    }

    struct Row {
        path: &'static str,
        post: bool,
        args: fn(&Targets) -> Vec<(&'static str, String)>,
        /// The roles that may call it; all others get 403. Calls that
        /// change things aim at nothing (an unknown user, invalid input), so that allowed
        /// roles are answered without a change: 2xx or 4xx other than 403.
        allowed: &'static [usize],
    }

    const NOBODY: &str = "00000000-0000-0000-0000-00000000dead";

    const ROWS: &[Row] = &[
        Row {
            path: "/api/system-status",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/my-customers",
            post: false,
            args: |_| vec![],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/tenants",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/audit-log",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/create-reseller",
            post: true,
            args: |_| {
                vec![
                    ("name", "Matrix Reseller".to_owned()),
                    ("mpn_id", "123".to_owned()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/users",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/users-refresh",
            post: true,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/users-load-mode",
            post: true,
            args: |_| vec![("mode", "cache".to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/users-load-mode-get",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/licenses",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/user-create",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("first_name", "Matrix".to_owned()),
                    ("last_name", "Person".to_owned()),
                    ("display_name", "Matrix Person".to_owned()),
                    ("user_name", "matrix.person".to_owned()),
                    ("domain", "fabrikam.onmicrosoft.com".to_owned()),
                    ("usage_location", "Nowhere".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/user-edit-form",
            post: false,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("user", NOBODY.to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/user-update",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("user", NOBODY.to_owned()),
                    ("first_name", "A".to_owned()),
                    ("last_name", "B".to_owned()),
                    ("display_name", "A B".to_owned()),
                    ("usage_location", "US".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/user-license-form",
            post: false,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("user", NOBODY.to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/user-licenses",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("user", NOBODY.to_owned()),
                    ("assign", String::new()),
                    ("remove", String::new()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/user-delete",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("user", NOBODY.to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/user-restore",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("user", NOBODY.to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/user-reset-password",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("user", NOBODY.to_owned()),
                    ("password", "weak".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/outbox",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/accounts",
            post: false,
            args: |_| vec![],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/account-invite",
            post: true,
            args: |_| {
                vec![
                    ("email", "not an address".to_owned()),
                    ("display_name", "Matrix".to_owned()),
                    ("role", "customer_admin".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/account-update",
            post: true,
            args: |_| {
                vec![
                    ("account", NOBODY.to_owned()),
                    ("role", "nobody".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/account-disable",
            post: true,
            args: |_| vec![("account", "x".to_owned()), ("disabled", "true".to_owned())],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/account-resend",
            post: true,
            args: |_| vec![("account", "x".to_owned())],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/my-password",
            post: true,
            args: |_| vec![("current", String::new()), ("new", "short".to_owned())],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/templates",
            post: false,
            args: |_| vec![],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/customer-templates",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/template-save",
            post: true,
            args: |_| vec![("name", "Matrix".to_owned()), ("licenses", String::new())],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/template-delete",
            post: true,
            args: |_| vec![("id", NOBODY.to_owned())],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/my-notices",
            post: false,
            args: |_| vec![],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/my-notices-save",
            post: true,
            args: |_| vec![("renewal", "on".to_owned())],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/my-language-save",
            post: true,
            args: |_| vec![("language", String::new())],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/import-tenant",
            post: true,
            args: |t| vec![("tenant_id", t.tailspin.clone())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/assign-reseller",
            post: true,
            args: |t| {
                vec![
                    ("tenant_id", t.contoso.clone()),
                    ("reseller_id", t.reseller.clone()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/connections",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/connection-test",
            post: true,
            args: |_| vec![("connection", NOBODY.to_owned())],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/connection-add",
            post: true,
            args: |_| {
                vec![
                    ("name", "Matrix".to_owned()),
                    ("country", "USA".to_owned()),
                    (
                        "api_url",
                        "https://api.partnercenter.microsoft.com".to_owned(),
                    ),
                    ("login_url", "https://login.microsoftonline.com".to_owned()),
                    ("tenant_id", "matrix.onmicrosoft.com".to_owned()),
                    ("app_id", "matrix".to_owned()),
                    ("credential", "client_secret".to_owned()),
                    ("secret", "matrix".to_owned()),
                    ("step", "test".to_owned()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/connection-default",
            post: true,
            args: |_| vec![("connection", NOBODY.to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/connection-rename",
            post: true,
            args: |_| {
                vec![
                    ("connection", NOBODY.to_owned()),
                    ("name", "Matrix".to_owned()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/connection-secret",
            post: true,
            args: |_| {
                vec![
                    ("connection", NOBODY.to_owned()),
                    ("credential", "client_secret".to_owned()),
                    ("secret", "matrix".to_owned()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/connection-remove",
            post: true,
            args: |_| vec![("connection", NOBODY.to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/catalog-browse",
            post: false,
            args: |_| {
                vec![
                    ("connection", NOBODY.to_owned()),
                    ("country", "US".to_owned()),
                    ("segment", "commercial".to_owned()),
                ]
            },
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/connection-give",
            post: true,
            args: |_| {
                vec![
                    ("connection", NOBODY.to_owned()),
                    ("reseller", String::new()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/subscriptions",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/history",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/history-csv",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/reconciliation",
            post: false,
            args: |_| vec![("connection", NOBODY.to_owned()), ("run", "1".to_owned())],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/reconcile-apply",
            post: true,
            args: |t| {
                vec![
                    ("findings", format!("{}/{NOBODY}/quantity", t.fabrikam)),
                    ("mode", "preview".to_owned()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/jobs",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/job-start",
            post: true,
            args: |_| vec![("kind", "nothing".to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/job-cancel",
            post: true,
            args: |_| vec![("job", NOBODY.to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/job-resume",
            post: true,
            args: |_| vec![("job", NOBODY.to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/optimisation",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/optimisation-apply",
            post: true,
            args: |t| vec![("reductions", format!("{}/{NOBODY}/2/1", t.fabrikam))],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/settings",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/settings-save",
            post: true,
            args: |_| vec![("nightly_at", "not a time".to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/subscriptions-load-mode",
            post: true,
            args: |_| vec![("mode", "cache".to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/subscription",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone()), ("id", NOBODY.to_owned())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/subscription-change",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("id", NOBODY.to_owned()),
                    ("change", "quantity".to_owned()),
                    ("value", "5".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/bulk",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/bulk-preview",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("csv", "first_name,last_name,user_name\n".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/bulk-start",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("csv", "first_name,last_name,user_name\n".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/swap-preview",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("from", String::new()),
                    ("to", String::new()),
                    ("users", NOBODY.to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/swap-start",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("from", String::new()),
                    ("to", String::new()),
                    ("users", NOBODY.to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        // A job nobody has: "no such job" for everyone signed in (one of a customer out of
        // reach is answered the same).
        Row {
            path: "/api/bulk-job",
            post: false,
            args: |_| vec![("job", NOBODY.to_owned())],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/bulk-result",
            post: false,
            args: |_| vec![("job", NOBODY.to_owned())],
            allowed: &[CUSTOMER_ADMIN, RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/relationship-link",
            post: false,
            args: |_| vec![],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/tenant-domain",
            post: false,
            args: |_| vec![("prefix", "x".to_owned())],
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/tenant-create",
            post: true,
            args: |_| {
                vec![
                    ("company_name", "Matrix".to_owned()),
                    ("domain_prefix", "x".to_owned()),
                    ("first_name", "M".to_owned()),
                    ("last_name", "X".to_owned()),
                    ("email", "m@x.example".to_owned()),
                    ("address_line1", "1".to_owned()),
                    ("city", "C".to_owned()),
                    ("postal_code", "1".to_owned()),
                    ("country", "US".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/auto-increase-save",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("subscription", NOBODY.to_owned()),
                    ("value", "on".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/order-page",
            post: false,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
        Row {
            path: "/api/agreement-record",
            post: true,
            args: |t| {
                vec![
                    ("customer", t.fabrikam.clone()),
                    ("first_name", "Matrix".to_owned()),
                    ("last_name", "Person".to_owned()),
                    ("email", "not-an-address".to_owned()),
                    ("agreed_on", "2026-01-01".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/order-place",
            post: true,
            args: |t| {
                vec![
                    ("form_id", "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".to_owned()),
                    ("customer", t.fabrikam.clone()),
                    ("item", "NOTOFFERED:0001:P1Y:monthly".to_owned()),
                    ("quantity", "1".to_owned()),
                ]
            },
            allowed: &[RESELLER_ADMIN, ADMIN],
        },
        Row {
            path: "/api/catalog",
            post: false,
            args: |_| vec![],
            allowed: &[SUPPORT, ADMIN],
        },
        Row {
            path: "/api/catalog-refresh",
            post: true,
            args: |_| vec![("connection", NOBODY.to_owned())],
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/catalog-curate",
            post: true,
            args: |_| {
                vec![
                    ("connection", NOBODY.to_owned()),
                    ("product_id", "CFQ7TTC0LF8Q".to_owned()),
                    ("sku_id", "0001".to_owned()),
                    ("offered", "on".to_owned()),
                ]
            },
            allowed: &[ADMIN],
        },
        Row {
            path: "/api/subscriptions-read",
            post: true,
            args: |t| vec![("customer", t.fabrikam.clone())],
            allowed: &[RESELLER_ADMIN, SUPPORT, ADMIN],
        },
    ];

    #[test]
    fn every_server_function_is_in_the_matrix() {
        let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_owned())
            .collect();
        registered.sort();
        let mut covered: Vec<String> = ROWS.iter().map(|r| r.path.to_owned()).collect();
        covered.sort();
        assert_eq!(registered, covered, "add a row for every server function");
    }

    async fn state_of(app: &TestApp) -> (i64, Option<String>, u64, Option<String>) {
        let store = domain::Store::open(&format!(
            "sqlite://{}/seatwise.db",
            app.dir.path().display()
        ))
        .await
        .unwrap();
        let (customers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let (reseller,): (Option<String>,) =
            sqlx::query_as("SELECT reseller_id FROM customers WHERE company_name = 'Contoso Ltd'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let load_mode = store.settings().get("users.load_mode").await.unwrap();
        store.close().await;
        (customers, reseller, app.writes_applied().await, load_mode)
    }

    #[tokio::test]
    async fn each_role_is_refused_what_it_does_not_own_and_nothing_changes() {
        let app = TestApp::spawn().await;
        app.sign_in_as("Service provider admin").await;
        let page: serde_json::Value = app.get("/api/tenants").await.json().await.unwrap();
        let id_of = |name: &str| {
            page["tenants"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["company_name"] == name)
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let targets = Targets {
            tailspin: id_of("Tailspin Toys"),
            contoso: id_of("Contoso Ltd"),
            fabrikam: id_of("Fabrikam Inc"),
            reseller: page["resellers"][0]["id"].as_str().unwrap().to_owned(),
        };
        app.post_form("/auth/sign-out", &[]).await;
        let before = state_of(&app).await;

        for (index, role) in ROLES.iter().enumerate() {
            if index != ANONYMOUS {
                app.sign_in_as(role).await;
            }
            for row in ROWS {
                let args = (row.args)(&targets);
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let response = if row.post {
                    app.post_form(row.path, &args).await
                } else {
                    app.client
                        .get(app.url(row.path))
                        .query(&args)
                        .send()
                        .await
                        .unwrap()
                };
                let status = response.status().as_u16();
                if row.allowed.contains(&index) {
                    assert!(
                        status != 403 && status < 500,
                        "{role} → {}: {status}",
                        row.path
                    );
                } else {
                    assert_eq!(status, 403, "{role} → {}", row.path);
                }
            }
            if index != ADMIN {
                assert_eq!(state_of(&app).await, before, "{role} changed nothing");
            }
            if index != ANONYMOUS {
                app.post_form("/auth/sign-out", &[]).await;
            }
        }
        // The admin's calls went through; every refusal is in the audit log.
        let after = state_of(&app).await;
        assert_eq!(after.0, before.0 + 1, "the admin imported Tailspin");
        app.sign_in_as("Service provider admin").await;
        // Every page of refusals (the log pages by 50).
        let mut refused: Vec<serde_json::Value> = Vec::new();
        loop {
            let before = refused
                .last()
                .map(|e| e["id"].as_str().unwrap().to_owned())
                .unwrap_or_default();
            let page: serde_json::Value = app
                .get_json(
                    "/api/audit-log",
                    &[("outcome", "refused"), ("before", before.as_str())],
                )
                .await;
            let page = page.as_array().unwrap().clone();
            if page.is_empty() {
                break;
            }
            refused.extend(page);
        }
        assert!(
            refused
                .iter()
                .all(|e| e["request_id"].as_str().is_some_and(|id| id.len() == 36)),
            "request ids kept"
        );
        let expected_refusals: usize = ROWS
            .iter()
            // Every role but the admin, whose calls go through, less those allowed.
            .map(|r| ADMIN - r.allowed.iter().filter(|i| **i != ADMIN).count())
            .sum();
        assert_eq!(refused.len(), expected_refusals, "{refused:#?}");
    }
}

#[tokio::test]
async fn users_across_customers_follow_the_role() {
    for (role, users, customers) in [
        ("Service provider admin", 36, 3),
        ("Reseller admin", 24, 2),
        ("Customer admin", 12, 1),
    ] {
        let app = TestApp::spawn().await;
        app.sign_in_as(role).await;
        // Nothing read yet: the page answers at once from the empty cache (a browser then
        // streams the refresh).
        let cold: serde_json::Value = app.get("/api/users").await.json().await.unwrap();
        assert_eq!(
            (cold["matching"].as_u64(), cold["customers_loaded"].as_u64()),
            (Some(0), Some(0))
        );
        let v: serde_json::Value = app.get("/api/users?wait=1").await.json().await.unwrap();
        assert_eq!(v["matching"], users, "{role}");
        assert_eq!(v["customers_total"], customers, "{role}");
        assert_eq!(v["failures"].as_array().unwrap().len(), 0);
        assert_eq!(
            v["resellers"].as_array().unwrap().is_empty(),
            !role.starts_with("Service"),
            "{role}"
        );
        let page = app.get("/users").await.text().await.unwrap();
        assert!(page.contains(&format!("{users} users")), "{role}: {page}");
    }
}

#[tokio::test]
async fn users_filter_search_and_survive_a_failing_customer() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider admin").await;
    let all: serde_json::Value = app.get("/api/users?wait=1").await.json().await.unwrap();
    let first = all["rows"][0].clone();
    let contoso = all["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[1] == "Contoso Ltd")
        .unwrap()[0]
        .as_str()
        .unwrap()
        .to_owned();
    let one: serde_json::Value = app
        .get_json("/api/users", &[("customer", contoso.as_str())])
        .await;
    assert_eq!(one["matching"], 12);
    assert!(one["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["customer"] == "Contoso Ltd"));
    let upn = first["user_principal_name"].as_str().unwrap();
    let found: serde_json::Value = app
        .get_json("/api/users", &[("search", &upn.to_uppercase()[..8])])
        .await;
    assert!(found["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["user_principal_name"] == upn));

    // Partner Center fails for everyone: a refresh names each customer, and the page keeps
    // showing the users it last had.
    app.emulator_knobs(serde_json::json!({ "fault_rate": 1.0, "faults": ["unavailable"] }))
        .await;
    let (lines, _) = app.refresh_users(&[]).await;
    let failed: Vec<_> = lines.iter().filter(|l| l.get("Failed").is_some()).collect();
    assert_eq!(failed.len(), 3, "{lines:?}");
    assert!(failed[0]["Failed"]["message"]
        .as_str()
        .unwrap()
        .contains("did not answer"));
    let cached: serde_json::Value = app.get("/api/users").await.json().await.unwrap();
    assert_eq!(cached["matching"], all["matching"]);
    assert_eq!(cached["customers_loaded"], 3);
}

#[tokio::test]
async fn a_first_visit_while_partner_center_fails_names_each_customer() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Service provider admin").await;
    app.emulator_knobs(serde_json::json!({ "fault_rate": 1.0, "faults": ["unavailable"] }))
        .await;
    let failing: serde_json::Value = app.get("/api/users?wait=1").await.json().await.unwrap();
    assert_eq!(
        failing["failures"].as_array().unwrap().len(),
        3,
        "{failing}"
    );
    assert_eq!(failing["customers_loaded"], 0);
    assert_eq!(failing["matching"], 0);
    let page = app.get("/users?wait=1").await.text().await.unwrap();
    assert!(page.contains("did not answer"), "{page}");
}

#[tokio::test]
async fn the_users_refresh_streams_each_customer_as_it_answers() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Reseller admin").await;
    // Slow answers, so that a stream held back by a buffer would arrive in one piece.
    app.emulator_knobs(serde_json::json!({ "latency_ms": 150 }))
        .await;
    let (lines, chunks) = app.refresh_users(&[]).await;
    assert_eq!(
        lines.first().unwrap()["Started"]["customers"],
        2,
        "{lines:?}"
    );
    assert_eq!(lines.last().unwrap(), "Finished");
    let count = |kind: &str| lines.iter().filter(|l| l.get(kind).is_some()).count();
    assert_eq!(
        (count("Users"), count("Details"), count("Failed")),
        (2, 2, 0)
    );
    assert!(
        chunks >= 3,
        "lines arrive as customers answer, not all at the end ({chunks} chunks)"
    );
    // Licenses and roles are now in the cache: every active row has its license list.
    let v: serde_json::Value = app.get("/api/users").await.json().await.unwrap();
    assert_eq!(v["matching"], 24);
    assert_eq!(v["details_missing"], 0);
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["licenses"].is_array()), "{v}");
    assert!(rows
        .iter()
        .any(|r| !r["licenses"].as_array().unwrap().is_empty()));
    assert!(!v["skus"].as_array().unwrap().is_empty());
    // The license filter: every row holds the chosen product.
    let (sku, name) = (v["skus"][0][0].as_str().unwrap(), v["skus"][0][1].clone());
    let holders: serde_json::Value = app.get_json("/api/users", &[("sku", sku)]).await;
    let holders = holders["rows"].as_array().unwrap();
    assert!(!holders.is_empty());
    assert!(holders.iter().all(|r| r["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["name"] == name)));
    // A reseller cannot refresh another reseller's customer.
    let contoso = app.customer_id("Contoso Ltd").await;
    let refused = app
        .post_form("/api/users-refresh", &[("customer", &contoso)])
        .await;
    assert_eq!(refused.status(), 403);
}

/// A real SMTP server (Debian's aiosmtpd) writing what it receives into a maildir.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .spawn()
            .expect("python3-aiosmtpd (scripts/setup.sh installs it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// Every message received so far, as text (quoted-printable decoded: lettre uses it when a
    /// line is long, and a password's `=` then arrives as `=3D`).
    fn messages(&self) -> Vec<String> {
        let mut found = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.path().join("mail").join(sub)) {
                for e in entries.flatten() {
                    let raw = std::fs::read_to_string(e.path()).unwrap_or_default();
                    found.push(decode_quoted_printable(&raw));
                }
            }
        }
        found
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn password_notices_go_out_over_smtp_and_stay_in_the_outbox() {
    let smtp = SmtpServer::start();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let app = TestApp::spawn_with(&[
        ("SEATWISE_SMTP_URL", url.as_str()),
        ("SEATWISE_MAIL_FROM", "Seatwise <seatwise@partner.example>"),
    ])
    .await;
    app.sign_in_as("Customer admin").await;
    let users: serde_json::Value = app.get("/api/users?wait=1").await.json().await.unwrap();
    let user = &users["rows"][0];
    let customer = user["customer_id"].as_str().unwrap();
    let r = app
        .post_form(
            "/api/user-reset-password",
            &[
                ("customer", customer),
                ("user", user["id"].as_str().unwrap()),
                ("force_change", "true"),
                ("notify", "helpdesk@partner.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let notice: serde_json::Value = r.json().await.unwrap();
    let password = notice["password"].as_str().unwrap().to_owned();
    assert_eq!(notice["notified"], "helpdesk@partner.example");

    // The mailer's next round delivers it.
    let mut delivered = None;
    for _ in 0..100 {
        if let Some(m) = smtp.messages().into_iter().find(|m| m.contains(&password)) {
            delivered = Some(m);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let message = delivered.expect("the notice reached the SMTP server");
    assert!(
        message.contains("To: helpdesk@partner.example"),
        "{message}"
    );
    assert!(message.contains("seatwise@partner.example"), "{message}");

    // The service provider sees it as sent; a customer admin may not read the outbox.
    assert_eq!(app.get("/api/outbox").await.status(), 403);
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider admin").await;
    let mut sent = false;
    for _ in 0..50 {
        let outbox: serde_json::Value = app.get("/api/outbox").await.json().await.unwrap();
        if outbox[0]["sent"] == true {
            assert!(
                !outbox.to_string().contains(&password),
                "no page shows a body"
            );
            sent = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sent, "marked sent");
}

#[tokio::test]
async fn user_management_through_the_server_functions() {
    let app = TestApp::spawn().await;
    app.sign_in_as("Reseller admin").await;
    let fabrikam = app.customer_id("Fabrikam Inc").await;
    let _ = app.get("/api/users?wait=1").await;
    let licenses = |app: &TestApp| {
        let url = app.url("/api/licenses");
        let (client, fabrikam) = (app.client.clone(), fabrikam.clone());
        async move {
            let v: serde_json::Value = client
                .get(url)
                .query(&[("customer", fabrikam.as_str())])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v
        }
    };
    let table = licenses(&app).await;
    let domain = table["domains"][0].as_str().unwrap().to_owned();
    assert!(domain.starts_with("fabrikam"), "{table}");
    // The domain the customer verified is offered too, and a user can be made on it.
    assert_eq!(table["domains"][1], "fabrikam.example", "{table}");
    let verified = [
        ("customer", fabrikam.as_str()),
        ("first_name", "Max"),
        ("last_name", "Verified"),
        ("display_name", "Max Verified"),
        ("user_name", "max.verified"),
        ("domain", "fabrikam.example"),
        ("usage_location", "DE"),
    ];
    let (status, said) = app.send("/api/user-create", &verified).await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(said["user_name"], "max.verified@fabrikam.example");

    // A refused field comes back as 400 with the field named, and nothing is created.
    let create = |password: &'static str| {
        vec![
            ("customer", fabrikam.clone()),
            ("first_name", "Lea".to_owned()),
            ("last_name", "Stone".to_owned()),
            ("display_name", "Lea Stone".to_owned()),
            ("user_name", "lea.stone".to_owned()),
            ("domain", domain.clone()),
            ("usage_location", "DE".to_owned()),
            ("password", password.to_owned()),
        ]
    };
    let weak = create("weak");
    let weak: Vec<(&str, &str)> = weak.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form("/api/user-create", &weak).await;
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["field"], "password", "{e}");
    let ok = create("");
    let ok: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form("/api/user-create", &ok).await;
    assert_eq!(r.status(), 200);
    let created: serde_json::Value = r.json().await.unwrap();
    assert_eq!(created["user_name"], format!("lea.stone@{domain}"));
    assert_eq!(created["notified"], serde_json::Value::Null);

    let page: serde_json::Value = app
        .get_json(
            "/api/users",
            &[("customer", fabrikam.as_str()), ("search", "lea.stone")],
        )
        .await;
    let lea = page["rows"][0]["id"].as_str().unwrap().to_owned();
    let target = [("customer", fabrikam.as_str()), ("user", lea.as_str())];

    // Licenses: the dialog's read, one update, the table follows.
    let form: serde_json::Value = app
        .client
        .get(app.url("/api/user-license-form"))
        .query(&target)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let choice = form["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["available"].as_i64().unwrap() > 0)
        .unwrap()
        .clone();
    let sku = choice["sku_id"].as_str().unwrap();
    let before = licenses(&app).await;
    let seats = |t: &serde_json::Value| {
        t["products"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["sku_id"] == sku)
            .map(|p| {
                (
                    p["assigned"].as_i64().unwrap(),
                    p["available"].as_i64().unwrap(),
                )
            })
            .unwrap()
    };
    let r = app
        .post_form(
            "/api/user-licenses",
            &[target[0], target[1], ("assign", sku), ("remove", "")],
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let after = licenses(&app).await;
    let (b, a) = (seats(&before), seats(&after));
    assert_eq!((a.0, a.1), (b.0 + 1, b.1 - 1));
    assert_eq!(after["changes"][0]["delta"], 1);
    assert_eq!(
        after["changes"][0]["user_name"],
        format!("lea.stone@{domain}")
    );

    // Edit with a role; delete; restore.
    let edit: serde_json::Value = app
        .client
        .get(app.url("/api/user-edit-form"))
        .query(&target)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let helpdesk = edit["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[1] == "Helpdesk Administrator")
        .unwrap()[0]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post_form(
            "/api/user-update",
            &[
                target[0],
                target[1],
                ("first_name", "Lea"),
                ("last_name", "Stone"),
                ("display_name", "Lea M. Stone"),
                ("usage_location", "AT"),
                ("role", helpdesk.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let row = |app: &TestApp| {
        let (client, url, fabrikam) = (app.client.clone(), app.url("/api/users"), fabrikam.clone());
        async move {
            let page: serde_json::Value = client
                .get(url)
                .query(&[("customer", fabrikam.as_str()), ("search", "lea")])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page["rows"][0].clone()
        }
    };
    let edited = row(&app).await;
    assert_eq!(edited["display_name"], "Lea M. Stone");
    assert_eq!(edited["roles"][0], "Helpdesk Administrator");
    assert_eq!(edited["usage_location"], "AT");
    let r = app.post_form("/api/user-delete", &target).await;
    assert_eq!(r.status(), 200);
    let after_delete = licenses(&app).await;
    assert_eq!(seats(&after_delete), b, "the seat came back");
    let r = app.post_form("/api/user-restore", &target).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // Restored as Partner Center returns the user: the emulator, like Entra ID, does not give
    // back directory roles.
    let restored = row(&app).await;
    assert_eq!(restored["display_name"], "Lea M. Stone");
    assert_eq!(restored["deleted"], false);
    assert_eq!(restored["roles"], serde_json::json!([]));

    // Every change is in the audit log, with this reseller as the actor.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider admin").await;
    let log: serde_json::Value = app.get("/api/audit-log").await.json().await.unwrap();
    let actions: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("user."))
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("user.create", "failed"),
        ("user.create", "succeeded"),
        ("user.licenses", "succeeded"),
        ("user.update", "succeeded"),
        ("user.delete", "succeeded"),
        ("user.restore", "succeeded"),
    ] {
        assert!(actions.contains(&expected), "{expected:?} in {actions:?}");
    }
}

mod security {
    //! Attacks on every entry point: hostile ids and text, writes under faults, sign-in
    //! floods, open redirects, disabled accounts.

    use super::*;

    /// Values that try to leave their place in a path, or are not ids at all.
    fn hostile(other_user: &str, other_customer: &str) -> Vec<String> {
        vec![
            "..".into(),
            "%2e%2e".into(),
            "/".into(),
            "\\".into(),
            "?".into(),
            "#".into(),
            format!("../../{other_customer}/users/{other_user}"),
            format!("..%2F..%2F{other_customer}%2Fusers%2F{other_user}"),
            "x".repeat(3000),
            "\u{1}\u{7f}\u{202e}".into(),
            "üñí©ødé-👍".into(),
        ]
    }

    /// A server function to attack: path, POST, valid arguments, fields to attack.
    type Case = (&'static str, bool, Vec<(String, String)>, Vec<&'static str>);

    async fn call(
        app: &TestApp,
        post: bool,
        path: &str,
        args: &[(String, String)],
    ) -> reqwest::Response {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if post {
            app.post_form(path, &args).await
        } else {
            app.client
                .get(app.url(path))
                .query(&args)
                .send()
                .await
                .unwrap()
        }
    }

    /// Every server function that takes an id or a free-text field, attacked field by field
    /// as the customer admin of Contoso: each answer is a 4xx with a message, the emulator
    /// sees no request outside Contoso, and nothing changes there or in our store.
    #[tokio::test]
    async fn hostile_input_reaches_no_other_tenant_and_changes_nothing() {
        let app = TestApp::spawn().await;
        let contoso = app.customer_id("Contoso Ltd").await;
        let fabrikam = app.customer_id("Fabrikam Inc").await;
        // A real user of Fabrikam, whose id the attacker has learned.
        app.sign_in_as("Service provider admin").await;
        let page: serde_json::Value = app
            .get_json(
                "/api/users",
                &[("customer", fabrikam.as_str()), ("wait", "1")],
            )
            .await;
        let victim = page["rows"][0]["id"].as_str().unwrap().to_owned();
        app.post_form("/auth/sign-out", &[]).await;
        app.sign_in_as("Customer admin").await;
        let _ = app.get("/api/users?wait=1").await;
        let mine: serde_json::Value = app
            .get_json("/api/users", &[("customer", contoso.as_str())])
            .await;
        let own_user = mine["rows"][0]["id"].as_str().unwrap().to_owned();
        let sku = "3b555118-da6a-4418-894f-7df1e2096870".to_owned();
        let subscriptions: serde_json::Value =
            app.get("/api/subscriptions").await.json().await.unwrap();
        let own_subscription = subscriptions["rows"][0]["id"].as_str().unwrap().to_owned();

        // (path, post, valid arguments, fields to attack)
        let s = |v: &str| v.to_owned();
        let cases: Vec<Case> = vec![
            (
                "/api/licenses",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/users",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/subscriptions",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/subscriptions-read",
                true,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/history",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer", "subscription", "kind", "source", "from", "to"],
            ),
            (
                "/api/history-csv",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer", "subscription", "kind", "source", "from", "to"],
            ),
            (
                "/api/subscription",
                false,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("id"), own_subscription.clone()),
                ],
                vec!["customer", "id"],
            ),
            (
                "/api/subscription-change",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("id"), own_subscription.clone()),
                    (s("change"), s("quantity")),
                    (s("value"), s("1")),
                ],
                vec!["customer", "id", "change", "value"],
            ),
            (
                "/api/subscription-change",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("id"), own_subscription.clone()),
                    (s("change"), s("next_term")),
                    (s("next"), s("P1Y:annual")),
                    (s("value"), s("1")),
                ],
                vec!["next", "value"],
            ),
            (
                "/api/subscription-change",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("id"), own_subscription.clone()),
                    (s("change"), s("partner_id")),
                    (s("value"), s("4455667")),
                ],
                vec!["value"],
            ),
            (
                "/api/bulk",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/bulk-preview",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (
                        s("csv"),
                        s("first_name,last_name,user_name,usage_location\nA,B,a.b@contoso.onmicrosoft.com,US\n"),
                    ),
                ],
                vec!["customer", "csv"],
            ),
            (
                "/api/bulk-start",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (
                        s("csv"),
                        s("first_name,last_name,user_name,usage_location\nA,B,a.b@contoso.onmicrosoft.com,US\n"),
                    ),
                ],
                vec!["customer", "csv"],
            ),
            (
                "/api/swap-preview",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("from"), sku.clone()),
                    (s("to"), s("")),
                    (s("users"), own_user.clone()),
                ],
                vec!["customer", "from", "to", "template", "users"],
            ),
            (
                "/api/swap-start",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("from"), sku.clone()),
                    (s("to"), s("")),
                    (s("users"), own_user.clone()),
                ],
                vec!["customer", "from", "to", "template", "users"],
            ),
            ("/api/bulk-job", false, vec![(s("job"), s(NOBODY_ACCOUNT))], vec!["job"]),
            ("/api/tenant-domain", false, vec![(s("prefix"), s("free-demo"))], vec!["prefix"]),
            (
                "/api/tenant-create",
                true,
                vec![
                    (s("company_name"), s("Hostile")),
                    (s("domain_prefix"), s("hostile-demo")),
                    (s("first_name"), s("H")),
                    (s("last_name"), s("H")),
                    (s("email"), s("h@hostile.example")),
                    (s("address_line1"), s("1 Main St")),
                    (s("city"), s("Redmond")),
                    (s("state"), s("WA")),
                    (s("postal_code"), s("98052")),
                    (s("country"), s("US")),
                    (s("reseller"), s("")),
                    (s("agreement"), s("on")),
                ],
                vec!["domain_prefix", "country", "reseller", "email", "company_name"],
            ),
            ("/api/bulk-result", false, vec![(s("job"), s(NOBODY_ACCOUNT))], vec!["job"]),
            (
                "/api/auto-increase-save",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("subscription"), own_subscription.clone()),
                    (s("value"), s("on")),
                ],
                vec!["customer", "subscription", "value"],
            ),
            (
                "/api/order-page",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/agreement-record",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("first_name"), s("Hostile")),
                    (s("last_name"), s("Person")),
                    (s("email"), s("hostile@contoso.example")),
                    (s("phone"), s("")),
                    (s("agreed_on"), s("2026-01-01")),
                ],
                vec!["customer", "email", "phone", "agreed_on"],
            ),
            (
                "/api/order-place",
                true,
                vec![
                    (s("form_id"), s("6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f")),
                    (s("customer"), contoso.clone()),
                    (s("item"), s("CFQ7TTC0LCHC:0003:P1Y:monthly")),
                    (s("quantity"), s("1")),
                ],
                vec!["form_id", "customer", "item", "quantity"],
            ),
            (
                "/api/users-refresh",
                true,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/user-edit-form",
                false,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("user"), own_user.clone()),
                ],
                vec!["customer", "user"],
            ),
            (
                "/api/user-license-form",
                false,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("user"), own_user.clone()),
                ],
                vec!["customer", "user"],
            ),
            (
                "/api/user-update",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("user"), own_user.clone()),
                    (s("first_name"), s("Ann")),
                    (s("last_name"), s("Lee")),
                    (s("display_name"), s("Ann Lee")),
                    (s("usage_location"), s("US")),
                    (s("role"), s("62e90394-69f5-4237-9190-012177145e10")),
                ],
                vec!["customer", "user", "role", "usage_location"],
            ),
            (
                "/api/user-licenses",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("user"), own_user.clone()),
                    (s("assign"), sku.clone()),
                    (s("remove"), s("")),
                    (s("plans"), format!("{sku}=")),
                ],
                vec!["customer", "user", "assign", "remove", "plans"],
            ),
            (
                "/api/user-delete",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("user"), own_user.clone()),
                ],
                vec!["customer", "user"],
            ),
            (
                "/api/user-restore",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("user"), own_user.clone()),
                    (s("new_user_name"), s("someone@contoso.onmicrosoft.com")),
                ],
                vec!["customer", "user", "new_user_name"],
            ),
            (
                "/api/user-reset-password",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("user"), own_user.clone()),
                    (s("password"), s("Str0ng-Passw0rd!")),
                    (s("notify"), s("ann@contoso.example")),
                ],
                vec!["customer", "user", "notify"],
            ),
            (
                "/api/user-create",
                true,
                vec![
                    (s("customer"), contoso.clone()),
                    (s("first_name"), s("Ann")),
                    (s("last_name"), s("Lee")),
                    (s("display_name"), s("Ann Lee")),
                    (s("user_name"), s("ann.lee.hostile")),
                    (s("domain"), s("contoso.onmicrosoft.com")),
                    (s("usage_location"), s("US")),
                    (s("notify"), s("ann@contoso.example")),
                ],
                vec![
                    "customer",
                    "user_name",
                    "domain",
                    "usage_location",
                    "notify",
                ],
            ),
        ];
        let before_writes = app.writes_applied().await;
        app.clear_emulator_log().await;
        let mut answers = 0;
        for (path, post, args, fields) in &cases {
            for field in fields {
                for value in hostile(&victim, &fabrikam) {
                    let mut attacked = args.clone();
                    attacked.retain(|(k, _)| k != field);
                    attacked.push((field.to_string(), value.clone()));
                    let r = call(&app, *post, path, &attacked).await;
                    let status = r.status().as_u16();
                    let body = r.text().await.unwrap();
                    assert!(
                        (400..500).contains(&status),
                        "{path} {field}={value:?}: {status} {body}"
                    );
                    assert!(
                        body.contains("message") || status == 413,
                        "{path} {field}: {body}"
                    );
                    answers += 1;
                }
            }
            // And the other tenant's real user id, as it is.
            if fields.contains(&"user") {
                let mut attacked = args.clone();
                attacked.retain(|(k, _)| k != "user");
                attacked.push(("user".into(), victim.clone()));
                let status = call(&app, *post, path, &attacked).await.status().as_u16();
                assert!(
                    (400..500).contains(&status),
                    "{path} with Fabrikam's user: {status}"
                );
            }
            if fields.contains(&"customer") {
                let mut attacked = args.clone();
                attacked.retain(|(k, _)| k != "customer");
                attacked.push(("customer".into(), fabrikam.clone()));
                let status = call(&app, *post, path, &attacked).await.status().as_u16();
                assert_eq!(status, 403, "{path} for Fabrikam");
            }
        }
        assert!(answers > 300, "{answers} hostile calls");
        for (method, path) in app.emulator_log().await {
            let Some(rest) = path.strip_prefix("/v1/customers/") else {
                continue;
            };
            let customer = rest.split('/').next().unwrap();
            assert!(
                customer.eq_ignore_ascii_case(&contoso),
                "{method} {path} left Contoso"
            );
        }
        assert_eq!(app.writes_applied().await, before_writes, "nothing changed");

        // The account functions, as the service provider admin who may call them.
        app.post_form("/auth/sign-out", &[]).await;
        app.sign_in_as("Service provider admin").await;
        let accounts_before: serde_json::Value =
            app.get("/api/accounts").await.json().await.unwrap();
        let account_cases: Vec<Case> = vec![
            (
                "/api/account-update",
                true,
                vec![
                    (s("account"), NOBODY_ACCOUNT.to_owned()),
                    (s("role"), s("customer_admin")),
                    (s("scope_id"), contoso.clone()),
                ],
                vec!["account", "role", "scope_id"],
            ),
            (
                "/api/account-disable",
                true,
                vec![
                    (s("account"), NOBODY_ACCOUNT.to_owned()),
                    (s("disabled"), s("true")),
                ],
                vec!["account"],
            ),
            (
                "/api/account-resend",
                true,
                vec![(s("account"), NOBODY_ACCOUNT.to_owned())],
                vec!["account"],
            ),
            (
                "/api/account-invite",
                true,
                vec![
                    (s("email"), s("new.person@contoso.example")),
                    (s("display_name"), s("New Person")),
                    (s("role"), s("customer_admin")),
                    (s("scope_id"), contoso.clone()),
                ],
                vec!["email", "role", "scope_id"],
            ),
            (
                "/api/template-save",
                true,
                vec![
                    (s("name"), s("Hostile")),
                    (s("licenses"), s("")),
                    (s("usage_location"), s("")),
                    (s("role"), s("")),
                ],
                vec!["id", "name", "licenses", "usage_location", "role"],
            ),
            ("/api/template-delete", true, vec![], vec!["id"]),
            (
                "/api/customer-templates",
                false,
                vec![(s("customer"), contoso.clone())],
                vec!["customer"],
            ),
            (
                "/api/my-notices-save",
                true,
                vec![(s("subscription"), s("on")), (s("renewal"), s(""))],
                vec!["subscription", "optimisation", "renewal", "job_failed"],
            ),
            (
                "/api/my-language-save",
                true,
                vec![(s("language"), s(""))],
                vec!["language"],
            ),
        ];
        let notices_before = app.get_json("/api/my-notices", &()).await;
        let templates_before = app.get_json("/api/templates", &()).await["templates"].clone();
        attack(&app, &account_cases, hostile(&victim, &fabrikam)).await;
        let accounts_after: serde_json::Value =
            app.get("/api/accounts").await.json().await.unwrap();
        assert_eq!(accounts_before, accounts_after, "no account changed");
        assert_eq!(
            app.get_json("/api/my-notices", &()).await,
            notices_before,
            "no notice chosen"
        );
        assert_eq!(
            app.get_json("/api/templates", &()).await["templates"],
            templates_before,
            "no template saved"
        );

        // The connection functions: every id field and free-text field attacked, aimed at a
        // connection nobody has (or with every other field valid): 4xx, nothing changed, and
        // nothing sent anywhere.
        let connections_before: serde_json::Value =
            app.get("/api/connections").await.json().await.unwrap();
        let emulator = app.emulator_url.clone().unwrap();
        let nobody = || (s("connection"), NOBODY_ACCOUNT.to_owned());
        let connection_cases: Vec<Case> = vec![
            ("/api/catalog", false, vec![nobody()], vec!["connection"]),
            (
                "/api/catalog-refresh",
                true,
                vec![nobody()],
                vec!["connection"],
            ),
            (
                "/api/catalog-curate",
                true,
                vec![
                    nobody(),
                    (s("product_id"), s("CFQ7TTC0LF8Q")),
                    (s("sku_id"), s("0001")),
                    (s("offered"), s("on")),
                    (s("display_name"), s("Hostile")),
                    (s("existing"), s("on")),
                ],
                vec![
                    "connection",
                    "product_id",
                    "sku_id",
                    "display_name",
                    "existing",
                ],
            ),
            (
                "/api/connection-test",
                true,
                vec![nobody()],
                vec!["connection"],
            ),
            (
                "/api/connection-default",
                true,
                vec![nobody()],
                vec!["connection"],
            ),
            (
                "/api/connection-remove",
                true,
                vec![nobody()],
                vec!["connection"],
            ),
            (
                "/api/connection-give",
                true,
                vec![nobody(), (s("reseller"), s(""))],
                vec!["connection", "reseller"],
            ),
            ("/api/tenants", false, vec![nobody()], vec!["connection"]),
            (
                "/api/reconciliation",
                false,
                vec![nobody(), (s("run"), s("1"))],
                vec!["connection", "run"],
            ),
            ("/api/optimisation", false, vec![], vec!["run"]),
            (
                "/api/optimisation-apply",
                true,
                vec![(s("reductions"), format!("{contoso}/{NOBODY_ACCOUNT}/2/1"))],
                vec!["reductions"],
            ),
            (
                "/api/job-start",
                true,
                vec![(s("kind"), s("sync"))],
                vec!["kind"],
            ),
            (
                "/api/job-cancel",
                true,
                vec![(s("job"), NOBODY_ACCOUNT.to_owned())],
                vec!["job"],
            ),
            (
                "/api/job-resume",
                true,
                vec![(s("job"), NOBODY_ACCOUNT.to_owned())],
                vec!["job"],
            ),
            (
                "/api/settings-save",
                true,
                vec![
                    (s("nightly_at"), s("03:00")),
                    (s("optimise_automatic"), s("on")),
                ],
                vec!["nightly_at", "optimise_automatic"],
            ),
            (
                "/api/reconcile-apply",
                true,
                vec![
                    (
                        s("findings"),
                        format!("{contoso}/{NOBODY_ACCOUNT}/quantity"),
                    ),
                    (s("mode"), s("preview")),
                ],
                vec!["findings", "mode"],
            ),
            (
                "/api/catalog-browse",
                false,
                vec![
                    nobody(),
                    (s("country"), s("US")),
                    (s("segment"), s("commercial")),
                ],
                vec!["connection", "country", "segment"],
            ),
            (
                "/api/import-tenant",
                true,
                vec![nobody(), (s("tenant_id"), NOBODY_ACCOUNT.to_owned())],
                vec!["connection", "tenant_id"],
            ),
            (
                "/api/connection-rename",
                true,
                vec![nobody(), (s("name"), s("Renamed"))],
                vec!["connection", "name"],
            ),
            (
                "/api/connection-secret",
                true,
                vec![
                    nobody(),
                    (s("credential"), s("client_secret")),
                    (s("secret"), s("new-secret")),
                ],
                vec!["connection", "credential", "secret"],
            ),
            (
                "/api/connection-add",
                true,
                vec![
                    (s("name"), s("Hostile")),
                    (s("country"), s("US")),
                    (s("api_url"), emulator.clone()),
                    (s("login_url"), emulator.clone()),
                    (s("tenant_id"), s("hostile.onmicrosoft.com")),
                    (s("app_id"), s("hostile")),
                    (s("credential"), s("client_secret")),
                    (s("secret"), s("hostile")),
                    (s("step"), s("test")),
                ],
                vec!["country", "api_url", "login_url", "credential", "step"],
            ),
        ];
        app.clear_emulator_log().await;
        attack(&app, &connection_cases, hostile(&victim, &fabrikam)).await;
        assert_eq!(
            app.emulator_log().await,
            vec![],
            "no Test ran on hostile input"
        );
        let connections_after: serde_json::Value =
            app.get("/api/connections").await.json().await.unwrap();
        assert_eq!(
            connections_before, connections_after,
            "no connection changed"
        );
    }

    /// Each field of each case replaced by each hostile value in turn: every answer is a 4xx
    /// with a message (or 413 for the oversized ones).
    async fn attack(app: &TestApp, cases: &[Case], values: Vec<String>) {
        for (path, post, args, fields) in cases {
            for field in fields {
                for value in &values {
                    let mut attacked = args.clone();
                    attacked.retain(|(k, _)| k != field);
                    attacked.push((field.to_string(), value.clone()));
                    let r = call(app, *post, path, &attacked).await;
                    let status = r.status().as_u16();
                    let body = r.text().await.unwrap();
                    assert!(
                        (400..500).contains(&status) && (body.contains("message") || status == 413),
                        "{path} {field}={value:?}: {status} {body}"
                    );
                }
            }
        }
    }

    /// An account id nobody has.
    const NOBODY_ACCOUNT: &str = "00000000-0000-7000-8000-00000000dead";

    /// With the sandbox failing a fifth of its requests (throttling, 5xx, answers dropped after
    /// the work, slow answers past the write deadline), 100 user creations and 100 license
    /// updates: afterwards every write answered "done" happened exactly once, none answered
    /// "failed" happened, and the audit log has a success for every "done".
    #[tokio::test]
    async fn writes_under_faults_are_reported_as_they_happened() {
        let app = TestApp::spawn_with(&[("SEATWISE_WRITE_TIMEOUT_SECS", "2")]).await;
        app.sign_in_as("Customer admin").await;
        let contoso = app.customer_id("Contoso Ltd").await;
        let _ = app.get("/api/users?wait=1").await;
        app.emulator_knobs(serde_json::json!({ "fault_rate": 0.2, "slow_ms": 2500 }))
            .await;
        let mut outcomes: Vec<(String, u16)> = Vec::new();
        let app_ref = &app;
        for batch in 0..25 {
            let mut running = Vec::new();
            for i in 0..4 {
                let n = batch * 4 + i;
                let name = format!("fault.test{n:03}");
                let args = vec![
                    ("customer".to_owned(), contoso.clone()),
                    ("first_name".to_owned(), "Fault".to_owned()),
                    ("last_name".to_owned(), format!("Test {n}")),
                    ("display_name".to_owned(), format!("Fault Test {n}")),
                    ("user_name".to_owned(), name.clone()),
                    ("domain".to_owned(), "contoso.onmicrosoft.com".to_owned()),
                    ("usage_location".to_owned(), "US".to_owned()),
                ];
                running.push(async move {
                    let status = call(app_ref, true, "/api/user-create", &args)
                        .await
                        .status()
                        .as_u16();
                    (name, status)
                });
            }
            outcomes.extend(futures_util::future::join_all(running).await);
        }
        // License updates: switch one product on and off for the first user, 100 times.
        let mine: serde_json::Value = app
            .get_json(
                "/api/users",
                &[("customer", contoso.as_str()), ("search", "fault.test000")],
            )
            .await;
        let mut license_outcomes = Vec::new();
        if let Some(user) = mine["rows"][0]["id"].as_str() {
            app.emulator_knobs(serde_json::json!({})).await;
            let form: serde_json::Value = app
                .get_json(
                    "/api/user-license-form",
                    &[("customer", contoso.as_str()), ("user", user)],
                )
                .await;
            let sku = form["choices"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["available"].as_i64().unwrap() > 1)
                .unwrap()["sku_id"]
                .as_str()
                .unwrap()
                .to_owned();
            let sku = sku.as_str();
            app.emulator_knobs(serde_json::json!({ "fault_rate": 0.2, "slow_ms": 2500 }))
                .await;
            for n in 0..100 {
                let (assign, remove) = if n % 2 == 0 { (sku, "") } else { ("", sku) };
                let args = vec![
                    ("customer".to_owned(), contoso.clone()),
                    ("user".to_owned(), user.to_owned()),
                    ("assign".to_owned(), assign.to_owned()),
                    ("remove".to_owned(), remove.to_owned()),
                ];
                let status = call(&app, true, "/api/user-licenses", &args)
                    .await
                    .status()
                    .as_u16();
                license_outcomes.push(status);
                if status == 504 {
                    // Not confirmed: as the page says, wait, then look before the next change.
                    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
                }
            }
        }
        // Let changes cut off by the deadline finish on their own tasks.
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        app.emulator_knobs(serde_json::json!({})).await;

        // The truth, read from Partner Center with faults off.
        let url = app.emulator_url.clone().unwrap();
        let pc = partner_center::PartnerCenter::new(
            partner_center::PartnerCenter::http_client(),
            partner_center::ClientConfig::new(
                url.clone(),
                url,
                "partner.onmicrosoft.com",
                "app-id",
                partner_center::Credential::ClientSecret("app-secret".into()),
            ),
        );
        let users = pc
            .users(&partner_center::CustomerId::new(contoso.clone()), 500)
            .all()
            .await
            .unwrap();
        let exists = |name: &str| {
            users
                .iter()
                .filter(|u| {
                    u.user_principal_name
                        .as_deref()
                        .is_some_and(|n| n.starts_with(&format!("{name}@")))
                })
                .count()
        };
        let (mut done, mut failed, mut unconfirmed) = (0, 0, 0);
        for (name, status) in &outcomes {
            match status {
                200 => {
                    done += 1;
                    assert_eq!(exists(name), 1, "{name} answered done");
                }
                504 => {
                    unconfirmed += 1;
                    assert!(exists(name) <= 1, "{name} at most once");
                }
                _ => {
                    failed += 1;
                    assert_eq!(exists(name), 0, "{name} answered {status}");
                }
            }
        }
        assert!(
            done >= 80,
            "most creations went through: {done} done, {failed} failed, {unconfirmed} unconfirmed"
        );
        let licenses_done = license_outcomes.iter().filter(|s| **s == 200).count();
        assert!(licenses_done >= 80, "license updates: {license_outcomes:?}");
        assert!(
            license_outcomes
                .iter()
                .all(|s| matches!(s, 200 | 504 | 503 | 409)),
            "{license_outcomes:?}"
        );

        // One audit entry per change; a success for every "done".
        let store = domain::Store::open(&format!(
            "sqlite://{}/seatwise.db",
            app.dir.path().display()
        ))
        .await
        .unwrap();
        let count = |action: &'static str, outcome: &'static str| {
            let store = store.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND outcome = $2",
                )
                .bind(action)
                .bind(outcome)
                .fetch_one(store.pool())
                .await
                .unwrap();
                n as usize
            }
        };
        let created_now = outcomes.iter().filter(|(n, _)| exists(n) == 1).count();
        assert_eq!(count("user.create", "succeeded").await, created_now);
        assert_eq!(
            count("user.create", "succeeded").await + count("user.create", "failed").await,
            outcomes.len(),
            "one entry per creation"
        );
        let (ok, not) = (
            count("user.licenses", "succeeded").await,
            count("user.licenses", "failed").await,
        );
        assert!(
            ok >= licenses_done,
            "a success for every done: {ok} < {licenses_done}"
        );
        assert_eq!(
            ok + not,
            license_outcomes.len(),
            "one entry per license update"
        );
        println!(
            "creations: {done} done, {failed} failed, {unconfirmed} unconfirmed; licenses: {licenses_done} done of {}",
            license_outcomes.len()
        );
        store.close().await;
    }

    /// 200 wrong passwords at once, from 200 addresses behind a trusted proxy: at most the cap
    /// of hashes runs at a time, the rest hear "try again in a moment", and /healthz answers.
    #[tokio::test]
    async fn a_sign_in_flood_is_capped_and_the_server_keeps_answering() {
        let app = TestApp::spawn_with(&[("SEATWISE_TRUSTED_PROXIES", "127.0.0.1")]).await;
        let mut attempts = Vec::new();
        for n in 0..200u32 {
            let app = &app;
            attempts.push(async move {
                let r = app
                    .client
                    .post(app.url("/auth/sign-in"))
                    .header("origin", format!("http://{}", app.addr))
                    .header(
                        "x-forwarded-for",
                        format!("203.0.{}.{}", n / 250, n % 250 + 1),
                    )
                    .form(&[
                        ("email", "admin@seatwise.demo"),
                        ("password", "wrong password 1"),
                    ])
                    .send()
                    .await
                    .unwrap();
                header(&r, "location").to_owned()
            });
        }
        let health = async {
            let started = std::time::Instant::now();
            let r = app.get("/healthz").await;
            (r.status(), started.elapsed())
        };
        let (answers, (health, took)) =
            tokio::join!(futures_util::future::join_all(attempts), health);
        assert_eq!(health, 200);
        assert!(
            took < std::time::Duration::from_secs(5),
            "/healthz took {took:?}"
        );
        assert!(
            domain::access::hashes_peak() <= domain::access::MAX_HASHES,
            "{} hashes at once",
            domain::access::hashes_peak()
        );
        let busy = answers.iter().filter(|l| l.contains("error=busy")).count();
        let invalid = answers
            .iter()
            .filter(|l| l.contains("error=invalid"))
            .count();
        let throttled = answers
            .iter()
            .filter(|l| l.contains("error=throttled"))
            .count();
        assert_eq!(busy + invalid + throttled, 200, "{answers:?}");
        assert!(
            busy > 0 && invalid > 0,
            "busy {busy}, invalid {invalid}, throttled {throttled}"
        );
        // The owner, from their own address, is kept out for at most a minute.
        let r = app
            .client
            .post(app.url("/auth/sign-in"))
            .header("origin", format!("http://{}", app.addr))
            .header("x-forwarded-for", "198.51.100.7")
            .form(&[
                ("email", "admin@seatwise.demo"),
                ("password", DEMO_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        let location = header(&r, "location").to_owned();
        if let Some(wait) = location
            .split("wait=")
            .nth(1)
            .and_then(|w| w.split('&').next())
            .and_then(|w| w.parse::<u64>().ok())
        {
            assert!(wait <= 60, "the owner waits {wait} s");
        } else {
            assert_eq!(location, "/", "the owner signs in");
        }
        println!(
            "flood: {busy} busy, {invalid} checked, {throttled} throttled; peak {} hashes",
            domain::access::hashes_peak()
        );
    }

    /// Payloads from public open-redirect lists: every one lands on `/`.
    #[tokio::test]
    async fn sign_in_redirects_stay_on_this_site() {
        let app = TestApp::spawn().await;
        let (email, password) = app.demo("Service provider admin");
        let payloads = [
            "//evil.example",
            "///evil.example",
            "////evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/ /evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "/%09/evil.example",
            "/%2F%2Fevil.example",
            "/\u{3000}/evil.example",
            "evil.example",
            "@evil.example",
            "/.\\evil.example",
            "/\u{0}/evil.example",
        ];
        for next in payloads {
            let r = app
                .post_form(
                    "/auth/sign-in",
                    &[("email", &email), ("password", &password), ("next", next)],
                )
                .await;
            let location = header(&r, "location");
            assert!(
                location == "/"
                    || (location.starts_with('/')
                        && !location[1..].starts_with(['/', '\\'])
                        && !location
                            .chars()
                            .any(|c| c.is_control() || c.is_whitespace())),
                "{next:?} → {location:?}"
            );
            // Encoded forms that stay local are fine (/%2F%2Fevil.example is a path here).
            if !next.starts_with("/%") {
                assert_eq!(location, "/", "{next:?}");
            }
            app.post_form("/auth/sign-out", &[]).await;
        }
    }

    /// Disabling an account ends its open session on the very next request.
    #[tokio::test]
    async fn a_disabled_account_is_refused_at_once() {
        let app = TestApp::spawn().await;
        app.sign_in_as("Reseller admin").await;
        assert_eq!(app.get("/api/my-customers").await.status(), 200);
        let store = domain::Store::open(&format!(
            "sqlite://{}/seatwise.db",
            app.dir.path().display()
        ))
        .await
        .unwrap();
        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM portal_accounts WHERE email = 'reseller@seatwise.demo'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        store
            .access()
            .set_disabled(&domain::access::AccountId::new(id.clone()), true)
            .await
            .unwrap();
        let (sessions,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE account_id = $1")
                .bind(&id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(sessions, 0, "its sessions are gone");
        store.close().await;
        assert_eq!(app.get("/api/my-customers").await.status(), 403);
        let page = app.get("/users").await;
        assert_eq!(page.status(), 303, "pages send it to sign in");
    }

    /// Support may look everywhere and change nothing; the refusal names why.
    #[tokio::test]
    async fn support_is_read_only() {
        let app = TestApp::spawn().await;
        app.sign_in_as("Service provider support").await;
        let fabrikam = app.customer_id("Fabrikam Inc").await;
        let _ = app.get("/api/users?wait=1").await;
        let page: serde_json::Value = app
            .get_json("/api/users", &[("customer", fabrikam.as_str())])
            .await;
        let user = page["rows"][0]["id"].as_str().unwrap();
        let before = app.writes_applied().await;
        let r = app
            .post_form(
                "/api/user-reset-password",
                &[("customer", &fabrikam), ("user", user)],
            )
            .await;
        assert_eq!(r.status(), 403);
        let e: serde_json::Value = r.json().await.unwrap();
        assert!(
            e["message"].as_str().unwrap().contains("read-only")
                || e["message"]
                    .as_str()
                    .unwrap()
                    .contains("look but not change"),
            "{e}"
        );
        assert_eq!(app.writes_applied().await, before);
    }

    /// Demo accounts are for the sandbox: a real connection needs them removed first.
    #[tokio::test]
    async fn demo_accounts_must_go_before_a_real_connection_comes() {
        let app = TestApp::spawn().await;
        let dir = app.dir.path().to_owned();
        let add = |dir: &std::path::Path| {
            std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
                .args([
                    "connection",
                    "add",
                    "--name",
                    "Real",
                    "--tenant",
                    "partner.onmicrosoft.com",
                    "--client-id",
                    "00000000-0000-0000-0000-000000000001",
                    "--client-secret",
                    "s3cret",
                ])
                .env("SEATWISE_DATA_DIR", dir)
                .env("SEATWISE_EMULATOR", "off")
                .output()
                .unwrap()
        };
        let refused = add(&dir);
        assert!(!refused.status.success());
        let text = String::from_utf8_lossy(&refused.stderr);
        assert!(text.contains("seatwise demo remove"), "{text}");
        let removed = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
            .args(["demo", "remove"])
            .env("SEATWISE_DATA_DIR", &dir)
            .env("SEATWISE_EMULATOR", "off")
            .output()
            .unwrap();
        assert!(removed.status.success(), "{removed:?}");
        assert!(add(&dir).status.success());
        let (email, password) = app.demo("Service provider admin");
        let r = app
            .post_form(
                "/auth/sign-in",
                &[("email", &email), ("password", &password)],
            )
            .await;
        assert!(
            header(&r, "location").contains("error=invalid"),
            "the demo admin is gone"
        );
    }
}

mod accounts {
    //! Portal accounts: invitations with single-use links, scopes, disabling, own passwords.

    use super::*;

    async fn store(app: &TestApp) -> domain::Store {
        domain::Store::open(&format!(
            "sqlite://{}/seatwise.db",
            app.dir.path().display()
        ))
        .await
        .unwrap()
    }

    /// The newest invitation link in the outbox for this address.
    async fn link_for(app: &TestApp, email: &str) -> String {
        let store = store(app).await;
        let mail = store.outbox().pending(100).await.unwrap();
        store.close().await;
        let body = &mail
            .iter()
            .rev()
            .find(|m| m.recipient == email)
            .unwrap_or_else(|| panic!("no mail to {email}"))
            .body;
        let start = body.find("/set-password?token=").unwrap();
        let token: String = body[start + "/set-password?token=".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        token
    }

    async fn set_password(app: &TestApp, token: &str, password: &str) -> String {
        let r = app
            .post_form(
                "/auth/set-password",
                &[
                    ("token", token),
                    ("password", password),
                    ("confirm", password),
                ],
            )
            .await;
        header(&r, "location").to_owned()
    }

    async fn sign_in(app: &TestApp, email: &str, password: &str) -> String {
        let r = app
            .post_form("/auth/sign-in", &[("email", email), ("password", password)])
            .await;
        header(&r, "location").to_owned()
    }

    #[tokio::test]
    async fn an_invitation_sets_a_password_once_and_scopes_hold() {
        let app = TestApp::spawn().await;
        let contoso = app.customer_id("Contoso Ltd").await;
        let fabrikam = app.customer_id("Fabrikam Inc").await;
        app.sign_in_as("Service provider admin").await;
        let r = app
            .post_form(
                "/api/account-invite",
                &[
                    ("email", "Dana@Contoso.example"),
                    ("display_name", "Dana Doe"),
                    ("role", "customer_admin"),
                    ("scope_id", &contoso),
                ],
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let list: serde_json::Value = app.get("/api/accounts").await.json().await.unwrap();
        let dana = list["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["email"] == "dana@contoso.example")
            .unwrap()
            .clone();
        assert_eq!(dana["has_password"], false);
        assert_eq!(dana["scope_name"], "Contoso Ltd");
        // The same address twice is a field error.
        let again = app
            .post_form(
                "/api/account-invite",
                &[
                    ("email", "dana@contoso.example"),
                    ("display_name", "Dana"),
                    ("role", "customer_admin"),
                    ("scope_id", &contoso),
                ],
            )
            .await;
        assert_eq!(again.status(), 400);
        let e: serde_json::Value = again.json().await.unwrap();
        assert_eq!(e["field"], "email", "{e}");
        app.post_form("/auth/sign-out", &[]).await;

        let token = link_for(&app, "dana@contoso.example").await;
        assert!(set_password(&app, &token, "short")
            .await
            .contains("error=password"));
        let mismatch = app
            .post_form(
                "/auth/set-password",
                &[
                    ("token", &token),
                    ("password", "a long password 1"),
                    ("confirm", "another one 22"),
                ],
            )
            .await;
        assert!(header(&mismatch, "location").contains("error=mismatch"));
        assert_eq!(
            set_password(&app, &token, "dana's own password").await,
            "/sign-in?password_set=1"
        );
        assert!(
            set_password(&app, &token, "someone else's pass")
                .await
                .contains("error=link"),
            "a link works once"
        );
        assert!(set_password(&app, "forged-token", "dana's own password")
            .await
            .contains("error=link"));
        assert_eq!(
            sign_in(&app, "dana@contoso.example", "dana's own password").await,
            "/"
        );
        // Dana sees Contoso only.
        let mine: serde_json::Value = app.get("/api/my-customers").await.json().await.unwrap();
        assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
        // And changes her own password, proving the current one.
        let wrong = app
            .post_form(
                "/api/my-password",
                &[
                    ("current", "not it at all"),
                    ("new", "a brand new password"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), 400);
        let ok = app
            .post_form(
                "/api/my-password",
                &[
                    ("current", "dana's own password"),
                    ("new", "a brand new password"),
                ],
            )
            .await;
        assert_eq!(ok.status(), 200);
        app.post_form("/auth/sign-out", &[]).await;
        assert!(sign_in(&app, "dana@contoso.example", "dana's own password")
            .await
            .contains("error=invalid"));
        assert_eq!(
            sign_in(&app, "dana@contoso.example", "a brand new password").await,
            "/"
        );
        app.post_form("/auth/sign-out", &[]).await;

        // The reseller admin manages its own customers' accounts only.
        app.sign_in_as("Reseller admin").await;
        let list: serde_json::Value = app.get("/api/accounts").await.json().await.unwrap();
        let emails: Vec<&str> = list["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap())
            .collect();
        assert!(emails.contains(&"reseller@seatwise.demo"), "{emails:?}");
        assert!(
            !emails.contains(&"dana@contoso.example"),
            "Contoso is not the reseller's"
        );
        assert!(!emails.contains(&"admin@seatwise.demo"));
        let refused = app
            .post_form(
                "/api/account-invite",
                &[
                    ("email", "eve@contoso.example"),
                    ("display_name", "Eve"),
                    ("role", "customer_admin"),
                    ("scope_id", &contoso),
                ],
            )
            .await;
        assert_eq!(refused.status(), 403, "not the reseller's customer");
        let staff = app
            .post_form(
                "/api/account-invite",
                &[
                    ("email", "eve@reseller.example"),
                    ("display_name", "Eve"),
                    ("role", "sp_admin"),
                ],
            )
            .await;
        assert_eq!(staff.status(), 400, "a reseller cannot make staff");
        let fine = app
            .post_form(
                "/api/account-invite",
                &[
                    ("email", "frank@fabrikam.example"),
                    ("display_name", "Frank"),
                    ("role", "customer_admin"),
                    ("scope_id", &fabrikam),
                ],
            )
            .await;
        assert_eq!(fine.status(), 200);
        let dana_id = dana["id"].as_str().unwrap();
        let out_of_scope = app
            .post_form(
                "/api/account-disable",
                &[("account", dana_id), ("disabled", "true")],
            )
            .await;
        assert_eq!(out_of_scope.status(), 403);
        app.post_form("/auth/sign-out", &[]).await;

        // Disabling ends Dana's open session at once; re-enabling lets her back in.
        let dana_client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        let r = dana_client
            .post(app.url("/auth/sign-in"))
            .header("origin", format!("http://{}", app.addr))
            .form(&[
                ("email", "dana@contoso.example"),
                ("password", "a brand new password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(header(&r, "location"), "/");
        let before = dana_client
            .get(app.url("/api/my-customers"))
            .send()
            .await
            .unwrap();
        assert_eq!(before.status(), 200);
        app.sign_in_as("Service provider admin").await;
        let r = app
            .post_form(
                "/api/account-disable",
                &[("account", dana_id), ("disabled", "true")],
            )
            .await;
        assert_eq!(r.status(), 200);
        let after = dana_client
            .get(app.url("/api/my-customers"))
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 403, "her session ended");
        assert!(
            sign_in(&app, "dana@contoso.example", "a brand new password")
                .await
                .contains("error=invalid")
        );
        app.sign_in_as("Service provider admin").await;
        let me: serde_json::Value = app.get("/api/accounts").await.json().await.unwrap();
        let my_id = me["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["me"] == true)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let self_disable = app
            .post_form(
                "/api/account-disable",
                &[("account", &my_id), ("disabled", "true")],
            )
            .await;
        assert_eq!(self_disable.status(), 400, "nobody disables themselves");
        let r = app
            .post_form(
                "/api/account-disable",
                &[("account", dana_id), ("disabled", "false")],
            )
            .await;
        assert_eq!(r.status(), 200);
        // Support becomes a reseller admin: a new role, a new session.
        let support = me["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["email"] == "support@seatwise.demo")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let reseller = me["resellers"][0][0].as_str().unwrap().to_owned();
        let r = app
            .post_form(
                "/api/account-update",
                &[
                    ("account", &support),
                    ("role", "reseller_admin"),
                    ("scope_id", &reseller),
                ],
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        app.post_form("/auth/sign-out", &[]).await;
        assert_eq!(
            sign_in(&app, "dana@contoso.example", "a brand new password").await,
            "/"
        );
    }
}

/// The Connections page as a service provider admin, against an emulator over HTTP that checks
/// the secret: Test settings before adding them (nothing kept; a wrong secret fails each read
/// with 401), add, Test the stored connection (its last successful call recorded), rename, a
/// new secret, make it the default, and removal refused while customers use a connection.
#[tokio::test]
async fn connections_are_tested_added_changed_and_removed() {
    let app = TestApp::on_emulator(pc_emulator::Options {
        credentials: pc_emulator::Credentials {
            client_secret: Some("app-secret".into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let url = app.emulator_url.clone().unwrap();
    let list = || async {
        app.get("/api/connections")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()["rows"]
            .clone()
    };
    let form = |secret: &str, step: &str| {
        vec![
            ("name", "Second region".to_owned()),
            ("country", "gb".to_owned()),
            ("api_url", url.clone()),
            ("login_url", url.clone()),
            ("tenant_id", "second.onmicrosoft.com".to_owned()),
            ("app_id", "second-app".to_owned()),
            ("credential", "client_secret".to_owned()),
            ("secret", secret.to_owned()),
            ("step", step.to_owned()),
        ]
    };
    let post = |path: &'static str, args: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = app.post_form(path, &args).await;
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };

    // A wrong secret: the Test answers with every read failed, and nothing is stored.
    let (status, wrong) = post("/api/connection-add", form("wrong", "test")).await;
    assert_eq!(status, 200, "{wrong}");
    let report = &wrong["Tested"];
    assert_eq!(report["name"], "Second region");
    assert!(report["failed"].as_u64().unwrap() > 0);
    // Each read refused (the ones that depend on it are skipped, status "-").
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "401" || r["status"] == "-"),
        "{report}"
    );
    assert_eq!(
        list().await.as_array().unwrap().len(),
        1,
        "a Test keeps nothing"
    );

    // The right secret passes every read; then Add stores it.
    let (_, right) = post("/api/connection-add", form("app-secret", "test")).await;
    assert_eq!(right["Tested"]["failed"], 0, "{right}");
    assert!(right["Tested"]["passed"].as_u64().unwrap() >= 15, "{right}");
    let (status, added) = post("/api/connection-add", form("app-secret", "add")).await;
    assert_eq!(
        (status, &added["Added"]),
        (200, &serde_json::json!("Second region"))
    );
    let (status, again) = post("/api/connection-add", form("app-secret", "add")).await;
    assert_eq!(status, 400, "{again}");
    assert_eq!(again["field"], "name", "{again}");

    let rows = list().await;
    let second = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Second region")
        .unwrap()
        .clone();
    let id = second["id"].as_str().unwrap().to_owned();
    assert_eq!(second["country"], "GB");
    assert_eq!(second["last_ok"], "", "never called yet");
    assert_eq!(second["customers"], serde_json::json!([]));

    // The Test of the stored connection records its last successful call.
    let (status, tested) = post("/api/connection-test", vec![("connection", id.clone())]).await;
    assert_eq!(
        (status, &tested["failed"]),
        (200, &serde_json::json!(0)),
        "{tested}"
    );
    let after = list().await;
    let second = after
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert!(
        second["last_ok"].as_str().unwrap().ends_with("UTC"),
        "{second}"
    );

    // Rename (a taken name is refused on its field), a new secret, the default.
    let emulator_conn = after
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Emulator")
        .unwrap();
    let emulator_id = emulator_conn["id"].as_str().unwrap().to_owned();
    let (status, taken) = post(
        "/api/connection-rename",
        vec![("connection", id.clone()), ("name", "Emulator".to_owned())],
    )
    .await;
    assert_eq!(
        (status, &taken["field"]),
        (400, &serde_json::json!("name")),
        "{taken}"
    );
    let (status, _) = post(
        "/api/connection-rename",
        vec![("connection", id.clone()), ("name", "Europe".to_owned())],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        "/api/connection-secret",
        vec![
            ("connection", id.clone()),
            ("credential", "client_secret".to_owned()),
            ("secret", "wrong".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (_, failing) = post("/api/connection-test", vec![("connection", id.clone())]).await;
    assert_eq!(
        failing["rows"][0]["status"], "401",
        "the old secret is gone: {failing}"
    );
    assert_eq!(failing["name"], "Europe");
    let (status, _) = post("/api/connection-default", vec![("connection", id.clone())]).await;
    assert_eq!(status, 200);
    let rows = list().await;
    let defaults: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["is_default"] == true)
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["Europe"]);

    // Removal: refused for the connection the customers use (naming them), done for the other.
    let (status, refused) = post(
        "/api/connection-remove",
        vec![("connection", emulator_id.clone())],
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("3 customers still use"), "{message}");
    let (status, _) = post("/api/connection-remove", vec![("connection", id.clone())]).await;
    assert_eq!(status, 200);
    let names: Vec<String> = list()
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Emulator"]);

    // Every change is in the audit log under the connection's name.
    let audit = app.get("/api/audit-log").await.text().await.unwrap();
    for action in [
        "connection.add",
        "connection.rename",
        "connection.secret",
        "connection.default",
        "connection.remove",
    ] {
        assert!(audit.contains(action), "{action} audited: {audit}");
    }
}

/// Runs each named test on SQLite and again on a fresh PostgreSQL database (the flows that
/// write orders, agreements, subscriptions and the catalog).
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::TestApp::spawn().await).await
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = super::TestApp::spawn_on_postgres().await {
                        super::$name(app).await
                    }
                }
            )*
        }
    };
}

on_both_databases!(
    subscriptions_are_read_stored_and_shown_by_role,
    subscriptions_change_with_the_new_commerce_rules,
    the_catalog_is_refreshed_and_curated,
    orders_wait_for_the_agreement_and_are_placed_once,
    a_lost_checkout_answer_buys_one_subscription,
    a_discontinued_sku_cannot_be_ordered,
    the_next_term_and_the_reseller_partner_id_are_changed,
    marketplace_subscriptions_wait_for_the_publisher_then_change,
    licenses_name_the_subscriptions_behind_them,
    service_plans_are_turned_off_in_one_license_update,
    notices_are_mailed_to_those_who_chose_them,
    pages_speak_the_account_s_language_else_the_browser_s,
    what_seatwise_keeps_in_english_reads_in_french,
    plan_templates_are_kept_by_their_owners_and_applied_at_creation,
    catalogs_in_use_are_refreshed_monthly,
    one_subscription_per_customer_sends_the_buyer_to_the_existing_one,
    a_connection_given_to_a_reseller_brings_its_customers,
    the_history_tells_seatwise_from_outside,
    the_nightly_sync_runs_once_a_day_after_its_time,
    the_history_is_filtered_charted_and_exported,
    reconciliation_reports_and_corrects_what_is_chosen,
    jobs_run_once_resume_where_they_stopped_and_are_shown,
    optimisation_is_approved_reduction_by_reduction,
    auto_increase_grows_by_exactly_what_is_missing,
    optimisation_after_the_window_is_scheduled_for_renewal,
    users_from_a_file_are_checked_then_created_once,
    licenses_are_swapped_with_one_update_per_user,
    a_new_customer_tenant_is_created_and_imported,
);

/// The subscriptions page's data: each role sees the subscriptions of its own customers only;
/// in live mode a visit reads Partner Center (one call per customer) and stores what it saw; in
/// stored mode nothing is asked until someone does; a change made outside Seatwise shows after
/// a read; a customer Partner Center fails for keeps its last list and is named.
async fn subscriptions_are_read_stored_and_shown_by_role(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    let view = |query: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            let r = app
                .client
                .get(app.url("/api/subscriptions"))
                .query(query)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let reads = || async {
        app.emulator_log()
            .await
            .into_iter()
            .filter(|(_, path)| path.ends_with("/subscriptions"))
            .map(|(_, path)| path)
            .collect::<Vec<_>>()
    };
    let clear = || app.clear_emulator_log();

    // The customer admin: Contoso's subscriptions only, read live (one call), with the time.
    app.sign_in_as("Customer admin").await;
    clear().await;
    let mine = view(&[]).await;
    let rows = mine["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "{mine}");
    assert!(
        rows.iter().all(|r| r["customer"] == "Contoso Ltd"),
        "{mine}"
    );
    assert_eq!(mine["customers"].as_array().unwrap().len(), 1);
    assert!(mine["read_at"].as_str().unwrap().ends_with("UTC"), "{mine}");
    assert_eq!(reads().await.len(), 1, "one call for one customer");
    // Paging and filtering read the store.
    clear().await;
    let none = view(&[("read", "0"), ("search", "no such product")]).await;
    assert_eq!(none["matching"], 0);
    assert_eq!(reads().await, Vec::<String>::new());
    app.post_form("/auth/sign-out", &[]).await;

    // The reseller: its customers' subscriptions, not Contoso's (a direct customer).
    app.sign_in_as("Reseller admin").await;
    let theirs = view(&[]).await;
    let customers: std::collections::BTreeSet<&str> = theirs["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["customer"].as_str().unwrap())
        .collect();
    assert!(
        !customers.is_empty() && !customers.contains("Contoso Ltd"),
        "{customers:?}"
    );
    app.post_form("/auth/sign-out", &[]).await;

    // The admin makes the page read the store until asked.
    app.sign_in_as("Service provider admin").await;
    let status = app
        .post_form("/api/subscriptions-load-mode", &[("mode", "cache")])
        .await
        .status();
    assert_eq!(status, 200);
    clear().await;
    let stored = view(&[]).await;
    assert_eq!(stored["live"], false);
    assert_eq!(
        reads().await,
        Vec::<String>::new(),
        "stored mode asks nothing"
    );
    assert_eq!(
        stored["never_read"], 0,
        "the earlier visits read every customer: {stored}"
    );

    // A change made outside Seatwise: seen after a read, not before.
    let first = stored["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["customer"] == "Contoso Ltd")
        .unwrap()
        .clone();
    let id = first["id"].as_str().unwrap();
    let quantity = first["quantity"].as_i64().unwrap();
    let changed = app
        .emulator_post(
            &format!("customers/{contoso}/subscriptions/{id}"),
            serde_json::json!({ "quantity": quantity + 7 }),
        )
        .await;
    assert_eq!(changed, 200);
    let quantity_of = |page: &serde_json::Value| {
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["quantity"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        quantity_of(&view(&[]).await),
        quantity,
        "the store until asked"
    );
    clear().await;
    let read = view(&[("read", "1")]).await;
    assert_eq!(quantity_of(&read), quantity + 7);
    assert_eq!(read["never_read"], 0);
    assert_eq!(
        reads().await.len(),
        read["customers"].as_array().unwrap().len(),
        "one call each"
    );

    // The streamed read (the page's button in the browser): a line per customer.
    let streamed = app
        .post_form("/api/subscriptions-read", &[])
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<serde_json::Value> = streamed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let customers = read["customers"].as_array().unwrap().len();
    assert_eq!(
        lines[0],
        serde_json::json!({ "Started": { "customers": customers } })
    );
    assert_eq!(
        lines.iter().filter(|l| **l == "Read").count(),
        customers,
        "{streamed}"
    );
    assert_eq!(lines.last().unwrap(), "Finished");

    // Partner Center failing: every customer named, and the last lists kept.
    app.emulator_knobs(serde_json::json!({ "fault_rate": 1.0, "faults": ["server_error"] }))
        .await;
    let failing = view(&[("read", "1")]).await;
    app.emulator_knobs(serde_json::json!({})).await;
    assert!(
        failing["failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "Contoso Ltd"),
        "{failing}"
    );
    assert_eq!(failing["rows"], read["rows"], "nothing lost");
}

/// Changing a subscription as the customer admin, against the sandbox and its clock: an
/// increase applies at once; after the first 7 days a decrease is scheduled for renewal (and
/// cancelling is refused with the way out); after the renewal the scheduled quantity holds and
/// a decrease inside the new window applies at once; support may look but not change; and
/// under faults no change Partner Center accepted is reported as failed.
async fn subscriptions_change_with_the_new_commerce_rules(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    app.sign_in_as("Customer admin").await;
    let list: serde_json::Value = app.get("/api/subscriptions").await.json().await.unwrap();
    let first = &list["rows"][0];
    let id = first["id"].as_str().unwrap().to_owned();
    let start = first["quantity"].as_i64().unwrap();
    let details = || async {
        let r = app
            .client
            .get(app.url("/api/subscription"))
            .query(&[("customer", contoso.as_str()), ("id", id.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<serde_json::Value>().await.unwrap()
    };
    let change = |what: &'static str, value: String| {
        change_subscription(&app, &contoso, &id, what, value, "")
    };
    let before = details().await;
    assert_eq!(
        before["in_window"], false,
        "seeded terms started weeks ago: {before}"
    );
    assert_eq!(before["nce"], true);

    // An increase: at once, and the store follows.
    let (status, said) = change("quantity", (start + 2).to_string()).await;
    assert_eq!(status, 200, "{said}");
    assert!(!said.as_str().unwrap().contains("renewal"), "{said}");
    assert_eq!(details().await["item"]["quantity"], start + 2);
    let stored: serde_json::Value = app
        .get("/api/subscriptions?read=0")
        .await
        .json()
        .await
        .unwrap();
    let row = stored["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert_eq!(row["quantity"], start + 2, "the store follows the change");

    // A decrease after the window: scheduled for renewal; the seats stay until then.
    let (status, said) = change("quantity", (start + 1).to_string()).await;
    assert_eq!(status, 200, "{said}");
    assert!(said.as_str().unwrap().contains(" at renewal on "), "{said}");
    let scheduled = details().await;
    assert_eq!(scheduled["item"]["quantity"], start + 2);
    assert_eq!(scheduled["scheduled"], true);
    assert_eq!(
        scheduled["item"]["next_term"],
        format!("{} licenses", start + 1)
    );
    // Cancelling is refused, saying what to do instead; nothing changes.
    let (status, refused) = change("cancel", String::new()).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("Turn auto-renew off"),
        "{refused}"
    );
    assert_eq!(details().await["item"]["status"], "active");

    // The renewal: the scheduled quantity holds, and the new term's first days allow a decrease.
    let end = time::OffsetDateTime::parse(
        &format!(
            "{}T00:00:00Z",
            scheduled["item"]["commitment_end"].as_str().unwrap()
        ),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let seconds = (end - time::OffsetDateTime::now_utc()).whole_seconds() + 2 * 86_400;
    let advanced = app
        .emulator_post("clock", serde_json::json!({ "seconds": seconds }))
        .await;
    assert_eq!(advanced, 200);
    let renewed = details().await;
    assert_eq!(renewed["item"]["quantity"], start + 1, "{renewed}");
    assert_eq!(renewed["in_window"], true, "{renewed}");
    let (status, said) = change("quantity", start.to_string()).await;
    assert_eq!(status, 200, "{said}");
    assert!(!said.as_str().unwrap().contains("renewal"), "{said}");
    assert_eq!(details().await["item"]["quantity"], start);

    // Support may look, not change.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider support").await;
    assert_eq!(details().await["may_change"], false);
    let (status, _) = change("quantity", (start + 1).to_string()).await;
    assert_eq!(status, 403);
    app.post_form("/auth/sign-out", &[]).await;

    // Under faults (answers lost after the work, slow answers, 5xx): every change answered
    // "done" happened, and none answered "failed" did.
    app.sign_in_as("Customer admin").await;
    app.emulator_knobs(serde_json::json!({ "fault_rate": 0.3, "faults": ["drop", "server_error", "slow"], "slow_ms": 200 }))
        .await;
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for n in 1..=12 {
        let target = start + n;
        let (status, said) = change("quantity", target.to_string()).await;
        match status {
            200 => done.push(target),
            _ => failed.push((target, status, said)),
        }
    }
    app.emulator_knobs(serde_json::json!({})).await;
    let truth = details().await["item"]["quantity"].as_i64().unwrap();
    let last_done = done.last().copied().unwrap_or(start);
    assert!(!done.is_empty(), "some changes went through: {failed:?}");
    assert!(
        truth == last_done || failed.iter().any(|(t, s, _)| *t == truth && *s == 504),
        "Partner Center shows {truth}; done {done:?}; failed {failed:?}"
    );
    for (target, status, said) in &failed {
        assert!(
            *status == 504 || *target != truth,
            "{target} answered {status} {said} but was applied"
        );
    }
}

/// The catalog of the sandbox connection: a refresh lists every SKU of its country as new; the
/// admin offers one with a name and billing cycles (only cycles Partner Center sells it with);
/// a second refresh finds nothing new and keeps the choice; support may read but not change.
async fn the_catalog_is_refreshed_and_curated(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let page = || async {
        app.get("/api/catalog")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let empty = page().await;
    assert_eq!(empty["rows"], serde_json::json!([]));
    assert_eq!(empty["last_refresh"], "");
    let connection = empty["connection"].as_str().unwrap().to_owned();
    let c = connection.as_str();
    let r = app
        .post_form("/api/catalog-refresh", &[("connection", c)])
        .await;
    assert_eq!(r.status(), 200);
    let listed = page().await;
    let rows = listed["rows"].as_array().unwrap();
    assert!(rows.len() >= 5, "{listed}");
    assert!(rows
        .iter()
        .all(|r| r["state"] == "new" && r["offered"] == false));
    let note = listed["last_refresh"].as_str().unwrap();
    assert!(note.contains(&format!("{} new", rows.len())), "{note}");
    let sku = &rows[0];
    let cycles: Vec<&str> = sku["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let product = sku["product_id"].as_str().unwrap();
    let sku_id = sku["sku_id"].as_str().unwrap();

    // A cycle it is not sold with is refused on its field; one it is sold with is kept.
    if let Some(unsold) = ["monthly", "annual", "triennial"]
        .into_iter()
        .find(|c| !cycles.contains(c))
    {
        let form = [
            ("connection", c),
            ("product_id", product),
            ("sku_id", sku_id),
            ("offered", "on"),
            (unsold, "on"),
        ];
        let r = app.post_form("/api/catalog-curate", &form).await;
        assert_eq!(r.status(), 400);
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["field"], "billing_cycles", "{e}");
    }
    let form = [
        ("connection", c),
        ("product_id", product),
        ("sku_id", sku_id),
        ("offered", "on"),
        ("display_name", "Our plan"),
        (cycles[0], "on"),
    ];
    assert_eq!(
        app.post_form("/api/catalog-curate", &form).await.status(),
        200
    );
    let curated = page().await;
    let row = curated["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sku_id"] == sku_id && r["product_id"] == product)
        .unwrap()
        .clone();
    assert_eq!(row["offered"], true);
    assert_eq!(row["display_name"], "Our plan");
    assert_eq!(row["state"], "reviewed");
    assert_eq!(row["offered_cycles"], serde_json::json!([cycles[0]]));

    // A second refresh: nothing new, the choice kept.
    app.post_form("/api/catalog-refresh", &[("connection", c)])
        .await;
    let again = page().await;
    let note = again["last_refresh"].as_str().unwrap();
    assert!(note.contains(" 0 new, 0 discontinued"), "{note}");
    assert_eq!(again["rows"], curated["rows"]);

    // Support reads, but cannot change.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider support").await;
    assert_eq!(page().await["rows"], curated["rows"]);
    let r = app
        .post_form("/api/catalog-refresh", &[("connection", c)])
        .await;
    assert_eq!(r.status(), 403);

    // Browsing another country or segment, live: nothing is kept.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider admin").await;
    let browse = |country: &'static str, segment: &'static str| {
        let (app, c) = (&app, c.to_owned());
        async move {
            let r = app
                .client
                .get(app.url("/api/catalog-browse"))
                .query(&[
                    ("connection", c.as_str()),
                    ("country", country),
                    ("segment", segment),
                ])
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, gb) = browse("gb", "commercial").await;
    assert_eq!(status, 200, "{gb}");
    assert_eq!(gb["country"], "GB");
    assert!(gb["rows"].as_array().unwrap().len() >= 5, "{gb}");
    let (_, nowhere) = browse("ZZ", "commercial").await;
    assert_eq!(nowhere["rows"], serde_json::json!([]));
    let (_, schools) = browse("US", "education").await;
    assert_eq!(
        schools["rows"],
        serde_json::json!([]),
        "the sandbox sells to businesses"
    );
    let (status, e) = browse("US", "charity").await;
    assert_eq!((status, e["field"].as_str()), (400, Some("segment")), "{e}");
    let (status, e) = browse("U1", "commercial").await;
    assert_eq!((status, e["field"].as_str()), (400, Some("country")), "{e}");
    assert_eq!(
        page().await["rows"],
        curated["rows"],
        "browsing keeps nothing"
    );
}

/// Ordering: the curated catalog is what can be ordered; the customer agreement gates it and is
/// sent to Partner Center when recorded; the same form sent twice, even at once, is one
/// subscription, with the reseller as partner on record.
async fn orders_wait_for_the_agreement_and_are_placed_once(app: TestApp) {
    offer_premium_monthly(&app).await;

    app.sign_in_as("Reseller admin").await;
    let northwind = app.customer_id("Northwind Traders").await;
    let page = || order_page(&app, &northwind);
    let first = page().await;
    assert_eq!(first["agreement"], serde_json::Value::Null, "{first}");
    assert_eq!(first["partner"], "Northwind Partners (Partner ID 4455667)");
    let choices: Vec<&str> = first["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert!(
        choices.contains(&"CFQ7TTC0LCHC:0003:P1Y:monthly"),
        "{first}"
    );
    assert!(
        !choices.iter().any(|c| c.ends_with(":annual")),
        "only offered cycles"
    );
    let form_id = first["form_id"].as_str().unwrap().to_owned();
    let order = |form_id: String, item: &'static str, quantity: &'static str| {
        let northwind = northwind.clone();
        let app = &app;
        async move {
            let form = [
                ("form_id", form_id.as_str()),
                ("customer", northwind.as_str()),
                ("item", item),
                ("quantity", quantity),
                ("friendly_name", "Sales team"),
            ];
            app.send("/api/order-place", &form).await
        }
    };
    let count = || live_subscriptions(&app, &northwind);
    let before = count().await;

    // Not offered, or not yet agreed: refused on its field, nothing bought.
    let (status, e) = order(form_id.clone(), "CFQ7TTC0LCHC:0003:P1Y:annual", "3").await;
    assert_eq!((status, e["field"].as_str()), (400, Some("item")), "{e}");
    let (status, e) = order(form_id.clone(), "CFQ7TTC0LCHC:0003:P1Y:monthly", "3").await;
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("agreement")),
        "{e}"
    );
    let sent = app.emulator_log().await;
    assert!(
        !sent.iter().any(|(method, _)| method == "POST"),
        "nothing is sent without the agreement: {sent:?}"
    );
    let (status, e) = order(form_id.clone(), "CFQ7TTC0LCHC:0003:P1Y:monthly", "0").await;
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("quantity")),
        "{e}"
    );

    // The acceptance: a bad e-mail is refused on its field; then recorded and sent.
    let agreement = |email: &'static str| {
        let northwind = northwind.clone();
        let app = &app;
        async move {
            let form = [
                ("customer", northwind.as_str()),
                ("first_name", "Tania"),
                ("last_name", "Carr"),
                ("email", email),
                ("agreed_on", "2026-11-01"),
            ];
            app.send("/api/agreement-record", &form).await
        }
    };
    let (status, e) = agreement("tania at northwind").await;
    assert_eq!((status, e["field"].as_str()), (400, Some("email")), "{e}");
    assert_eq!(page().await["agreement"], serde_json::Value::Null);
    let (status, said) = agreement("tania@northwind.example").await;
    assert_eq!(status, 200, "{said}");
    let agreed = page().await;
    assert_eq!(agreed["agreement"]["name"], "Tania Carr");
    assert_eq!(agreed["agreement"]["agreed_on"], "2026-11-01");
    assert_eq!(agreed["agreement"]["recorded_by"], "reseller@seatwise.demo");

    // The same form twice at once, then once more: one subscription.
    let (a, b) = tokio::join!(
        order(form_id.clone(), "CFQ7TTC0LCHC:0003:P1Y:monthly", "3"),
        order(form_id.clone(), "CFQ7TTC0LCHC:0003:P1Y:monthly", "3"),
    );
    let placed = [&a, &b]
        .into_iter()
        .find(|(status, _)| *status == 200)
        .expect("one of them placed it")
        .1
        .clone();
    for (status, said) in [&a, &b] {
        assert!(
            *status == 200 || *status == 409,
            "a repeat is the same order or still being placed: {status} {said}"
        );
    }
    let subscription = placed["subscription_id"].as_str().unwrap().to_owned();
    assert!(!subscription.is_empty(), "{placed}");
    let (status, again) = order(form_id.clone(), "CFQ7TTC0LCHC:0003:P1Y:monthly", "3").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["earlier"], true);
    assert_eq!(again["subscription_id"], subscription.as_str());
    // The same form for another quantity is not a second order either.
    let (status, e) = order(form_id.clone(), "CFQ7TTC0LCHC:0003:P1Y:monthly", "4").await;
    assert_eq!((status, e["field"].as_str()), (400, Some("order")), "{e}");
    assert_eq!(count().await, before + 1);

    // Partner Center has it as ordered: quantity, name, the reseller on record.
    let details: serde_json::Value = app
        .get_json(
            "/api/subscription",
            &[
                ("customer", northwind.as_str()),
                ("id", subscription.as_str()),
            ],
        )
        .await;
    assert_eq!(details["item"]["quantity"], 3, "{details}");
    assert_eq!(details["item"]["friendly_name"], "Sales team");
    let recent = &page().await["recent"];
    assert_eq!(recent[0]["status"], "placed", "{recent}");
    assert_eq!(recent.as_array().unwrap().len(), 1);

    // The audit log has the acceptance and the order.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider admin").await;
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains("agreement.record"), "{log}");
    assert!(log.contains("subscription.order"), "{log}");

    // A customer that accepted elsewhere: found in Partner Center and recorded as such.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Customer admin").await;
    let own: serde_json::Value = app.get("/api/order-page").await.json().await.unwrap();
    assert_eq!(own["customer"], "Contoso Ltd");
    assert_eq!(own["agreement"]["recorded_by"], "Partner Center", "{own}");
    assert_eq!(own["partner"], "");
}

/// The service provider refreshes the catalog and offers Microsoft 365 Business Premium
/// (`CFQ7TTC0LCHC`, SKU `0003`) billed monthly as "Premium", then signs out; answers the
/// connection's id.
async fn offer_premium_monthly(app: &TestApp) -> String {
    app.sign_in_as("Service provider admin").await;
    let connection = offer_monthly(app, "CFQ7TTC0LCHC", "0003", "Premium").await;
    app.post_form("/auth/sign-out", &[]).await;
    connection
}

/// As the signed-in service provider: refreshes the default connection's catalog and offers
/// one SKU billed monthly; answers the connection's id.
async fn offer_monthly(app: &TestApp, product: &str, sku: &str, display_name: &str) -> String {
    let catalog: serde_json::Value = app.get("/api/catalog").await.json().await.unwrap();
    let connection = catalog["connection"].as_str().unwrap().to_owned();
    app.post_form("/api/catalog-refresh", &[("connection", &connection)])
        .await;
    let form = [
        ("connection", connection.as_str()),
        ("product_id", product),
        ("sku_id", sku),
        ("offered", "on"),
        ("display_name", display_name),
        ("monthly", "on"),
    ];
    assert_eq!(
        app.post_form("/api/catalog-curate", &form).await.status(),
        200
    );
    connection
}

/// As the signed-in service provider: offers Dynamics 365 Sales Professional and orders
/// `quantity` of it for `customer` (a product no customer has from the seeds); answers the new
/// subscription's id and the licensing SKU it grants.
async fn order_dynamics(app: &TestApp, customer: &str, quantity: &str) -> (String, String) {
    offer_monthly(app, "CFQ7TTC0LH0R", "0001", "").await;
    let page = order_page(app, customer).await;
    let (status, placed) = place_order(
        app,
        page["form_id"].as_str().unwrap(),
        customer,
        "CFQ7TTC0LH0R:0001:P1Y:monthly",
        quantity,
    )
    .await;
    assert_eq!(status, 200, "{placed}");
    let id = placed["subscription_id"].as_str().unwrap().to_lowercase();
    let table = app
        .get_json("/api/licenses", &[("customer", customer)])
        .await;
    let sku = table["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Dynamics 365 for Sales Professional")
        .unwrap_or_else(|| panic!("{table}"))["sku_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, sku)
}

/// The customer's users that have a usage location (licenses can be given to them).
async fn located_users(app: &TestApp, customer: &str) -> Vec<String> {
    let users = app
        .get_json("/api/users", &[("customer", customer), ("wait", "1")])
        .await;
    let mut located = Vec::new();
    for row in users["rows"].as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let form = app
            .get_json(
                "/api/user-license-form",
                &[("customer", customer), ("user", id)],
            )
            .await;
        if form["usage_location"].is_string() {
            located.push(id.to_owned());
        }
    }
    located
}

/// Microsoft stops selling Business Premium (`CFQ7TTC0LCHC`, SKU `0003`) in the emulator.
async fn withdraw_premium(app: &TestApp) {
    let withdrawn = app
        .emulator_post(
            "catalog/withdraw",
            serde_json::json!({ "productId": "CFQ7TTC0LCHC", "skuId": "0003" }),
        )
        .await;
    assert_eq!(withdrawn, 204);
}

/// How many subscriptions Partner Center has for the customer (read live).
async fn live_subscriptions(app: &TestApp, customer: &str) -> u64 {
    let list: serde_json::Value = app
        .get_json(
            "/api/subscriptions",
            &[("customer", customer), ("read", "1")],
        )
        .await;
    list["matching"].as_u64().unwrap()
}

/// The order page of the signed-in person's own (or the given) customer.
async fn order_page(app: &TestApp, customer: &str) -> serde_json::Value {
    app.get_json("/api/order-page", &[("customer", customer)])
        .await
}

/// Sends an order form; answers the status and the body.
async fn place_order(
    app: &TestApp,
    form_id: &str,
    customer: &str,
    item: &str,
    quantity: &str,
) -> (u16, serde_json::Value) {
    let form = [
        ("form_id", form_id),
        ("customer", customer),
        ("item", item),
        ("quantity", quantity),
    ];
    app.send("/api/order-place", &form).await
}

/// An order whose checkout answer is lost: retried by the client under the same request id it
/// is placed once; when every answer is lost it is "not confirmed", and placing the same form
/// again once Partner Center answers gives the subscription it already bought, not a second.
async fn a_lost_checkout_answer_buys_one_subscription(app: TestApp) {
    offer_premium_monthly(&app).await;
    app.sign_in_as("Customer admin").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let item = "CFQ7TTC0LCHC:0003:P1Y:monthly";
    let before = live_subscriptions(&app, &contoso).await;

    // The first answer is lost; the client's retry carries the same MS-RequestId.
    app.emulator_knobs(serde_json::json!({
        "fault_rate": 1.0, "faults": ["drop"], "fault_match": "/checkout"
    }))
    .await;
    let form = order_page(&app, &contoso).await["form_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, placed) = place_order(&app, &form, &contoso, item, "2").await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(live_subscriptions(&app, &contoso).await, before + 1);

    // Every answer is lost, repeats included: not confirmed, and said so.
    app.emulator_knobs(serde_json::json!({
        "fault_rate": 1.0, "faults": ["drop"], "fault_match": "/checkout",
        "fault_replays": true
    }))
    .await;
    let form = order_page(&app, &contoso).await["form_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, lost) = place_order(&app, &form, &contoso, item, "5").await;
    assert_eq!(status, 504, "{lost}");
    assert!(
        lost["message"]
            .as_str()
            .unwrap()
            .contains("cannot be bought twice"),
        "{lost}"
    );
    app.emulator_knobs(serde_json::json!({})).await;
    let recent = order_page(&app, &contoso).await["recent"].clone();
    assert_eq!(recent[0]["status"], "unconfirmed", "{recent}");
    // Partner Center did buy it.
    assert_eq!(live_subscriptions(&app, &contoso).await, before + 2);

    // Placed again from the same form: the subscription it bought, not a second one.
    let (status, again) = place_order(&app, &form, &contoso, item, "5").await;
    assert_eq!(status, 200, "{again}");
    assert!(
        !again["subscription_id"].as_str().unwrap().is_empty(),
        "{again}"
    );
    assert_eq!(live_subscriptions(&app, &contoso).await, before + 2);
    let recent = order_page(&app, &contoso).await["recent"].clone();
    assert_eq!(recent[0]["status"], "placed", "{recent}");
    assert_eq!(recent[0]["subscription_id"], again["subscription_id"]);
}

/// A SKU Microsoft stops selling: before our catalog knows, Partner Center refuses the cart and
/// nothing is bought; after a refresh it is flagged discontinued, no longer offered, and
/// cannot be offered again.
async fn a_discontinued_sku_cannot_be_ordered(app: TestApp) {
    let connection = offer_premium_monthly(&app).await;
    let item = "CFQ7TTC0LCHC:0003:P1Y:monthly";
    withdraw_premium(&app).await;

    app.sign_in_as("Customer admin").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let before = live_subscriptions(&app, &contoso).await;
    let page = order_page(&app, &contoso).await;
    let form = page["form_id"].as_str().unwrap();
    let (status, refused) = place_order(&app, form, &contoso, item, "1").await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no longer sells"),
        "{refused}"
    );
    assert_eq!(live_subscriptions(&app, &contoso).await, before);
    assert_eq!(
        order_page(&app, &contoso).await["recent"][0]["status"],
        "failed"
    );
    app.post_form("/auth/sign-out", &[]).await;

    // The refresh finds it gone.
    app.sign_in_as("Service provider admin").await;
    app.post_form("/api/catalog-refresh", &[("connection", &connection)])
        .await;
    let catalog: serde_json::Value = app
        .get_json("/api/catalog", &[("connection", connection.as_str())])
        .await;
    let note = catalog["last_refresh"].as_str().unwrap();
    assert!(note.contains(" 1 discontinued"), "{note}");
    let row = catalog["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["product_id"] == "CFQ7TTC0LCHC" && r["sku_id"] == "0003")
        .unwrap()
        .clone();
    assert_eq!(
        (row["state"].as_str(), row["offered"].as_bool()),
        (Some("discontinued"), Some(false))
    );
    let form = [
        ("connection", connection.as_str()),
        ("product_id", "CFQ7TTC0LCHC"),
        ("sku_id", "0003"),
        ("offered", "on"),
        ("monthly", "on"),
    ];
    let r = app.post_form("/api/catalog-curate", &form).await;
    assert_eq!(r.status(), 400);
    app.post_form("/auth/sign-out", &[]).await;

    // No longer a choice, and refused on its field when sent anyway.
    app.sign_in_as("Customer admin").await;
    let page = order_page(&app, &contoso).await;
    assert!(
        !page["choices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["value"] == item),
        "{page}"
    );
    let form = page["form_id"].as_str().unwrap();
    let (status, e) = place_order(&app, form, &contoso, item, "1").await;
    assert_eq!((status, e["field"].as_str()), (400, Some("item")), "{e}");
    assert_eq!(live_subscriptions(&app, &contoso).await, before);
}

/// The next term (another term, billing cycle or quantity at renewal) and the reseller's Partner
/// ID: offered from the SKU's terms, refused when not sold, applied by Partner Center at
/// renewal; the Partner ID is the provider's or the reseller's to change, not the customer's.
async fn the_next_term_and_the_reseller_partner_id_are_changed(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    app.sign_in_as("Customer admin").await;
    let list: serde_json::Value = app.get("/api/subscriptions").await.json().await.unwrap();
    let id = list["rows"][0]["id"].as_str().unwrap().to_owned();
    let quantity = list["rows"][0]["quantity"].as_i64().unwrap();
    let details = || async {
        app.get_json("/api/subscription", &[("customer", &contoso), ("id", &id)])
            .await
    };
    let change = |what: &'static str, value: String, next: &'static str| {
        change_subscription(&app, &contoso, &id, what, value, next)
    };
    let before = details().await;
    let offered: Vec<&str> = before["next_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t[0].as_str().unwrap())
        .collect();
    assert_eq!(
        offered,
        ["P1M:monthly", "P1Y:annual", "P1Y:monthly"],
        "{before}"
    );
    assert_eq!(before["next_term"], "P1Y:monthly");
    assert_eq!(before["may_set_partner"], false);

    // Not sold with three years: refused by Partner Center, nothing scheduled.
    let (status, said) = change("next_term", quantity.to_string(), "P3Y:triennial").await;
    assert_eq!(status, 400, "{said}");
    assert_eq!(details().await["scheduled"], false);
    // Annual billing and one more seat at renewal.
    let (status, said) = change("next_term", (quantity + 1).to_string(), "P1Y:annual").await;
    assert_eq!(status, 200, "{said}");
    assert!(said.as_str().unwrap().contains("billed annually"), "{said}");
    let scheduled = details().await;
    assert_eq!(scheduled["scheduled"], true);
    assert_eq!(scheduled["next_term"], "P1Y:annual");
    assert_eq!(scheduled["next_quantity"], quantity + 1);
    assert_eq!(
        scheduled["item"]["quantity"], quantity,
        "nothing changes before renewal"
    );

    // The customer does not change the partner on record.
    let (status, said) = change("partner_id", "4455667".into(), "").await;
    assert_eq!(status, 403, "{said}");
    app.post_form("/auth/sign-out", &[]).await;

    // The provider does; a malformed one is refused.
    app.sign_in_as("Service provider admin").await;
    assert_eq!(details().await["may_set_partner"], true);
    let (status, said) = change("partner_id", "44-55".into(), "").await;
    assert_eq!(status, 400, "{said}");
    let (status, said) = change("partner_id", "4455667".into(), "").await;
    assert_eq!(status, 200, "{said}");
    assert!(said.as_str().unwrap().contains("none → 4455667"), "{said}");
    assert_eq!(details().await["partner_id"], "4455667");

    // At renewal Partner Center applies the schedule.
    let end = scheduled["item"]["commitment_end"].as_str().unwrap();
    let end = time::Date::parse(
        end,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap()
    .midnight()
    .assume_utc();
    let seconds = (end - time::OffsetDateTime::now_utc()).whole_seconds() + 2 * 86_400;
    let advanced = app
        .emulator_post("clock", serde_json::json!({ "seconds": seconds }))
        .await;
    assert_eq!(advanced, 200);
    let renewed = details().await;
    assert_eq!(renewed["item"]["quantity"], quantity + 1, "{renewed}");
    assert_eq!(renewed["item"]["billing"], "Annual");
    assert_eq!(renewed["scheduled"], false);
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains("4455667"), "the change is audited");
}

/// Marketplace (ISV SaaS) subscriptions: on their own tab, "Action needed" with the publisher's
/// link until the set-up is finished there, unchangeable before, then changed within their own
/// rules; one ordered through Seatwise is found by its order and waits for its set-up too.
async fn marketplace_subscriptions_wait_for_the_publisher_then_change(app: TestApp) {
    let fabrikam = app.customer_id("Fabrikam Inc").await;
    app.sign_in_as("Service provider admin").await;
    let tab = |tab: &'static str| {
        let fabrikam = fabrikam.clone();
        let app = &app;
        async move {
            app.get_json(
                "/api/subscriptions",
                &[("customer", fabrikam.as_str()), ("read", "1"), ("tab", tab)],
            )
            .await
        }
    };
    let marketplace = tab("marketplace").await;
    assert_eq!(marketplace["matching"], 1, "{marketplace}");
    let row = &marketplace["rows"][0];
    assert_eq!(row["status"], "pending");
    assert_eq!(row["publisher"], "Adatum Software");
    let microsoft = tab("").await;
    assert!(microsoft["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["publisher"] != "Adatum Software"));

    let id = row["id"].as_str().unwrap().to_owned();
    let details = || async {
        app.get_json("/api/subscription", &[("customer", &fabrikam), ("id", &id)])
            .await
    };
    let change = |what: &'static str, value: &'static str| {
        change_subscription(&app, &fabrikam, &id, what, value.to_owned(), "")
    };
    let pending = details().await;
    assert_eq!(pending["pending_setup"], true, "{pending}");
    let link = pending["publisher_link"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&format!(
            "{}/_emulator/publisher/",
            app.emulator_url.as_ref().unwrap()
        )),
        "{link}"
    );
    let (status, said) = change("quantity", "6").await;
    assert_eq!(status, 400, "{said}");
    assert!(
        said["message"]
            .as_str()
            .unwrap()
            .contains("publisher's site"),
        "{said}"
    );

    // The customer finishes the set-up on the publisher's site.
    let finished = app.client.post(&link).send().await.unwrap();
    assert_eq!(finished.status(), 200);
    let active = details().await;
    assert_eq!(active["pending_setup"], false, "{active}");
    assert_eq!(active["publisher_link"], "");
    assert_eq!(active["item"]["status"], "active");
    let (status, said) = change("quantity", "6").await;
    assert_eq!(status, 200, "{said}");
    let (status, said) = change("suspend", "").await;
    assert_eq!(status, 400, "{said}");
    // Bought two days ago: its one-day cancellation window has closed.
    let (status, said) = change("cancel", "").await;
    assert_eq!(status, 400, "{said}");
    assert!(
        said["message"]
            .as_str()
            .unwrap()
            .contains("window has closed"),
        "{said}"
    );
    let (status, said) = change("auto_renew", "off").await;
    assert_eq!(status, 200, "{said}");

    // Ordered through Seatwise: the order answers without the subscription, which is found.
    offer_monthly(&app, "DZH318Z0BXWC", "0002", "").await;
    let page = order_page(&app, &fabrikam).await;
    let (status, placed) = place_order(
        &app,
        page["form_id"].as_str().unwrap(),
        &fabrikam,
        "DZH318Z0BXWC:0002:P1M:monthly",
        "2",
    )
    .await;
    assert_eq!(status, 200, "{placed}");
    let new_id = placed["subscription_id"].as_str().unwrap().to_owned();
    assert!(!new_id.is_empty(), "{placed}");
    let new = app
        .get_json(
            "/api/subscription",
            &[("customer", &fabrikam), ("id", &new_id)],
        )
        .await;
    assert_eq!(new["pending_setup"], true, "{new}");
    assert_eq!(new["item"]["quantity"], 2);
}

/// Sends one change of a subscription; answers the status and the body.
async fn change_subscription(
    app: &TestApp,
    customer: &str,
    id: &str,
    change: &str,
    value: String,
    next: &str,
) -> (u16, serde_json::Value) {
    let form = [
        ("customer", customer),
        ("id", id),
        ("change", change),
        ("value", value.as_str()),
        ("next", next),
    ];
    app.send("/api/subscription-change", &form).await
}

/// The licenses table names the subscriptions behind each licensing SKU from the catalog's record
/// of what each SKU grants (the directory names Dynamics 365 Sales Professional differently from
/// the catalog), and license changes record those subscriptions.
async fn licenses_name_the_subscriptions_behind_them(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let (dynamics, sku) = order_dynamics(&app, &contoso, "2").await;
    let table = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    let row = table["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["sku_id"] == sku.as_str())
        .unwrap_or_else(|| panic!("{table}"))
        .clone();
    assert_eq!(row["subscriptions"], serde_json::json!([dynamics]), "{row}");
    // Every other product still finds its subscriptions.
    assert!(table["products"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| !p["subscriptions"].as_array().unwrap().is_empty()));

    // A license of it given to a user names the subscription in the license changes.
    let user = located_users(&app, &contoso)
        .await
        .into_iter()
        .next()
        .expect("a user with a usage location");
    let form = [
        ("customer", contoso.as_str()),
        ("user", user.as_str()),
        ("assign", sku.as_str()),
        ("remove", ""),
    ];
    let (status, said) = app.send("/api/user-licenses", &form).await;
    assert_eq!(status, 200, "{said}");
    let table = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    let change = &table["changes"][0];
    assert_eq!(
        change["product"], "Dynamics 365 for Sales Professional",
        "{table}"
    );
    assert_eq!(change["subscriptions"], serde_json::json!([dynamics]));
    // And in the subscription history, as a kind of its own.
    let history = app.get_json("/api/history", &[("kind", "license")]).await;
    let entry = &history["rows"][0];
    assert_eq!(entry["subscription_id"], dynamics.as_str(), "{history}");
    assert!(
        entry["what"].as_str().unwrap().starts_with("License +1 "),
        "{entry}"
    );
}

/// Service plans: a license given with a plan off (one license update), shown on the user's
/// row, counted on the licenses table, turned back on without a second seat; bad plans refused
/// with nothing sent.
async fn service_plans_are_turned_off_in_one_license_update(app: TestApp) {
    async fn updates(app: &TestApp) -> usize {
        app.emulator_log()
            .await
            .into_iter()
            .filter(|(m, p)| m == "POST" && p.ends_with("/licenseupdates"))
            .count()
    }
    app.sign_in_as("Customer admin").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let form_of = |user: String| {
        let (app, contoso) = (&app, contoso.clone());
        async move {
            app.get_json(
                "/api/user-license-form",
                &[("customer", contoso.as_str()), ("user", user.as_str())],
            )
            .await
        }
    };
    // A user with a location, and a license with two plans or more it does not hold.
    let mut found = None;
    for user in located_users(&app, &contoso).await {
        let form = form_of(user.clone()).await;
        let choice = form["choices"].as_array().unwrap().iter().find(|c| {
            c["assigned"] == false
                && c["available"].as_i64().unwrap() > 0
                && c["plans"].as_array().unwrap().len() >= 2
        });
        if let Some(choice) = choice {
            found = Some((user, choice.clone()));
            break;
        }
    }
    let (user, choice) = found.expect("a user and a license with plans");
    let sku = choice["sku_id"].as_str().unwrap().to_owned();
    let plans = choice["plans"].as_array().unwrap().clone();
    assert!(plans.iter().all(|p| p["on"] == true), "{choice}");
    let (first, first_name) = (
        plans[0]["id"].as_str().unwrap().to_owned(),
        plans[0]["name"].as_str().unwrap().to_owned(),
    );
    let send = |assign: String, remove: String, plans: String| {
        let (app, contoso, user) = (&app, contoso.clone(), user.clone());
        async move {
            let form = [
                ("customer", contoso.as_str()),
                ("user", user.as_str()),
                ("assign", assign.as_str()),
                ("remove", remove.as_str()),
                ("plans", plans.as_str()),
            ];
            app.send("/api/user-licenses", &form).await
        }
    };

    // Refused, nothing sent: a plan not of the license, plans for a license neither held nor
    // given, plans for a license being taken, plans given twice, and a malformed list.
    app.clear_emulator_log().await;
    let unknown = "0badc0de-0000-4000-8000-000000000000";
    let table = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    let other = table["products"]
        .as_array()
        .unwrap_or_else(|| panic!("{table}"))
        .iter()
        .map(|p| p["sku_id"].as_str().unwrap().to_owned())
        .find(|s| *s != sku)
        .unwrap();
    for (assign, remove, bad) in [
        (sku.clone(), String::new(), format!("{sku}={unknown}")),
        (sku.clone(), String::new(), format!("{other}={first}")),
        (String::new(), sku.clone(), format!("{sku}={first}")),
        (sku.clone(), String::new(), format!("{sku}={first};{sku}=")),
        (sku.clone(), String::new(), format!("{sku}:{first}")),
        (sku.clone(), String::new(), format!("{sku}=../{first}")),
    ] {
        let (status, said) = send(assign, remove, bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {said}");
        assert_eq!(said["field"], "plans", "{bad}: {said}");
        assert!(!said["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(updates(&app).await, 0, "nothing reached Partner Center");

    // The users list, read in full as the page does; then given with its first plan off: one
    // license update carries both.
    app.refresh_users(&[("customer", contoso.as_str())]).await;
    let before = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    let row_of = |table: &serde_json::Value| {
        table["products"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["sku_id"] == sku.as_str())
            .unwrap()
            .clone()
    };
    let (status, said) = send(sku.clone(), String::new(), format!("{sku}={first}")).await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(updates(&app).await, 1);
    let form = form_of(user.clone()).await;
    let mine = form["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["sku_id"] == sku.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["assigned"], true);
    let on: Vec<bool> = mine["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["on"].as_bool().unwrap())
        .collect();
    assert!(!on[0], "{mine}");
    assert!(on[1..].iter().all(|o| *o), "{mine}");
    // The users list names the plan off on the user's license.
    let users = app
        .get_json(
            "/api/users",
            &[("customer", contoso.as_str()), ("sku", sku.as_str())],
        )
        .await;
    let row = users["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == user.as_str())
        .unwrap_or_else(|| panic!("{users}"))
        .clone();
    let tag = row["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == choice["name"])
        .unwrap_or_else(|| panic!("{row}"))
        .clone();
    assert_eq!(tag["plans_off"], serde_json::json!([first_name]), "{row}");
    // The licenses table counts the user, lists the plans, and the seat was used once.
    let after = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    let (b, a) = (row_of(&before), row_of(&after));
    assert_eq!(
        a["assigned"].as_i64(),
        b["assigned"].as_i64().map(|n| n + 1)
    );
    assert_eq!(
        a["users_with_plans_off"].as_i64(),
        b["users_with_plans_off"].as_i64().map(|n| n + 1)
    );
    assert_eq!(a["plans"].as_array().unwrap().len(), plans.len());
    let changes = after["changes"].as_array().unwrap().len();

    // Every plan back on, the license kept: no second seat, no license change recorded.
    let (status, said) = send(String::new(), String::new(), format!("{sku}=")).await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(updates(&app).await, 2);
    let form = form_of(user.clone()).await;
    assert!(form["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["sku_id"] == sku.as_str())
        .unwrap()["plans"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["on"] == true));
    let last = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    assert_eq!(row_of(&last)["assigned"], a["assigned"]);
    assert_eq!(
        row_of(&last)["users_with_plans_off"],
        b["users_with_plans_off"]
    );
    assert_eq!(last["changes"].as_array().unwrap().len(), changes);

    // A cache that believes the user holds a license Partner Center does not (taken outside
    // Seatwise since): setting its plans is refused, never a license given anew.
    let form = form_of(user.clone()).await;
    let not_held = form["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["assigned"] == false)
        .map(|c| c["sku_id"].as_str().unwrap().to_owned())
        .expect("a license the user does not hold");
    let store = app.store().await;
    sqlx::query(
        "INSERT INTO directory_user_licenses (customer_id, user_id, sku_id) VALUES ($1, $2, $3)",
    )
    .bind(contoso.to_lowercase())
    .bind(user.to_lowercase())
    .bind(&not_held)
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    let (status, said) = send(String::new(), String::new(), format!("{not_held}=")).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("plans")),
        "{said}"
    );
    assert_eq!(updates(&app).await, 2, "nothing sent");
    // The audit names the plans.
    app.sign_in_as("Service provider admin").await;
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains(&format!("plans off: [{first}]")), "{log}");
}

/// English and French: a page is in the language the account chose, else the first of the
/// browser's that Seatwise speaks, else English; server functions' errors too; a language
/// that is not offered is refused and changes nothing.
async fn pages_speak_the_account_s_language_else_the_browser_s(app: TestApp) {
    let page = |accept: Option<&'static str>| {
        let app = &app;
        async move {
            let mut request = app.client.get(app.url("/account"));
            if let Some(accept) = accept {
                request = request.header("accept-language", accept);
            }
            request.send().await.unwrap().text().await.unwrap()
        }
    };
    app.sign_in_as("Customer admin").await;
    // The browser's language.
    let html = page(Some("fr-CA,fr;q=0.9,en;q=0.5")).await;
    assert!(html.contains("<html lang=\"fr\""), "{}", &html[..200]);
    assert!(
        html.contains("Mon compte") && html.contains("Utilisateurs"),
        "French words"
    );
    assert!(html.contains("Administrateur client"), "the role in French");
    let html = page(Some("de-DE,en;q=0.8")).await;
    assert!(html.contains("<html lang=\"en\"") && html.contains("My account"));
    let html = page(None).await;
    assert!(
        html.contains("<html lang=\"en\""),
        "English without a header"
    );
    // A language that is not offered: refused on its field, in the reader's language, and
    // nothing changes.
    let refused = app
        .client
        .post(app.url("/api/my-language-save"))
        .header("origin", format!("http://{}", app.addr))
        .header("accept-language", "fr")
        .form(&[("language", "de")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let said: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(said["field"], "language", "{said}");
    assert!(
        said["message"].as_str().unwrap().contains("Choisissez"),
        "{said}"
    );
    assert!(
        page(None).await.contains("<html lang=\"en\""),
        "nothing chosen"
    );
    // The account's choice comes before the browser's, on every request.
    let (status, said) = app
        .send("/api/my-language-save", &[("language", "fr")])
        .await;
    assert_eq!(status, 200, "{said}");
    assert!(page(None).await.contains("<html lang=\"fr\""));
    assert!(page(Some("en-GB")).await.contains("<html lang=\"fr\""));
    // The domain's messages too (it words them in English).
    let (status, said) = app
        .send("/api/my-password", &[("current", ""), ("new", "short")])
        .await;
    assert_eq!(status, 400, "{said}");
    assert_eq!(
        said["message"], "Utilisez de 12 à 256 caractères, sans caractères de contrôle.",
        "{said}"
    );
    // What the person sends is in their language too: a password notice.
    let users = app.get_json("/api/users", &[("wait", "1")]).await;
    let user = &users["rows"][0];
    let (status, said) = app
        .send(
            "/api/user-reset-password",
            &[
                ("customer", user["customer_id"].as_str().unwrap()),
                ("user", user["id"].as_str().unwrap()),
                ("notify", "helpdesk@partner.example"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{said}");
    let store = app.store().await;
    let mail = store.outbox().pending(100).await.unwrap();
    store.close().await;
    let notice = mail
        .iter()
        .find(|m| m.recipient == "helpdesk@partner.example")
        .expect("the notice is queued");
    assert!(
        notice
            .subject
            .starts_with("Votre mot de passe Microsoft 365 pour"),
        "{}",
        notice.subject
    );
    assert!(notice.body.contains("Mot de passe :"), "{}", notice.body);
    // Back to the browser's.
    let (status, said) = app.send("/api/my-language-save", &[("language", "")]).await;
    assert_eq!(status, 200, "{said}");
    assert!(page(Some("en-GB")).await.contains("<html lang=\"en\""));
    assert!(page(Some("fr")).await.contains("<html lang=\"fr\""));
    // Another account is not touched by this one's choice.
    app.sign_in_as("Reseller admin").await;
    assert!(page(None).await.contains("<html lang=\"en\""));
    // Audited.
    app.sign_in_as("Service provider admin").await;
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains("account.language"), "{log}");
}

/// What Seatwise keeps in English (the history's values and who made a change, what a
/// reconciliation finds, the domain's messages with values) reads in the reader's language.
async fn what_seatwise_keeps_in_english_reads_in_french(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    app.sign_in_as("Service provider admin").await;
    let (status, said) = app
        .send("/api/my-language-save", &[("language", "fr")])
        .await;
    assert_eq!(status, 200, "{said}");
    // A first read: every subscription seen for the first time, with its term and status.
    let read = app
        .get_json(
            "/api/subscriptions",
            &[("read", "1"), ("customer", &contoso)],
        )
        .await;
    let first = &read["rows"][0];
    let id = first["id"].as_str().unwrap().to_owned();
    let quantity = first["quantity"].as_i64().unwrap();
    // A change made outside Seatwise, found by the next read.
    let changed = app
        .emulator_post(
            &format!("customers/{contoso}/subscriptions/{id}"),
            serde_json::json!({ "quantity": quantity + 2 }),
        )
        .await;
    assert_eq!(changed, 200);
    app.get_json(
        "/api/subscriptions",
        &[("read", "1"), ("customer", &contoso)],
    )
    .await;
    let history = app
        .get_json(
            "/api/history",
            &[("customer", contoso.as_str()), ("subscription", &id)],
        )
        .await;
    let rows = history["rows"].as_array().unwrap();
    let what: Vec<&str> = rows.iter().map(|r| r["what"].as_str().unwrap()).collect();
    let seen = what
        .iter()
        .find(|w| w.starts_with("Vu pour la première fois : "))
        .unwrap_or_else(|| panic!("{what:?}"));
    assert!(
        seen.ends_with(", actif") && (seen.contains(" an, ") || seen.contains(" mois, ")),
        "term, cycle and status in French: {seen}"
    );
    assert!(!seen.contains("P1Y") && !seen.contains("active"), "{seen}");
    let change = format!("quantité : {quantity} → {}", quantity + 2);
    assert!(what.contains(&change.as_str()), "{what:?}");
    let outside = rows
        .iter()
        .find(|r| r["field"] == "quantity")
        .expect("the change is in the history");
    assert_eq!(outside["actor_words"], "Partner Center (hors de Seatwise)");
    // The "who" filter keeps the actor as the history does.
    assert_eq!(outside["actor"], "Partner Center (outside Seatwise)");
    let theirs = app
        .get_json(
            "/api/history",
            &[("who", outside["actor"].as_str().unwrap())],
        )
        .await;
    assert!(theirs["matching"].as_i64().unwrap() > 0, "{theirs}");
    // A message of the domain with a value.
    let form = [
        ("customer", contoso.as_str()),
        ("id", id.as_str()),
        ("change", "quantity"),
        ("value", &(quantity + 2).to_string()),
    ];
    let (status, said) = app.send("/api/subscription-change", &form).await;
    assert_eq!(status, 400, "{said}");
    assert_eq!(
        said["message"],
        format!("La quantité est déjà {}.", quantity + 2),
        "{said}"
    );
    // The same history in English for an account that reads English.
    app.sign_in_as("Service provider support").await;
    let history = app
        .get_json(
            "/api/history",
            &[("customer", contoso.as_str()), ("subscription", &id)],
        )
        .await;
    let what: Vec<&str> = history["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["what"].as_str().unwrap())
        .collect();
    assert!(
        what.iter()
            .any(|w| w.starts_with("Seen for the first time: ") && w.ends_with(", active")),
        "{what:?}"
    );
}

/// E-mail notices: each account chooses what it is told (only what its role can act on); a
/// subscription change, a renewal without auto-renew (once), a failed job and an optimisation
/// waiting for approval are mailed through the outbox to those who chose them and may see the
/// customer, and to nobody else.
async fn notices_are_mailed_to_those_who_chose_them(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    let choose = |role: &'static str, fields: &'static [&'static str]| {
        let app = &app;
        async move {
            app.sign_in_as(role).await;
            let form: Vec<(&str, &str)> = fields.iter().map(|f| (*f, "on")).collect();
            let (status, said) = app.send("/api/my-notices-save", &form).await;
            assert_eq!(status, 200, "{role}: {said}");
            app.get_json("/api/my-notices", &()).await
        }
    };
    // Nothing is chosen at first; a reseller is not offered the optimisation notice, and a
    // choice of it is left out.
    app.sign_in_as("Reseller admin").await;
    let offered = app.get_json("/api/my-notices", &()).await;
    let fields: Vec<&str> = offered
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["subscription", "renewal", "job_failed"],
        "{offered}"
    );
    assert!(offered
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["chosen"] == false));
    let mine = choose(
        "Reseller admin",
        &["subscription", "renewal", "job_failed", "optimisation"],
    )
    .await;
    assert!(
        mine.as_array().unwrap().iter().all(|n| n["chosen"] == true),
        "{mine}"
    );
    choose("Service provider support", &["subscription"]).await;
    choose("Service provider admin", &["optimisation", "job_failed"]).await;
    choose("Customer admin", &["subscription", "renewal"]).await;
    let mails = |to: &'static str| {
        let app = &app;
        async move {
            let store = app.store().await;
            let mail: Vec<_> = store
                .outbox()
                .pending(1000)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.recipient == to)
                .collect();
            store.close().await;
            mail
        }
    };
    let (reseller, support, admin, customer) = (
        "reseller@seatwise.demo",
        "support@seatwise.demo",
        "admin@seatwise.demo",
        "it@contoso.demo",
    );
    // A quantity change of the signed-in person's first subscription (of `company`).
    let raise = |company: &'static str| {
        let app = &app;
        async move {
            let list = app.get_json("/api/subscriptions", &[("read", "1")]).await;
            let row = list["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["customer"] == company)
                .unwrap_or_else(|| panic!("{list}"))
                .clone();
            let (id, customer) = (
                row["id"].as_str().unwrap(),
                row["customer_id"].as_str().unwrap(),
            );
            let quantity = row["quantity"].as_i64().unwrap();
            let more = (quantity + 1).to_string();
            let (status, said) = change_subscription(app, customer, id, "quantity", more, "").await;
            assert_eq!(status, 200, "{said}");
            (id.to_owned(), format!("{quantity} → {}", quantity + 1))
        }
    };

    // Support reads Seatwise in French for a while: its mails are in French, each reader's
    // in their own language.
    app.sign_in_as("Service provider support").await;
    let (status, said) = app
        .send("/api/my-language-save", &[("language", "fr")])
        .await;
    assert_eq!(status, 200, "{said}");

    // Contoso's (a direct customer) change by its admin: told to support and to Contoso's
    // admin, not to the reseller, who cannot see Contoso, nor to the admin, who did not choose.
    app.sign_in_as("Customer admin").await;
    let (id, words) = raise("Contoso Ltd").await;
    for to in [support, customer] {
        let got = mails(to).await;
        assert_eq!(got.len(), 1, "{to}: {got:?}");
        assert!(got[0].body.contains(&words), "{}", got[0].body);
        if to == support {
            assert_eq!(
                got[0].subject.split(" : ").next(),
                Some("Contoso Ltd"),
                "{got:?}"
            );
            assert!(got[0].subject.ends_with(" modifié"), "{got:?}");
            assert!(got[0].body.contains("par it@contoso.demo via Seatwise"));
            assert!(got[0].body.contains("Mon compte"), "how to stop it");
            continue;
        }
        assert!(got[0].subject.starts_with("Contoso Ltd: "), "{got:?}");
        assert!(got[0].subject.ends_with(" changed"), "{got:?}");
        assert!(got[0].body.contains("by it@contoso.demo through Seatwise"));
        assert!(got[0].body.contains("My account"), "how to stop it");
    }
    app.sign_in_as("Service provider support").await;
    let (status, said) = app.send("/api/my-language-save", &[("language", "")]).await;
    assert_eq!(status, 200, "{said}");
    assert!(
        mails(reseller).await.is_empty(),
        "not the reseller's customer"
    );
    assert!(mails(admin).await.is_empty(), "the admin did not choose it");

    // Fabrikam's (the reseller's customer) change by the reseller: told to the reseller and
    // support; Contoso's admin hears nothing of it.
    app.sign_in_as("Reseller admin").await;
    let (_, words) = raise("Fabrikam Inc").await;
    let got = mails(reseller).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].subject.starts_with("Fabrikam Inc: "), "{got:?}");
    assert!(got[0].body.contains(&words), "{}", got[0].body);
    assert_eq!(mails(support).await.len(), 2);
    assert_eq!(mails(customer).await.len(), 1);

    // Contoso's auto-renew off: the renewal is told once to Contoso's admin, however often the
    // check runs.
    app.sign_in_as("Customer admin").await;
    let (status, said) =
        change_subscription(&app, &contoso, &id, "auto_renew", "off".into(), "").await;
    assert_eq!(status, 200, "{said}");
    let store = app.store().await;
    let year = 400 * 24 * 3_600_000;
    let now = domain::time::now_millis();
    let told = domain::notifications::renewals_due(store.pool(), now, year)
        .await
        .unwrap();
    assert!(told >= 1, "{told}");
    assert_eq!(
        domain::notifications::renewals_due(store.pool(), now, year)
            .await
            .unwrap(),
        0,
        "once"
    );
    store.close().await;
    let renewal = |to: &'static str| {
        let mails = &mails;
        async move {
            mails(to)
                .await
                .into_iter()
                .filter(|m| m.subject.contains("auto-renew is off"))
                .collect::<Vec<_>>()
        }
    };
    let to_customer = renewal(customer).await;
    assert!(!to_customer.is_empty(), "told to Contoso's admin");
    assert!(to_customer
        .iter()
        .all(|m| m.subject.starts_with("Contoso Ltd: ")));
    assert!(
        renewal(support).await.is_empty(),
        "support did not choose renewals"
    );

    // A sync that fails for every customer: the job's failure goes to the service provider's
    // admin (a job of no one customer is not a reseller's).
    app.sign_in_as("Service provider admin").await;
    app.emulator_knobs(serde_json::json!({ "fault_rate": 1.0, "faults": ["server_error"] }))
        .await;
    let (status, job) = app.send("/api/job-start", &[("kind", "sync")]).await;
    assert_eq!(status, 200, "{job}");
    let job = finished_job(&app, job.as_str().unwrap()).await;
    app.emulator_knobs(serde_json::json!({})).await;
    assert_eq!(job.status, domain::jobs::JobStatus::Failed, "{job:?}");
    let failed: Vec<_> = mails(admin)
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Seatwise job failed"))
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].body.contains("Sync of every subscription"));
    assert!(mails(reseller)
        .await
        .iter()
        .all(|m| !m.subject.starts_with("Seatwise job failed")));

    // The nightly optimisation waiting for approval: told to the admin who chose it.
    let report = app.get_json("/api/optimisation", &[("run", "1")]).await;
    assert!(
        !report["reductions"].as_array().unwrap().is_empty(),
        "the demo has licenses to give back: {report}"
    );
    let (status, job) = app.send("/api/job-start", &[("kind", "optimise")]).await;
    assert_eq!(status, 200, "{job}");
    finished_job(&app, job.as_str().unwrap()).await;
    let waiting: Vec<_> = mails(admin)
        .await
        .into_iter()
        .filter(|m| {
            m.subject
                .starts_with("License optimisation waits for approval")
        })
        .collect();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(mails(reseller)
        .await
        .iter()
        .all(|m| !m.subject.starts_with("License optimisation")));
}

/// Plan templates: the service provider's admin keeps the provider's, a reseller's admin its
/// own; bad ones are refused on their field; a customer admin applies the provider's (not a
/// reseller's it does not belong to) when creating a user: the licenses with their plans off and
/// the role are given once the user exists.
async fn plan_templates_are_kept_by_their_owners_and_applied_at_creation(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    // The licenses a template can hold are those the customers have (read into the cache).
    app.sign_in_as("Service provider admin").await;
    app.refresh_users(&[]).await;
    let page = app.get_json("/api/templates", &()).await;
    assert_eq!(page["can_keep"], true);
    assert!(page["templates"].as_array().unwrap().is_empty());
    let contoso_skus: Vec<String> = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku_id"].as_str().unwrap().to_owned())
        .collect();
    let offer = page["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["plans"].as_array().unwrap().len() >= 2
                && contoso_skus.contains(&l["sku_id"].as_str().unwrap().to_owned())
        })
        .unwrap_or_else(|| panic!("{page}"))
        .clone();
    let sku = offer["sku_id"].as_str().unwrap().to_owned();
    let plan = offer["plans"][1][0].as_str().unwrap().to_owned();
    assert!(page["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "User Administrator"));
    let save = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.send("/api/template-save", &form).await
        }
    };
    let sales = |name: &str| {
        vec![
            ("name", name.to_owned()),
            ("licenses", format!("{sku}={plan}")),
            ("usage_location", "FR".to_owned()),
            ("role", "User Administrator".to_owned()),
        ]
    };
    // Refused on their field, nothing saved.
    let with = |n: usize, value: String| {
        let mut f = sales("Sales");
        f[n].1 = value;
        f
    };
    let unknown = "0badc0de-0000-4000-8000-000000000000";
    for (bad, field) in [
        (sales(" "), "name"),
        (with(1, format!("{unknown}=")), "licenses"),
        (with(1, format!("{sku}={unknown}")), "licenses"),
        (with(1, format!("{sku}=;{sku}=")), "licenses"),
        (with(2, "France".into()), "usage_location"),
        (with(3, "x\u{7}".into()), "role"),
    ] {
        let (status, said) = save(bad).await;
        assert_eq!(status, 400, "{said}");
        assert_eq!(said["field"], field, "{said}");
    }
    assert!(app.get_json("/api/templates", &()).await["templates"]
        .as_array()
        .unwrap()
        .is_empty());
    let (status, provider_id) = save(sales("Sales")).await;
    assert_eq!(status, 200, "{provider_id}");
    let provider_id = provider_id.as_str().unwrap().to_owned();
    let (status, said) = save(sales("sales")).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("name")),
        "a name once"
    );

    // The reseller sees it but keeps its own; it cannot delete or change the provider's.
    app.sign_in_as("Reseller admin").await;
    let page = app.get_json("/api/templates", &()).await;
    let listed = page["templates"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["editable"], false);
    assert_eq!(listed[0]["owner"], "Service provider");
    let reseller_sku = page["licenses"][0]["sku_id"].as_str().unwrap().to_owned();
    let (status, reseller_id) = save(vec![
        ("name", "Sales".to_owned()),
        ("licenses", format!("{reseller_sku}=")),
    ])
    .await;
    assert_eq!(status, 200, "the same name, another owner: {reseller_id}");
    let reseller_id = reseller_id.as_str().unwrap().to_owned();
    let (status, _) = app
        .send("/api/template-delete", &[("id", provider_id.as_str())])
        .await;
    assert_eq!(status, 404);
    let mut edit = sales("Taken over");
    edit.push(("id", provider_id.clone()));
    let (status, said) = save(edit).await;
    assert_eq!(status, 400, "{said}");

    // Contoso (a direct customer) is offered the provider's template, not the reseller's.
    app.sign_in_as("Customer admin").await;
    let offered = app
        .get_json("/api/customer-templates", &[("customer", &contoso)])
        .await;
    let ids: Vec<&str> = offered
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [provider_id.as_str()], "{offered}");
    let create = |user: &'static str, template: String| {
        let (app, contoso) = (&app, contoso.clone());
        async move {
            let form = [
                ("customer", contoso.as_str()),
                ("first_name", "Tem"),
                ("last_name", "Plate"),
                ("display_name", "Tem Plate"),
                ("user_name", user),
                ("domain", "contoso.onmicrosoft.com"),
                ("usage_location", "US"),
                ("template", template.as_str()),
            ];
            app.send("/api/user-create", &form).await
        }
    };
    let (status, said) = create("tem.reseller", reseller_id.clone()).await;
    assert_eq!(status, 404, "another's template, nothing created: {said}");
    let (status, said) = create("tem.plate", provider_id.clone()).await;
    assert_eq!(status, 200, "{said}");
    let note = said["template_note"].as_str().unwrap_or_default();
    assert!(
        note.starts_with("Template Sales: Given: licenses "),
        "{note}"
    );
    assert!(note.contains("role User Administrator"), "{note}");
    // The user has the license with the plan off, and the role.
    let users = app.get_json("/api/users", &[("search", "tem.plate")]).await;
    let row = &users["rows"][0];
    assert_eq!(
        row["user_principal_name"],
        "tem.plate@contoso.onmicrosoft.com"
    );
    let user = row["id"].as_str().unwrap().to_owned();
    let form = app
        .get_json(
            "/api/user-license-form",
            &[("customer", contoso.as_str()), ("user", user.as_str())],
        )
        .await;
    let mine = form["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["sku_id"] == sku.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["assigned"], true, "{mine}");
    let off: Vec<&str> = mine["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["on"] == false)
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(off, [plan.as_str()], "{mine}");
    let edit = app
        .get_json(
            "/api/user-edit-form",
            &[("customer", contoso.as_str()), ("user", user.as_str())],
        )
        .await;
    let role = edit["current_role"].as_str().unwrap();
    let named = edit["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == role)
        .unwrap()[1]
        .clone();
    assert_eq!(named, "User Administrator", "{edit}");

    // Applied to chosen users through the bulk page: checked first (a template and a swap at
    // once refused), then a job: one application per user, what it gave on each line.
    let located: Vec<String> = located_users(&app, &contoso)
        .await
        .into_iter()
        .filter(|u| *u != user)
        .take(2)
        .collect();
    let form = |from: &str| {
        vec![
            ("customer", contoso.clone()),
            ("from", from.to_owned()),
            ("template", provider_id.clone()),
            ("users", located.join(",")),
        ]
    };
    let send = |path: &'static str, form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.send(path, &form).await
        }
    };
    let (status, said) = send("/api/swap-preview", form(&sku)).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("template")),
        "{said}"
    );
    let (status, checked) = send("/api/swap-preview", form("")).await;
    assert_eq!(status, 200, "{checked}");
    let rows = checked["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{checked}");
    assert!(
        rows.iter().all(|r| r["action"]
            .as_str()
            .unwrap()
            .contains("role User Administrator")),
        "{checked}"
    );
    let (status, id) = send("/api/swap-start", form("")).await;
    assert_eq!(status, 200, "{id}");
    let job = finished_job(&app, id.as_str().unwrap()).await;
    let page = app
        .get_json("/api/bulk-job", &[("job", id.as_str().unwrap())])
        .await;
    assert_eq!(job.kind, domain::jobs::JobKind::Template);
    assert_eq!(
        (job.status, job.errors),
        (domain::jobs::JobStatus::Succeeded, 0),
        "{job:?} {page}"
    );
    for line in page["lines"].as_array().unwrap() {
        assert_eq!(line["outcome"], "changed", "{page}");
        assert!(
            line["detail"].as_str().unwrap().starts_with("Given: "),
            "{page}"
        );
    }
    for u in &located {
        let form = app
            .get_json(
                "/api/user-license-form",
                &[("customer", contoso.as_str()), ("user", u.as_str())],
            )
            .await;
        let mine = form["choices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["sku_id"] == sku.as_str())
            .unwrap()
            .clone();
        assert_eq!(mine["assigned"], true, "{mine}");
        assert!(mine["plans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == plan.as_str() && p["on"] == false));
    }

    // Deleted by its owner, it is offered no more.
    app.sign_in_as("Service provider admin").await;
    let (status, said) = app
        .send("/api/template-delete", &[("id", provider_id.as_str())])
        .await;
    assert_eq!(status, 200, "{said}");
    app.sign_in_as("Customer admin").await;
    let offered = app
        .get_json("/api/customer-templates", &[("customer", &contoso)])
        .await;
    assert_eq!(offered, serde_json::json!([]));
}

/// The monthly catalog refresh: a catalog read more than a month ago is read again by the
/// schedule (a SKU withdrawn since is flagged), audited as the schedule's; one read recently, or
/// never, is left alone.
async fn catalogs_in_use_are_refreshed_monthly(app: TestApp) {
    let now = domain::time::now_millis();
    assert_eq!(
        app.services.refresh_catalogs_due(now).await,
        0,
        "never read: left alone"
    );
    let connection = offer_premium_monthly(&app).await;
    assert_eq!(
        app.services.refresh_catalogs_due(now).await,
        0,
        "read just now"
    );
    withdraw_premium(&app).await;
    let later = domain::time::now_millis() + domain::service::REFRESH_EVERY_MS;
    // The schedule queues it as a job, once that day however often it asks.
    assert_eq!(app.services.catalog_refresh_due(now).await.unwrap(), None);
    let job = app.services.catalog_refresh_due(later).await.unwrap();
    assert!(job.is_some(), "queued when a catalog is a month old");
    assert_eq!(
        app.services.catalog_refresh_due(later).await.unwrap(),
        None,
        "once a day"
    );
    let ran = finished_job(&app, &job.unwrap()).await;
    assert_eq!(ran.kind, domain::jobs::JobKind::CatalogRefresh);
    // The job reads what is due when it runs (nothing, today); the month-old read is here.
    assert_eq!(app.services.refresh_catalogs_due(later).await, 1);

    app.sign_in_as("Service provider admin").await;
    let catalog = app
        .get_json("/api/catalog", &[("connection", connection.as_str())])
        .await;
    let note = catalog["last_refresh"].as_str().unwrap();
    assert!(note.contains(" 1 discontinued"), "{note}");
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains(domain::service::SCHEDULE), "{log}");
}

/// A SKU sold one subscription per customer: a customer that has it is sent to its subscription
/// to add licenses (the order page lists it there, an order for it is refused); with the setting
/// off every order is a new subscription (a new instance).
async fn one_subscription_per_customer_sends_the_buyer_to_the_existing_one(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    app.sign_in_as("Service provider admin").await;
    // Contoso has Office 365 E3 (seeded); the subscriptions are read into the store.
    let own = app
        .get_json(
            "/api/subscriptions",
            &[("customer", contoso.as_str()), ("read", "1")],
        )
        .await;
    let e3 = own["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["product"] == "Office 365 E3")
        .unwrap_or_else(|| panic!("{own}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let connection = offer_monthly(&app, "CFQ7TTC0LFLX", "0001", "").await;
    let curate = |existing: &'static str| {
        let connection = connection.clone();
        let app = &app;
        async move {
            let mut form = vec![
                ("connection", connection.as_str()),
                ("product_id", "CFQ7TTC0LFLX"),
                ("sku_id", "0001"),
                ("offered", "on"),
                ("monthly", "on"),
            ];
            if !existing.is_empty() {
                form.push(("existing", existing));
            }
            app.send("/api/catalog-curate", &form).await.0
        }
    };
    assert_eq!(curate("on").await, 200);
    let item = "CFQ7TTC0LFLX:0001:P1Y:monthly";
    let page = order_page(&app, &contoso).await;
    assert_eq!(
        page["existing"],
        serde_json::json!([["Office 365 E3", e3]]),
        "{page}"
    );
    assert!(!page["choices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["value"] == item));
    let before = live_subscriptions(&app, &contoso).await;
    let form = page["form_id"].as_str().unwrap();
    let (status, e) = place_order(&app, form, &contoso, item, "1").await;
    assert_eq!((status, e["field"].as_str()), (400, Some("item")), "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("already has Office 365 E3"),
        "{e}"
    );
    assert_eq!(live_subscriptions(&app, &contoso).await, before);

    // Off: a new subscription per order (an instance of its own).
    assert_eq!(curate("").await, 200);
    let page = order_page(&app, &contoso).await;
    assert_eq!(page["existing"], serde_json::json!([]));
    let form = page["form_id"].as_str().unwrap();
    let (status, placed) = place_order(&app, form, &contoso, item, "1").await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(live_subscriptions(&app, &contoso).await, before + 1);
}

/// A connection given to a reseller that sells through its own Partner Center account: the
/// tenants imported from it are that reseller's (and stay so), the reseller buys for them as the
/// partner itself (no indirect reseller on the order), and the connection can be taken back.
async fn a_connection_given_to_a_reseller_brings_its_customers(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let page = app.get_json("/api/connections", &[("", "")]).await;
    let sandbox = page["rows"][0]["id"].as_str().unwrap().to_owned();
    let (reseller, name) = (
        page["resellers"][0][0].as_str().unwrap().to_owned(),
        page["resellers"][0][1].as_str().unwrap().to_owned(),
    );
    assert_eq!(name, "Northwind Partners");
    let give = |reseller: String| {
        let (app, sandbox) = (&app, sandbox.clone());
        async move {
            app.send(
                "/api/connection-give",
                &[("connection", &sandbox), ("reseller", &reseller)],
            )
            .await
        }
    };
    let (status, e) = give("00000000-0000-7000-8000-00000000dead".to_owned()).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("reseller")),
        "{e}"
    );
    let (status, said) = give(reseller.clone()).await;
    assert_eq!(status, 200, "{said}");
    let page = app.get_json("/api/connections", &[("", "")]).await;
    assert_eq!(
        page["rows"][0]["reseller"],
        serde_json::json!([reseller, name])
    );

    // Imported from it: the reseller's, and it stays so.
    let tenants = app
        .get_json("/api/tenants", &[("connection", sandbox.as_str())])
        .await;
    assert_eq!(tenants["owner"], "Northwind Partners", "{tenants}");
    let tailspin = tenants["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["company_name"] == "Tailspin Toys")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, said) = app
        .send(
            "/api/import-tenant",
            &[("tenant_id", &tailspin), ("connection", &sandbox)],
        )
        .await;
    assert_eq!(status, 200, "{said}");
    let tenants = app.get_json("/api/tenants", &[("", "")]).await;
    let imported = tenants["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == tailspin.as_str())
        .unwrap()
        .clone();
    assert_eq!(imported["reseller_id"], reseller.as_str(), "{imported}");
    let (status, e) = app
        .send(
            "/api/assign-reseller",
            &[("tenant_id", &tailspin), ("reseller_id", "")],
        )
        .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (400, Some("reseller")),
        "{e}"
    );

    // The reseller orders for it as the partner itself.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Reseller admin").await;
    let order = order_page(&app, &tailspin).await;
    assert_eq!(order["customer"], "Tailspin Toys", "{order}");
    assert_eq!(
        order["partner"], "",
        "no indirect reseller on its own connection"
    );
    // So for Northwind Traders, the reseller's customer on the same connection (imported before).
    let northwind = app.customer_id("Northwind Traders").await;
    assert_eq!(order_page(&app, &northwind).await["partner"], "");
    app.post_form("/auth/sign-out", &[]).await;

    // Taken back: the service provider's own again; the audit log has both.
    app.sign_in_as("Service provider admin").await;
    let (status, _) = give(String::new()).await;
    assert_eq!(status, 200);
    let page = app.get_json("/api/connections", &[("", "")]).await;
    assert_eq!(page["rows"][0]["reseller"], serde_json::Value::Null);
    let northwind_page = order_page(&app, &northwind).await;
    assert_eq!(
        northwind_page["partner"],
        "Northwind Partners (Partner ID 4455667)"
    );
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains("connection.give"), "{log}");
}

/// The subscription history: a change made directly in Partner Center is recorded once, by
/// "outside", with old and new values, however often the list is read; a change and an order made
/// through Seatwise are recorded by their author, and a read afterwards adds nothing.
async fn the_history_tells_seatwise_from_outside(app: TestApp) {
    use domain::history::{Kind, OUTSIDE};
    let contoso = app.customer_id("Contoso Ltd").await;
    app.sign_in_as("Customer admin").await;
    let read = || live_subscriptions(&app, &contoso);
    read().await;
    let history = || async {
        let store = app.store().await;
        let entries = store.history().of_customer(&contoso).await.unwrap();
        store.close().await;
        entries
    };
    let first = history().await;
    assert!(!first.is_empty() && first.iter().all(|e| e.kind == Kind::Discovered));
    let list = app
        .get_json(
            "/api/subscriptions",
            &[("customer", contoso.as_str()), ("read", "0")],
        )
        .await;
    let id = list["rows"][0]["id"].as_str().unwrap().to_owned();
    let quantity = list["rows"][0]["quantity"].as_i64().unwrap();

    // Outside Seatwise.
    let changed = app
        .emulator_post(
            &format!("customers/{contoso}/subscriptions/{id}"),
            serde_json::json!({ "quantity": quantity + 3 }),
        )
        .await;
    assert_eq!(changed, 200);
    read().await;
    read().await;
    let entries = history().await;
    let outside: Vec<_> = entries[first.len()..].to_vec();
    assert_eq!(outside.len(), 1, "{outside:?}");
    let e = &outside[0];
    assert_eq!(
        (e.kind, e.field.as_str(), e.actor.as_str(), e.in_seatwise),
        (Kind::Change, "quantity", OUTSIDE, false)
    );
    assert_eq!(
        (e.old_value.clone(), e.new_value.clone()),
        (quantity.to_string(), (quantity + 3).to_string())
    );

    // Through Seatwise, then read again: one entry, the customer admin's.
    let (status, said) = change_subscription(
        &app,
        &contoso,
        &id,
        "quantity",
        (quantity + 4).to_string(),
        "",
    )
    .await;
    assert_eq!(status, 200, "{said}");
    read().await;
    let entries = history().await;
    let mine: Vec<_> = entries[first.len() + 1..].to_vec();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(mine[0].in_seatwise);
    assert_eq!(mine[0].actor, "it@contoso.demo");
    assert_eq!(mine[0].role, "customer_admin");
    assert_eq!(mine[0].new_value, (quantity + 4).to_string());
    app.post_form("/auth/sign-out", &[]).await;

    // An order: recorded as ordered through Seatwise, not discovered by the read after it.
    offer_premium_monthly(&app).await;
    app.sign_in_as("Customer admin").await;
    let page = order_page(&app, &contoso).await;
    let (status, placed) = place_order(
        &app,
        page["form_id"].as_str().unwrap(),
        &contoso,
        "CFQ7TTC0LCHC:0003:P1Y:monthly",
        "2",
    )
    .await;
    assert_eq!(status, 200, "{placed}");
    read().await;
    let entries = history().await;
    let new = placed["subscription_id"].as_str().unwrap().to_lowercase();
    let about: Vec<_> = entries
        .iter()
        .filter(|e| e.subscription_id == new)
        .collect();
    assert_eq!(about.len(), 1, "{about:?}");
    assert_eq!((about[0].kind, about[0].in_seatwise), (Kind::Order, true));
}

/// `seatwise optimise`: a subscription bought a moment ago that nobody uses is reduced now to
/// one license (older ones at renewal); the dry run sends nothing to Partner Center; afterwards
/// no product of any customer has fewer licenses than it assigned, a second dry run finds
/// nothing to give back, and the reduction is in the history by the command line.
#[tokio::test]
async fn optimisation_gives_back_unused_licenses_never_below_what_is_assigned() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    offer_premium_monthly(&app).await;
    app.sign_in_as("Customer admin").await;
    let page = order_page(&app, &contoso).await;
    let (status, placed) = place_order(
        &app,
        page["form_id"].as_str().unwrap(),
        &contoso,
        "CFQ7TTC0LCHC:0003:P1Y:monthly",
        "5",
    )
    .await;
    assert_eq!(status, 200, "{placed}");
    let fresh = placed["subscription_id"].as_str().unwrap().to_lowercase();
    let dir = app.dir.path().to_owned();
    let run = |args: &'static [&'static str]| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || seatwise(args, &dir))
    };
    let out = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();

    let writes = app.writes_applied().await;
    let dry = run(&["optimise", "--dry-run"]).await.unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let report = out(&dry);
    assert!(
        report.contains(&format!(
            "{fresh} Microsoft 365 Business Premium: 5 → 1 licenses now"
        )),
        "{report}"
    );
    assert!(report.contains("Dry run: nothing changed."), "{report}");
    assert_eq!(
        app.writes_applied().await,
        writes,
        "the dry run sent nothing"
    );

    let done = run(&["optimise"]).await.unwrap();
    assert!(done.status.success(), "{}", out(&done));
    let summary = out(&done);
    assert!(summary.contains(", 0 customers failed"), "{summary}");
    assert!(app.writes_applied().await > writes);
    let now = app
        .get_json(
            "/api/subscription",
            &[("customer", contoso.as_str()), ("id", fresh.as_str())],
        )
        .await;
    assert_eq!(now["item"]["quantity"], 1, "{now}");
    // Partner Center's truth, customer by customer: never fewer licenses than assigned.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider admin").await;
    for company in ["Contoso Ltd", "Fabrikam Inc", "Northwind Traders"] {
        let id = app.customer_id(company).await;
        let licenses = app
            .get_json("/api/licenses", &[("customer", id.as_str())])
            .await;
        for p in licenses["products"].as_array().unwrap() {
            assert!(
                p["active"].as_i64() >= p["assigned"].as_i64(),
                "{company}: {p}"
            );
        }
    }
    let again = run(&["optimise", "--dry-run"]).await.unwrap();
    assert!(
        out(&again).contains(" 0 reductions (0 now, 0 at renewal)"),
        "{}",
        out(&again)
    );
    let store = app.store().await;
    let history = store.history().of_customer(&contoso).await.unwrap();
    store.close().await;
    assert!(
        history.iter().any(|e| e.subscription_id == fresh
            && e.actor == "seatwise optimise (command line)"
            && (e.old_value.as_str(), e.new_value.as_str()) == ("5", "1")),
        "{history:?}"
    );
}

/// `seatwise reconcile`: `--dry-run` prints every finding and changes nothing (twice the same
/// report); without it, every finding is corrected and recorded in the history by the command
/// line, after which nothing differs; an unknown connection is a usage error.
#[tokio::test]
async fn the_reconcile_command_reports_then_corrects() {
    let app = TestApp::on_emulator(pc_emulator::Options::default()).await;
    let dir = app.dir.path().to_owned();
    let run = |args: &'static [&'static str]| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || seatwise(args, &dir))
    };
    let out = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let last = |o: &std::process::Output| out(o).trim().lines().last().unwrap_or("").to_owned();
    // Nothing read yet: every subscription Partner Center lists is missing here.
    let dry = run(&["reconcile", "--dry-run"]).await.unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let report = out(&dry);
    assert!(report.contains("Connection "), "{report}");
    assert!(
        report.contains("(Not in Seatwise): Add to the store: "),
        "{report}"
    );
    assert!(report.contains("Import it."), "{report}");
    assert_eq!(last(&dry), "Dry run: nothing changed.");
    let summary = report
        .lines()
        .find(|l| l.starts_with("3 customers, "))
        .unwrap()
        .to_owned();
    let findings: usize = summary
        .split(", ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(findings > 3, "{summary}");
    let store = app.store().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    assert!(store
        .history()
        .of_customer(&contoso)
        .await
        .unwrap()
        .is_empty());
    let again = run(&["reconcile", "--dry-run"]).await.unwrap();
    assert_eq!(out(&again), report, "the dry run changed nothing");

    let fix = run(&["reconcile"]).await.unwrap();
    assert!(fix.status.success(), "{}", out(&fix));
    assert_eq!(
        last(&fix),
        format!("{findings} corrective actions applied, 0 customers failed")
    );
    let entries = store.history().of_customer(&contoso).await.unwrap();
    assert!(!entries.is_empty());
    assert!(entries
        .iter()
        .all(|e| e.kind == domain::history::Kind::Reconcile
            && e.actor == "seatwise reconcile (command line)"
            && e.in_seatwise));
    let after = run(&["reconcile", "--dry-run"]).await.unwrap();
    assert!(
        out(&after).contains("3 customers, 0 findings, 0 customers not answering"),
        "{}",
        out(&after)
    );
    let unknown = run(&["reconcile", "--dry-run", "--connection", "Nowhere"])
        .await
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    store.close().await;
}

/// `seatwise sync`: the first run discovers every subscription, a change made directly in Partner
/// Center is recorded once by a later run, and a customer Partner Center fails for is reported
/// without stopping the others (exit status 1); an unknown customer is a usage error.
#[tokio::test]
async fn the_sync_command_records_outside_changes_and_reports_failures() {
    let app = TestApp::on_emulator(pc_emulator::Options::default()).await;
    let emulator = app.emulator.clone().unwrap();
    let dir = app.dir.path().to_owned();
    let run = |args: &'static [&'static str]| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || seatwise(args, &dir))
    };
    let summary =
        |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let first = run(&["sync"]).await.unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let seen: usize = summary(&first)
        .split(", ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        summary(&first),
        format!("3 customers, {seen} subscriptions seen, {seen} changes recorded, 0 errors")
    );

    // A change made in Partner Center: recorded once.
    let contoso = app.customer_id("Contoso Ltd").await;
    let customer = partner_center::CustomerId::new(contoso.clone());
    let sub = app.pc().subscriptions(&customer).await.unwrap()[0].clone();
    emulator
        .with_world(|w| w.outside_change(&customer, &sub.id, Some(sub.quantity + 2), None, None))
        .unwrap();
    let args: &'static [&'static str] = Box::leak(
        vec![
            "sync",
            "--customer",
            Box::leak(contoso.clone().into_boxed_str()),
        ]
        .into_boxed_slice(),
    );
    let once = run(args).await.unwrap();
    assert!(once.status.success());
    assert!(
        summary(&once).starts_with("1 customers, "),
        "{}",
        summary(&once)
    );
    assert!(
        summary(&once).ends_with(", 1 changes recorded, 0 errors"),
        "{}",
        summary(&once)
    );
    let again = run(args).await.unwrap();
    assert!(summary(&again).ends_with(", 0 changes recorded, 0 errors"));

    // Partner Center fails for Contoso only: the others are synced, the run fails.
    let mut knobs = emulator.knobs();
    knobs.fault_rate = 1.0;
    knobs.faults = vec![pc_emulator::Fault::ServerError];
    knobs.fault_match = format!("/customers/{contoso}/subscriptions");
    emulator.set_knobs(knobs);
    let failing = run(&["sync"]).await.unwrap();
    assert_eq!(failing.status.code(), Some(1));
    assert!(
        summary(&failing).starts_with("3 customers, "),
        "{}",
        summary(&failing)
    );
    assert!(
        summary(&failing).ends_with(", 1 errors"),
        "{}",
        summary(&failing)
    );
    assert!(String::from_utf8_lossy(&failing.stderr).contains("Contoso Ltd"));
    emulator.set_knobs(pc_emulator::Knobs::default());

    let unknown = run(&["sync", "--customer", "00000000-0000-0000-0000-00000000beef"])
        .await
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains("subscriptions.sync"), "{log}");
}

/// The nightly sync: not before its time of day (the setting, 02:00 UTC by default), then once
/// that day, every customer, audited as the schedule's.
async fn the_nightly_sync_runs_once_a_day_after_its_time(app: TestApp) {
    let at = |stamp: &str| {
        domain::time::to_millis(
            time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
                .unwrap(),
        )
    };
    let services = &app.services;
    let store = app.store().await;
    sqlx::query(
        "INSERT INTO sessions (id, account_id, data, expires_at) VALUES ('expired', NULL, '{}', 1)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    assert_eq!(
        services
            .nightly_sync_due(at("2030-01-01T01:59:00Z"))
            .await
            .unwrap(),
        None
    );
    let job = services
        .nightly_sync_due(at("2030-01-01T02:05:00Z"))
        .await
        .unwrap()
        .expect("due after 02:00");
    assert_eq!(
        services
            .nightly_sync_due(at("2030-01-01T23:00:00Z"))
            .await
            .unwrap(),
        None,
        "once a day"
    );
    // Run by whichever instance claims it first: the server's own runner, or this one.
    services.run_due_jobs("the test").await.unwrap();
    let ran = finished_job(&app, &job).await;
    assert_eq!(
        (ran.status, ran.total, ran.done, ran.errors),
        (domain::jobs::JobStatus::Succeeded, 3, 3, 0),
        "{ran:?}"
    );
    assert!(ran.summary.starts_with("3 customers, "), "{}", ran.summary);
    // The night's clean-up, queued with it: the expired session removed.
    let store = app.store().await;
    let clean_up = store
        .jobs()
        .recent(10)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.kind == domain::jobs::JobKind::CleanUp)
        .expect("the night's clean-up is queued");
    store.close().await;
    services.run_due_jobs("the test").await.unwrap();
    let cleaned = finished_job(&app, &clean_up.id).await;
    assert_eq!(
        cleaned.status,
        domain::jobs::JobStatus::Succeeded,
        "{cleaned:?}"
    );
    assert!(
        cleaned.summary.contains("expired sessions"),
        "{}",
        cleaned.summary
    );
    let store = app.store().await;
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE id = 'expired'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    store.close().await;
    assert_eq!(left, 0, "the expired session is gone");
    // The night's optimisation, queued with it: planned, waiting for approval (the setting is
    // off), nothing sent.
    let store = app.store().await;
    let optimise = store
        .jobs()
        .recent(10)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.kind == domain::jobs::JobKind::Optimise)
        .expect("the night's optimisation is queued");
    store.close().await;
    let writes = app.writes_applied().await;
    services.run_due_jobs("the test").await.unwrap();
    let planned = finished_job(&app, &optimise.id).await;
    assert_eq!(
        planned.status,
        domain::jobs::JobStatus::Succeeded,
        "{planned:?}"
    );
    assert!(
        planned
            .summary
            .ends_with("waiting for approval on the Optimisation page"),
        "{}",
        planned.summary
    );
    assert_eq!(
        app.writes_applied().await,
        writes,
        "nothing made without approval"
    );
    // Another time of day, set on the Settings page by an admin (support may only read it; a
    // time that is not HH:MM is refused on its field and changes nothing).
    app.sign_in_as("Service provider support").await;
    let read = app.get_json("/api/settings", &[("", "")]).await;
    assert_eq!(
        (read["nightly_at"].as_str(), read["nightly_last"].as_str()),
        (Some("02:00"), Some("2030-01-01"))
    );
    let (status, _) = app
        .send("/api/settings-save", &[("nightly_at", "04:30")])
        .await;
    assert_eq!(status, 403);
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider admin").await;
    for bad in ["4:30", "24:00", "04:60", "soon"] {
        let (status, said) = app.send("/api/settings-save", &[("nightly_at", bad)]).await;
        assert_eq!(
            (status, said["field"].as_str()),
            (400, Some("nightly_at")),
            "{bad}: {said}"
        );
    }
    let (status, said) = app
        .send("/api/settings-save", &[("nightly_at", "04:30")])
        .await;
    assert_eq!(status, 200, "{said}");
    let read = app.get_json("/api/settings", &[("", "")]).await;
    assert_eq!(read["nightly_at"], "04:30");
    assert_eq!(read["optimise_automatically"], false);
    let (status, said) = app
        .send(
            "/api/settings-save",
            &[("nightly_at", "04:30"), ("optimise_automatic", "on")],
        )
        .await;
    assert_eq!(status, 200, "{said}");
    let read = app.get_json("/api/settings", &[("", "")]).await;
    assert_eq!(read["optimise_automatically"], true);
    assert_eq!(
        services
            .nightly_sync_due(at("2030-01-02T04:00:00Z"))
            .await
            .unwrap(),
        None
    );
    assert!(services
        .nightly_sync_due(at("2030-01-02T04:31:00Z"))
        .await
        .unwrap()
        .is_some());
    // With the setting on, the night's optimisation makes its reductions itself.
    let writes = app.writes_applied().await;
    services.run_due_jobs("the test").await.unwrap();
    let store = app.store().await;
    let tonight = store
        .jobs()
        .recent(3)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.kind == domain::jobs::JobKind::Optimise)
        .expect("the night's optimisation");
    store.close().await;
    let made = finished_job(&app, &tonight.id).await;
    assert_eq!(made.status, domain::jobs::JobStatus::Succeeded, "{made:?}");
    assert!(
        !made.summary.contains("waiting for approval"),
        "{}",
        made.summary
    );
    assert!(app.writes_applied().await > writes, "{}", made.summary);
    let log = app.get("/api/audit-log").await.text().await.unwrap();
    assert!(log.contains(domain::service::SCHEDULE), "{log}");
    assert!(
        log.contains("nightly sync at 04:30 UTC, optimisation made automatically"),
        "{log}"
    );
}

/// Jobs: a full sync asked for on the Jobs page is run by an instance and shown with its
/// progress; two instances asking for work at once run it once; a job whose instance died
/// mid-run (its lease ran out) is taken over and goes on from its last finished customer (the
/// one already done is not read again); finished jobs cannot be cancelled, succeeded ones not
/// resumed; support sees the jobs but starts none.
async fn jobs_run_once_resume_where_they_stopped_and_are_shown(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let (status, id) = app.send("/api/job-start", &[("kind", "sync")]).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_owned();
    // Another instance asks at the same moment as the server's own runner.
    let other = app.services.clone();
    let here = tokio::spawn(async move { other.run_due_jobs("other instance").await });
    let ran_here = here.await.unwrap();
    assert!(ran_here.as_ref().is_ok_and(|n| *n <= 1), "{ran_here:?}");
    let job = finished_job(&app, &id).await;
    assert_eq!(
        (job.status, job.total, job.done, job.errors),
        (domain::jobs::JobStatus::Succeeded, 3, 3, 0),
        "{job:?}"
    );
    let page = app.get_json("/api/jobs", &[("", "")]).await;
    let row = page["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["status"].as_str(),
            row["done"].as_i64(),
            row["requested_by"].as_str()
        ),
        (Some("succeeded"), Some(3), Some("admin@seatwise.demo")),
        "{row}"
    );
    let (status, _) = app.send("/api/job-cancel", &[("job", &id)]).await;
    assert_eq!(status, 409);
    let (status, _) = app.send("/api/job-resume", &[("job", &id)]).await;
    assert_eq!(status, 409);
    for kind in ["reboot", "provision", "swap"] {
        // Bulk work is started for one customer, on its own page.
        let (status, said) = app.send("/api/job-start", &[("kind", kind)]).await;
        assert_eq!(
            (status, said["field"].as_str()),
            (400, Some("kind")),
            "{kind}"
        );
    }

    // An instance that died after one customer: its lease has run out. (Written as that
    // instance left it, in one transaction: running, one customer done, the heartbeat long
    // past.)
    let contoso = app.customer_id("Contoso Ltd").await;
    app.clear_emulator_log().await;
    let store = app.store().await;
    let id = "018f0000-0000-7000-8000-000000000001";
    let long_ago = domain::time::now_millis() - 10 * domain::jobs::LEASE_MS;
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query(
        "INSERT INTO jobs (id, kind, status, requested_by, created_at, started_at, total, done, \
         errors, owner, heartbeat_at, cancel_requested, summary) \
         VALUES ($1, 'sync', 'running', 'admin@seatwise.demo', $2, $2, 3, 1, 0, \
         'dead instance', $2, 0, '')",
    )
    .bind(id)
    .bind(long_ago)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("INSERT INTO job_items (job_id, item, error, at) VALUES ($1, $2, '', $3)")
        .bind(id)
        .bind(contoso.to_lowercase())
        .bind(long_ago)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    let job = finished_job(&app, id).await;
    assert_eq!(
        (job.status, job.done, job.errors),
        (domain::jobs::JobStatus::Succeeded, 3, 0),
        "{job:?}"
    );
    assert_ne!(job.owner, "dead instance", "taken over");
    let reads: Vec<String> = app
        .emulator_log()
        .await
        .into_iter()
        .filter(|(method, path)| method == "GET" && path.ends_with("/subscriptions"))
        .map(|(_, path)| path)
        .collect();
    assert_eq!(reads.len(), 2, "only the customers left: {reads:?}");
    assert!(
        reads
            .iter()
            .all(|p| !p.to_lowercase().contains(&contoso.to_lowercase())),
        "{reads:?}"
    );

    // Support reads the jobs, starts none.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider support").await;
    let page = app.get_json("/api/jobs", &[("", "")]).await;
    assert!(page["jobs"].as_array().unwrap().len() >= 2, "{page}");
    let (status, _) = app.send("/api/job-start", &[("kind", "sync")]).await;
    assert_eq!(status, 403);
}

/// The Optimisation page: the report proposes giving back the unused licenses of a subscription
/// bought a moment ago (now, inside the window) and writes nothing; an approval that no longer
/// matches Partner Center makes nothing; the matching one is made and recorded by the admin;
/// support reads the report but approves nothing; bad approvals are refused on their field.
async fn optimisation_is_approved_reduction_by_reduction(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    offer_premium_monthly(&app).await;
    app.sign_in_as("Customer admin").await;
    let page = order_page(&app, &contoso).await;
    let (status, placed) = place_order(
        &app,
        page["form_id"].as_str().unwrap(),
        &contoso,
        "CFQ7TTC0LCHC:0003:P1Y:monthly",
        "5",
    )
    .await;
    assert_eq!(status, 200, "{placed}");
    let fresh = placed["subscription_id"].as_str().unwrap().to_lowercase();
    app.post_form("/auth/sign-out", &[]).await;

    app.sign_in_as("Service provider support").await;
    let idle = app.get_json("/api/optimisation", &[("", "")]).await;
    assert_eq!(idle["ran"], false);
    let writes = app.writes_applied().await;
    let report = app.get_json("/api/optimisation", &[("run", "1")]).await;
    assert_eq!(
        app.writes_applied().await,
        writes,
        "the report writes nothing"
    );
    let row = report["reductions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subscription_id"] == fresh.as_str())
        .unwrap_or_else(|| panic!("{report}"))
        .clone();
    assert_eq!(
        (
            row["from"].as_i64(),
            row["to"].as_i64(),
            row["at_renewal"].as_bool()
        ),
        (Some(5), Some(1), Some(false)),
        "{row}"
    );
    let key = row["key"].as_str().unwrap().to_owned();
    let (status, _) = app
        .send("/api/optimisation-apply", &[("reductions", key.as_str())])
        .await;
    assert_eq!(status, 403, "support approves nothing");
    app.post_form("/auth/sign-out", &[]).await;

    app.sign_in_as("Service provider admin").await;
    for (bad, why) in [
        ("", "nothing chosen"),
        ("nonsense", "not a key"),
        (&*format!("{contoso}/{fresh}/5/5"), "not a reduction"),
        (&*format!("{contoso}/{fresh}/5/0"), "none left"),
        (&*format!("{contoso}/../5/1"), "not an id"),
    ] {
        let (status, said) = app
            .send("/api/optimisation-apply", &[("reductions", bad)])
            .await;
        assert_eq!(
            (status, said["field"].as_str()),
            (400, Some("reductions")),
            "{why}: {said}"
        );
    }
    // As the report showed it some time ago (6 licenses then): not made.
    let stale = format!("{contoso}/{fresh}/6/1");
    let (status, said) = app
        .send("/api/optimisation-apply", &[("reductions", stale.as_str())])
        .await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(
        (
            said["made"].as_array().unwrap().len(),
            said["stale"].as_u64()
        ),
        (0, Some(1)),
        "{said}"
    );
    assert_eq!(app.writes_applied().await, writes);
    let (status, said) = app
        .send("/api/optimisation-apply", &[("reductions", key.as_str())])
        .await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(said["made"].as_array().unwrap().len(), 1, "{said}");
    let now = app
        .get_json(
            "/api/subscription",
            &[("customer", contoso.as_str()), ("id", fresh.as_str())],
        )
        .await;
    assert_eq!(now["item"]["quantity"], 1, "{now}");
    let store = app.store().await;
    let history = store.history().of_customer(&contoso).await.unwrap();
    store.close().await;
    assert!(
        history.iter().any(|e| e.subscription_id == fresh
            && e.actor == "admin@seatwise.demo"
            && (e.old_value.as_str(), e.new_value.as_str()) == ("5", "1")),
        "{history:?}"
    );
}

/// Auto-increase on assignment: with no license free, an assignment is refused until the
/// subscription (or the customer) is set to grow; then it grows by exactly the one missing,
/// recorded in the history (kind `increase`) and as a license transaction; a suspended
/// subscription is refused with the reason and nothing is sent; a subscription set off stays
/// off whatever the customer's setting; only the partner's administrators set it.
async fn auto_increase_grows_by_exactly_what_is_missing(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let (dynamics, sku) = order_dynamics(&app, &contoso, "1").await;
    let located = located_users(&app, &contoso).await;
    assert!(located.len() >= 3, "{located:?}");
    let assign = |user: &str| {
        let (app, contoso, sku, user) = (&app, contoso.clone(), sku.clone(), user.to_owned());
        async move {
            app.send(
                "/api/user-licenses",
                &[
                    ("customer", contoso.as_str()),
                    ("user", user.as_str()),
                    ("assign", sku.as_str()),
                    ("remove", ""),
                ],
            )
            .await
        }
    };
    let quantity = || {
        let (app, contoso, id) = (&app, contoso.clone(), dynamics.clone());
        async move {
            app.get_json(
                "/api/subscription",
                &[("customer", contoso.as_str()), ("id", id.as_str())],
            )
            .await["item"]["quantity"]
                .as_i64()
                .unwrap()
        }
    };
    let save = |subscription: &str, value: &str| {
        let (app, contoso) = (&app, contoso.clone());
        let form = [
            ("customer".to_owned(), contoso),
            ("subscription".to_owned(), subscription.to_owned()),
            ("value".to_owned(), value.to_owned()),
        ];
        async move {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.send("/api/auto-increase-save", &form).await
        }
    };

    // The one license is given; the next is refused: auto-increase is off by default.
    let (status, said) = assign(&located[0]).await;
    assert_eq!(status, 200, "{said}");
    let writes = app.writes_applied().await;
    let (status, said) = assign(&located[1]).await;
    assert_eq!(status, 409, "{said}");
    assert!(said["message"].as_str().unwrap().contains("no "), "{said}");
    assert_eq!(app.writes_applied().await, writes, "nothing grew");
    assert_eq!(quantity().await, 1);

    // Bad settings are refused on their field; a subscription of nobody is not found.
    let (status, said) = save(&dynamics, "maybe").await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("value")),
        "{said}"
    );
    let (status, said) = save("", "").await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("value")),
        "{said}"
    );
    let (status, said) = save("00000000-0000-0000-0000-00000000dead", "on").await;
    assert_eq!(status, 404, "{said}");

    // Suspended: refused with the reason, nothing sent.
    let suspend = [
        ("customer", contoso.as_str()),
        ("id", dynamics.as_str()),
        ("change", "suspend"),
    ];
    let (status, said) = app.send("/api/subscription-change", &suspend).await;
    assert_eq!(status, 200, "{said}");
    let (status, said) = save(&dynamics, "on").await;
    assert_eq!(status, 200, "{said}");
    let writes = app.writes_applied().await;
    let (status, said) = assign(&located[1]).await;
    assert_eq!(status, 409, "{said}");
    assert!(
        said["message"].as_str().unwrap().contains("suspended"),
        "{said}"
    );
    assert_eq!(app.writes_applied().await, writes, "nothing sent");
    let reactivate = [
        ("customer", contoso.as_str()),
        ("id", dynamics.as_str()),
        ("change", "reactivate"),
    ];
    let (status, said) = app.send("/api/subscription-change", &reactivate).await;
    assert_eq!(status, 200, "{said}");

    // A user without a usage location: refused before anything is bought.
    let users = app
        .get_json("/api/users", &[("customer", contoso.as_str())])
        .await;
    let unlocated = users["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .find(|id| !located.contains(id))
        .expect("a seeded user without a usage location");
    let writes = app.writes_applied().await;
    let (status, said) = assign(&unlocated).await;
    assert_eq!(status, 409, "{said}");
    assert!(
        said["message"].as_str().unwrap().contains("location"),
        "{said}"
    );
    assert_eq!(app.writes_applied().await, writes, "nothing bought");

    // On: it grows by exactly the one missing, then the license is given.
    let (status, said) = assign(&located[1]).await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(said["grown"].as_array().unwrap().len(), 1, "{said}");
    assert!(
        said["grown"][0].as_str().unwrap().contains("1 → 2"),
        "{said}"
    );
    assert_eq!(quantity().await, 2);
    let history = app.get_json("/api/history", &[("kind", "increase")]).await;
    let entry = &history["rows"][0];
    assert_eq!(entry["subscription_id"], dynamics.as_str(), "{history}");
    assert_eq!(
        entry["what"], "Increased automatically, quantity: 1 → 2",
        "{history}"
    );
    let table = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    let changes = table["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["reason"] == "auto-increase" && c["delta"] == 1),
        "{table}"
    );

    // The subscription set off stays off with the customer on; following the customer, it grows.
    assert_eq!(save("", "on").await.0, 200);
    assert_eq!(save(&dynamics, "off").await.0, 200);
    let (status, said) = assign(&located[2]).await;
    assert_eq!(status, 409, "{said}");
    assert_eq!(save(&dynamics, "").await.0, 200);
    let (status, said) = assign(&located[2]).await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(quantity().await, 3);
    let details = app
        .get_json(
            "/api/subscription",
            &[("customer", contoso.as_str()), ("id", dynamics.as_str())],
        )
        .await;
    assert_eq!(
        details["auto_increase"],
        serde_json::json!([true, ""]),
        "{details}"
    );

    // Only the partner's administrators set it.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Customer admin").await;
    let (status, said) = save(&dynamics, "on").await;
    assert_eq!(status, 403, "{said}");
    let details = app
        .get_json(
            "/api/subscription",
            &[("customer", contoso.as_str()), ("id", dynamics.as_str())],
        )
        .await;
    assert_eq!(
        details["auto_increase"],
        serde_json::Value::Null,
        "{details}"
    );
}

const DYNAMICS: &str = "Dynamics 365 for Sales Professional";

/// Sets auto-increase of one subscription of `customer` (as the signed-in person).
async fn grow_on(app: &TestApp, customer: &str, subscription: &str) {
    let form = [
        ("customer", customer),
        ("subscription", subscription),
        ("value", "on"),
    ];
    let (status, said) = app.send("/api/auto-increase-save", &form).await;
    assert_eq!(status, 200, "{said}");
}

/// The emulator's log since it was last cleared: (method, path) of the writes whose path ends
/// with `tail`.
async fn writes_to(app: &TestApp, method: &str, tail: &str) -> usize {
    app.emulator_log()
        .await
        .into_iter()
        .filter(|(m, path)| m == method && path.ends_with(tail))
        .count()
}

/// Users from a file: a file with bad rows is refused row by row and nothing is sent; once
/// corrected, it runs as a job that buys the licenses missing in one change and creates each
/// user once; its result file has each user's outcome and first password; the same file again
/// creates nobody; a run whose instance died half-way is taken over and creates no user twice.
async fn users_from_a_file_are_checked_then_created_once(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let (dynamics, _) = order_dynamics(&app, &contoso, "1").await;
    grow_on(&app, &contoso, &dynamics).await;
    let send = |path: &'static str, csv: String| {
        let (app, contoso) = (&app, contoso.clone());
        async move {
            app.send(
                path,
                &[("customer", contoso.as_str()), ("csv", csv.as_str())],
            )
            .await
        }
    };
    let header = "First name;Last name;User name;Usage location;Licenses\n";
    let bad = format!(
        "{header}Bulk;One;bulk.one@contoso.onmicrosoft.com;US;{DYNAMICS}\n\
         Bulk;Two;bulk.two@fabrikam.example;US;\n\
         Bulk;Three;bulk.three@contoso.onmicrosoft.com;US;{DYNAMICS}\n\
         Bulk;Again;BULK.ONE@contoso.onmicrosoft.com;US;\n\
         Bulk;Four;bulk.four@contoso.onmicrosoft.com;;{DYNAMICS}\n"
    );
    app.clear_emulator_log().await;
    let writes = app.writes_applied().await;
    let (status, checked) = send("/api/bulk-preview", bad.clone()).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(checked["problems"], 3, "{checked}");
    let problem = |row: usize| {
        checked["rows"][row]["errors"][0]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        problem(1).contains("fabrikam.example is not one of"),
        "{checked}"
    );
    assert!(problem(3).contains("also on line 2"), "{checked}");
    assert!(problem(4).contains("Usage location"), "{checked}");
    assert_eq!(checked["rows"][1]["line"], "3");
    let (status, said) = send("/api/bulk-start", bad).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("csv")),
        "{said}"
    );
    assert_eq!(
        app.writes_applied().await,
        writes,
        "nothing sent for a bad file"
    );
    let (status, said) = send("/api/bulk-start", "nonsense".into()).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("csv")),
        "{said}"
    );

    // Corrected: three users want the product, one license is free: it grows by 2, once.
    let good = format!(
        "{header}Bulk;One;bulk.one@contoso.onmicrosoft.com;US;{DYNAMICS}\n\
         Bulk;Three;bulk.three@contoso.onmicrosoft.com;US;{DYNAMICS}\n\
         Bulk;Four;bulk.four@contoso.onmicrosoft.com;US;{DYNAMICS}\n"
    );
    let (status, checked) = send("/api/bulk-preview", good.clone()).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(
        (checked["problems"].as_u64(), checked["to_do"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(
        checked["increases"],
        serde_json::json!([format!("{DYNAMICS} grows by 2 (auto-increase)")])
    );
    app.clear_emulator_log().await;
    let (status, id) = send("/api/bulk-start", good.clone()).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_owned();
    let job = finished_job(&app, &id).await;
    assert_eq!(
        (job.status, job.total, job.done, job.errors),
        (domain::jobs::JobStatus::Succeeded, 3, 3, 0),
        "{job:?}"
    );
    assert_eq!(writes_to(&app, "POST", "/users").await, 3);
    assert_eq!(writes_to(&app, "POST", "/licenseupdates").await, 3);
    let subscription = app
        .get_json(
            "/api/subscription",
            &[("customer", contoso.as_str()), ("id", dynamics.as_str())],
        )
        .await;
    assert_eq!(subscription["item"]["quantity"], 3, "{subscription}");
    let grown = app.get_json("/api/history", &[("kind", "increase")]).await;
    assert_eq!(
        grown["rows"].as_array().unwrap().len(),
        1,
        "one change: {grown}"
    );
    let page = app.get_json("/api/bulk-job", &[("job", id.as_str())]).await;
    assert_eq!(page["job"]["status"], "succeeded", "{page}");
    assert_eq!(page["lines"][2]["outcome"], "created", "{page}");
    let result = app
        .client
        .get(app.url("/api/bulk-result"))
        .query(&[("job", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(result.status(), 200);
    let csv = result.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "line,user_name,outcome,detail,password", "{csv}");
    assert_eq!(lines.len(), 4, "{csv}");
    for line in &lines[1..] {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[2], "created", "{csv}");
        assert!(fields[4].len() >= 12, "a first password: {csv}");
    }

    // The same file again: every row is done before; nobody is created.
    let (status, checked) = send("/api/bulk-preview", good.clone()).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(checked["to_do"], 0, "{checked}");
    assert_eq!(
        checked["rows"][0]["action"], "Done before: skip",
        "{checked}"
    );
    app.clear_emulator_log().await;
    let (status, again) = send("/api/bulk-start", good).await;
    assert_eq!(status, 200, "{again}");
    let job = finished_job(&app, again.as_str().unwrap()).await;
    assert_eq!(job.summary, "3 done before", "{job:?}");
    assert_eq!(writes_to(&app, "POST", "/users").await, 0);

    // An instance died in the middle of a file: row one was recorded; row two's user was
    // created but not recorded; row three was not started. The run is taken over.
    let file = format!(
        "{header}Bulk;Five;bulk.five@contoso.onmicrosoft.com;US;\n\
         Bulk;Six;bulk.six@contoso.onmicrosoft.com;US;{DYNAMICS}\n\
         Bulk;Seven;bulk.seven@contoso.onmicrosoft.com;US;\n"
    );
    for name in ["five", "six"] {
        let user_name = format!("bulk.{name}");
        let last = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
        let form = [
            ("customer", contoso.as_str()),
            ("first_name", "Bulk"),
            ("last_name", last.as_str()),
            ("display_name", "Bulk"),
            ("user_name", user_name.as_str()),
            ("domain", "contoso.onmicrosoft.com"),
            ("usage_location", "US"),
        ];
        let (status, said) = app.send("/api/user-create", &form).await;
        assert_eq!(status, 200, "{said}");
    }
    let store = app.store().await;
    let (account,): (String,) =
        sqlx::query_as("SELECT id FROM portal_accounts WHERE email = 'admin@seatwise.demo'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let crashed = "018f0000-0000-7000-8000-0000000000b1";
    let long_ago = domain::time::now_millis() - 10 * domain::jobs::LEASE_MS;
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query(
        "INSERT INTO jobs (id, kind, status, requested_by, created_at, started_at, total, done, \
         errors, owner, heartbeat_at, cancel_requested, summary, customer_id, account_id, input) \
         VALUES ($1, 'provision', 'running', 'admin@seatwise.demo', $2, $2, 3, 1, 0, \
         'dead instance', $2, 0, '', $3, $4, $5)",
    )
    .bind(crashed)
    .bind(long_ago)
    .bind(contoso.to_lowercase())
    .bind(account)
    .bind(file)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO job_items (job_id, item, error, at, detail) VALUES ($1, $2, '', $3, $4)",
    )
    .bind(crashed)
    .bind("bulk.five@contoso.onmicrosoft.com")
    .bind(long_ago)
    .bind(r#"{"outcome":"created","user_name":""}"#)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    app.clear_emulator_log().await;
    let job = finished_job(&app, crashed).await;
    assert_eq!(
        (job.status, job.done, job.errors),
        (domain::jobs::JobStatus::Succeeded, 3, 0),
        "{job:?}"
    );
    assert_eq!(
        writes_to(&app, "POST", "/users").await,
        1,
        "only Seven is created"
    );
    let page = app.get_json("/api/bulk-job", &[("job", crashed)]).await;
    let outcomes: Vec<&str> = page["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["created", "licenses added", "created"], "{page}");

    // Someone who may not change Contoso's users cannot see the job.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Reseller admin").await;
    let r = app
        .client
        .get(app.url("/api/bulk-job"))
        .query(&[("job", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// License swaps: the chosen users holding one license get the other in one update each (the
/// licenses missing bought first in one change); a user who does not hold it is left as it is;
/// nothing is sent for a choice that would change nothing.
async fn licenses_are_swapped_with_one_update_per_user(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    // The first visit of the page, nothing read before: the licenses are there to choose.
    let first = app
        .get_json("/api/bulk", &[("customer", contoso.as_str())])
        .await;
    assert!(!first["skus"].as_array().unwrap().is_empty(), "{first}");
    assert_eq!(
        first["holders"],
        serde_json::json!([]),
        "users only when asked"
    );
    let (dynamics, dynamics_sku) = order_dynamics(&app, &contoso, "1").await;
    grow_on(&app, &contoso, &dynamics).await;
    let located = located_users(&app, &contoso).await;
    let table = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    // The product most users hold, and who holds it.
    let page = app
        .get_json("/api/bulk", &[("customer", contoso.as_str())])
        .await;
    let from = table["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["sku_id"] != dynamics_sku.as_str())
        .max_by_key(|p| p["assigned"].as_i64().unwrap())
        .unwrap()["sku_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let all_holders: Vec<String> = app
        .get_json(
            "/api/bulk",
            &[
                ("customer", contoso.as_str()),
                ("from", from.as_str()),
                ("find", "1"),
            ],
        )
        .await["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap().to_owned())
        .collect();
    let holders: Vec<String> = all_holders
        .iter()
        .filter(|id| located.contains(id))
        .take(3)
        .cloned()
        .collect();
    assert_eq!(holders.len(), 3, "{page}");
    let not_holding = located.iter().find(|u| !all_holders.contains(u)).cloned();
    let mut chosen = holders.clone();
    chosen.extend(not_holding.clone());
    let users = chosen.join(",");
    let form = |from: &str, to: &str| {
        vec![
            ("customer".to_owned(), contoso.clone()),
            ("from".to_owned(), from.to_owned()),
            ("to".to_owned(), to.to_owned()),
            ("users".to_owned(), users.clone()),
        ]
    };
    let send = |path: &'static str, form: Vec<(String, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.send(path, &form).await
        }
    };
    let (status, said) = send("/api/swap-preview", form(&from, &from)).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("to")),
        "{said}"
    );
    let (status, said) = send("/api/swap-preview", form("", "")).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("to")),
        "{said}"
    );
    let (status, said) = send("/api/swap-preview", form(&from, "no such license")).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("to")),
        "{said}"
    );

    let (status, checked) = send("/api/swap-preview", form(&from, &dynamics_sku)).await;
    assert_eq!(status, 200, "{checked}");
    let rows = checked["rows"].as_array().unwrap();
    let changing = rows
        .iter()
        .filter(|r| r["action"].as_str().unwrap().contains(" → "))
        .count();
    assert_eq!(changing, 3, "{checked}");
    assert_eq!(
        checked["increases"],
        serde_json::json!([format!("{DYNAMICS} grows by 2 (auto-increase)")]),
        "one free, three wanted: {checked}"
    );
    app.clear_emulator_log().await;
    let (status, id) = send("/api/swap-start", form(&from, &dynamics_sku)).await;
    assert_eq!(status, 200, "{id}");
    let job = finished_job(&app, id.as_str().unwrap()).await;
    assert_eq!(
        (job.status, job.errors),
        (domain::jobs::JobStatus::Succeeded, 0),
        "{job:?}"
    );
    assert_eq!(
        writes_to(&app, "POST", "/licenseupdates").await,
        3,
        "one per user"
    );
    let table = app
        .get_json("/api/licenses", &[("customer", &contoso)])
        .await;
    let product = |sku: &str| {
        table["products"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["sku_id"] == sku)
            .cloned()
            .unwrap()
    };
    assert_eq!(product(&dynamics_sku)["assigned"], 3, "{table}");
    let page = app
        .get_json("/api/bulk-job", &[("job", id.as_str().unwrap())])
        .await;
    let left = page["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["outcome"] == "left as it is")
        .count();
    assert_eq!(left, usize::from(not_holding.is_some()), "{page}");

    // The same swap again: nothing would change (none of them holds it any more).
    let (status, said) = send("/api/swap-start", form(&from, &dynamics_sku)).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("users")),
        "{said}"
    );
}

/// Optimisation against the emulator's clock: a subscription bought 8 days ago (the clock moved)
/// is past its 7-day window; its approved reduction is scheduled for renewal (Partner Center
/// refuses a decrease now), never made now, and the subscription keeps its licenses until then.
async fn optimisation_after_the_window_is_scheduled_for_renewal(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    offer_premium_monthly(&app).await;
    app.sign_in_as("Service provider admin").await;
    let page = order_page(&app, &contoso).await;
    let (status, placed) = place_order(
        &app,
        page["form_id"].as_str().unwrap(),
        &contoso,
        "CFQ7TTC0LCHC:0003:P1Y:monthly",
        "5",
    )
    .await;
    assert_eq!(status, 200, "{placed}");
    let fresh = placed["subscription_id"].as_str().unwrap().to_lowercase();
    let advanced = app
        .emulator_post("clock", serde_json::json!({ "seconds": 8 * 86_400 }))
        .await;
    assert_eq!(advanced, 200);
    let report = app.get_json("/api/optimisation", &[("run", "1")]).await;
    let row = report["reductions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subscription_id"] == fresh.as_str())
        .unwrap_or_else(|| panic!("{report}"))
        .clone();
    let key = row["key"].as_str().unwrap().to_owned();
    let (status, said) = app
        .send("/api/optimisation-apply", &[("reductions", key.as_str())])
        .await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(said["made"].as_array().unwrap().len(), 1, "{said}");
    let now = app
        .get_json(
            "/api/subscription",
            &[("customer", contoso.as_str()), ("id", fresh.as_str())],
        )
        .await;
    assert_eq!(
        (
            now["item"]["quantity"].as_i64(),
            now["scheduled"].as_bool(),
            now["next_quantity"].as_i64()
        ),
        (Some(5), Some(true), Some(1)),
        "kept until renewal, 1 then: {now}"
    );
}

/// A new customer tenant: its domain checked as typed (taken, free, invalid); bad fields refused
/// on their field with nothing sent; created in Partner Center, imported under the chosen
/// reseller, its agreement recorded, its administrator's sign-in shown once and mailed.
async fn a_new_customer_tenant_is_created_and_imported(app: TestApp) {
    app.sign_in_as("Service provider admin").await;
    let check = |prefix: &'static str| {
        let app = &app;
        async move {
            app.get_json("/api/tenant-domain", &[("prefix", prefix)])
                .await
        }
    };
    assert_eq!(check("contoso").await["state"], "taken");
    assert_eq!(check("adatum-demo").await["state"], "free");
    let invalid = check("a_b").await;
    assert_eq!(invalid["state"], "invalid", "{invalid}");
    let reseller = app.get_json("/api/tenants", &[("", "")]).await["resellers"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = |changes: &[(&'static str, &'static str)]| {
        let mut fields: Vec<(String, String)> = [
            ("company_name", "Adatum Demo"),
            ("domain_prefix", "adatum-demo"),
            ("first_name", "Ada"),
            ("last_name", "Tum"),
            ("email", "ada@adatum.example"),
            ("address_line1", "1 Main St"),
            ("city", "Redmond"),
            ("state", "WA"),
            ("postal_code", "98052"),
            ("country", "US"),
            ("agreement", "on"),
            ("mail", "on"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        fields.push(("reseller".into(), reseller.clone()));
        for (k, v) in changes {
            fields.retain(|(key, _)| key != k);
            fields.push((k.to_string(), v.to_string()));
        }
        fields
    };
    let send = |fields: Vec<(String, String)>| {
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.send("/api/tenant-create", &fields).await
        }
    };
    let writes = app.writes_applied().await;
    for (change, field) in [
        (("agreement", ""), "agreement"),
        (("domain_prefix", "contoso"), "domain_prefix"),
        (("domain_prefix", "x"), "domain_prefix"),
        (("email", "nobody"), "email"),
        (("state", ""), "state"),
        (("country", "USA"), "country"),
        (
            ("reseller", "00000000-0000-0000-0000-00000000dead"),
            "reseller",
        ),
    ] {
        let (status, said) = send(form(&[change])).await;
        assert_eq!(
            (status, said["field"].as_str()),
            (400, Some(field)),
            "{change:?}: {said}"
        );
    }
    assert_eq!(
        app.writes_applied().await,
        writes,
        "nothing sent for a bad form"
    );

    let (status, created) = send(form(&[])).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["domain"], "adatum-demo.onmicrosoft.com");
    assert_eq!(created["admin_user"], "admin@adatum-demo.onmicrosoft.com");
    assert!(
        created["admin_password"].as_str().unwrap().len() >= 8,
        "{created}"
    );
    assert_eq!(created["mailed_to"], "ada@adatum.example");
    assert_eq!(
        created["agreement_problem"],
        serde_json::Value::Null,
        "{created}"
    );
    assert_eq!(check("adatum-demo").await["state"], "taken");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(app.customer_id("Adatum Demo").await, id);
    let store = app.store().await;
    let (owner,): (Option<String>,) =
        sqlx::query_as("SELECT reseller_id FROM customers WHERE id = $1")
            .bind(&id)
            .fetch_one(store.pool())
            .await
            .unwrap();
    let (mails,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outbox WHERE recipient = 'ada@adatum.example' AND body LIKE $1",
    )
    .bind(format!("%{}%", created["admin_password"].as_str().unwrap()))
    .fetch_one(store.pool())
    .await
    .unwrap();
    store.close().await;
    assert_eq!(
        owner.as_deref(),
        Some(reseller.as_str()),
        "under the reseller"
    );
    assert_eq!(mails, 1, "the sign-in mailed once");
    let page = order_page(&app, &id).await;
    assert!(
        page["agreement"].is_object(),
        "the agreement is recorded: {page}"
    );

    // An existing tenant: the invitation link to send its global administrator.
    let (status, link) = {
        let r = app.get("/api/relationship-link").await;
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap(),
        )
    };
    assert_eq!(status, 200, "{link}");
    let link = link.as_str().unwrap();
    assert!(
        link.starts_with("https://admin.microsoft.com/")
            && link.contains("invType=ResellerRelationship"),
        "{link}"
    );
    // Its administrator accepts (in Microsoft's admin center): the tenant is listed for import.
    let accepted = app
        .emulator_post(
            "relationship/accept",
            serde_json::json!({ "companyName": "Litware Existing", "domain": "litwareexisting.onmicrosoft.com" }),
        )
        .await;
    assert_eq!(accepted, 201);
    let tenants = app.get_json("/api/tenants", &()).await;
    let listed = tenants["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["company_name"] == "Litware Existing")
        .unwrap_or_else(|| panic!("{tenants}"))
        .clone();
    assert_eq!(listed["imported"], false, "{listed}");
    assert_eq!(listed["domain"], "litwareexisting.onmicrosoft.com");

    // The same domain again is taken; support cannot create.
    let (status, said) = send(form(&[("company_name", "Adatum Again")])).await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("domain_prefix")),
        "{said}"
    );
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider support").await;
    assert_eq!(send(form(&[("domain_prefix", "other-demo")])).await.0, 403);

    // A reseller's admin creates for its own reseller only.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Reseller admin").await;
    let (status, said) = send(form(&[
        ("domain_prefix", "fabrikam-branch"),
        ("company_name", "Fabrikam Branch"),
        ("reseller", "00000000-0000-0000-0000-00000000beef"),
    ]))
    .await;
    assert_eq!(
        (status, said["field"].as_str()),
        (400, Some("reseller")),
        "{said}"
    );
    let (status, made) = send(form(&[
        ("domain_prefix", "fabrikam-branch"),
        ("company_name", "Fabrikam Branch"),
        ("reseller", ""),
    ]))
    .await;
    assert_eq!(status, 200, "{made}");
    let branch = made["id"].as_str().unwrap().to_owned();
    let store = app.store().await;
    let (owner,): (Option<String>,) =
        sqlx::query_as("SELECT reseller_id FROM customers WHERE id = $1")
            .bind(&branch)
            .fetch_one(store.pool())
            .await
            .unwrap();
    let (own,): (Option<String>,) = sqlx::query_as(
        "SELECT reseller_id FROM portal_accounts WHERE email = 'reseller@seatwise.demo'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    store.close().await;
    assert_eq!(owner, own, "the reseller's own customer");
    let visible = app.get_json("/api/my-customers", &[("", "")]).await;
    assert!(visible.to_string().contains("Fabrikam Branch"), "{visible}");
}

/// A job, once any instance has finished it (waits up to 30 s).
async fn finished_job(app: &TestApp, id: &str) -> domain::jobs::Job {
    let store = app.store().await;
    for _ in 0..300 {
        let job = store.jobs().get(id).await.unwrap().unwrap();
        if job.status.finished() {
            store.close().await;
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("job {id} did not finish");
}

/// Reconciliation: a change made outside Seatwise, a subscription the store has and Partner
/// Center does not, and a customer Partner Center fails for are reported per connection; the
/// preview (dry run) of two corrections shows them and changes nothing; applying one corrects
/// only it, recorded in the history by the admin; support may read the report but not apply;
/// bad choices are refused on their field.
async fn reconciliation_reports_and_corrects_what_is_chosen(app: TestApp) {
    use domain::history::Kind;
    let contoso = app.customer_id("Contoso Ltd").await;
    let fabrikam = app.customer_id("Fabrikam Inc").await;
    app.sign_in_as("Service provider admin").await;
    live_subscriptions(&app, &contoso).await;
    let list = app
        .get_json(
            "/api/subscriptions",
            &[("customer", contoso.as_str()), ("read", "0")],
        )
        .await;
    let id = list["rows"][0]["id"].as_str().unwrap().to_owned();
    let quantity = list["rows"][0]["quantity"].as_i64().unwrap();
    // Outside Seatwise: a quantity; in the store only: a subscription Partner Center never had.
    let outside = app
        .emulator_post(
            &format!("customers/{contoso}/subscriptions/{id}"),
            serde_json::json!({ "quantity": quantity + 3 }),
        )
        .await;
    assert_eq!(outside, 200);
    let phantom = "55555555-0000-0000-0000-000000000001";
    let store = app.store().await;
    let wire: partner_center::wire::Subscription =
        partner_center::json::from_value(serde_json::json!({
            "id": phantom, "offerId": "CFQ7TTC0LF8Q:0001:P1Y", "offerName": "Phantom E3",
            "quantity": 4, "status": "active", "billingCycle": "monthly", "termDuration": "P1Y"
        }))
        .unwrap();
    let author = domain::history::Author {
        email: "setup@test".into(),
        role: "sp_admin".into(),
        request_id: String::new(),
    };
    let customer = partner_center::CustomerId::new(contoso.clone());
    store
        .subscriptions()
        .record_change(&customer, &wire, &author, Kind::Order, 1)
        .await
        .unwrap();
    let stored = || async {
        let store = app.store().await;
        let history = store.history().of_customer(&contoso).await.unwrap();
        store.close().await;
        history.len()
    };
    let entries_before = stored().await;
    // Partner Center fails for Fabrikam.
    app.emulator_knobs(serde_json::json!({
        "fault_rate": 1.0, "faults": ["server_error"],
        "fault_match": format!("/customers/{fabrikam}/subscriptions")
    }))
    .await;

    let report = app.get_json("/api/reconciliation", &[("run", "1")]).await;
    let sections = report["report"]["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 1, "{report}");
    let section = &sections[0];
    assert_eq!(section["customers"], 3, "{section}");
    let unreachable = section["unreachable"].as_array().unwrap();
    assert_eq!(unreachable.len(), 1, "{section}");
    assert_eq!(unreachable[0][0], "Fabrikam Inc");
    let findings: Vec<&serde_json::Value> = section["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["customer"] == "Contoso Ltd")
        .collect();
    assert_eq!(findings.len(), 2, "{findings:?}");
    let quantity_finding = findings
        .iter()
        .find(|f| f["subscription_id"] == id.as_str())
        .unwrap();
    assert_eq!(quantity_finding["problem"], "Quantity differs");
    assert_eq!(quantity_finding["ours"], quantity.to_string());
    assert_eq!(quantity_finding["theirs"], (quantity + 3).to_string());
    let phantom_finding = findings
        .iter()
        .find(|f| f["subscription_id"] == phantom)
        .unwrap();
    assert_eq!(phantom_finding["problem"], "No longer in Partner Center");
    assert_eq!(phantom_finding["action"], "Mark it as cancelled");
    let both = format!(
        "{}\n{}",
        quantity_finding["key"].as_str().unwrap(),
        phantom_finding["key"].as_str().unwrap()
    );

    // The preview: both changes, nothing written.
    let (status, preview) = app
        .send(
            "/api/reconcile-apply",
            &[("findings", &both), ("mode", "preview")],
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["changes"].as_array().unwrap().len(), 2, "{preview}");
    assert_eq!(stored().await, entries_before, "the preview wrote nothing");
    let again = app.get_json("/api/reconciliation", &[("run", "1")]).await;
    assert_eq!(
        again["report"], report["report"],
        "the preview changed nothing"
    );

    // Support reads the report but does not apply.
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider support").await;
    let read = app
        .client
        .get(app.url("/api/reconciliation"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let key = quantity_finding["key"].as_str().unwrap();
    let (status, _) = app
        .send(
            "/api/reconcile-apply",
            &[("findings", key), ("mode", "apply")],
        )
        .await;
    assert_eq!(status, 403);
    app.post_form("/auth/sign-out", &[]).await;
    app.sign_in_as("Service provider admin").await;

    // Bad choices: on their field, nothing written.
    for (findings, mode, field) in [
        ("", "apply", "findings"),
        ("nonsense", "apply", "findings"),
        (&*format!("{contoso}/{id}/password"), "apply", "findings"),
        (key, "later", "mode"),
    ] {
        let (status, said) = app
            .send(
                "/api/reconcile-apply",
                &[("findings", findings), ("mode", mode)],
            )
            .await;
        assert_eq!(status, 400, "{findings} {mode}: {said}");
        assert_eq!(said["field"], field, "{said}");
    }
    assert_eq!(stored().await, entries_before);

    // Applying the quantity only: that one is corrected, by the admin, in the history.
    let (status, applied) = app
        .send(
            "/api/reconcile-apply",
            &[("findings", key), ("mode", "apply")],
        )
        .await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["changes"].as_array().unwrap().len(), 1, "{applied}");
    let store = app.store().await;
    let history = store.history().of_customer(&contoso).await.unwrap();
    store.close().await;
    assert_eq!(history.len(), entries_before + 1);
    let entry = history.last().unwrap();
    assert_eq!(
        (
            entry.kind,
            entry.field.as_str(),
            entry.new_value.clone(),
            entry.actor.as_str(),
            entry.in_seatwise
        ),
        (
            Kind::Reconcile,
            "quantity",
            (quantity + 3).to_string(),
            "admin@seatwise.demo",
            true
        )
    );
    let after = app.get_json("/api/reconciliation", &[("run", "1")]).await;
    let left: Vec<&serde_json::Value> = after["report"]["sections"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["customer"] == "Contoso Ltd")
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["subscription_id"], phantom);
    // The same correction again: nothing left to do.
    let (status, twice) = app
        .send(
            "/api/reconcile-apply",
            &[("findings", key), ("mode", "apply")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            twice["changes"].as_array().unwrap().len(),
            twice["skipped"].as_u64()
        ),
        (0, Some(1))
    );
    app.emulator_knobs(serde_json::json!({})).await;
}

/// The history page: only the customers a person may see, filters, one subscription's quantity
/// over time, and a CSV of what is filtered (cells that a spreadsheet would run as a formula are
/// quoted).
async fn the_history_is_filtered_charted_and_exported(app: TestApp) {
    let contoso = app.customer_id("Contoso Ltd").await;
    app.sign_in_as("Customer admin").await;
    live_subscriptions(&app, &contoso).await;
    let list = app
        .get_json(
            "/api/subscriptions",
            &[("customer", contoso.as_str()), ("read", "0")],
        )
        .await;
    let id = list["rows"][0]["id"].as_str().unwrap().to_owned();
    let quantity = list["rows"][0]["quantity"].as_i64().unwrap();
    let outside = app
        .emulator_post(
            &format!("customers/{contoso}/subscriptions/{id}"),
            serde_json::json!({ "quantity": quantity + 2, "friendlyName": "=HYPERLINK(1)" }),
        )
        .await;
    assert_eq!(outside, 200);
    live_subscriptions(&app, &contoso).await;
    let (status, said) = change_subscription(
        &app,
        &contoso,
        &id,
        "quantity",
        (quantity + 5).to_string(),
        "",
    )
    .await;
    assert_eq!(status, 200, "{said}");

    let all = app.get_json("/api/history", &[("", "")]).await;
    let rows = all["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["customer"] == "Contoso Ltd"), "{all}");
    assert_eq!(rows[0]["in_seatwise"], true, "newest first: {all}");
    let outside_only = app
        .get_json("/api/history", &[("source", "outside"), ("kind", "change")])
        .await;
    let found: Vec<&str> = outside_only["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(found.len(), 2, "{outside_only}");
    assert!(found.contains(&"quantity") && found.contains(&"friendly_name"));
    let one = app
        .get_json("/api/history", &[("subscription", id.as_str())])
        .await;
    let points: Vec<i64> = one["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_i64().unwrap())
        .collect();
    assert_eq!(points, [quantity, quantity + 2, quantity + 5], "{one}");
    let bad_date = app
        .client
        .get(app.url("/api/history"))
        .query(&[("from", "yesterday")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_date.status(), 400);

    // The CSV: every filtered entry, a header, no formula left to run.
    let csv = app
        .client
        .get(app.url("/api/history-csv"))
        .query(&[("subscription", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(header(&csv, "content-type").starts_with("text/csv"));
    assert!(header(&csv, "content-disposition").contains("attachment"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("when_utc,customer,subscription_id"));
    assert_eq!(
        lines.len() - 1,
        one["matching"].as_u64().unwrap() as usize,
        "{text}"
    );
    assert!(text.contains(",'=HYPERLINK(1),"), "{text}");
    // As a browser asks for it (compressed): the whole file arrives (the stream, read a batch
    // at a time, ends once).
    let compressed = app
        .client
        .get(app.url("/api/history-csv"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), 200);
    assert!(!header(&compressed, "content-encoding").is_empty());
    assert!(!compressed.bytes().await.expect("the whole body").is_empty());
    app.post_form("/auth/sign-out", &[]).await;

    // Another customer's history is not the reseller's to read.
    app.sign_in_as("Reseller admin").await;
    let r = app
        .client
        .get(app.url("/api/history"))
        .query(&[("customer", contoso.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let mine = app.get_json("/api/history", &[("", "")]).await;
    assert!(mine["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["customer"] != "Contoso Ltd"));
}
