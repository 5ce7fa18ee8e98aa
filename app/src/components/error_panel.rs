//! How a failed load looks: what went wrong, in words a user can act on, and the request id.

use leptos::prelude::*;

use crate::error::AppError;

/// The errors an `<ErrorBoundary>` caught.
#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    alert(move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| {
                let text = error
                    .downcast_ref::<AppError>()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| error.to_string());
                view! { <li>{text}</li> }
            })
            .collect_view()
    })
}

/// One error, for a page that matches its data's `Result` itself instead of using an error
/// boundary (the users page: a boundary's code would be in every first load).
pub fn load_failed(error: &AppError) -> impl IntoView {
    alert(view! { <li>{error.to_string()}</li> })
}

fn alert(items: impl IntoView) -> impl IntoView {
    view! {
        <div class="alert alert-error" role="alert">
            <strong>{tr!(common.load_failed)}</strong>
            <ul>{items}</ul>
        </div>
    }
}
