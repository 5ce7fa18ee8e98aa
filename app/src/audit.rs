//! Writing to the audit log from server functions (with this request's id).

/// The audit log as this request writes it; it can be carried onto a task of its own (a
/// change that runs to its end records its outcome there).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Recorder {
    store: domain::Store,
    request_id: Option<String>,
}

#[cfg(feature = "ssr")]
impl Recorder {
    /// For the current request.
    pub fn here() -> Self {
        let state = leptos::prelude::expect_context::<crate::state::AppState>();
        Recorder {
            store: state.store,
            request_id: crate::request_id::current(),
        }
    }

    pub async fn record(
        &self,
        actor: &str,
        customer: Option<&str>,
        action: &str,
        outcome: domain::audit::Outcome,
        detail: &str,
    ) {
        if let Err(e) = self
            .store
            .audit()
            .record(domain::audit::NewEntry {
                actor,
                customer_id: customer,
                action,
                outcome,
                detail,
                request_id: self.request_id.as_deref(),
            })
            .await
        {
            tracing::error!(error = %e, "could not write the audit log");
        }
    }
}

#[cfg(feature = "ssr")]
pub async fn record(
    actor: &str,
    customer: Option<&str>,
    action: &str,
    outcome: domain::audit::Outcome,
    detail: &str,
) {
    Recorder::here()
        .record(actor, customer, action, outcome, detail)
        .await
}
