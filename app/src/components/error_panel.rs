//! How a failed load looks: what went wrong, in words a user can act on, and the request id.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="alert alert-error" role="alert">
            <strong>{tr!(common.load_failed)}</strong>
            <ul>
                {move || {
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
                }}
            </ul>
        </div>
    }
}
