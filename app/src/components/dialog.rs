//! A modal dialog on the native `<dialog>` element: the browser gives it the dialog role, keeps
//! Tab inside it, closes it on Escape and returns focus afterwards. It opens when mounted.

use leptos::prelude::*;

#[component]
pub fn Dialog(
    #[prop(into)] title: String,
    /// Called when the dialog closes (Escape, or a Close button that calls it).
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Dialog>::new();
    let title_id = format!(
        "dialog-{}",
        title
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    );
    Effect::new(move |_| {
        if let Some(dialog) = node.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=node
            class="dialog"
            aria-labelledby=labelled_by
            on:close=move |_| on_close.run(())
        >
            <div class="dialog-header">
                <h2 class="dialog-title" id=title_id>{title}</h2>
            </div>
            {children()}
        </dialog>
    }
}
