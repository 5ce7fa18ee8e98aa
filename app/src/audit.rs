//! Writing to the audit log from server functions (with this request's id).

#[cfg(feature = "ssr")]
pub async fn record(
    actor: &str,
    customer: Option<&str>,
    action: &str,
    outcome: domain::audit::Outcome,
    detail: &str,
) {
    let state = leptos::prelude::expect_context::<crate::state::AppState>();
    let request_id = crate::request_id::current();
    if let Err(e) = state
        .store
        .audit()
        .record(domain::audit::NewEntry {
            actor,
            customer_id: customer,
            action,
            outcome,
            detail,
            request_id: request_id.as_deref(),
        })
        .await
    {
        tracing::error!(error = %e, "could not write the audit log");
    }
}
