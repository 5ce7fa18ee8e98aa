//! A small form opened in place from a row's button (`<details>`, so it works before and
//! without JavaScript), closed again once the form is sent.

use leptos::prelude::*;

#[component]
pub fn InlineDetails(
    /// The button's accessible name (it names the row: "Rename Sandbox").
    #[prop(into)]
    label: String,
    /// The button's text.
    text: &'static str,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Details>::new();
    let close = move |_| {
        if let Some(details) = node.get() {
            details.set_open(false);
        }
    };
    view! {
        <details class="inline-details" node_ref=node on:submit=close>
            <summary class="button button-ghost button-small" aria-label=label>{text}</summary>
            {children()}
        </details>
    }
}
